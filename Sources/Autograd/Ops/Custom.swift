// Ops defined outside the library: the user's forward rule and VJP side by side, recorded on
// the same tape as the built-in ops.

/// A differentiable op defined by its user, as JAX's `custom_vjp` or PyTorch's
/// `autograd.Function`: a forward rule and its vector-Jacobian product, side by side.
///
/// ```swift
/// // softplus(x) = log(1 + e^x), computed without overflow; its derivative is sigmoid(x).
/// let softplus = CustomOp<Double, Void>(name: "softplus",
///     forward: { inputs, outputs in
///         let (x, y) = (inputs[0], outputs[0])
///         for i in 0..<x.count { y[i] = max(x[i], 0) + log1p(exp(-abs(x[i]))) }
///     },
///     vjp: { context in
///         let (x, g) = (context.inputs[0], context.cotangents[0])
///         guard let dx = context.gradients[0] else { return }
///         for i in 0..<x.count { dx[i] = g[i] / (1 + exp(-x[i])) }
///     })
/// let y = softplus(x)[0]
/// ```
///
/// - `forward` reads the inputs and writes every element of each output, in the tape's own
///   memory; whatever it returns (`Saved`) is handed to `vjp`, for values the VJP needs that
///   are not inputs or outputs.
/// - `vjp` receives the inputs, the outputs, the cotangent of each output (zeros for an
///   output nothing used) and a zeroed buffer for the gradient of each input that needs one
///   (nil for the others); it writes the gradients there. The tape adds them to the inputs'
///   gradients, so an input used twice, or also used elsewhere, accumulates correctly.
/// - Inputs may be any variables: constants, variables, parameters bound from a store.
///
/// Check a new op with `checkGradients` from `AutogradTesting`, in Double. The views passed to
/// `forward` and `vjp` are valid only during the call.
///
/// A VJP that loops over buffers gives first derivatives only: a gradient pass that records
/// (`Tape.gradients(of:withRespectTo:)`) runs it as an op of its own, whose gradient stops
/// the program with a message naming the op. To differentiate through the op twice, give it
/// `differentiableVJP` too, the same VJP written with tape ops (check it with
/// `checkGradients(..., order: 2)`):
///
/// ```swift
///     differentiableVJP: { c in [c.cotangents[0] * c.inputs[0].sigmoid()] }
/// ```
public struct CustomOp<Scalar: TensorScalar, Saved> {
    /// Names the op in error messages.
    public let name: String
    /// The shapes of the outputs from the shapes of the inputs; nil: one output shaped like
    /// the first input (an elementwise op).
    public let outputShapes: (([Shape]) -> [Shape])?
    public let forward:
        (_ inputs: ViewList<TensorView<Scalar>>, _ outputs: ViewList<MutableTensorView<Scalar>>) -> Saved
    public let vjp: (_ context: CustomVJPContext<Scalar, Saved>) -> Void
    /// The VJP in tape ops, for gradient passes that record: one gradient per input (nil for
    /// none), shaped like it. Nil: the op's gradient cannot be differentiated again.
    public let differentiableVJP: ((_ context: CustomGradientContext<Scalar, Saved>) -> [Variable<Scalar>?])?

    /// - Parameters:
    ///   - outputShapes: the outputs' shapes from the inputs'; by default one output shaped
    ///     like the first input (an elementwise op).
    ///   - differentiableVJP: the VJP written with tape ops, which makes the op differentiable
    ///     more than once; `vjp` still runs in `backward`, the fast first-order pass.
    public init(
        name: String, outputShapes: (([Shape]) -> [Shape])? = nil,
        forward:
            @escaping (_ inputs: ViewList<TensorView<Scalar>>, _ outputs: ViewList<MutableTensorView<Scalar>>) -> Saved,
        vjp: @escaping (_ context: CustomVJPContext<Scalar, Saved>) -> Void,
        differentiableVJP: ((_ context: CustomGradientContext<Scalar, Saved>) -> [Variable<Scalar>?])? = nil
    ) {
        (self.name, self.outputShapes, self.forward, self.vjp) = (name, outputShapes, forward, vjp)
        self.differentiableVJP = differentiableVJP
    }

    /// Records the op on the inputs' tape and returns its outputs.
    @inlinable
    public func callAsFunction(_ inputs: [Variable<Scalar>]) -> [Variable<Scalar>] {
        require(!inputs.isEmpty, "\(name): a custom op needs at least one input")
        return inputs[0].tape.record(self, inputs)
    }

    /// Records the op on the inputs' tape and returns its outputs.
    @inlinable
    public func callAsFunction(_ inputs: Variable<Scalar>...) -> [Variable<Scalar>] { self(inputs) }
}

/// What a custom op's VJP receives.
public struct CustomVJPContext<Scalar: TensorScalar, Saved> {
    public let inputs: ViewList<TensorView<Scalar>>
    public let outputs: ViewList<TensorView<Scalar>>
    /// The gradient of the loss with respect to each output (zeros where none reached it).
    public let cotangents: ViewList<TensorView<Scalar>>
    /// Where to write the gradient of each input: zeroed, or nil when the input needs none.
    public let gradients: ViewList<MutableTensorView<Scalar>?>
    /// What `forward` returned.
    public let saved: Saved

    @usableFromInline
    init(
        inputs: ViewList<TensorView<Scalar>>, outputs: ViewList<TensorView<Scalar>>,
        cotangents: ViewList<TensorView<Scalar>>, gradients: ViewList<MutableTensorView<Scalar>?>, saved: Saved
    ) {
        (self.inputs, self.outputs, self.cotangents, self.gradients, self.saved) = (
            inputs, outputs, cotangents, gradients, saved
        )
    }
}

/// What a custom op's `differentiableVJP` receives: the op's inputs, outputs and the
/// cotangents of its outputs as tape variables.
public struct CustomGradientContext<Scalar: TensorScalar, Saved> {
    public let inputs: [Variable<Scalar>]
    public let outputs: [Variable<Scalar>]
    /// The gradient of the root with respect to each output (zeros where none reached it).
    public let cotangents: [Variable<Scalar>]
    /// Whether each input needs a gradient; the others' may be nil.
    public let needsGradient: [Bool]
    /// What `forward` returned.
    public let saved: Saved
}

/// A custom op as the tape keeps it: one closure over its VJPs and what `forward` saved (one,
/// not two, keeps recording a custom op as cheap as before). Given no cotangents, it runs the
/// buffer VJP from the node of the op's last output and returns nothing; given the outputs'
/// cotangents as variables, it records the VJP and returns one gradient per input.
@usableFromInline
typealias CustomEntry<Scalar: TensorScalar> =
    (Tape<Scalar>, _ lastOutput: Int, _ cotangents: [Variable<Scalar>]?) -> [Variable<Scalar>?]

/// The views a custom op's rules receive: a list held on the stack for the call, so that
/// recording and replaying the op allocates no arrays.
public struct ViewList<Element>: RandomAccessCollection {
    @usableFromInline let base: UnsafeBufferPointer<Element>

    @inlinable
    init(_ base: UnsafeMutableBufferPointer<Element>) { self.base = UnsafeBufferPointer(base) }

    @inlinable
    init(base: UnsafeBufferPointer<Element>) { self.base = base }

    /// The views in `range`, as a list of their own.
    @inlinable
    func part(_ range: Range<Int>) -> ViewList { ViewList(base: UnsafeBufferPointer(rebasing: base[range])) }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { base.count }
    @inlinable public subscript(i: Int) -> Element { base[i] }
}

/// A tensor read in place in a tape's memory, valid during the call that receives it.
public struct TensorView<Scalar: TensorScalar> {
    public let shape: Shape
    public let scalars: UnsafeBufferPointer<Scalar>

    @inlinable
    init(shape: Shape, _ start: UnsafePointer<Scalar>) {
        self.shape = shape
        scalars = UnsafeBufferPointer(start: start, count: shape.count)
    }

    /// The number of elements.
    @inlinable public var count: Int { scalars.count }
    /// Element `i` in row-major order.
    @inlinable public subscript(i: Int) -> Scalar { scalars[i] }
    /// A copy that outlives the call.
    public var tensor: Tensor<Scalar> { Tensor(shape: shape, scalars: Array(scalars)) }
}

/// A tensor written in place in a tape's memory, valid during the call that receives it.
public struct MutableTensorView<Scalar: TensorScalar> {
    public let shape: Shape
    public let scalars: UnsafeMutableBufferPointer<Scalar>

    @inlinable
    init(shape: Shape, _ start: UnsafeMutablePointer<Scalar>) {
        self.shape = shape
        scalars = UnsafeMutableBufferPointer(start: start, count: shape.count)
    }

    /// The number of elements.
    @inlinable public var count: Int { scalars.count }
    /// Element `i` in row-major order.
    @inlinable public subscript(i: Int) -> Scalar {
        get { scalars[i] }
        nonmutating set { scalars[i] = newValue }
    }
}

extension Tape {
    /// Records a custom op: one node per output, the last one holding the inputs as operands
    /// and the op's VJP (with what `forward` saved) in `customEntries`.
    @inlinable
    func record<Saved>(_ op: CustomOp<Scalar, Saved>, _ inputs: [Variable<Scalar>]) -> [Variable<Scalar>] {
        var needs = false
        for input in inputs {
            check(input)
            needs = needs || nodes[Int(input.id)].requiresGradient
        }
        return withUnsafeTemporaryAllocation(of: TensorView<Scalar>.self, capacity: inputs.count) { inputViews in
            for (k, input) in inputs.enumerated() {
                inputViews.initializeElement(
                    at: k,
                    to: TensorView(
                        shape: nodes[Int(input.id)].shape,
                        pointer(nodes[Int(input.id)].value)))
            }
            let shapes = op.outputShapes?(inputViews.map(\.shape))
            let outputCount = shapes?.count ?? 1
            require(outputCount > 0, "\(op.name): a custom op needs at least one output")
            let entry = Int32(customEntries.count)
            var outputs: [Variable<Scalar>] = []
            outputs.reserveCapacity(outputCount)
            let saved = withUnsafeTemporaryAllocation(of: MutableTensorView<Scalar>.self, capacity: outputCount) {
                outputViews in
                for k in 0..<outputCount {
                    let shape = shapes?[k] ?? inputViews[0].shape
                    let value = values.allocate(shape.count, of: Scalar.self)
                    outputViews.initializeElement(at: k, to: MutableTensorView(shape: shape, value))
                    let first = Int32(operands.count)
                    let isLast = k == outputCount - 1
                    if isLast { for input in inputs { operands.append(input.id) } }
                    outputs.append(
                        append(
                            TapeNode(
                                op: .custom(entry: entry, output: Int32(k), outputCount: Int32(outputCount)),
                                shape: shape, value: UnsafeMutableRawPointer(value), gradient: nil,
                                firstOperand: first, operandCount: isLast ? Int32(inputs.count) : 0,
                                requiresGradient: needs, hasExternalGradient: false)))
                }
                var saved: Saved?
                timed(.custom(entry: entry, output: 0, outputCount: Int32(outputCount))) {
                    saved = op.forward(ViewList(inputViews), ViewList(outputViews))
                }
                return saved!
            }
            let (name, vjp, differentiableVJP) = (op.name, op.vjp, op.differentiableVJP)
            customEntries.append { tape, lastOutput, cotangents in
                guard let cotangents else {
                    tape.runCustomVJP(lastOutput: lastOutput, outputCount: outputCount, saved: saved, vjp)
                    return []
                }
                return tape.recordCustomVJP(
                    name, vjp, differentiableVJP, lastOutput: lastOutput, cotangents: cotangents, saved: saved)
            }
            return outputs
        }
    }

    /// Runs a custom op's VJP from the node of its last output, then adds the gradients it
    /// wrote into its inputs'.
    @inlinable
    func runCustomVJP<Saved>(
        lastOutput: Int, outputCount: Int, saved: Saved,
        _ vjp: (CustomVJPContext<Scalar, Saved>) -> Void
    ) {
        let node = nodes[lastOutput]
        let inputCount = Int(node.operandCount)
        let firstOutput = lastOutput - outputCount + 1
        withUnsafeTemporaryAllocation(of: TensorView<Scalar>.self, capacity: inputCount + 2 * outputCount) { views in
            withUnsafeTemporaryAllocation(of: MutableTensorView<Scalar>?.self, capacity: inputCount) { gradients in
                for k in 0..<inputCount {
                    let input = nodes[Int(operand(node, k))]
                    views.initializeElement(at: k, to: TensorView(shape: input.shape, pointer(input.value)))
                    gradients.initializeElement(
                        at: k,
                        to: input.requiresGradient
                            ? MutableTensorView(
                                shape: input.shape, zeroed(scratch(input.shape.count), input.shape.count)) : nil)
                }
                for k in 0..<outputCount {
                    let output = nodes[firstOutput + k]
                    let count = output.shape.count
                    views.initializeElement(
                        at: inputCount + k, to: TensorView(shape: output.shape, pointer(output.value)))
                    let cotangent = output.gradient.map { pointer($0) } ?? zeroed(scratch(count), count)
                    views.initializeElement(
                        at: inputCount + outputCount + k, to: TensorView(shape: output.shape, cotangent))
                }
                func part(_ range: Range<Int>) -> ViewList<TensorView<Scalar>> {
                    ViewList(UnsafeMutableBufferPointer(rebasing: views[range]))
                }
                vjp(
                    CustomVJPContext(
                        inputs: part(0..<inputCount), outputs: part(inputCount..<(inputCount + outputCount)),
                        cotangents: part((inputCount + outputCount)..<(inputCount + 2 * outputCount)),
                        gradients: ViewList(gradients), saved: saved))
                for k in 0..<inputCount {
                    guard let gradient = gradients[k] else { continue }
                    accumulate(gradient.scalars.baseAddress!, shape: gradient.shape, into: operand(node, k))
                }
            }
        }
    }

    /// Runs the VJP of the custom op whose last output is node `lastOutput`.
    @inlinable
    func customVJP(lastOutput: Int, entry: Int) {
        _ = customEntries[entry](self, lastOutput, nil)
    }

    /// The VJP of a custom op in a gradient pass that records: the op's `differentiableVJP`,
    /// or else its buffer VJP run as an op of its own whose gradient traps, naming the op.
    @usableFromInline
    func recordCustomVJP<Saved>(
        _ name: String, _ vjp: @escaping (CustomVJPContext<Scalar, Saved>) -> Void,
        _ differentiableVJP: ((CustomGradientContext<Scalar, Saved>) -> [Variable<Scalar>?])?,
        lastOutput: Int, cotangents: [Variable<Scalar>], saved: Saved
    ) -> [Variable<Scalar>?] {
        let node = nodes[lastOutput]
        let variable = { (id: Int) in Variable(tape: self, id: Int32(id), generation: self.generation) }
        let inputs = (0..<Int(node.operandCount)).map { variable(Int(operand(node, $0))) }
        let outputs = ((lastOutput - cotangents.count + 1)...lastOutput).map(variable)
        if let differentiableVJP {
            let gradients = differentiableVJP(
                CustomGradientContext(
                    inputs: inputs, outputs: outputs, cotangents: cotangents,
                    needsGradient: inputs.map { nodes[Int($0.id)].requiresGradient }, saved: saved))
            require(
                gradients.count == inputs.count,
                "\(name): differentiableVJP gave \(gradients.count) gradients for \(inputs.count) inputs")
            for (k, gradient) in gradients.enumerated() {
                guard let gradient else { continue }
                require(
                    gradient.shape == inputs[k].shape,
                    "\(name): differentiableVJP gave input \(k) a gradient of shape \(gradient.shape), "
                        + "not its shape \(inputs[k].shape)")
            }
            return gradients
        }
        let (inputCount, outputCount) = (inputs.count, outputs.count)
        let firstOrder = CustomOp<Scalar, Void>(
            name: "\(name)'s VJP", outputShapes: { Array($0[0..<inputCount]) },
            forward: { views, gradients in
                // Views: the op's inputs, outputs and cotangents; one gradient per input.
                for gradient in gradients { gradient.scalars.initialize(repeating: 0) }
                withUnsafeTemporaryAllocation(of: MutableTensorView<Scalar>?.self, capacity: inputCount) { targets in
                    for k in 0..<inputCount { targets.initializeElement(at: k, to: gradients[k]) }
                    vjp(
                        CustomVJPContext(
                            inputs: views.part(0..<inputCount),
                            outputs: views.part(inputCount..<(inputCount + outputCount)),
                            cotangents: views.part((inputCount + outputCount)..<(inputCount + 2 * outputCount)),
                            gradients: ViewList(targets), saved: saved))
                }
            },
            vjp: { _ in
                fatalError(
                    "\(name): its gradient cannot be differentiated again: its VJP is a loop over buffers. Give the "
                        + "CustomOp a differentiableVJP written with tape ops")
            })
        return firstOrder(inputs + outputs + cotangents)
    }
}
