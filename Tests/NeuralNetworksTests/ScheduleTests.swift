import NeuralNetworks
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite("Learning-rate schedules")
struct ScheduleTests {
    @Test("linear decay reaches zero at the last step and stays there")
    func linear() {
        let schedule = LinearDecay(from: 0.1, overSteps: 100)
        let expected: [(Int, Double)] = [(0, 0.1), (25, 0.075), (50, 0.05), (99, 0.001), (100, 0), (150, 0)]
        for (step, rate) in expected {
            #expect(abs(schedule.learningRate(at: step) - rate) < 1e-15, "step \(step)")
        }
    }

    @Test("step decay halves every 10 steps")
    func stepDecay() {
        let schedule = StepDecay(from: 1, every: 10, factor: 0.5)
        let steps = [0, 9, 10, 19, 20, 35]
        #expect(steps.map(schedule.learningRate(at:)) == [1, 1, 0.5, 0.5, 0.25, 0.125])
    }

    @Test("reduce-on-plateau waits `patience` bad epochs, reduces on the next, then counts again")
    func plateau() {
        var plateau = ReduceOnPlateau(learningRate: 1, factor: 0.5, patience: 2, threshold: 0)
        // improve, improve, bad, bad (still tolerated), bad (reduce), improve, bad, bad, bad (reduce)
        let metrics: [Double] = [1, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.9, 0.81]
        let rates = metrics.map { plateau.record($0) }
        #expect(rates == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25])
        #expect(plateau.best == 0.8)
    }

    @Test("the threshold is relative, the minimum is a floor, maximize flips the comparison")
    func plateauOptions() {
        var relative = ReduceOnPlateau(learningRate: 1, factor: 0.5, patience: 0, threshold: 0.1)
        #expect(relative.record(1) == 1)
        #expect(relative.record(0.95) == 0.5, "a 5% gain is below the 10% threshold")
        #expect(relative.record(0.85) == 0.5, "a 15% gain counts")

        var floored = ReduceOnPlateau(learningRate: 1, factor: 0.1, patience: 0, minimum: 0.05)
        let rates = [1.0, 2, 2, 2].map { floored.record($0) }
        #expect(rates == [1, 0.1, 0.05, 0.05])

        var accuracy = ReduceOnPlateau(learningRate: 1, mode: .maximize, factor: 0.5, patience: 1, threshold: 0)
        #expect([0.5, 0.6, 0.55, 0.6, 0.7].map { accuracy.record($0) } == [1, 1, 1, 0.5, 0.5])
        #expect(accuracy.record(.nan) == 0.5 && accuracy.badEpochs == 1, "NaN counts as a bad epoch")
    }

    @Test("a cooldown suspends counting after a reduction")
    func cooldown() {
        var plateau = ReduceOnPlateau(learningRate: 1, factor: 0.5, patience: 0, threshold: 0, cooldown: 2)
        #expect([1.0, 2, 2, 2, 2].map { plateau.record($0) } == [1, 0.5, 0.5, 0.5, 0.25])
    }

    @Test("the plateau state round-trips through JSON and then behaves identically")
    func plateauCodable() throws {
        var original = ReduceOnPlateau(learningRate: 1, factor: 0.5, patience: 2, threshold: 0)
        for metric in [1.0, 1.1, 1.2] { original.record(metric) }
        var copy = try JSONDecoder().decode(ReduceOnPlateau.self, from: JSONEncoder().encode(original))
        #expect(copy == original)
        #expect(copy.record(1.3) == original.record(1.3))
        #expect(copy.learningRate == 0.5)
    }
}
