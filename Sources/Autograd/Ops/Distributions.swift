// Distribution ops: forward rules and VJPs side by side.

/// The log-density of a normal distribution with a fixed standard deviation, elementwise,
/// with the sample held constant:
///
/// ```
/// log N(x; mu, sd^2) = -(x - mu)^2 / (2 sd^2) - log(sd) - log(2 pi) / 2
/// d/dmu = (x - mu) / sd^2          (no gradient flows to x)
/// ```
///
/// This is the score-function term of REINFORCE (Williams 1992): the sample is an action
/// already taken, so only the mean that produced it is differentiated.
public func normalLogProbability<Scalar>(of sample: Variable<Scalar>, mean: Variable<Scalar>,
                                         standardDeviation: Scalar) -> Variable<Scalar> {
    mean.tape.normalLogProbability(mean: mean, sample: sample, standardDeviation: standardDeviation)
}

extension Tape {
    func normalLogProbability(mean: Variable<Scalar>, sample: Variable<Scalar>,
                              standardDeviation: Scalar) -> Variable<Scalar> {
        let nm = node(mean), ns = node(sample)
        precondition(nm.shape == ns.shape,
                     "normalLogProbability: mean shape \(nm.shape) and sample shape \(ns.shape) differ")
        precondition(standardDeviation > 0, "normalLogProbability: standard deviation \(standardDeviation) is not positive")
        let (result, out) = record(.normalLogProbability, mean, sample, shape: nm.shape,
                                   attributes: .normal(standardDeviation: Double(standardDeviation)),
                                   requiresGradient: nm.requiresGradient)
        Scalar.Kernels.normalLogProbability(count: nm.shape.count, mean: pointer(nm.value), sample: pointer(ns.value),
                                            standardDeviation: standardDeviation, y: out)
        return result
    }

    func normalLogProbabilityVJP(_ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>) {
        guard case let .normal(sd) = node.attributes else { return }
        let mean = operand(node, 0), sample = operand(node, 1)
        guard let dmean = gradientBuffer(mean) else { return }
        Scalar.Kernels.normalLogProbabilityBackward(count: node.shape.count, mean: pointer(nodes[Int(mean)].value),
                                                    sample: pointer(nodes[Int(sample)].value),
                                                    standardDeviation: Scalar(sd), g: g, dmean: dmean)
    }
}
