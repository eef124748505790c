import Autograd
import AutogradTesting
import Foundation
import NeuralNetworks
import Testing

@Suite struct DistributionTests {
    /// Per-sample REINFORCE estimates of dJ/dmu for a one-dimensional Gaussian bandit with
    /// reward R(a) = -(a - 2)^2, from the stochastic node (as the loss gradient, so negated).
    func banditEstimates(mean: Double, sd: Double, baseline: Double, count: Int, seed: UInt64) -> [Double] {
        let tape = Tape<Double>()
        var generator = SeededGenerator(seed: seed)
        let mu = tape.variable(Tensor([mean]))
        let perSample = mu + tape.constant(0, shape: [count])  // one copy of mu per draw
        let policy = Normal(mean: perSample, standardDeviation: sd)
        let action = policy.sample(using: &generator)
        let rewards = action.value.scalars.map { -($0 - 2) * ($0 - 2) }
        action.setAdvantage(Tensor(rewards.map { $0 - baseline }))
        tape.backward(from: action)
        return tape.gradient(of: perSample)!.scalars.map { -$0 }
    }

    @Test func reinforceIsUnbiasedOnABanditAndTheBaselineReducesVariance() {
        let (mean, sd) = (0.5, 0.8)
        let exact = -2 * (mean - 2)  // J(mu) = -((mu - 2)^2 + sd^2)
        let expectedReward = -((mean - 2) * (mean - 2) + sd * sd)
        var variances: [Double] = []
        for baseline in [0, expectedReward] {
            let g = banditEstimates(mean: mean, sd: sd, baseline: baseline, count: 20_000, seed: 11)
            let average = g.reduce(0, +) / Double(g.count)
            let variance = g.map { ($0 - average) * ($0 - average) }.reduce(0, +) / Double(g.count - 1)
            let standardError = (variance / Double(g.count)).squareRoot()
            #expect(
                abs(average - exact) < 4 * standardError,
                "baseline \(baseline): mean \(average), exact \(exact), standard error \(standardError)")
            variances.append(variance)
        }
        #expect(variances[1] < 0.75 * variances[0], "variance without baseline \(variances[0]), with \(variances[1])")
    }

    @Test func aPositiveAdvantageMovesTheMeanTowardTheSample() {
        let tape = Tape<Double>()
        var generator = SeededGenerator(seed: 3)
        let mu = tape.variable(Tensor([0.1, -0.4]))
        let sample = Normal(mean: mu, standardDeviation: 0.3).sample(using: &generator)
        sample.setAdvantage(Tensor(1.0))
        tape.backward(from: sample)
        let stepped = zip(mu.value.scalars, tape.gradient(of: mu)!.scalars).map { $0 - 0.01 * $1 }
        for i in 0..<2 {
            #expect(abs(stepped[i] - sample.value.scalars[i]) < abs(mu.value.scalars[i] - sample.value.scalars[i]))
        }
    }

    @Test func stochasticNodeAndSurrogateLossAgreeThroughTheNormalAPI() {
        let advantage = Tensor<Double>(shape: [2, 1], scalars: [0.7, -1.2])
        func gradients(surrogate: Bool) -> [Double] {
            let tape = Tape<Double>()
            var generator = SeededGenerator(seed: 8)
            let mu = tape.variable(Tensor(shape: [2, 2], scalars: [0.1, 0.2, -0.3, 0.4]))
            let policy = Normal(mean: mu, standardDeviation: 0.2)
            let sample = policy.sample(using: &generator)
            if surrogate {
                let loss = -(policy.logProbability(of: sample) * tape.constant(advantage)).sum()
                // The stochastic node was still recorded: give it a zero advantage so it adds nothing.
                sample.setAdvantage(Tensor(0.0))
                tape.backward(from: loss)
            } else {
                sample.setAdvantage(advantage)
                tape.backward(from: sample)
            }
            return tape.gradient(of: mu)!.scalars
        }
        let (a, b) = (gradients(surrogate: false), gradients(surrogate: true))
        #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-12 }, "\(a) vs \(b)")
        #expect(a.contains { $0 != 0 })
    }

    @Test func categoricalLogProbabilityEntropyAndSampling() {
        let logits = Tensor<Double>(shape: [1, 3], scalars: [0.5, -1, 2])
        let p = logits.scalars.map { Foundation.exp($0) }
        let total = p.reduce(0, +)
        let probabilities = p.map { $0 / total }
        let tape = Tape<Double>()
        let dist = Categorical(logits: tape.constant(logits))
        #expect(abs(dist.logProbability(of: [2]).value.scalar - Foundation.log(probabilities[2])) < 1e-12)
        let entropy = -probabilities.map { $0 * Foundation.log($0) }.reduce(0, +)
        #expect(abs(dist.entropy().value.scalar - entropy) < 1e-12)
        #expect(dist.mode() == [2])

        var generator = SeededGenerator(seed: 4)
        let draws = 30_000
        var counts = [0, 0, 0]
        for _ in 0..<draws { counts[dist.sample(using: &generator)[0]] += 1 }
        for c in 0..<3 {
            let expected = Double(draws) * probabilities[c]
            let sd = (expected * (1 - probabilities[c])).squareRoot()
            #expect(abs(Double(counts[c]) - expected) < 4 * sd, "class \(c): \(counts[c]) draws, expected \(expected)")
        }
    }

    @Test func categoricalReinforceSurrogateHasCorrectGradients() {
        var generator = SeededGenerator(seed: 6)
        let result = checkGradients(at: [.normal([3, 4], using: &generator)]) { _, v in
            let dist = Categorical(logits: v[0])
            let advantage = v[0].tape.constant(Tensor([1.0, -0.5, 2.0]))
            return -(dist.logProbability(of: [1, 3, 0]) * advantage).mean() - dist.entropy().mean() * 0.01
        }
        #expect(result.passed, "\(result)")
    }
}
