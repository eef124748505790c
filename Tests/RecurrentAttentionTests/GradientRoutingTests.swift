import Autograd
import NeuralNetworks
import RecurrentAttention
import Testing

/// Where gradients go in RAM, pinned: the mistakes other implementations made were
/// gradients going where they should not, or nowhere.
@Suite struct GradientRoutingTests {
    static let labels = [3, 1, 4, 1]

    static func model(gradientsReachCore: Bool, locationNetworkHidden: Int = 0) -> RecurrentAttentionModel {
        var c = RAMConfiguration(imageHeight: 12, imageWidth: 12)
        c.locationNetworkHidden = locationNetworkHidden
        (c.glimpses, c.patchSize, c.scales) = (3, 4, 2)
        (c.glimpseHidden, c.locationHidden, c.glimpseSize, c.coreSize) = (8, 8, 16, 16)
        (c.locationTrainsCore, c.baselineTrainsCore) = (gradientsReachCore, gradientsReachCore)
        return RecurrentAttentionModel(c, seed: 1)
    }

    static let images: Tensor<Float> = {
        var g = SeededGenerator(seed: 2)
        return .uniform([4, 12, 12], in: 0...1, using: &g)
    }()

    enum Loss { case hybrid, crossEntropyOnly, baselineOnly }

    /// Gradients of every parameter, by name, for one seeded episode and the chosen loss terms,
    /// with the REINFORCE advantages either as the hybrid loss sets them or zeroed.
    static func gradients(_ model: RecurrentAttentionModel, loss: Loss, advantages: Bool) -> [String: [Float]] {
        let tape = Tape<Float>()
        var generator = SeededGenerator(seed: 3)
        model.store.zeroGradients()
        let episode = model.run(images, on: tape, policy: .sample, using: &generator)
        let (hybrid, _) = model.hybridLoss(episode, labels: labels)
        if !advantages { for s in episode.samples { s.setAdvantage(Tensor(0)) } }
        let reward = tape.constant(0.5, shape: [4, 1])
        let root: Variable<Float>
        switch loss {
        case .hybrid: root = hybrid
        case .crossEntropyOnly: root = softmaxCrossEntropy(logits: episode.logits, labels: labels)
        case .baselineOnly: root = meanSquaredError(predictions: episode.baselines[0], targets: reward)
        }
        tape.backward(from: root)
        for s in episode.samples { #expect(tape.gradient(of: s) == nil, "a sampled location carried a gradient") }
        return Dictionary(
            uniqueKeysWithValues: zip(model.store.entries, model.store.parameters).map { e, p in
                (e.name, model.store.gradient(p).scalars)
            })
    }

    static func isZero(_ g: [Float]?) -> Bool { g!.allSatisfy { $0 == 0 } }

    /// With or without its hidden layer (every layer of it).
    @Test(arguments: [0, 6])
    func theLocationNetworkLearnsOnlyFromReinforce(hidden: Int) {
        let model = Self.model(gradientsReachCore: false, locationNetworkHidden: hidden)
        let names =
            ["location.weight", "location.bias"]
            + (hidden > 0 ? ["location.hidden.weight", "location.hidden.bias"] : [])
        let without = Self.gradients(model, loss: .hybrid, advantages: false)
        let with = Self.gradients(model, loss: .hybrid, advantages: true)
        #expect(model.store.entries.map(\.name).filter { $0.hasPrefix("location") }.sorted() == names.sorted())
        for name in names {
            #expect(Self.isZero(without[name]), "\(name) learned without REINFORCE")
            #expect(!Self.isZero(with[name]), "\(name) did not learn from REINFORCE")
        }
        // Classification does reach the glimpse network's location pathway, through the
        // location *values*, but never the location network through the samples.
        #expect(!Self.isZero(without["glimpse.location.weight"]))
    }

    @Test func theBaselineLearnsOnlyFromItsSquaredError() {
        let model = Self.model(gradientsReachCore: false)
        let hybrid = Self.gradients(model, loss: .hybrid, advantages: true)
        let crossEntropy = Self.gradients(model, loss: .crossEntropyOnly, advantages: false)
        #expect(Self.isZero(crossEntropy["baseline.weight"]) && Self.isZero(crossEntropy["baseline.bias"]))
        #expect(!Self.isZero(hybrid["baseline.bias"]))
        // Hand derivation for the bias of the one-term loss mean((b_0 - 0.5)^2) over 4 rows:
        // d/dbias = (2 / 4) * sum_rows (b_0 - 0.5).
        let tape = Tape<Float>()
        var generator = SeededGenerator(seed: 3)
        let episode = model.run(Self.images, on: tape, policy: .sample, using: &generator)
        let expected = episode.baselines[0].scalars.reduce(0) { $0 + ($1 - 0.5) } / 2
        let baselineOnly = Self.gradients(model, loss: .baselineOnly, advantages: false)
        #expect(abs(baselineOnly["baseline.bias"]![0] - expected) < 1e-5)
        #expect(Self.isZero(baselineOnly["core.weight_hh"]), "detached: the baseline must not train the core")
    }

    @Test(arguments: [false, true])
    func theCoreGetsPolicyGradientExactlyWhenTheFlagSaysSo(reaches: Bool) {
        let model = Self.model(gradientsReachCore: reaches)
        let withAdvantage = Self.gradients(model, loss: .hybrid, advantages: true)
        let classificationOnly = Self.gradients(model, loss: .crossEntropyOnly, advantages: false)
        for name in ["core.weight_hh", "core.weight_ih", "glimpse.what.weight"] {
            let differs = withAdvantage[name]! != classificationOnly[name]!
            #expect(differs == reaches, "\(name): policy/baseline gradient reached it: \(differs), flag: \(reaches)")
        }
    }
}
