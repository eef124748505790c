import Autograd
import Foundation
import Testing

@Suite struct SeededGeneratorTests {
    /// The fast uniform draws are the standard library's, bit for bit, so seeded streams did
    /// not change when they replaced it.
    @Test func uniformDrawsEqualTheStandardLibrarys() {
        var fast = SeededGenerator(seed: 11)
        var reference = SeededGenerator(seed: 11)
        for _ in 0..<100_000 {
            #expect(fast.nextUniform(Float.self).bitPattern == Float.random(in: 0..<1, using: &reference).bitPattern)
            #expect(fast.nextUniform(Double.self).bitPattern == Double.random(in: 0..<1, using: &reference).bitPattern)
        }
    }

    /// Tensors of draws hold the draws in order, as an element-by-element loop gives them.
    @Test func tensorDrawsFollowTheStream() {
        var g = SeededGenerator(seed: 3)
        var reference = SeededGenerator(seed: 3)
        let u = Tensor<Float>.uniform([5, 7], in: -2...3, using: &g)
        #expect(u.scalars == (0..<35).map { _ in Float(-2) + 5 * reference.nextUniform(Float.self) })
        let n = Tensor<Double>.normal([9], mean: 1, standardDeviation: 0.5, using: &g)
        #expect(n.scalars == (0..<9).map { _ in 1 + 0.5 * reference.nextNormal() })
    }

    /// The same seed gives the same stream; another seed and a derived stream differ.
    @Test func streamsAreDeterminedBySeed() {
        var a = SeededGenerator(seed: 5)
        var b = SeededGenerator(seed: 5)
        var c = SeededGenerator(seed: 6)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        var d = SeededGenerator(seed: 5).derived(1)
        #expect(first != (0..<8).map { _ in d.next() })
    }

    /// Normal draws have mean 0 and variance 1 (within 5 standard errors over 200,000 draws).
    @Test func normalDrawsAreStandard() {
        var g = SeededGenerator(seed: 8)
        let n = 200_000
        let draws = (0..<n).map { _ in g.nextNormal() }
        let mean = draws.reduce(0, +) / Double(n)
        let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)
        #expect(abs(mean) < 5 / Double(n).squareRoot())
        #expect(abs(variance - 1) < 5 * (2 / Double(n)).squareRoot())
    }
}
