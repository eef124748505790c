import Autograd

/// Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay,
/// in PyTorch's formulation.
///
/// ```
/// g = gradient + weightDecay * theta
/// b = momentum * b + g                          (b starts at zero, so b_1 = g_1)
/// d = nesterov ? g + momentum * b : b           (d = g without momentum)
/// theta -= learningRate * d
/// ```
/// The momentum buffer accumulates raw gradients and the learning rate multiplies the whole
/// step (unlike Sutskever et al. 2013, who fold it into the velocity), so changing the
/// learning rate mid-run rescales the next step at once, as in PyTorch.
///
/// Complexity: one pass over the parameters.
public final class SGD<Scalar: TensorScalar>: Optimizer {
    public let store: ParameterStore<Scalar>
    public var learningRate: Double
    /// The decay of the momentum buffer (0 for plain gradient descent).
    public let momentum: Double
    /// Whether the step looks ahead along the momentum (Nesterov's accelerated gradient).
    public let nesterov: Bool
    /// The coefficient of the L2 penalty added to the gradient (0 for none).
    public var weightDecay: Double
    public private(set) var step = 0
    private let buffers: OptimizerBuffers<Scalar>

    /// Creates an optimizer for every parameter of `store`, with a zero momentum buffer.
    /// - Precondition: `momentum >= 0`, `weightDecay >= 0`; Nesterov needs `momentum > 0`.
    public init(
        for store: ParameterStore<Scalar>, learningRate: Double,
        momentum: Double = 0, nesterov: Bool = false, weightDecay: Double = 0
    ) {
        require(
            momentum >= 0 && weightDecay >= 0,
            "SGD: momentum and weight decay must be non-negative, got \(momentum) and \(weightDecay)")
        require(!nesterov || momentum > 0, "SGD: Nesterov momentum needs a positive momentum")
        self.store = store
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        buffers = OptimizerBuffers(names: momentum > 0 ? ["momentum"] : [], count: store.count)
    }

    public func update() {
        let count = store.count
        buffers.grow(to: count)
        step += 1
        guard count > 0, let p = store.values.baseAddress, let g = store.gradients.baseAddress else { return }
        let c = SGDCoefficients(
            learningRate: learningRate, momentum: momentum,
            nesterov: nesterov, weightDecay: weightDecay)
        // Without momentum there is no buffer; the loop never reads it.
        let b = buffers.pointers.first ?? g
        withSpecializedScalar(
            Scalar.self,
            float: { sgdStep(c, count, p.typed(as: Float.self), g.typed(as: Float.self), b.typed(as: Float.self)) },
            double: { sgdStep(c, count, p.typed(as: Double.self), g.typed(as: Double.self), b.typed(as: Double.self)) },
            generic: { sgdStep(c, count, p, g, b) })
    }

    public var state: OptimizerState<Scalar> {
        OptimizerState(kind: "sgd", step: step, tensors: buffers.tensors(for: store))
    }

    public func restore(from state: OptimizerState<Scalar>) throws(OptimizerStateError) {
        guard state.kind == "sgd" else { throw OptimizerStateError("expected the state of sgd, got \(state.kind)") }
        guard state.step >= 0 else { throw OptimizerStateError("negative step count \(state.step)") }
        try buffers.restore(from: state.tensors, for: store)
        step = state.step
    }
}

struct SGDCoefficients {
    var learningRate, momentum: Double
    var nesterov: Bool
    var weightDecay: Double
}

/// The SGD loop over `count` scalars; called with a concrete `T` so it is specialised.
@inline(__always)
private func sgdStep<T: TensorScalar>(
    _ c: SGDCoefficients, _ count: Int, _ p: UnsafeMutablePointer<T>,
    _ g: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>
) {
    let rate = T(c.learningRate)
    let mu = T(c.momentum)
    let decay = T(c.weightDecay)
    // The branches are loop-invariant, so the compiler unswitches them and each loop
    // vectorises. A zero decay is skipped, not multiplied: 0 * inf would make a NaN.
    @inline(__always) func direction(_ i: Int) -> T { decay == 0 ? g[i] : g[i] + decay * p[i] }
    switch (c.momentum > 0, c.nesterov) {
    case (false, _):
        for i in 0..<count { p[i] -= rate * direction(i) }
    case (true, false):
        for i in 0..<count {
            let bi = mu * b[i] + direction(i)
            b[i] = bi
            p[i] -= rate * bi
        }
    case (true, true):
        for i in 0..<count {
            let gi = direction(i)
            let bi = mu * b[i] + gi
            b[i] = bi
            p[i] -= rate * (gi + mu * bi)
        }
    }
}
