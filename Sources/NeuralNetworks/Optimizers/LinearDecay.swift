import Autograd

/// A learning rate that falls in a straight line from its initial value to zero over a
/// fixed number of steps, then stays at zero (the schedule of Mnih et al. 2014).
///
/// ```
/// rate(step) = initial * max(0, 1 - step / steps)
/// ```
public struct LinearDecay: LearningRateSchedule {
    /// The rate at step 0.
    public var initial: Double
    /// The step at which the rate reaches zero.
    public var steps: Int

    /// - Precondition: `steps > 0`.
    public init(from initial: Double, overSteps steps: Int) {
        require(steps > 0, "LinearDecay: the number of steps must be positive, got \(steps)")
        self.initial = initial
        self.steps = steps
    }

    public func learningRate(at step: Int) -> Double {
        initial * max(0, 1 - Double(max(step, 0)) / Double(steps))
    }
}
