import Autograd
import NeuralNetworks
import Testing

@testable import RecurrentAttention

/// The REINFORCE advantage the hybrid loss sets: its weight, and the leave-one-out baseline
/// of several sampled runs per image, against advantages worked out by hand.
@Suite struct PolicyGradientTests {
    static func model(samplesPerImage: Int = 1, weight: Float = 1) -> RecurrentAttentionModel {
        var c = RAMConfiguration(imageHeight: 12, imageWidth: 12)
        (c.glimpses, c.patchSize, c.scales) = (3, 4, 2)
        (c.glimpseHidden, c.locationHidden, c.glimpseSize, c.coreSize) = (8, 8, 16, 16)
        (c.samplesPerImage, c.policyGradientWeight) = (samplesPerImage, weight)
        return RecurrentAttentionModel(c, seed: 1)
    }

    /// Three images, each run twice in a row.
    static let images = RAMClassifier.repeating(
        {
            var g = SeededGenerator(seed: 2)
            return Tensor<Float>.uniform([3, 12, 12], in: 0...1, using: &g)
        }(), 2)

    /// The location network's gradient after one seeded episode, with the advantages the hybrid
    /// loss sets, or with `advantages(rewards)` set by hand.
    static func locationGradient(
        _ model: RecurrentAttentionModel, labels: [Int], samplesPerImage: Int = 1,
        advantages: (([Float]) -> [Float])? = nil
    ) -> [Float] {
        let tape = Tape<Float>()
        var generator = SeededGenerator(seed: 3)
        model.store.zeroGradients()
        let episode = model.run(images, on: tape, policy: .sample, using: &generator)
        var (loss, _) = model.hybridLoss(episode, labels: labels, samplesPerImage: samplesPerImage)
        if let advantages {
            let rewards = zip(RecurrentAttentionModel.predictions(episode.logits), labels).map {
                $0 == $1 ? Float(1) : 0
            }
            for s in episode.samples { s.setAdvantage(Tensor(shape: [labels.count, 1], scalars: advantages(rewards))) }
            loss = softmaxCrossEntropy(logits: episode.logits, labels: labels)
        }
        tape.backward(from: loss)
        let weight = model.store.parameters[model.store.entries.firstIndex { $0.name == "location.weight" }!]
        return model.store.gradient(weight).scalars
    }

    /// Labels that make some runs right and some wrong, so the advantages are not all zero.
    static func mixedLabels(_ model: RecurrentAttentionModel) -> [Int] {
        let tape = Tape<Float>()
        var generator = SeededGenerator(seed: 3)
        let predicted = RecurrentAttentionModel.predictions(
            model.run(images, on: tape, policy: .sample, using: &generator).logits)
        // Rows 0, 2, 4 keep their prediction (right); rows 1, 3, 5 get another class (wrong),
        // except row 3, right too: image 1's two runs both right, the others one of two.
        return predicted.enumerated().map { row, p in row % 2 == 0 || row == 3 ? p : (p + 1) % 10 }
    }

    @Test func eachRunsBaselineIsTheMeanRewardOfTheImagesOtherRuns() {
        let model = Self.model(samplesPerImage: 2)
        let labels = Self.mixedLabels(model)
        let viaLoss = Self.locationGradient(model, labels: labels, samplesPerImage: 2)
        // By hand, two runs per image: a run's advantage is its reward minus the other run's.
        let byHand = Self.locationGradient(model, labels: labels) { r in
            r.indices.map { (r[$0] - r[$0 ^ 1]) / Float(r.count) }
        }
        #expect(viaLoss.contains { $0 != 0 })
        for (a, b) in zip(viaLoss, byHand) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b)), "\(a) against \(b)") }
        // Image 1's runs were both right: no advantage, so no gradient from them. Zeroing the
        // other images' advantages by hand leaves nothing.
        let imageOneOnly = Self.locationGradient(model, labels: labels) { r in
            r.indices.map { $0 / 2 == 1 ? (r[$0] - r[$0 ^ 1]) / Float(r.count) : 0 }
        }
        #expect(imageOneOnly.allSatisfy { $0 == 0 })
    }

    @Test func thePolicyGradientWeightScalesTheLocationNetworksGradient() {
        let (one, half) = (Self.model(), Self.model(weight: 0.5))
        let labels = Self.mixedLabels(one)
        let full = Self.locationGradient(one, labels: labels)
        let scaled = Self.locationGradient(half, labels: labels)
        #expect(full.contains { $0 != 0 })
        for (a, b) in zip(full, scaled) {
            #expect(abs(0.5 * a - b) <= 1e-6 * max(1, abs(a)), "\(b) is not half of \(a)")
        }
    }

    @Test func trainingRunsEachImageAsManyTimesAsConfigured() {
        var g = SeededGenerator(seed: 5)
        let images = Tensor<Float>.uniform([2, 3, 4], in: 0...1, using: &g)
        let repeated = RAMClassifier.repeating(images, 3)
        #expect(repeated.shape == [6, 3, 4])
        for row in 0..<6 {
            let image = row / 3
            let copy: [Float] = Array(repeated.scalars[(row * 12)..<(row * 12 + 12)])
            let original: [Float] = Array(images.scalars[(image * 12)..<(image * 12 + 12)])
            #expect(copy == original)
        }
        // The training error counts each image once, by its first run: two of four here.
        let model = Self.model(samplesPerImage: 3)
        var h = SeededGenerator(seed: 7)
        let four = Tensor<Float>.uniform([4, 12, 12], in: 0...1, using: &h)
        var generator = SeededGenerator(seed: 6)
        let episode = model.run(
            RAMClassifier.repeating(four, 3), on: Tape<Float>(), policy: .sample, isTraining: true,
            using: &generator)
        let predicted = RecurrentAttentionModel.predictions(episode.logits)
        let labels: [Int] = (0..<4).map { image in
            let first = predicted[image * 3]
            return image % 2 == 0 ? first : (first + 1) % 10
        }
        generator = SeededGenerator(seed: 6)
        let result = RAMClassifier(model).trainingLoss(four, labels: labels, on: Tape<Float>(), using: &generator)
        #expect(result.correct == 2)
    }
}
