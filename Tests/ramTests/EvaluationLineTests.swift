import RecurrentAttention
import Testing

@testable import ram

/// The glimpse-by-glimpse line `ram evaluate` prints.
@Suite struct EvaluationLineTests {
    /// One 4x4 image whose only ink is pixel (0, 0), so its centre of mass is (0.5, 0.5); a 2x2
    /// finest patch. Glimpse 2 at (-0.75, -0.75) is pixel point (0.5, 0.5): 0 px away, on the ink.
    /// Glimpse 3 at (0.75, 0.75) is (3.5, 3.5): 3 * sqrt(2) = 4.24 px away, its patch (rows and
    /// columns 2-3) holds no ink. The first glimpse is not the policy's and is left out.
    @Test func eachGlimpseGetsItsOwnDistanceAndInk() {
        var target = [Float](repeating: 0, count: 16)
        target[0] = 1
        var learned = GlimpseDiagnostic(glimpses: 3)
        learned.record(
            locations: [[0, 0], [-0.75, -0.75], [0.75, 0.75]], targets: target, height: 4, width: 4,
            sensor: GlimpseSensor(patchSize: 2, scales: 1))
        let line = Evaluation.describeEachGlimpse(learned)
        #expect(line == "glimpse by glimpse: 2: 0.0 px, ink 100%; 3: 4.2 px, ink 0%")
    }
}
