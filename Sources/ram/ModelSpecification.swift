import Autograd
import Baselines
import Datasets
import NeuralNetworks
import RecurrentAttention

/// Which model to build, for which task: everything needed to rebuild it from a checkpoint.
struct ModelSpecification: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable, CaseIterable {
        /// The recurrent attention model.
        case ram
        /// Two fully connected ReLU layers.
        case fc
        /// One 10x10 stride-5 convolution, then a fully connected ReLU layer.
        case conv
    }

    var kind: Kind
    var task: String
    var ram: RAMConfiguration
    /// Hidden units of each FC layer (64 or 256 in the paper).
    var hiddenSize: Int
    /// Filters of the convolutional baseline (8 or 16 in the paper).
    var filters: Int
    /// Initial parameters are drawn from this seed.
    var seed: UInt64
    /// Train RAM with uniformly random glimpses instead of its policy: the ablation model.
    var randomGlimpses = false

    /// Builds the model with fresh parameters.
    func makeModel() -> any ImageClassifier {
        switch kind {
        case .ram: RAMClassifier(model: RecurrentAttentionModel(ram, seed: seed), trainsWithRandomGlimpses: randomGlimpses)
        case .fc: FullyConnectedBaseline(imageHeight: ram.imageHeight, imageWidth: ram.imageWidth,
                                         hiddenSize: hiddenSize, seed: seed)
        case .conv: ConvolutionalBaseline(imageHeight: ram.imageHeight, imageWidth: ram.imageWidth,
                                          filters: filters, hiddenSize: hiddenSize, seed: seed)
        }
    }

    /// A one-line description for logs.
    var summary: String {
        switch kind {
        case .ram:
            "RAM on \(task): \(ram.glimpses) glimpses of \(ram.patchSize)x\(ram.patchSize) at \(ram.scales) scale(s), "
                + "\(ram.core.rawValue) core \(ram.coreSize), \(ram.locationMean.rawValue) location mean, "
                + "location sd \(ram.locationStandardDeviation)"
                + (ram.finalLocationStandardDeviation.map { " narrowing to \($0)" } ?? "")
                + (ram.locationNetworkHidden > 0 ? ", location net \(ram.coreSize)-\(ram.locationNetworkHidden)-2" : "")
                + (ram.randomFirstGlimpse ? ", random first glimpse in training" : "")
                + (ram.policyGradientReachesCore ? ", policy gradient into the core" : "")
                + (randomGlimpses ? ", trained with random glimpses" : "")
        case .fc: "FC-\(hiddenSize) on \(task)"
        case .conv: "conv (\(filters) filters 10x10 stride 5, \(hiddenSize) hidden) on \(task)"
        }
    }
}

/// How a model is evaluated.
enum EvaluationMode: String, CaseIterable, Sendable {
    /// Glimpses at the location policy's mean: deterministic.
    case mean
    /// One sampled trajectory per image (the number the paper's setting implies).
    case sample
    /// Uniformly random glimpses: the ablation that shows what the policy is worth.
    case random
}

/// The parts of a batch's training loss that runs log.
struct LossTerms {
    var crossEntropy: Float
    /// RAM: the baseline's mean squared error, and the mean reward (the fraction right).
    var baselineError: Float?, reward: Float?
}

/// A classifier the training loop can train and the evaluation can score.
protocol ImageClassifier {
    var store: ParameterStore<Float> { get }
    /// Records the training loss of a batch; backward from it gives every parameter's gradient.
    func trainingLoss(_ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>,
                      using generator: inout SeededGenerator) -> (loss: Variable<Float>, correct: Int, terms: LossTerms)
    /// The class scores `[batch, classes]` of a batch.
    func logits(_ images: Tensor<Float>, on tape: Tape<Float>, mode: EvaluationMode,
                using generator: inout SeededGenerator) -> Variable<Float>
}

/// RAM as a classifier: trained with its policy, or with random glimpses for the ablation.
struct RAMClassifier: ImageClassifier {
    let model: RecurrentAttentionModel
    let trainsWithRandomGlimpses: Bool
    var store: ParameterStore<Float> { model.store }

    func trainingLoss(_ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>,
                      using generator: inout SeededGenerator) -> (loss: Variable<Float>, correct: Int, terms: LossTerms) {
        let episode = model.run(images, on: tape, policy: trainsWithRandomGlimpses ? .random : .sample,
                                isTraining: true, using: &generator)
        let (loss, statistics) = model.hybridLoss(episode, labels: labels)
        return (loss, statistics.correct, LossTerms(crossEntropy: statistics.crossEntropy,
                                                    baselineError: statistics.baselineError, reward: statistics.reward))
    }

    func logits(_ images: Tensor<Float>, on tape: Tape<Float>, mode: EvaluationMode,
                using generator: inout SeededGenerator) -> Variable<Float> {
        let policy: RecurrentAttentionModel.Policy = switch mode {
        case .mean: .mean
        case .sample: .sample
        case .random: .random
        }
        return model.run(images, on: tape, policy: policy, using: &generator).logits
    }
}

/// The baselines see the whole image, so every evaluation mode is the same for them.
protocol WholeImageClassifier: ImageClassifier {
    func callAsFunction(_ images: Variable<Float>) -> Variable<Float>
}

extension WholeImageClassifier {
    func trainingLoss(_ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>,
                      using generator: inout SeededGenerator) -> (loss: Variable<Float>, correct: Int, terms: LossTerms) {
        let logits = self(tape.constant(images))
        let correct = zip(RecurrentAttentionModel.predictions(logits), labels).filter { $0 == $1 }.count
        let loss = softmaxCrossEntropy(logits: logits, labels: labels)
        return (loss, correct, LossTerms(crossEntropy: loss.scalars[0]))
    }

    func logits(_ images: Tensor<Float>, on tape: Tape<Float>, mode: EvaluationMode,
                using generator: inout SeededGenerator) -> Variable<Float> {
        self(tape.constant(images))
    }
}

extension FullyConnectedBaseline: WholeImageClassifier {}
extension ConvolutionalBaseline: WholeImageClassifier {}
