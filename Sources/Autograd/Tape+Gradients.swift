// The backward pass that records: gradients as tape variables, so that they can enter a
// loss and be differentiated again (gradient penalties, meta-gradients, Hessian-vector
// products), to any order.
//
// It walks the tape backwards like `backward(from:)`, but each op's VJP is written with
// recorded ops (its `...RecordedVJP`, beside its kernel VJP in Ops/), so every gradient it
// builds is itself a node with a VJP. First-order training keeps the kernel pass.

extension Tape {
    /// The gradients of `root` with respect to `inputs`, recorded on this tape as variables
    /// that can be used in further ops and differentiated again.
    ///
    /// ```swift
    /// let x = tape.variable(Tensor([1, 2, 3]))
    /// let y = (x * x * x).sum()
    /// let dx = tape.gradients(of: y, withRespectTo: [x])[0]     // 3x^2, a variable
    /// tape.backward(from: dx.sum())
    /// tape.gradient(of: x)                                      // 6x: the Hessian's row sums
    /// ```
    ///
    /// - Parameters:
    ///   - seed: the cotangent of `root` (ones when omitted). A seed that is itself a variable
    ///     makes the gradients differentiable in it, which is how `jvp` gets `J v` from `J^T u`.
    ///   - reinforce: whether stochastic nodes (`sampleNormal`) add their REINFORCE terms to
    ///     their means, as `backward` does; true for a loss, false for a root that is a
    ///     function of gradients (such as `<grad f, v>`), which has no such terms.
    /// - Returns: one gradient per input, shaped like it; zeros (a constant) where `root`
    ///   does not depend on the input.
    /// - Precondition: every input requires a gradient (`variable(_:)` or a bound parameter,
    ///   not `constant`): the ops recorded on a constant keep no path back to it.
    @inlinable
    public func gradients(
        of root: Variable<Scalar>, withRespectTo inputs: [Variable<Scalar>], seed: Variable<Scalar>? = nil,
        reinforce: Bool = true
    ) -> [Variable<Scalar>] {
        check(root)
        for (k, input) in inputs.enumerated() {
            check(input)
            require(
                nodes[Int(input.id)].requiresGradient,
                "gradients(of:withRespectTo:): input \(k) is a constant; record it with variable(_:) to "
                    + "differentiate with respect to it")
        }
        let rootShape = nodes[Int(root.id)].shape
        if let seed {
            check(seed)
            require(
                seed.shape == rootShape,
                "gradients(of:withRespectTo:): seed shape \(seed.shape) does not match the root's shape \(rootShape)")
        }
        // As in `backward`: a custom op's VJP runs from its last output's node.
        var last = Int(root.id)
        if case .custom(_, let output, let outputCount) = nodes[last].op { last += Int(outputCount - 1 - output) }
        guard let low = inputs.map({ Int($0.id) }).filter({ $0 <= last }).min() else {
            return inputs.map { constant(0, shape: $0.shape) }
        }

        // The nodes on a path from an input, in one sweep: recorded order is topological.
        var needed = [Bool](repeating: false, count: last + 1)
        for input in inputs where Int(input.id) <= last { needed[Int(input.id)] = true }
        for id in low...last where !needed[id] {
            let node = nodes[id]
            switch node.op {
            case .input, .stopGradient, .sampleNormal: continue
            case .normalLogProbability: needed[id] = needed[Int(operand(node, 0))]  // the sample is held
            case .custom(_, let output, let outputCount):
                // Only the last output lists the inputs; every output needs what it needs.
                let lastOutput = id + Int(outputCount - 1 - output)
                guard lastOutput <= last else { continue }
                let operandNode = nodes[lastOutput]
                for i in 0..<Int(operandNode.operandCount) where needed[Int(operand(operandNode, i))] {
                    needed[id] = true
                }
            default:
                for i in 0..<Int(node.operandCount) where needed[Int(operand(node, i))] { needed[id] = true }
            }
        }

        var pass = GradientPass(tape: self, needed: needed)
        pass.gradients[Int(root.id)] = seed ?? constant(1, shape: rootShape)
        for id in stride(from: last, through: low, by: -1) {
            let node = nodes[id]
            switch node.op {
            case .input, .stopGradient: continue
            case .sampleNormal(let sd, let negatedAdvantage):
                // Whatever reached the sample, as in `backward`: the REINFORCE term of its mean.
                let mean = operand(node, 0)
                guard reinforce && needed[Int(mean)] else { continue }
                pass.add(
                    sampleNormalRecordedVJP(node, id: id, sd, negatedAdvantage), to: mean)
            case .custom(let entry, let output, let outputCount):
                guard output == outputCount - 1 && needed[id] else { continue }
                let outputs = (id - Int(outputCount) + 1)...id
                guard outputs.contains(where: { pass.gradients[$0] != nil }) else { continue }
                let cotangents = outputs.map { pass.gradients[$0] ?? constant(0, shape: nodes[$0].shape) }
                let contributions = customEntries[Int(entry)](self, id, cotangents)
                pass.add(contributions, toOperandsOf: node)
            default:
                guard needed[id], let g = pass.gradients[id] else { continue }
                let wants = (0..<Int(node.operandCount)).map { needed[Int(operand(node, $0))] }
                guard wants.contains(true) else { continue }
                let context = RecordedVJP(tape: self, id: Int32(id), g: g, wants: wants)
                pass.add(recordedVJP(node.op, context), toOperandsOf: node)
            }
        }
        return inputs.map { pass.gradients[Int($0.id)] ?? constant(0, shape: $0.shape) }
    }

    /// The recorded VJP of one node: the registry's second dispatch, exhaustive like
    /// `backpropagate`'s.
    @inlinable
    func recordedVJP(_ op: Op, _ c: RecordedVJP<Scalar>) -> [Variable<Scalar>?] {
        switch op {
        case .binary(let op): binaryRecordedVJP(op, c)
        case .unary(let op, let lower, let upper): unaryRecordedVJP(op, c, lower: Scalar(lower), upper: Scalar(upper))
        case .matmul(let transposeA, let transposeB):
            matmulRecordedVJP(c, transposeA: transposeA, transposeB: transposeB)
        case .linear(let terms, _, let activation): linearRecordedVJP(c, terms: Int(terms), activation: activation)
        case .convolution(let stride, let padding, _): convolutionRecordedVJP(c, stride: stride, padding: padding)
        case .unfold(let kernel, let stride, let padding):
            unfoldRecordedVJP(c, kernel: kernel, stride: stride, padding: padding)
        case .fold(let kernel, let stride, let padding):
            foldRecordedVJP(c, kernel: kernel, stride: stride, padding: padding)
        case .sum(let mask): sumRecordedVJP(c, reducedAxes: mask)
        case .max(let axis, let argmax): gatherRecordedVJP(c, axis: axis, indices: argmax)
        case .logSoftmax: logSoftmaxRecordedVJP(c)
        case .reshape: [c.g.reshaped(to: c.operandShape(0))]
        case .transpose(let permutation): transposeRecordedVJP(c, permutation: permutation)
        case .concatenate(let axis): concatenateRecordedVJP(c, axis: axis)
        case .slice(let axis, let start): sliceRecordedVJP(c, axis: axis, start: start)
        case .gather(let axis, let indices): gatherRecordedVJP(c, axis: axis, indices: indices)
        case .normalLogProbability(let sd): normalLogProbabilityRecordedVJP(c, standardDeviation: Scalar(sd))
        // Handled by the pass itself, as in `backward`.
        case .input, .stopGradient, .sampleNormal, .custom: []
        }
    }
}

/// What one node's recorded VJP reads: its operands and output as variables, its cotangent
/// `g`, and which operands need a gradient (a VJP skips the others' work).
@usableFromInline
struct RecordedVJP<Scalar: TensorScalar> {
    @usableFromInline let tape: Tape<Scalar>
    @usableFromInline let id: Int32
    @usableFromInline let g: Variable<Scalar>
    @usableFromInline let wants: [Bool]

    @inlinable
    init(tape: Tape<Scalar>, id: Int32, g: Variable<Scalar>, wants: [Bool]) {
        (self.tape, self.id, self.g, self.wants) = (tape, id, g, wants)
    }

    @inlinable var node: TapeNode { tape.nodes[Int(id)] }
    /// The node's own value, as the variable it is.
    @inlinable var output: Variable<Scalar> { Variable(tape: tape, id: id, generation: tape.generation) }

    @inlinable
    func operand(_ index: Int) -> Variable<Scalar> {
        Variable(tape: tape, id: tape.operand(node, index), generation: tape.generation)
    }

    @inlinable
    func operandShape(_ index: Int) -> Shape { tape.nodes[Int(tape.operand(node, index))].shape }

    /// A constant of ones where `predicate` holds for the value of `variable`, zeros
    /// elsewhere: the derivative of a piecewise-linear op, whose own derivative is zero.
    @inlinable
    func mask(of variable: Variable<Scalar>, where predicate: (Scalar) -> Bool) -> Variable<Scalar> {
        let source = tape.pointer(tape.nodes[Int(variable.id)].value)
        return tape.constant(shape: variable.shape) { out in
            for i in 0..<out.count { out[i] = predicate(source[i]) ? 1 : 0 }
        }
    }
}

/// The state of one recorded backward pass: each node's gradient so far.
@usableFromInline
struct GradientPass<Scalar: TensorScalar> {
    @usableFromInline let tape: Tape<Scalar>
    @usableFromInline let needed: [Bool]
    @usableFromInline var gradients: [Variable<Scalar>?]

    @inlinable
    init(tape: Tape<Scalar>, needed: [Bool]) {
        (self.tape, self.needed) = (tape, needed)
        gradients = Array(repeating: nil, count: needed.count)
    }

    /// Adds each contribution into the gradient of the operand in its position.
    @inlinable
    mutating func add(_ contributions: [Variable<Scalar>?], toOperandsOf node: TapeNode) {
        for (i, contribution) in contributions.enumerated() {
            guard let contribution else { continue }
            add(contribution, to: tape.operand(node, i))
        }
    }

    /// Adds a contribution shaped like an op's output into an operand's gradient, summing
    /// over the axes along which the operand was broadcast (the recorded `accumulate`).
    @inlinable
    mutating func add(_ contribution: Variable<Scalar>, to operand: Int32) {
        let id = Int(operand)
        guard needed[id] else { return }
        let reduced = contribution.summed(toShape: tape.nodes[id].shape)
        gradients[id] = gradients[id].map { $0 + reduced } ?? reduced
    }
}

extension Variable {
    /// This variable summed over the axes along which `shape` would broadcast to its shape:
    /// the adjoint of broadcasting, as a recorded op.
    @inlinable
    func summed(toShape target: Shape) -> Variable {
        let own = shape
        if own == target { return self }
        let offset = own.rank - target.rank
        let axes = (0..<own.rank).filter { $0 < offset || (target[$0 - offset] == 1 && own[$0] != 1) }
        let reduced = axes.isEmpty ? self : sum(alongAxes: axes)
        return reduced.shape == target ? reduced : reduced.reshaped(to: target)
    }
}
