import Autograd

/// Something that moves a store's parameter values along its gradients, one step per call.
///
/// ```
/// theta <- theta - learningRate * direction(gradient, state)
/// ```
/// A training loop can hold any optimizer as `any Optimizer<Float>`. `state` and
/// `restore(from:)` round-trip everything a resumed run needs to continue exactly (moment
/// buffers and the step count); hyperparameters are configuration, and the learning rate
/// belongs to the schedule that drives it.
public protocol Optimizer<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar

    /// The store whose values are updated from its gradients.
    var store: ParameterStore<Scalar> { get }
    /// The step size used by the next `update()`. A `Double` whatever `Scalar` is, as in
    /// PyTorch, so schedules assign it directly; each update converts it once.
    var learningRate: Double { get set }
    /// The number of updates applied so far.
    var step: Int { get }

    /// Applies one update: reads the store's gradients, writes its values (gradients are
    /// left as they are; zero them before the next backward pass).
    func update()

    /// A copy of the optimizer's state: its kind, step count and per-parameter buffers.
    var state: OptimizerState<Scalar> { get }

    /// Replaces the optimizer's state with one exported by an optimizer of the same kind
    /// over a store with the same table; throws without changing anything otherwise.
    func restore(from state: OptimizerState<Scalar>) throws(OptimizerStateError)
}

/// An optimizer's exported state, ready to be written into a checkpoint.
///
/// Buffers are keyed `"<buffer>.<parameter name>"` (for example `"m.fc.weight"`), each with
/// its parameter's shape, so a checkpoint reader sees them like the parameters themselves.
public struct OptimizerState<Scalar: TensorScalar>: Sendable, Equatable {
    /// The optimizer's kind, such as `"adam"` or `"sgd"`.
    public var kind: String
    /// The number of updates applied.
    public var step: Int
    /// The per-parameter buffers.
    public var tensors: [String: Tensor<Scalar>]

    public init(kind: String, step: Int, tensors: [String: Tensor<Scalar>]) {
        self.kind = kind
        self.step = step
        self.tensors = tensors
    }
}

/// Why an optimizer state could not be restored.
public struct OptimizerStateError: Error, CustomStringConvertible, Equatable {
    /// What was wrong, in a sentence.
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { "optimizer state: \(reason)" }
}
