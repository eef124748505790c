/// A reverse-mode tape: records the ops of a forward pass, then replays them backwards.
///
/// ```swift
/// let tape = Tape<Double>()
/// let x = tape.variable(Tensor([1, 2, 3]))
/// let y = (x * x).sum()
/// tape.backward(from: y)
/// tape.gradient(of: x)   // [2, 4, 6]
/// ```
///
/// The tape is a flat array of plain-data nodes in the order they were recorded, which is
/// already a topological order. Values and gradients live in arenas that `reset()` rewinds,
/// so a training loop that calls `reset()` each step allocates nothing after the first step.
/// A tape is used from one thread at a time.
public final class Tape<Scalar: TensorScalar> {
    // The tape is used from one thread at a time and its accessors never overlap, so the
    // dynamic exclusivity checks are skipped: they cost about a third of recording an op.
    @exclusivity(unchecked) @usableFromInline var nodes = FlatBuffer<TapeNode>(capacity: 1024)
    @exclusivity(unchecked) @usableFromInline var operands = FlatBuffer<Int32>(capacity: 2048)
    @usableFromInline let values = Arena()
    @usableFromInline let gradients = Arena()
    @usableFromInline let indices = Arena()
    /// The VJPs of the custom ops recorded since the last reset, each with what its forward
    /// saved, indexed by their nodes' `Op.custom(entry:)`.
    @exclusivity(unchecked) @usableFromInline var customEntries: [CustomEntry<Scalar>] = []
    /// Incremented by `reset()`, so a variable from an earlier step is caught when used.
    @exclusivity(unchecked) @usableFromInline var generation: UInt32 = 0

    /// When set, every op's forward and backward work is counted and timed into it (see
    /// `TapeProfile`); nil, the default, times nothing. It survives `reset()`.
    @exclusivity(unchecked) public var profile: TapeProfile?

    /// Whether `backward` keeps the gradient of every op's result for `gradient(of:)`. The
    /// default, true, keeps them all. Training loops that read only inputs' and parameters'
    /// gradients set it to false: each op's gradient buffer is then reused as soon as its
    /// VJP has run, so the backward pass works in a few buffers that stay in cache, and
    /// `gradient(of:)` on an op's result stops the program with a message.
    @exclusivity(unchecked) public var keepsIntermediateGradients = true

    /// Room an op may use during its own forward work only (the linear op's second product),
    /// reused by every op instead of taken from the value arena.
    @exclusivity(unchecked) @usableFromInline var forwardScratch: UnsafeMutableRawPointer?
    @exclusivity(unchecked) @usableFromInline var forwardScratchBytes = 0

    public init() {}

    deinit {
        nodes.deallocate()
        operands.deallocate()
        forwardScratch?.deallocate()
    }

    /// The forward scratch, grown to at least `count` elements; valid until the next op.
    @inlinable
    func forwardScratch(_ count: Int) -> UnsafeMutablePointer<Scalar> {
        let bytes = count * MemoryLayout<Scalar>.stride
        if bytes > forwardScratchBytes {
            forwardScratch?.deallocate()
            forwardScratch = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Arena.alignment)
            forwardScratchBytes = bytes
        }
        return forwardScratch!.assumingMemoryBound(to: Scalar.self)
    }

    /// How many times `reset()` has run: it changes exactly when earlier variables expire,
    /// so caches of variables (such as a parameter store's bindings) key on it.
    public var resetCount: Int { Int(generation) }

    /// The number of recorded nodes (inputs and op results).
    public var count: Int { nodes.count }

    /// Forgets every recorded node, keeping all memory for the next forward pass.
    /// Variables recorded before the reset must not be used afterwards (it traps).
    @inlinable
    public func reset() {
        nodes.removeAll()
        operands.removeAll()
        values.reset()
        gradients.reset()
        indices.reset()
        if !customEntries.isEmpty { customEntries.removeAll(keepingCapacity: true) }
        generation &+= 1
    }

    // MARK: Inputs

    /// Records a tensor that receives no gradient.
    @inlinable
    public func constant(_ tensor: Tensor<Scalar>) -> Variable<Scalar> {
        input(tensor, requiresGradient: false)
    }

    /// Records a scalar (or a tensor filled with one value) that receives no gradient.
    @inlinable
    public func constant(_ value: Scalar, shape: Shape = .scalar) -> Variable<Scalar> {
        let pointer = values.allocate(shape.count, of: Scalar.self)
        timed(nil) { pointer.initialize(repeating: value, count: shape.count) }
        return append(
            TapeNode(
                op: .input(zeros: value == 0), shape: shape, value: UnsafeMutableRawPointer(pointer),
                gradient: nil, firstOperand: 0, operandCount: 0, requiresGradient: false,
                hasExternalGradient: false))
    }

    /// Records a constant that `initialize` writes straight into the tape's memory, with no
    /// tensor in between: inputs made fresh each step (a batch's glimpses) cost no allocation.
    /// `initialize` must write all `shape.count` elements; a profile counts its time as the
    /// inputs' (for RAM, the retina's work).
    @inlinable
    package func constant(
        shape: Shape, initializingWith initialize: (UnsafeMutableBufferPointer<Scalar>) -> Void
    )
        -> Variable<Scalar>
    {
        let pointer = values.allocate(shape.count, of: Scalar.self)
        timed(nil) { initialize(UnsafeMutableBufferPointer(start: pointer, count: shape.count)) }
        return append(
            TapeNode(
                op: .input(zeros: false), shape: shape, value: UnsafeMutableRawPointer(pointer),
                gradient: nil, firstOperand: 0, operandCount: 0, requiresGradient: false,
                hasExternalGradient: false))
    }

    /// Records a tensor whose gradient `backward` computes; read it with `gradient(of:)`.
    @inlinable
    public func variable(_ tensor: Tensor<Scalar>) -> Variable<Scalar> {
        input(tensor, requiresGradient: true)
    }

    /// Records memory owned by the caller without copying it, such as a parameter.
    ///
    /// When `gradient` is given, `backward` adds this input's gradient into it (it is never
    /// cleared by the tape: clear it between steps). Both buffers hold `shape.count` elements
    /// and must stay valid until the next `reset()`.
    @inlinable
    package func bind(
        _ value: UnsafeMutablePointer<Scalar>, gradient: UnsafeMutablePointer<Scalar>?,
        shape: Shape
    ) -> Variable<Scalar> {
        profile?.count(nil)  // nothing to copy: counted, not timed
        return append(
            TapeNode(
                op: .input(zeros: false), shape: shape, value: UnsafeMutableRawPointer(value),
                gradient: gradient.map(UnsafeMutableRawPointer.init),
                firstOperand: 0, operandCount: 0, requiresGradient: gradient != nil,
                hasExternalGradient: gradient != nil))
    }

    @inlinable
    func input(_ tensor: Tensor<Scalar>, requiresGradient: Bool) -> Variable<Scalar> {
        let pointer = values.allocate(tensor.shape.count, of: Scalar.self)
        timed(nil) {
            tensor.scalars.withUnsafeBufferPointer { source in
                UnsafeMutableRawPointer(pointer).copyMemory(
                    from: source.baseAddress!,
                    byteCount: source.count * MemoryLayout<Scalar>.stride)
            }
        }
        return append(
            TapeNode(
                op: .input(zeros: false), shape: tensor.shape, value: UnsafeMutableRawPointer(pointer),
                gradient: nil, firstOperand: 0, operandCount: 0, requiresGradient: requiresGradient,
                hasExternalGradient: false))
    }

    // MARK: Reading results

    /// A copy of a recorded value.
    @inlinable
    public func value(of variable: Variable<Scalar>) -> Tensor<Scalar> {
        let node = self.node(variable)
        return Tensor(
            shape: node.shape, scalars: Array(UnsafeBufferPointer(start: pointer(node.value), count: node.shape.count)))
    }

    /// The gradient of the last `backward` root with respect to `variable`, or nil when that
    /// pass never reached it: the root does not depend on it (no path, or only paths through
    /// `stopGradient`), or it is a constant. A reached variable whose gradient happens to be
    /// zero (a ReLU off everywhere) gets zeros, not nil. Where a missing path should count as
    /// a zero gradient, write `tape.gradient(of: x) ?? .zeros(x.shape)`.
    @inlinable
    public func gradient(of variable: Variable<Scalar>) -> Tensor<Scalar>? {
        let node = self.node(variable)
        require(
            keepsIntermediateGradients || node.op.isInput,
            "Tape.gradient(of:): the gradient of an op's result (\(node.op.code!)) is not kept when "
                + "keepsIntermediateGradients is false; read inputs' and parameters' gradients, or set it to true")
        guard let gradient = node.gradient else { return nil }
        return Tensor(
            shape: node.shape, scalars: Array(UnsafeBufferPointer(start: pointer(gradient), count: node.shape.count)))
    }

    // MARK: Recording (used by the ops)

    @inlinable
    func node(_ variable: Variable<Scalar>) -> TapeNode {
        check(variable)
        return nodes[Int(variable.id)]
    }

    @inlinable
    func check(_ variable: Variable<Scalar>) {
        require(variable.tape === self, "Tape: a variable from another tape was used")
        require(
            variable.generation == generation,
            "Tape: a variable recorded before reset() was used after it")
    }

    @inline(__always) @inlinable
    func pointer(_ raw: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Scalar> {
        raw.assumingMemoryBound(to: Scalar.self)
    }

    @inlinable @inline(__always)
    func append(_ node: TapeNode) -> Variable<Scalar> {
        nodes.append(node)
        return Variable(tape: self, id: Int32(nodes.count - 1), generation: generation)
    }

    /// Runs an op's forward work, timed into the profile when one is set. The work stays inline
    /// between two tests of `profile` rather than being handed to the profile as a closure:
    /// building that closure's context cost about 50 instructions an op even with profiling off.
    @inlinable @inline(__always)
    func timed(_ op: Op?, _ work: () -> Void) {
        let start = profile == nil ? 0 : profileClock()
        work()
        if start != 0 { profiled(op?.code, forwardSince: start) }
    }

    // Out of line and reached only when profiling, so the inlined op bodies grow by no more
    // than the two tests.
    @usableFromInline
    func profiled(_ op: OpCode?, forwardSince start: UInt64) { profile?.addForward(op, since: start) }

    @usableFromInline
    func profiled(_ op: OpCode?, backwardSince start: UInt64) { profile?.addBackward(op, since: start) }

    /// Records an op on the given operands with a freshly allocated output of `shape`, which
    /// `compute` fills. The caller has checked the operands (`node(_:)` does). Only `compute`
    /// is timed when profiling: it is the op's own work.
    @inlinable
    func record(
        _ op: Op, _ a: Variable<Scalar>, _ b: Variable<Scalar>? = nil, shape: Shape,
        requiresGradient: Bool? = nil,
        compute: (UnsafeMutablePointer<Scalar>) -> Void
    ) -> Variable<Scalar> {
        let output = values.allocate(shape.count, of: Scalar.self)
        let first = Int32(operands.count)
        operands.append(a.id)
        var needs = nodes[Int(a.id)].requiresGradient
        if let id = b?.id {  // binding the id, not the variable, saves retaining the tape
            operands.append(id)
            needs = needs || nodes[Int(id)].requiresGradient
        }
        let variable = append(
            TapeNode(
                op: op, shape: shape, value: UnsafeMutableRawPointer(output), gradient: nil,
                firstOperand: first, operandCount: b == nil ? 1 : 2,
                requiresGradient: requiresGradient ?? needs,
                hasExternalGradient: false))
        timed(op) { compute(output) }
        return variable
    }

    /// Records an op whose output aliases an operand's value (reshape, stop-gradient).
    @inlinable
    func recordAlias(_ op: Op, _ a: Variable<Scalar>, shape: Shape, requiresGradient: Bool) -> Variable<Scalar> {
        let source = nodes[Int(a.id)]
        let first = Int32(operands.count)
        operands.append(a.id)
        profile?.count(op.code)  // no work of its own: counted, not timed
        return append(
            TapeNode(
                op: op, shape: shape, value: source.value, gradient: nil,
                firstOperand: first, operandCount: 1, requiresGradient: requiresGradient,
                hasExternalGradient: false))
    }

    /// Records an op with any number of operands (concatenate); `compute` fills the output.
    @inlinable
    func record(
        _ op: Op, operands list: [Variable<Scalar>], shape: Shape,
        compute: (UnsafeMutablePointer<Scalar>) -> Void
    ) -> Variable<Scalar> {
        let first = Int32(operands.count)
        for v in list {
            check(v)
            operands.append(v.id)
        }
        return record(op, operandsFrom: first, shape: shape, compute: compute)
    }

    /// Records an op whose operand ids the caller has just appended to `operands`, from
    /// `first` on (so no array of operands is built); `compute` fills the output.
    @inlinable
    func record(
        _ op: Op, operandsFrom first: Int32, shape: Shape,
        compute: (UnsafeMutablePointer<Scalar>) -> Void
    ) -> Variable<Scalar> {
        let output = values.allocate(shape.count, of: Scalar.self)
        var needs = false
        for i in Int(first)..<operands.count where nodes[Int(operands[i])].requiresGradient { needs = true }
        let variable = append(
            TapeNode(
                op: op, shape: shape, value: UnsafeMutableRawPointer(output), gradient: nil,
                firstOperand: first, operandCount: Int32(operands.count) - first,
                requiresGradient: needs, hasExternalGradient: false))
        timed(op) { compute(output) }
        return variable
    }

    /// Bytes held by the tape's arenas, for memory reports.
    public var reservedBytes: Int {
        values.capacityInBytes + gradients.capacityInBytes + indices.capacityInBytes
    }
}
