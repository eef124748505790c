import Autograd

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A learning rate multiplied by a fixed factor every `interval` steps (PyTorch's `StepLR`).
///
/// ```
/// rate(step) = initial * factor^floor(step / interval)
/// ```
public struct StepDecay: LearningRateSchedule {
    /// The rate for the first `interval` steps.
    public var initial: Double
    /// The number of steps between reductions.
    public var interval: Int
    /// The multiplier applied at each reduction, such as 0.1.
    public var factor: Double

    /// - Precondition: `interval > 0`, `factor > 0`.
    public init(from initial: Double, every interval: Int, factor: Double) {
        require(interval > 0, "StepDecay: the interval must be positive, got \(interval)")
        require(factor > 0, "StepDecay: the factor must be positive, got \(factor)")
        self.initial = initial
        self.interval = interval
        self.factor = factor
    }

    public func learningRate(at step: Int) -> Double {
        initial * pow(factor, Double(max(step, 0) / interval))
    }
}
