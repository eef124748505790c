// Reductions: forward rules and VJPs side by side.

extension Variable {
    /// The sum over the given axes, which are removed from the shape.
    @inlinable
    public func sum(alongAxes axes: [Int]) -> Variable { tape.sum(self, axes: axes) }

    /// The sum of every element: a scalar.
    @inlinable
    public func sum() -> Variable { tape.sum(self, mask: UInt8((1 << shape.rank) - 1)) }

    /// The maximum along `axis`, which is removed from the shape. The gradient goes to the
    /// first maximal element (ties broken by position, as in PyTorch's `max(dim)`).
    @inlinable
    public func max(alongAxis axis: Int) -> Variable { tape.maximum(self, axis: axis) }

    /// `x - log(sum(exp(x)))` along the last axis, computed stably (the maximum is
    /// subtracted first). Its VJP reuses the output: `g - softmax * sum(g)`.
    @inlinable
    public func logSoftmax() -> Variable { tape.logSoftmax(self) }
}

extension Shape {
    /// The view of this shape as `outer x size(axis) x inner`.
    @inlinable
    func split(at axis: Int) -> (outer: Int, axis: Int, inner: Int) {
        var outer = 1
        var inner = 1
        for i in 0..<axis { outer *= self[i] }
        for i in (axis + 1)..<Swift.max(rank, axis + 1) { inner *= self[i] }
        return (outer, self[axis], inner)
    }

    /// This shape without `axis`.
    @inlinable
    func removing(axis: Int) -> Shape {
        var dims = dimensions
        dims.remove(at: axis)
        return Shape(dims)
    }
}

extension Tape {
    @inlinable
    func sum(_ x: Variable<Scalar>, axes: [Int]) -> Variable<Scalar> {
        let shape = node(x).shape
        var mask: UInt8 = 0
        for axis in axes {
            require(axis >= 0 && axis < shape.rank, "sum: axis \(axis) is out of range for shape \(shape)")
            mask |= 1 << axis
        }
        return sum(x, mask: mask)
    }

    /// The sum along the axes whose bits are set in `mask`.
    @inlinable
    func sum(_ x: Variable<Scalar>, mask: UInt8) -> Variable<Scalar> {
        let shape = node(x).shape
        let outputShape = shape.reducing(mask, keepingRank: false)
        return record(.sum(reducedAxes: mask), x, shape: outputShape) { out in
            Scalar.kernels.stridedAccumulate(
                extent: shape.extent4, alpha: 1, overwrite: false,
                source: pointer(node(x).value), sourceStrides: shape.strides4,
                target: zeroed(out, outputShape.count),
                targetStrides: keptShape(shape, mask).broadcastStrides4(over: shape))
        }
    }

    /// The input shape with reduced axes set to 1: the output laid out at the input's rank.
    @inlinable
    func keptShape(_ shape: Shape, _ mask: UInt8) -> Shape {
        shape.reducing(mask, keepingRank: true)
    }

    @inlinable
    func zeroed(_ p: UnsafeMutablePointer<Scalar>, _ count: Int) -> UnsafeMutablePointer<Scalar> {
        UnsafeMutableRawPointer(p).initializeMemory(
            as: UInt8.self, repeating: 0, count: count * MemoryLayout<Scalar>.stride)
        return p
    }

    @inlinable
    func sumVJP(_ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>, reducedAxes mask: UInt8) {
        let x = operand(node, 0)
        guard let dx = gradientBuffer(x) else { return }
        let shape = nodes[Int(x)].shape
        Scalar.kernels.stridedAccumulate(
            extent: shape.extent4, alpha: 1, overwrite: false,
            source: g, sourceStrides: keptShape(shape, mask).broadcastStrides4(over: shape),
            target: dx, targetStrides: shape.strides4)
    }

    @inlinable
    func maximum(_ x: Variable<Scalar>, axis: Int) -> Variable<Scalar> {
        let nx = node(x)
        require(axis >= 0 && axis < nx.shape.rank, "max: axis \(axis) is out of range for shape \(nx.shape)")
        require(nx.shape[axis] > 0, "max: axis \(axis) of shape \(nx.shape) is empty")
        let view = nx.shape.split(at: axis)
        let outputShape = nx.shape.removing(axis: axis)
        let argmax = indices.allocate(outputShape.count, of: Int32.self)
        // The VJP of max is the VJP of gathering its argmax.
        return record(.max(axis: axis, argmax: argmax), x, shape: outputShape) { out in
            Scalar.kernels.maximum(
                outer: view.outer, axis: view.axis, inner: view.inner,
                x: pointer(nx.value), y: out, argmax: argmax)
        }
    }

    @inlinable
    func logSoftmax(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let nx = node(x)
        require(
            nx.shape.rank >= 1 && nx.shape[nx.shape.rank - 1] > 0,
            "logSoftmax: needs a non-empty last axis, got shape \(nx.shape)")
        let columns = nx.shape[nx.shape.rank - 1]
        return record(.logSoftmax, x, shape: nx.shape) { out in
            Scalar.kernels.logSoftmax(rows: nx.shape.count / columns, columns: columns, x: pointer(nx.value), y: out)
        }
    }

    @inlinable
    func logSoftmaxVJP(_ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>) {
        let x = operand(node, 0)
        guard let dx = gradientBuffer(x) else { return }
        let columns = node.shape[node.shape.rank - 1]
        Scalar.kernels.logSoftmaxBackward(
            rows: node.shape.count / columns, columns: columns,
            y: pointer(node.value), g: g, dx: dx, scratch: scratch(columns))
    }

    /// The sum's VJP, recorded: the cotangent broadcast back over the summed axes.
    @inlinable
    func sumRecordedVJP(_ c: RecordedVJP<Scalar>, reducedAxes mask: UInt8) -> [Variable<Scalar>?] {
        let shape = c.operandShape(0)
        return [c.g.reshaped(to: keptShape(shape, mask)).broadcasted(to: shape)]
    }

    /// Log-softmax's VJP, recorded: `g - softmax * sum(g)`, the softmax from the output.
    @inlinable
    func logSoftmaxRecordedVJP(_ c: RecordedVJP<Scalar>) -> [Variable<Scalar>?] {
        let shape = c.node.shape
        var kept = shape
        kept[shape.rank - 1] = 1
        let total = c.g.sum(alongAxes: [shape.rank - 1]).reshaped(to: kept)
        return [c.g - c.output.exp() * total]
    }
}

// MARK: The per-element rules

extension TensorKernels {
    @inlinable
    package static func logSoftmax(rows: Int, columns: Int, x: UnsafePointer<Scalar>, y: UnsafeMutablePointer<Scalar>) {
        for r in 0..<rows {
            let row = x + r * columns
            let out = y + r * columns
            var top = -Scalar.infinity
            for j in 0..<columns { top = Swift.max(top, row[j]) }
            for j in 0..<columns { out[j] = row[j] - top }
            // exp into the output row, sum, then overwrite with the shifted logits again.
            vectorExp(columns, out, out)
            var sum: Scalar = 0
            for j in 0..<columns { sum += out[j] }
            var logSum: Scalar = 0
            withUnsafePointer(to: sum) { vectorLog(1, $0, &logSum) }
            for j in 0..<columns { out[j] = row[j] - top - logSum }
        }
    }

    @inlinable
    package static func logSoftmaxBackward(
        rows: Int, columns: Int, y: UnsafePointer<Scalar>,
        g: UnsafePointer<Scalar>, dx: UnsafeMutablePointer<Scalar>,
        scratch: UnsafeMutablePointer<Scalar>
    ) {
        for r in 0..<rows {
            let yr = y + r * columns
            let gr = g + r * columns
            let dr = dx + r * columns
            var sum: Scalar = 0
            for j in 0..<columns { sum += gr[j] }
            vectorExp(columns, yr, scratch)
            for j in 0..<columns { dr[j] += gr[j] - scratch[j] * sum }
        }
    }
}
