import Autograd
import NeuralNetworks
import Training

/// RAM as an image classifier for `ClassifierTrainer`: trained with its policy (and the
/// hybrid loss), or with uniformly random glimpses for the paper's ablation.
public struct RAMClassifier: ImageClassifier {
    public let model: RecurrentAttentionModel
    public let trainsWithRandomGlimpses: Bool
    public var store: ParameterStore<Float> { model.store }

    public init(_ model: RecurrentAttentionModel, trainsWithRandomGlimpses: Bool = false) {
        self.model = model
        self.trainsWithRandomGlimpses = trainsWithRandomGlimpses
    }

    public func trainingLoss(_ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>,
                             using generator: inout SeededGenerator) -> (loss: Variable<Float>, correct: Int, terms: LossTerms) {
        trainingLoss(images, labels: labels, on: tape, shard: .whole(labels.count), using: &generator)
    }

    public func trainingLoss(_ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>, shard: BatchShard,
                             using generator: inout SeededGenerator) -> (loss: Variable<Float>, correct: Int, terms: LossTerms) {
        let m = trainsWithRandomGlimpses ? 1 : model.configuration.samplesPerImage
        let episode = model.run(m > 1 ? Self.repeating(images, m) : images, on: tape,
                                policy: trainsWithRandomGlimpses ? .random : .sample, isTraining: true,
                                shard: BatchShard(rows: (shard.rows.lowerBound * m)..<(shard.rows.upperBound * m),
                                                  of: shard.total * m),
                                using: &generator)
        let rowLabels = labels.flatMap { repeatElement($0, count: m) }
        let (loss, statistics) = model.hybridLoss(episode, labels: rowLabels, samplesPerImage: m)
        // Training error counts each image's first run: one sampled trajectory, as with m = 1.
        let predicted = m > 1 ? RecurrentAttentionModel.predictions(episode.logits) : []
        let correct = m > 1 ? labels.indices.filter { predicted[$0 * m] == labels[$0] }.count : statistics.correct
        return (loss, correct, LossTerms(crossEntropy: statistics.crossEntropy, baselineError: statistics.baselineError,
                                         reward: statistics.reward))
    }

    /// `[batch, height, width]` images with each one repeated `m` times in a row.
    static func repeating(_ images: Tensor<Float>, _ m: Int) -> Tensor<Float> {
        let size = images.shape[1] * images.shape[2], pixels = images.scalars
        var rows = [Float]()
        rows.reserveCapacity(pixels.count * m)
        for image in 0..<images.shape[0] {
            for _ in 0..<m { rows.append(contentsOf: pixels[(image * size)..<((image + 1) * size)]) }
        }
        return Tensor(shape: [images.shape[0] * m, images.shape[1], images.shape[2]], scalars: rows)
    }

    public func logits(_ images: Tensor<Float>, on tape: Tape<Float>, mode: EvaluationMode,
                       using generator: inout SeededGenerator) -> Variable<Float> {
        let policy: RecurrentAttentionModel.Policy = switch mode {
        case .mean: .mean
        case .sample: .sample
        case .random: .random
        }
        return model.run(images, on: tape, policy: policy, using: &generator).logits
    }

    /// Narrows the location policy's standard deviation, when the configuration says so.
    public func willTrain(atProgress fraction: Double) {
        guard model.configuration.finalLocationStandardDeviation != nil else { return }
        model.locationStandardDeviation = model.configuration.locationStandardDeviation(atProgress: fraction)
    }
}
