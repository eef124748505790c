import Autograd
import Baselines
import Datasets
import NeuralNetworks
import RecurrentAttention
import Training

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
        case .ram: RAMClassifier(RecurrentAttentionModel(ram, seed: seed), trainsWithRandomGlimpses: randomGlimpses)
        case .fc:
            FullyConnectedBaseline(
                imageHeight: ram.imageHeight, imageWidth: ram.imageWidth,
                hiddenSize: hiddenSize, seed: seed)
        case .conv:
            ConvolutionalBaseline(
                imageHeight: ram.imageHeight, imageWidth: ram.imageWidth,
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
                + (ram.settingsSummary.isEmpty ? "" : ", " + ram.settingsSummary)
                + (randomGlimpses ? ", trained with random glimpses" : "")
        case .fc: "FC-\(hiddenSize) on \(task)"
        case .conv: "conv (\(filters) filters 10x10 stride 5, \(hiddenSize) hidden) on \(task)"
        }
    }
}
