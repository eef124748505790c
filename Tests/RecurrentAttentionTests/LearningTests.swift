import Autograd
import Datasets
import NeuralNetworks
import RecurrentAttention
import Testing

/// RAM learns: a short seeded run on a subset of MNIST beats chance by far, and its learned
/// glimpses beat random ones with the same trained networks (measured: 77.0 % against 11.5 %;
/// random glimpses start anywhere, and these networks learned from the centre).
@Suite struct LearningTests {
    @Test func aShortRunLearnsAndBeatsRandomGlimpses() throws {
        let splits = try DatasetSplits.load()
        let train = TaskGenerator(source: splits.train.subset(Array(0..<8000)), task: .mnist, seed: 1, isFixed: false)
        let validation = TaskGenerator(
            source: splits.validation.subset(Array(0..<1000)), task: .mnist, seed: 2, isFixed: true)
        var configuration = RAMConfiguration(imageHeight: 28, imageWidth: 28)
        configuration.glimpses = 4
        let model = RecurrentAttentionModel(configuration, seed: 3)
        let optimizer = Adam(for: model.store, learningRate: 1e-3)
        let tape = Tape<Float>()
        var generator = SeededGenerator(seed: 4)
        let batcher = Batcher(generator: train, batchSize: 32, shuffles: true, dropsLast: true)
        for epoch in 0..<3 {
            for batch in batcher.batches(epoch: epoch) {
                tape.reset()
                model.store.zeroGradients()
                let episode = model.run(batch.images, on: tape, policy: .sample, using: &generator)
                tape.backward(from: model.hybridLoss(episode, labels: batch.labels.map(Int.init)).loss)
                optimizer.update()
            }
        }
        func accuracy(_ policy: RecurrentAttentionModel.Policy) -> Double {
            let images = Batcher(generator: validation, batchSize: 1000, shuffles: false).batch(
                of: Array(0..<1000), epoch: 0)
            tape.reset()
            let predictions = RecurrentAttentionModel.predictions(
                model.run(images.images, on: tape, policy: policy, using: &generator).logits)
            return Double(zip(predictions, images.labels).filter { $0 == Int($1) }.count) / 1000
        }
        let learned = accuracy(.mean)
        let random = accuracy(.random)
        #expect(learned > 0.6, "accuracy with the policy mean: \(learned) (chance: 0.1)")
        #expect(learned > random + 0.04, "learned glimpses \(learned) vs random glimpses \(random)")
    }
}
