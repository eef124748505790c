import Autograd

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Adam: steps scaled by running estimates of the gradient's first and second moments
/// (Kingma and Ba 2015, "Adam: A Method for Stochastic Optimization", Algorithm 1).
///
/// ```
/// g  = gradient + weightDecay * theta             (L2 penalty, as PyTorch's Adam)
/// m  = beta1 * m + (1 - beta1) * g
/// v  = beta2 * v + (1 - beta2) * g^2
/// theta -= learningRate / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)
/// ```
/// `t` counts updates from 1. Epsilon sits outside the square root and after the bias
/// correction of `v`, where PyTorch places it, so runs can be compared with PyTorch's.
/// Hyperparameters are `Double` (PyTorch keeps them as Python floats); each update converts
/// them to `Scalar` once.
///
/// ```swift
/// let optimizer = Adam(for: store, learningRate: 3e-4)
/// optimizer.update()   // after each backward pass
/// ```
/// Complexity: one pass over the parameters, four loads and three stores per scalar.
public final class Adam<Scalar: TensorScalar>: Optimizer {
    public let store: ParameterStore<Scalar>
    public var learningRate: Double
    /// The decay rate of the first-moment estimate.
    public var beta1: Double
    /// The decay rate of the second-moment estimate.
    public var beta2: Double
    /// Added to the bias-corrected root of the second moment, for numerical stability.
    public var epsilon: Double
    /// The coefficient of the L2 penalty added to the gradient (0 for none).
    public var weightDecay: Double
    public private(set) var step = 0
    private let buffers: OptimizerBuffers<Scalar>

    /// Creates an optimizer for every parameter of `store`, with zero moments.
    /// - Precondition: `0 <= beta1, beta2 < 1`, `epsilon >= 0`, `weightDecay >= 0`.
    public init(
        for store: ParameterStore<Scalar>, learningRate: Double = 1e-3,
        beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0
    ) {
        require(
            (0..<1).contains(beta1) && (0..<1).contains(beta2),
            "Adam: betas must lie in [0, 1), got \(beta1) and \(beta2)")
        require(
            epsilon >= 0 && weightDecay >= 0,
            "Adam: epsilon and weight decay must be non-negative, got \(epsilon) and \(weightDecay)")
        self.store = store
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        buffers = OptimizerBuffers(names: ["m", "v"], count: store.count)
    }

    public func update() {
        let count = store.count
        buffers.grow(to: count)
        step += 1
        guard count > 0, let p = store.values.baseAddress, let g = store.gradients.baseAddress else { return }
        let t = Double(step)
        let c = AdamCoefficients(
            beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
            stepSize: learningRate / (1 - pow(beta1, t)),
            inverseRootCorrection: 1 / (1 - pow(beta2, t)).squareRoot())
        let m = buffers.pointers[0]
        let v = buffers.pointers[1]
        withSpecializedScalar(
            Scalar.self,
            float: {
                adamStepFloat(
                    c, count, p.typed(as: Float.self), g.typed(as: Float.self),
                    m.typed(as: Float.self), v.typed(as: Float.self))
            },
            double: {
                adamStep(
                    c, count, p.typed(as: Double.self), g.typed(as: Double.self),
                    m.typed(as: Double.self), v.typed(as: Double.self))
            },
            generic: { adamStep(c, count, p, g, m, v) })
    }

    public var state: OptimizerState<Scalar> {
        OptimizerState(kind: "adam", step: step, tensors: buffers.tensors(for: store))
    }

    public func restore(from state: OptimizerState<Scalar>) throws(OptimizerStateError) {
        guard state.kind == "adam" else { throw OptimizerStateError("expected the state of adam, got \(state.kind)") }
        guard state.step >= 0 else { throw OptimizerStateError("negative step count \(state.step)") }
        try buffers.restore(from: state.tensors, for: store)
        step = state.step
    }
}
