extension Tape {
    /// Computes the gradient of `root` with respect to every recorded value that requires one.
    ///
    /// `seed` is the cotangent of `root` (ones when omitted, the usual choice for a scalar
    /// loss). Gradients of variables are recomputed from zero on every call; gradients of
    /// bound parameters accumulate into the caller's buffers. `reinforce: false` leaves out
    /// the stochastic nodes' REINFORCE terms, for a root that is a function of gradients
    /// rather than a loss (see `gradients(of:withRespectTo:)`).
    @inlinable
    public func backward(from root: Variable<Scalar>, seed: Tensor<Scalar>? = nil, reinforce: Bool = true) {
        check(root)
        gradients.reset()
        for i in 0..<nodes.count where !nodes[i].hasExternalGradient { nodes[i].gradient = nil }

        let rootNode = nodes[Int(root.id)]
        if let seed {
            require(
                seed.shape == rootNode.shape,
                "backward: seed shape \(seed.shape) does not match the root's shape \(rootNode.shape)")
        }
        if let rootGradient = gradientBuffer(root.id) {
            if let seed {
                seed.scalars.withUnsafeBufferPointer { rootGradient.update(from: $0.baseAddress!, count: $0.count) }
            } else {
                rootGradient.update(repeating: 1, count: rootNode.shape.count)
            }
        }

        // A custom op's VJP runs from its last output's node: start there when the root is
        // another of its outputs.
        var last = Int(root.id)
        if case .custom(_, let output, let outputCount) = rootNode.op { last += Int(outputCount - 1 - output) }
        for id in stride(from: last, through: 0, by: -1) {
            // Fields are read in place: a node is copied only when its VJP runs.
            let op = nodes[id].op
            if op.isInput { continue }
            if case .sampleNormal(let sd, let negatedAdvantage) = op {
                // A stochastic node passes nothing through its sample; it injects REINFORCE into
                // its mean whatever reached the sample, so it runs even without a gradient.
                if reinforce { timedBackward(op) { sampleNormalVJP(nodes[id], sd, negatedAdvantage) } }
                continue
            }
            if case .custom(let entry, let output, let outputCount) = op {
                // The last output runs the op's VJP once every output's gradient is complete
                // (all their users come later on the tape), if any output was used: the VJP
                // of zero cotangents is zero (and a gradient's op run twice traps only if reached).
                if output == outputCount - 1 && nodes[id].requiresGradient
                    && ((id - Int(outputCount) + 1)...id).contains(where: { nodes[$0].gradient != nil })
                {
                    timedBackward(op) { customVJP(lastOutput: id, entry: Int(entry)) }
                }
                releaseGradient(id)
                continue
            }
            guard nodes[id].requiresGradient, let gradient = nodes[id].gradient else { continue }
            timedBackward(op) { backpropagate(op, nodes[id], pointer(gradient)) }
            releaseGradient(id)
        }
    }

    /// Gives a replayed node's gradient buffer back for reuse, unless it is kept for
    /// `gradient(of:)`: every contribution to it came from later nodes, already replayed.
    @inlinable
    func releaseGradient(_ id: Int) {
        guard !keepsIntermediateGradients && !nodes[id].hasExternalGradient, let gradient = nodes[id].gradient else {
            return
        }
        gradients.recycle(pointer(gradient), count: nodes[id].shape.count)
        nodes[id].gradient = nil
    }

    /// Runs one node's VJP, timed into the profile when one is set (see `timed`).
    @inlinable @inline(__always)
    func timedBackward(_ op: Op, _ work: () -> Void) {
        let start = profile == nil ? 0 : profileClock()
        work()
        if start != 0 { profiled(op.code, backwardSince: start) }
    }

    /// The vector-Jacobian product of one node: the registry's dispatch. Each op's
    /// attributes come out of its case here, so no VJP can miss them.
    @inlinable
    func backpropagate(_ op: Op, _ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>) {
        switch op {
        case .binary(let op): binaryVJP(op, node, g)
        case .unary(let op, let lower, let upper): unaryVJP(op, node, g, lower: Scalar(lower), upper: Scalar(upper))
        case .matmul(let transposeA, let transposeB): matmulVJP(node, g, transposeA: transposeA, transposeB: transposeB)
        case .linear(let terms, let biases, let activation):
            linearVJP(node, g, terms: Int(terms), biases: biases, activation: activation)
        case .convolution(let stride, let padding, let columns):
            convolutionVJP(node, g, stride: stride, padding: padding, columns: columns)
        case .unfold(let kernel, let stride, let padding):
            unfoldVJP(node, g, kernel: kernel, stride: stride, padding: padding)
        case .fold(let kernel, let stride, let padding):
            foldVJP(node, g, kernel: kernel, stride: stride, padding: padding)
        case .sum(let mask): sumVJP(node, g, reducedAxes: mask)
        case .max(let axis, let argmax): gatherVJP(node, g, axis: axis, indices: argmax)  // scatters to the argmax
        case .logSoftmax: logSoftmaxVJP(node, g)
        case .reshape: reshapeVJP(node, g)
        case .transpose(let permutation): transposeVJP(node, g, permutation: permutation)
        case .concatenate(let axis): concatenateVJP(node, g, axis: axis)
        case .slice(let axis, let start): sliceVJP(node, g, axis: axis, start: start)
        case .gather(let axis, let indices): gatherVJP(node, g, axis: axis, indices: indices)
        case .stopGradient: break  // by definition: no gradient flows to the operand
        case .normalLogProbability(let sd): normalLogProbabilityVJP(node, g, standardDeviation: Scalar(sd))
        // Run by `backward` itself: inputs have no VJP, a stochastic node runs without an
        // incoming gradient, and a user's op once for all its outputs.
        case .input, .sampleNormal, .custom: break
        }
    }

    // MARK: Helpers for the VJPs

    /// The id of the node's `index`-th operand.
    @inlinable
    func operand(_ node: TapeNode, _ index: Int) -> Int32 {
        operands[Int(node.firstOperand) + index]
    }

    /// The gradient buffer of a node, allocated and zeroed on first use; nil when the node
    /// needs no gradient (then the VJP skips that operand's work).
    @inlinable
    func gradientBuffer(_ id: Int32) -> UnsafeMutablePointer<Scalar>? {
        guard let (buffer, isFresh) = gradientTarget(id) else { return nil }
        return isFresh ? zeroed(buffer, nodes[Int(id)].shape.count) : buffer
    }

    /// The gradient buffer of a node, for a VJP that can write its first contribution
    /// instead of adding it to zeros: `isFresh` says the buffer was just allocated and holds
    /// garbage, so the VJP must overwrite it. nil when the node needs no gradient.
    @inlinable
    func gradientTarget(_ id: Int32) -> (buffer: UnsafeMutablePointer<Scalar>, isFresh: Bool)? {
        let i = Int(id)
        guard nodes[i].requiresGradient else { return nil }
        if let existing = nodes[i].gradient { return (pointer(existing), false) }
        let buffer = gradients.allocate(nodes[i].shape.count, of: Scalar.self)
        nodes[i].gradient = UnsafeMutableRawPointer(buffer)
        return (buffer, true)
    }

    /// Temporary room for a VJP, freed when the next backward pass starts.
    @inlinable
    func scratch(_ count: Int) -> UnsafeMutablePointer<Scalar> { gradients.allocate(count, of: Scalar.self) }

    /// Adds `alpha * contribution` (shaped like an op's output) into an operand's gradient,
    /// summing over the axes along which the operand was broadcast. This is the one place
    /// where broadcasting is undone.
    @inlinable
    func accumulate(_ contribution: UnsafePointer<Scalar>, shape: Shape, into id: Int32, alpha: Scalar = 1) {
        let targetShape = nodes[Int(id)].shape
        if targetShape == shape {
            // Nothing was broadcast: the first contribution is written, later ones added.
            guard let (target, isFresh) = gradientTarget(id) else { return }
            let strides = shape.strides4
            Scalar.kernels.stridedAccumulate(
                extent: shape.extent4, alpha: alpha, overwrite: isFresh,
                source: contribution, sourceStrides: strides,
                target: target, targetStrides: strides)
            return
        }
        guard let target = gradientBuffer(id) else { return }
        Scalar.kernels.stridedAccumulate(
            extent: shape.extent4, alpha: alpha, overwrite: false,
            source: contribution, sourceStrides: shape.strides4,
            target: target, targetStrides: targetShape.broadcastStrides4(over: shape))
    }
}
