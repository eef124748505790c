import Autograd

/// A normal distribution with a learned mean and a fixed standard deviation: RAM's location
/// policy (Mnih et al. 2014).
public struct Normal<Scalar: TensorScalar> {
    public let mean: Variable<Scalar>
    public let standardDeviation: Scalar

    public init(mean: Variable<Scalar>, standardDeviation: Scalar) {
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// A sample as a stochastic node: a constant downstream, and once `setAdvantage` is
    /// called on it, a REINFORCE gradient into the mean (see `Variable.sampleNormal`).
    public func sample(using generator: inout SeededGenerator) -> Variable<Scalar> {
        mean.sampleNormal(standardDeviation: standardDeviation, using: &generator)
    }

    /// The log-density of `value`, elementwise, with `value` held constant.
    public func logProbability(of value: Variable<Scalar>) -> Variable<Scalar> {
        value.normalLogProbability(mean: mean, standardDeviation: standardDeviation)
    }
}

/// A categorical distribution over the last axis of `logits` `[batch, classes]`.
public struct Categorical<Scalar: TensorScalar> {
    public let logits: Variable<Scalar>
    /// `log softmax(logits)`, recorded once and shared by every method.
    public let logProbabilities: Variable<Scalar>

    public init(logits: Variable<Scalar>) {
        require(logits.shape.rank == 2, "Categorical: logits must be [batch, classes], got \(logits.shape)")
        self.logits = logits
        logProbabilities = logits.logSoftmax()
    }

    /// One class per row, drawn by inverting the cumulative distribution (no gradient).
    public func sample(using generator: inout SeededGenerator) -> [Int] {
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        let logp = logProbabilities.scalars
        return (0..<rows).map { r in
            let u = generator.nextUniform(Double.self)
            var cumulative = 0.0
            for c in 0..<classes {
                cumulative += _exp(Double(logp[r * classes + c]))
                if u < cumulative { return c }
            }
            return classes - 1  // u landed in the rounding slack above the last bin
        }
    }

    /// The most likely class of each row.
    public func mode() -> [Int] {
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        let logp = logProbabilities.scalars
        return (0..<rows).map { r in
            (0..<classes).max { logp[r * classes + $0] < logp[r * classes + $1] }!
        }
    }

    /// `log p(value_b)` for each row: `[batch]`. Differentiable in the logits; the
    /// surrogate `-(A * logProbability).mean()` is REINFORCE for a discrete action.
    public func logProbability(of values: [Int]) -> Variable<Scalar> {
        logProbabilities.gathering(values, alongAxis: 1)
    }

    /// `-sum_c p_c log p_c` for each row: `[batch]`.
    public func entropy() -> Variable<Scalar> {
        -(logProbabilities.exp() * logProbabilities).sum(alongAxes: [1])
    }
}

#if canImport(Glibc)
import Glibc
private func _exp(_ x: Double) -> Double { Glibc.exp(x) }
#else
import Darwin
private func _exp(_ x: Double) -> Double { Darwin.exp(x) }
#endif
