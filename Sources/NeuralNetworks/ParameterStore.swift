import Autograd

/// A handle to one parameter in a `ParameterStore`.
public struct Parameter: Hashable, Sendable {
    /// The parameter's position in its store's table.
    public let index: Int
}

/// Every parameter of a model in one contiguous arena, with a second arena for gradients.
///
/// Layers register their parameters by name when they are built and keep only `Parameter`
/// handles, so collecting parameters costs nothing, an optimizer step is one loop over
/// memory, a gradient check can perturb every parameter, and a checkpoint is the arena plus
/// the table of names, shapes and offsets. No reflection is involved.
///
/// On a tape, a parameter is bound once per forward pass (its first use) without copying;
/// the tape adds its gradient straight into the gradient arena.
public final class ParameterStore<Scalar: TensorScalar> {
    /// One row of the table.
    public struct Entry: Sendable {
        public let name: String
        public let shape: Shape
        /// The position of the first element in the value and gradient arenas.
        public let offset: Int
    }

    /// The table, in registration order.
    public private(set) var entries: [Entry] = []
    private var indexByName: [String: Int] = [:]
    // Internal and usable from inlinable code, so a layer's forward pass specialises into
    // its caller (left unspecialised, binding a parameter allocated on every call).
    @usableFromInline var storage: UnsafeMutablePointer<Scalar>
    @usableFromInline var gradientStorage: UnsafeMutablePointer<Scalar>
    private var capacity: Int
    /// The total number of scalars.
    public private(set) var count = 0

    // The variables bound on the current tape and forward pass.
    @usableFromInline var boundTape: ObjectIdentifier?
    @usableFromInline var boundGeneration = 0
    @usableFromInline var bound: [Variable<Scalar>?] = []

    public init() {
        capacity = 1024
        storage = .allocate(capacity: capacity)
        gradientStorage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deallocate()
        gradientStorage.deallocate()
    }

    /// All parameter values, contiguous: the optimizers', checkpoints' and reducers' view,
    /// within the package (users read and write parameters with `value(_:)` and `setValue`).
    @usableFromInline
    package var values: UnsafeMutableBufferPointer<Scalar> { UnsafeMutableBufferPointer(start: storage, count: count) }
    /// All parameter gradients, contiguous, in the same layout as `values`.
    @usableFromInline
    package var gradients: UnsafeMutableBufferPointer<Scalar> {
        UnsafeMutableBufferPointer(start: gradientStorage, count: count)
    }

    /// Registers a parameter with the given initial value; names must be unique.
    @discardableResult
    public func add(_ name: String, _ initial: Tensor<Scalar>) -> Parameter {
        require(indexByName[name] == nil, "ParameterStore: a parameter named \(name) already exists")
        let size = initial.shape.count
        if count + size > capacity { grow(to: max(count + size, capacity * 2)) }
        initial.withUnsafeBufferPointer { (storage + count).initialize(from: $0.baseAddress!, count: size) }
        (gradientStorage + count).initialize(repeating: 0, count: size)
        entries.append(Entry(name: name, shape: initial.shape, offset: count))
        indexByName[name] = entries.count - 1
        count += size
        bound.append(nil)
        return Parameter(index: entries.count - 1)
    }

    /// Registers a parameter drawn uniformly from +-1/sqrt(fanIn), the initialisation that
    /// PyTorch, MLX and tinygrad use for linear and recurrent layers.
    @discardableResult
    public func addUniform(
        _ name: String, shape: Shape, fanIn: Int, using generator: inout SeededGenerator
    ) -> Parameter {
        let bound = 1 / Scalar(fanIn).squareRoot()
        return add(name, .uniform(shape, in: -bound...bound, using: &generator))
    }

    private func grow(to newCapacity: Int) {
        require(boundTape == nil, "ParameterStore: parameters cannot be added after the store was bound to a tape")
        let values = UnsafeMutablePointer<Scalar>.allocate(capacity: newCapacity)
        let grads = UnsafeMutablePointer<Scalar>.allocate(capacity: newCapacity)
        values.moveInitialize(from: storage, count: count)
        grads.moveInitialize(from: gradientStorage, count: count)
        storage.deallocate()
        gradientStorage.deallocate()
        (storage, gradientStorage, capacity) = (values, grads, newCapacity)
    }

    /// Every parameter, in table order.
    public var parameters: [Parameter] { entries.indices.map(Parameter.init) }

    /// The parameter called `name`, if any.
    public func parameter(named name: String) -> Parameter? { indexByName[name].map(Parameter.init) }

    public func entry(_ parameter: Parameter) -> Entry { entries[parameter.index] }

    /// A copy of a parameter's value.
    public func value(_ parameter: Parameter) -> Tensor<Scalar> {
        let e = entries[parameter.index]
        return Tensor(
            shape: e.shape, scalars: Array(UnsafeBufferPointer(start: storage + e.offset, count: e.shape.count)))
    }

    /// A copy of a parameter's gradient.
    public func gradient(_ parameter: Parameter) -> Tensor<Scalar> {
        let e = entries[parameter.index]
        return Tensor(
            shape: e.shape, scalars: Array(UnsafeBufferPointer(start: gradientStorage + e.offset, count: e.shape.count))
        )
    }

    /// Overwrites a parameter's value; the shape must match.
    public func setValue(_ parameter: Parameter, _ tensor: Tensor<Scalar>) {
        let e = entries[parameter.index]
        require(tensor.shape == e.shape, "ParameterStore: \(e.name) has shape \(e.shape), got \(tensor.shape)")
        tensor.withUnsafeBufferPointer { (storage + e.offset).update(from: $0.baseAddress!, count: $0.count) }
    }

    /// Overwrites a parameter's gradient; the shape must match. For gradients computed
    /// outside a tape (a gradient averaged across processes, one clipped by hand).
    public func setGradient(_ parameter: Parameter, _ tensor: Tensor<Scalar>) {
        let e = entries[parameter.index]
        require(
            tensor.shape == e.shape,
            "ParameterStore: the gradient of \(e.name) has shape \(e.shape), got \(tensor.shape)")
        tensor.withUnsafeBufferPointer { (gradientStorage + e.offset).update(from: $0.baseAddress!, count: $0.count) }
    }

    /// Sets every gradient to zero (call before each backward pass).
    public func zeroGradients() {
        // All-zero bytes are +0.0; a byte fill avoids the element-by-element generic path,
        // which cost about 3 % of a RAM training step.
        UnsafeMutableRawPointer(gradientStorage).initializeMemory(
            as: UInt8.self, repeating: 0,
            count: count * MemoryLayout<Scalar>.stride)
    }

    /// The variable for `parameter` on `tape`: bound (without copying) on first use in a
    /// forward pass, then reused, so an RNN unrolled over many steps binds each weight once.
    @inlinable
    public func variable(_ parameter: Parameter, on tape: Tape<Scalar>) -> Variable<Scalar> {
        refreshBinding(for: tape)
        if let variable = bound[parameter.index] { return variable }
        let e = entries[parameter.index]
        let variable = tape.bind(storage + e.offset, gradient: gradientStorage + e.offset, shape: e.shape)
        bound[parameter.index] = variable
        return variable
    }

    /// Makes the layers use the given variables in place of the parameters for the rest of
    /// this forward pass on their tape: how a gradient check perturbs and differentiates
    /// parameters (one variable per entry, in table order).
    public func substitute(_ variables: [Variable<Scalar>]) {
        require(
            variables.count == entries.count,
            "ParameterStore.substitute: \(variables.count) variables for \(entries.count) parameters")
        guard let tape = variables.first?.tape else { return }
        refreshBinding(for: tape)
        for (i, v) in variables.enumerated() {
            require(
                v.shape == entries[i].shape,
                "ParameterStore.substitute: \(entries[i].name) has shape \(entries[i].shape), got \(v.shape)")
            bound[i] = v
        }
    }

    /// Every parameter's value, in table order (for gradient checks and checkpoints).
    public var tensors: [Tensor<Scalar>] { entries.indices.map { value(Parameter(index: $0)) } }

    @inlinable
    func refreshBinding(for tape: Tape<Scalar>) {
        let id = ObjectIdentifier(tape)
        if boundTape != id || boundGeneration != tape.resetCount {
            boundTape = id
            boundGeneration = tape.resetCount
            for i in bound.indices { bound[i] = nil }
        }
    }
}
