import Autograd
import RecurrentAttention
import Testing

/// Where the first glimpse looks: the centre, except in training with `randomFirstGlimpse`
/// and under the random policy, where it is uniform in [-1, 1]^2 and drawn from the generator.
@Suite struct FirstGlimpseTests {
    static let images = Tensor<Float>(repeating: 0.5, shape: [64, 12, 12])

    static func firstLocations(
        randomFirstGlimpse: Bool, isTraining: Bool,
        policy: RecurrentAttentionModel.Policy = .sample, seed: UInt64 = 7
    ) -> [Float] {
        var c = RAMConfiguration(imageHeight: 12, imageWidth: 12)
        (c.glimpses, c.patchSize, c.glimpseHidden, c.locationHidden, c.glimpseSize, c.coreSize) = (2, 4, 8, 8, 16, 16)
        c.randomFirstGlimpse = randomFirstGlimpse
        let model = RecurrentAttentionModel(c, seed: 1)
        var generator = SeededGenerator(seed: seed)
        return model.run(images, on: Tape<Float>(), policy: policy, isTraining: isTraining, using: &generator)
            .locations[0]
    }

    @Test func evaluationAndTheDefaultStartAtTheCentre() {
        #expect(Self.firstLocations(randomFirstGlimpse: true, isTraining: false).allSatisfy { $0 == 0 })
        #expect(Self.firstLocations(randomFirstGlimpse: true, isTraining: false, policy: .mean).allSatisfy { $0 == 0 })
        #expect(Self.firstLocations(randomFirstGlimpse: false, isTraining: true).allSatisfy { $0 == 0 })
    }

    @Test(arguments: [(true, RecurrentAttentionModel.Policy.sample), (false, .random), (true, .random)])
    func trainingWithTheRuleAndRandomGlimpsesStartAnywhere(isTraining: Bool, policy: RecurrentAttentionModel.Policy) {
        let first = Self.firstLocations(randomFirstGlimpse: isTraining, isTraining: isTraining, policy: policy)
        #expect(first.count == 128 && first.allSatisfy { (-1...1).contains($0) })
        // Uniform on [-1, 1]: mean 0 and variance 1/3; 128 draws put the mean within 0.25 and
        // the variance within 0.15 of them by far more than 4 standard errors.
        let mean = first.reduce(0, +) / 128
        let variance = first.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 128
        #expect(abs(mean) < 0.25 && abs(variance - 1.0 / 3) < 0.15, "mean \(mean), variance \(variance)")
        #expect(
            Self.firstLocations(randomFirstGlimpse: isTraining, isTraining: isTraining, policy: policy) == first,
            "the same seed must give the same first glimpses")
        #expect(
            Self.firstLocations(randomFirstGlimpse: isTraining, isTraining: isTraining, policy: policy, seed: 8)
                != first)
    }
}
