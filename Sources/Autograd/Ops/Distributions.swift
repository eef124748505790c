// Distribution ops: forward rules and VJPs side by side.

extension Variable {
    /// The log-density of this sample under a normal distribution of the given mean and fixed
    /// standard deviation, elementwise, with the sample held constant:
    ///
    /// ```
    /// log N(x; mu, sd^2) = -(x - mu)^2 / (2 sd^2) - log(sd) - log(2 pi) / 2
    /// d/dmu = (x - mu) / sd^2          (no gradient flows to x)
    /// ```
    ///
    /// This is the score-function term of REINFORCE (Williams 1992): the sample is an action
    /// already taken, so only the mean that produced it is differentiated.
    @inlinable
    public func normalLogProbability(mean: Variable, standardDeviation: Scalar) -> Variable {
        tape.normalLogProbability(mean: mean, sample: self, standardDeviation: standardDeviation)
    }
}

@available(*, deprecated, message: "use sample.normalLogProbability(mean:standardDeviation:)")
@inlinable
public func normalLogProbability<Scalar>(
    of sample: Variable<Scalar>, mean: Variable<Scalar>,
    standardDeviation: Scalar
) -> Variable<Scalar> {
    sample.normalLogProbability(mean: mean, standardDeviation: standardDeviation)
}

extension Tape {
    @inlinable
    func normalLogProbability(
        mean: Variable<Scalar>, sample: Variable<Scalar>,
        standardDeviation: Scalar
    ) -> Variable<Scalar> {
        let nm = node(mean)
        let ns = node(sample)
        require(
            nm.shape == ns.shape,
            "normalLogProbability: mean shape \(nm.shape) and sample shape \(ns.shape) differ")
        require(standardDeviation > 0, "normalLogProbability: standard deviation \(standardDeviation) is not positive")
        return record(
            .normalLogProbability(standardDeviation: Double(standardDeviation)), mean, sample, shape: nm.shape,
            requiresGradient: nm.requiresGradient
        ) { out in
            Scalar.kernels.normalLogProbability(
                count: nm.shape.count, mean: pointer(nm.value), sample: pointer(ns.value),
                standardDeviation: standardDeviation, y: out)
        }
    }

    @inlinable
    func normalLogProbabilityVJP(_ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>, standardDeviation sd: Scalar) {
        let mean = operand(node, 0)
        let sample = operand(node, 1)
        guard let dmean = gradientBuffer(mean) else { return }
        Scalar.kernels.normalLogProbabilityBackward(
            count: node.shape.count, mean: pointer(nodes[Int(mean)].value),
            sample: pointer(nodes[Int(sample)].value),
            standardDeviation: sd, g: g, dmean: dmean)
    }

    /// The same rule in recorded ops, the sample held constant.
    @inlinable
    func normalLogProbabilityRecordedVJP(_ c: RecordedVJP<Scalar>, standardDeviation sd: Scalar) -> [Variable<Scalar>?]
    {
        let (mean, sample) = (c.operand(0), c.operand(1).stoppingGradient())
        return [c.g * (sample - mean) * (1 / (sd * sd)), nil]
    }
}

// MARK: The stochastic node

extension Variable {
    /// Sets the advantage `A` (reward minus baseline) of a `sampleNormal` node. Its backward
    /// pass then adds the REINFORCE gradient `-A * d log p(sample) / d mean` to the mean.
    /// `advantage` broadcasts to the sample's shape: pass one value per batch row, divided
    /// by the batch size to average over the batch.
    @inlinable
    public func setAdvantage(_ advantage: Tensor<Scalar>) { tape.setAdvantage(of: self, advantage) }

    /// Draws `mean + sd * noise` from `generator`, this variable being the mean: a stochastic
    /// node for REINFORCE.
    ///
    /// The sample is a constant for everything downstream (no gradient flows through it,
    /// as in Williams 1992: it is an action). Once the reward is known, `setAdvantage` on
    /// the sample supplies `A`; the backward pass then adds to the mean
    ///
    /// ```
    /// -A * d/dmean log N(sample; mean, sd^2) = -A * (sample - mean) / sd^2
    /// ```
    ///
    /// through the same kernel as `normalLogProbability`'s VJP, so this node and the
    /// explicit surrogate loss `-stopGradient(A) * log p` cannot drift apart. A backward pass
    /// that reaches the node before its advantage is set traps.
    @inlinable
    public func sampleNormal(standardDeviation: Scalar, using generator: inout SeededGenerator) -> Variable {
        tape.sampleNormal(around: self, standardDeviation: standardDeviation, using: &generator)
    }
}

extension Tape {
    @available(*, deprecated, message: "use mean.sampleNormal(standardDeviation:using:)")
    @inlinable
    public func sampleNormal(
        mean: Variable<Scalar>, standardDeviation: Scalar,
        using generator: inout SeededGenerator
    ) -> Variable<Scalar> {
        mean.sampleNormal(standardDeviation: standardDeviation, using: &generator)
    }

    @inlinable
    func sampleNormal(
        around mean: Variable<Scalar>, standardDeviation: Scalar,
        using generator: inout SeededGenerator
    ) -> Variable<Scalar> {
        let nm = node(mean)
        require(standardDeviation > 0, "sampleNormal: standard deviation \(standardDeviation) is not positive")
        return record(
            .sampleNormal(standardDeviation: Double(standardDeviation), negatedAdvantage: nil), mean,
            shape: nm.shape, requiresGradient: false
        ) { out in
            let mu = pointer(nm.value)
            for i in 0..<nm.shape.count { out[i] = mu[i] + standardDeviation * Scalar(generator.nextNormal()) }
        }
    }

    @inlinable
    func setAdvantage(of sample: Variable<Scalar>, _ advantage: Tensor<Scalar>) {
        check(sample)
        let id = Int(sample.id)
        guard case .sampleNormal(let sd, _) = nodes[id].op else {
            fatalError("setAdvantage: the variable is not a sampleNormal node")
        }
        let shape = nodes[id].shape
        guard Shape.broadcast(advantage.shape, shape) == shape else {
            fatalError("setAdvantage: advantage shape \(advantage.shape) does not broadcast to sample shape \(shape)")
        }
        let buffer = values.allocate(shape.count, of: Scalar.self)
        advantage.withUnsafeBufferPointer { a in
            Scalar.kernels.stridedAccumulate(
                extent: shape.extent4, alpha: -1, overwrite: true,
                source: a.baseAddress!, sourceStrides: advantage.shape.broadcastStrides4(over: shape),
                target: buffer, targetStrides: shape.strides4)
        }
        nodes[id].op = .sampleNormal(standardDeviation: sd, negatedAdvantage: UnsafeMutableRawPointer(buffer))
    }

    @inlinable
    func sampleNormalVJP(_ node: TapeNode, _ sd: Double, _ negatedAdvantage: UnsafeMutableRawPointer?) {
        let mean = operand(node, 0)
        guard nodes[Int(mean)].requiresGradient else { return }
        guard let negatedAdvantage else {
            fatalError(
                "sampleNormal: backward reached a stochastic node whose advantage was never set (call setAdvantage "
                    + "on the sample)"
            )
        }
        Scalar.kernels.normalLogProbabilityBackward(
            count: node.shape.count, mean: pointer(nodes[Int(mean)].value),
            sample: pointer(node.value), standardDeviation: Scalar(sd),
            g: pointer(negatedAdvantage), dmean: gradientBuffer(mean)!)
    }

    /// The REINFORCE term of the node's mean in recorded ops: `-A (sample - mean) / sd^2`, the
    /// sample (the node itself, which passes no gradient) and the advantage held constant.
    @inlinable
    func sampleNormalRecordedVJP(
        _ node: TapeNode, id: Int, _ sd: Double, _ negatedAdvantage: UnsafeMutableRawPointer?
    ) -> Variable<Scalar> {
        guard let negatedAdvantage else {
            fatalError(
                "sampleNormal: a gradient pass reached a stochastic node whose advantage was never set (call "
                    + "setAdvantage on the sample)")
        }
        let source = pointer(negatedAdvantage)
        let advantage = constant(shape: node.shape) { $0.baseAddress!.update(from: source, count: $0.count) }
        let mean = Variable(tape: self, id: operand(node, 0), generation: generation)
        let sample = Variable(tape: self, id: Int32(id), generation: generation)
        return advantage * (sample - mean) * (1 / (Scalar(sd) * Scalar(sd)))
    }
}

// MARK: The per-element rules

extension TensorKernels {
    @inlinable
    package static func normalLogProbability(
        count: Int, mean: UnsafePointer<Scalar>, sample: UnsafePointer<Scalar>,
        standardDeviation sd: Scalar, y: UnsafeMutablePointer<Scalar>
    ) {
        // log N(x; mu, sd^2) = -(x - mu)^2 / (2 sd^2) - log sd - log(2 pi) / 2
        var logs: (Scalar, Scalar) = (sd, 2 * .pi)
        withUnsafeMutableBytes(of: &logs) { raw in
            let p = raw.baseAddress!.assumingMemoryBound(to: Scalar.self)
            vectorLog(2, p, p)
        }
        let constant = -logs.0 - logs.1 / 2
        let scale = 1 / (2 * sd * sd)
        for i in 0..<count {
            let d = sample[i] - mean[i]
            y[i] = constant - d * d * scale
        }
    }

    @inlinable
    package static func normalLogProbabilityBackward(
        count: Int, mean: UnsafePointer<Scalar>, sample: UnsafePointer<Scalar>,
        standardDeviation sd: Scalar, g: UnsafePointer<Scalar>,
        dmean: UnsafeMutablePointer<Scalar>
    ) {
        let scale = 1 / (sd * sd)
        for i in 0..<count { dmean[i] += g[i] * (sample[i] - mean[i]) * scale }
    }
}
