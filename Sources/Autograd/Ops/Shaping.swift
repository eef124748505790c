// Shape and selection ops: forward rules and VJPs side by side.

extension Variable {
    /// The same elements under another shape with the same count (no copy).
    @inlinable
    public func reshaped(to shape: Shape) -> Variable { tape.reshape(self, to: shape) }

    /// Axes permuted: output axis i is input axis `permutation[i]`.
    @inlinable
    public func transposed(_ permutation: [Int]) -> Variable { tape.transpose(self, permutation) }

    /// A matrix's transpose.
    @inlinable
    public func transposed() -> Variable { tape.transpose(self, [1, 0]) }

    /// `length` entries of `axis` starting at `start`.
    @inlinable
    public func slice(alongAxis axis: Int, start: Int, length: Int) -> Variable {
        tape.slice(self, axis: axis, start: start, length: length)
    }

    /// Picks one entry along `axis` for every position of the other axes; the axis is removed.
    /// `indices` is in row-major order of the output (for logits `[batch, classes]` and
    /// `axis: 1`, one class per row: the logit of each label).
    @inlinable
    public func gathering(_ indices: [Int], alongAxis axis: Int) -> Variable {
        tape.gather(self, indices, axis: axis)
    }

    /// The same value, through which no gradient flows back.
    @inlinable
    public func stoppingGradient() -> Variable {
        tape.recordAlias(.stopGradient, self, shape: shape, requiresGradient: false)
    }
}

/// Joins variables along `axis`; all other dimensions must agree.
@inlinable
public func concatenate<Scalar>(_ parts: [Variable<Scalar>], alongAxis axis: Int) -> Variable<Scalar> {
    require(!parts.isEmpty, "concatenate: needs at least one operand")
    return parts[0].tape.concatenate(parts, axis: axis)
}

extension Tape {
    @inlinable
    func reshape(_ x: Variable<Scalar>, to shape: Shape) -> Variable<Scalar> {
        let nx = node(x)
        require(nx.shape.count == shape.count, "reshape: cannot reshape \(nx.shape) to \(shape)")
        return recordAlias(.reshape, x, shape: shape, requiresGradient: nx.requiresGradient)
    }

    @inlinable
    func reshapeVJP(_ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>) {
        let x = operand(node, 0)
        accumulate(g, shape: nodes[Int(x)].shape, into: x)
    }

    @inlinable
    func transpose(_ x: Variable<Scalar>, _ permutation: [Int]) -> Variable<Scalar> {
        let nx = node(x)
        require(
            permutation.count == nx.shape.rank && Set(permutation) == Set(0..<nx.shape.rank),
            "transpose: \(permutation) is not a permutation of the axes of shape \(nx.shape)")
        let outputShape = Shape(permutation.map { nx.shape[$0] })
        var packed: UInt32 = 0
        for (i, p) in permutation.enumerated() { packed |= UInt32(p) << (8 * i) }
        return record(.transpose(permutation: packed), x, shape: outputShape) { out in
            Scalar.kernels.stridedAccumulate(
                extent: outputShape.extent4, alpha: 1, overwrite: true,
                source: pointer(nx.value), sourceStrides: permutedStrides(nx.shape, packed),
                target: out, targetStrides: outputShape.strides4)
        }
    }

    /// The input's strides in the output's axis order, padded to rank 4.
    @inlinable
    func permutedStrides(_ input: Shape, _ packed: UInt32) -> Index4 {
        let strides = input.strides4
        let pad = Shape.maximumRank - input.rank
        var result = Index4(0, 0, 0, 0)
        for i in 0..<input.rank { result[pad + i] = strides[pad + Int((packed >> (8 * i)) & 0xFF)] }
        return result
    }

    @inlinable
    func transposeVJP(_ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>, permutation packed: UInt32) {
        let x = operand(node, 0)
        guard let dx = gradientBuffer(x) else { return }
        Scalar.kernels.stridedAccumulate(
            extent: node.shape.extent4, alpha: 1, overwrite: false,
            source: g, sourceStrides: node.shape.strides4,
            target: dx, targetStrides: permutedStrides(nodes[Int(x)].shape, packed))
    }

    /// Moves a block of `length` entries along `axis`, between a tensor of `shape` (at entry
    /// `start`) and a contiguous tensor holding just the block. Slicing reads the block out;
    /// concatenation writes blocks in; their VJPs do the reverse, adding instead of copying.
    @inlinable
    func transferBlock(
        _ shape: Shape, axis: Int, start: Int, length: Int,
        whole: UnsafeMutablePointer<Scalar>, block: UnsafeMutablePointer<Scalar>,
        toBlock: Bool, overwrite: Bool
    ) {
        let view = shape.split(at: axis)
        let extent = Index4(1, view.outer, length, view.inner)
        let wholeStrides = Index4(0, view.axis * view.inner, view.inner, 1)
        let blockStrides = Index4(0, length * view.inner, view.inner, 1)
        let region = whole + start * view.inner
        if toBlock {
            Scalar.kernels.stridedAccumulate(
                extent: extent, alpha: 1, overwrite: overwrite,
                source: region, sourceStrides: wholeStrides,
                target: block, targetStrides: blockStrides)
        } else {
            Scalar.kernels.stridedAccumulate(
                extent: extent, alpha: 1, overwrite: overwrite,
                source: block, sourceStrides: blockStrides,
                target: region, targetStrides: wholeStrides)
        }
    }

    @inlinable
    func slice(_ x: Variable<Scalar>, axis: Int, start: Int, length: Int) -> Variable<Scalar> {
        let nx = node(x)
        require(axis >= 0 && axis < nx.shape.rank, "slice: axis \(axis) is out of range for shape \(nx.shape)")
        require(
            start >= 0 && length >= 0 && start + length <= nx.shape[axis],
            "slice: entries \(start)..<\(start + length) are out of range for axis \(axis) of shape \(nx.shape)")
        var outputShape = nx.shape
        outputShape[axis] = length
        return record(.slice(axis: axis, start: start), x, shape: outputShape) { out in
            transferBlock(
                nx.shape, axis: axis, start: start, length: length, whole: pointer(nx.value), block: out,
                toBlock: true, overwrite: true)
        }
    }

    @inlinable
    func sliceVJP(_ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>, axis: Int, start: Int) {
        let x = operand(node, 0)
        guard let dx = gradientBuffer(x) else { return }
        transferBlock(
            nodes[Int(x)].shape, axis: axis, start: start, length: node.shape[axis],
            whole: dx, block: g, toBlock: false, overwrite: false)
    }

    @inlinable
    func concatenate(_ parts: [Variable<Scalar>], axis: Int) -> Variable<Scalar> {
        let first = node(parts[0]).shape
        require(axis >= 0 && axis < first.rank, "concatenate: axis \(axis) is out of range for shape \(first)")
        var outputShape = first
        outputShape[axis] = 0
        for part in parts {
            let shape = node(part).shape
            var probe = shape
            if shape.rank == first.rank { probe[axis] = first[axis] }
            require(probe == first, "concatenate: shapes \(first) and \(shape) differ outside axis \(axis)")
            outputShape[axis] += shape[axis]
        }
        return record(.concatenate(axis: axis), operands: parts, shape: outputShape) { out in
            var start = 0
            for part in parts {
                let np = node(part)
                transferBlock(
                    outputShape, axis: axis, start: start, length: np.shape[axis],
                    whole: out, block: pointer(np.value), toBlock: false, overwrite: true)
                start += np.shape[axis]
            }
        }
    }

    @inlinable
    func concatenateVJP(_ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>, axis: Int) {
        var start = 0
        for i in 0..<Int(node.operandCount) {
            let id = operand(node, i)
            let length = nodes[Int(id)].shape[axis]
            if let dx = gradientBuffer(id) {
                transferBlock(
                    node.shape, axis: axis, start: start, length: length,
                    whole: g, block: dx, toBlock: true, overwrite: false)
            }
            start += length
        }
    }

    @inlinable
    func gather(_ x: Variable<Scalar>, _ selected: [Int], axis: Int) -> Variable<Scalar> {
        let nx = node(x)
        require(axis >= 0 && axis < nx.shape.rank, "gather: axis \(axis) is out of range for shape \(nx.shape)")
        let outputShape = nx.shape.removing(axis: axis)
        require(
            selected.count == outputShape.count,
            "gather: \(selected.count) indices for shape \(nx.shape) along axis \(axis); expected \(outputShape.count)")
        let stored = indices.allocate(selected.count, of: Int32.self)
        for (i, index) in selected.enumerated() {
            require(
                index >= 0 && index < nx.shape[axis],
                "gather: index \(index) is out of range for axis \(axis) of shape \(nx.shape)")
            stored[i] = Int32(index)
        }
        return record(.gather(axis: axis, indices: stored), x, shape: outputShape) { out in
            let view = nx.shape.split(at: axis)
            Scalar.kernels.gather(
                outer: view.outer, axis: view.axis, inner: view.inner,
                x: pointer(nx.value), indices: stored, y: out)
        }
    }

    @inlinable
    func gatherVJP(
        _ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>, axis: Int, indices stored: UnsafeMutablePointer<Int32>
    ) {
        let x = operand(node, 0)
        guard let dx = gradientBuffer(x) else { return }
        let view = nodes[Int(x)].shape.split(at: axis)
        Scalar.kernels.scatterAdd(outer: view.outer, axis: view.axis, inner: view.inner, g: g, indices: stored, dx: dx)
    }

    /// Gather's VJP (and max's), recorded: each output position picked one entry along the
    /// axis, so the scatter is the cotangent broadcast along the axis times a one-hot mask.
    @inlinable
    func gatherRecordedVJP(
        _ c: RecordedVJP<Scalar>, axis: Int, indices stored: UnsafeMutablePointer<Int32>
    ) -> [Variable<Scalar>?] {
        let shape = c.operandShape(0)
        let view = shape.split(at: axis)
        let picked = constant(shape: shape) { out in
            out.initialize(repeating: 0)
            for o in 0..<view.outer {
                for i in 0..<view.inner {
                    out[(o * view.axis + Int(stored[o * view.inner + i])) * view.inner + i] = 1
                }
            }
        }
        var kept = shape
        kept[axis] = 1
        return [c.g.reshaped(to: kept) * picked]
    }

    /// Transpose's VJP, recorded: the inverse permutation.
    @inlinable
    func transposeRecordedVJP(_ c: RecordedVJP<Scalar>, permutation packed: UInt32) -> [Variable<Scalar>?] {
        let rank = c.node.shape.rank
        var inverse = [Int](repeating: 0, count: rank)
        for i in 0..<rank { inverse[Int((packed >> (8 * i)) & 0xFF)] = i }
        return [c.g.transposed(inverse)]
    }

    /// Slice's VJP, recorded: the cotangent between zeros along the axis.
    @inlinable
    func sliceRecordedVJP(_ c: RecordedVJP<Scalar>, axis: Int, start: Int) -> [Variable<Scalar>?] {
        let whole = c.operandShape(0)
        let length = c.node.shape[axis]
        func zeros(_ count: Int) -> Variable<Scalar> {
            var shape = whole
            shape[axis] = count
            return constant(0, shape: shape)
        }
        var parts = [c.g]
        if start > 0 { parts.insert(zeros(start), at: 0) }
        if start + length < whole[axis] { parts.append(zeros(whole[axis] - start - length)) }
        return [parts.count == 1 ? c.g : Autograd.concatenate(parts, alongAxis: axis)]
    }

    /// Concatenation's VJP, recorded: each operand's block of the cotangent.
    @inlinable
    func concatenateRecordedVJP(_ c: RecordedVJP<Scalar>, axis: Int) -> [Variable<Scalar>?] {
        var start = 0
        return (0..<c.wants.count).map { i in
            let length = c.operandShape(i)[axis]
            defer { start += length }
            return c.wants[i] ? c.g.slice(alongAxis: axis, start: start, length: length) : nil
        }
    }
}
