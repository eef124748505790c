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
        let episode = model.run(images, on: tape, policy: trainsWithRandomGlimpses ? .random : .sample,
                                isTraining: true, shard: shard, using: &generator)
        let (loss, statistics) = model.hybridLoss(episode, labels: labels)
        return (loss, statistics.correct, LossTerms(crossEntropy: statistics.crossEntropy,
                                                    baselineError: statistics.baselineError, reward: statistics.reward))
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
