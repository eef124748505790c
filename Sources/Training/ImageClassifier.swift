import Autograd
import Datasets
import Distributed
import NeuralNetworks

/// A classifier that `ClassifierTrainer` can train and `error(on:mode:)` can score: RAM and
/// the comparison nets conform, and so can a user's own model.
public protocol ImageClassifier {
    var store: ParameterStore<Float> { get }
    /// Records the training loss of a batch (`[batch, height, width]` images); backward from it
    /// gives every parameter's gradient. `generator` drives whatever the model samples.
    func trainingLoss(_ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>,
                      using generator: inout SeededGenerator) -> (loss: Variable<Float>, correct: Int, terms: LossTerms)
    /// The same for the rows `shard` holds of a batch that several processes share: a model
    /// that draws random numbers per row draws what those rows would in the whole batch. By
    /// default the unsharded loss, right for a model that draws nothing.
    func trainingLoss(_ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>, shard: BatchShard,
                      using generator: inout SeededGenerator) -> (loss: Variable<Float>, correct: Int, terms: LossTerms)
    /// The class scores `[batch, classes]` of a batch.
    func logits(_ images: Tensor<Float>, on tape: Tape<Float>, mode: EvaluationMode,
                using generator: inout SeededGenerator) -> Variable<Float>
    /// Called before each training step with the fraction of the run done, for models whose
    /// settings follow a schedule (RAM's narrowing location policy). Does nothing by default.
    func willTrain(atProgress fraction: Double)
}

extension ImageClassifier {
    public func willTrain(atProgress fraction: Double) {}

    public func trainingLoss(_ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>, shard: BatchShard,
                             using generator: inout SeededGenerator) -> (loss: Variable<Float>, correct: Int, terms: LossTerms) {
        trainingLoss(images, labels: labels, on: tape, using: &generator)
    }
}

/// How a model is evaluated.
public enum EvaluationMode: String, CaseIterable, Sendable {
    /// Glimpses at the location policy's mean: deterministic.
    case mean
    /// One sampled trajectory per image (the number the paper's setting implies).
    case sample
    /// Uniformly random glimpses: the ablation that shows what the policy is worth.
    case random
}

/// The parts of a batch's training loss that runs log.
public struct LossTerms: Sendable {
    public var crossEntropy: Float
    /// RAM: the baseline's mean squared error, and the mean reward (the fraction right).
    public var baselineError: Float?, reward: Float?

    public init(crossEntropy: Float, baselineError: Float? = nil, reward: Float? = nil) {
        (self.crossEntropy, self.baselineError, self.reward) = (crossEntropy, baselineError, reward)
    }
}

/// The most likely class of each row of `[batch, classes]` logits.
public func mostLikelyClasses(_ logits: Variable<Float>) -> [Int] {
    let classes = logits.shape[1], values = logits.scalars
    return (0..<logits.shape[0]).map { r in
        (0..<classes).max { values[r * classes + $0] < values[r * classes + $1] }!
    }
}

extension ImageClassifier {
    /// The fraction of `images` misclassified in `mode`.
    ///
    /// With `trajectories > 1` the class probabilities of that many sampled trajectories are
    /// averaged before taking the most likely class: a Monte-Carlo average, reported apart
    /// from the single-trajectory error because it hides a poor policy. `sharedWith` splits
    /// the images over the processes of a data-parallel run and adds up their counts.
    public func error(on images: TaskGenerator, mode: EvaluationMode = .mean, trajectories: Int = 1,
                      batchSize: Int = 500, seed: UInt64, sharedWith reducer: (any Reducer)? = nil) -> Double {
        let batcher = Batcher(generator: images, batchSize: batchSize, shuffles: false)
        let rows = reducer?.share(of: images.count).rows ?? 0..<images.count
        let tape = Tape<Float>()
        var generator = SeededGenerator(seed: seed)
        var counts = [0.0, 0.0]  // wrong, total
        for start in stride(from: rows.lowerBound, to: rows.upperBound, by: batchSize) {
            let batch = batcher.batch(of: Array(start..<min(start + batchSize, rows.upperBound)), epoch: 0)
            var probabilities: [Float] = []
            var classes = 0
            for _ in 0..<trajectories {
                tape.reset()
                let logits = logits(batch.images, on: tape, mode: mode, using: &generator)
                classes = logits.shape[1]
                if probabilities.count != batch.count * classes { probabilities = .init(repeating: 0, count: batch.count * classes) }
                for (i, p) in logits.softmax().scalars.enumerated() { probabilities[i] += p }
            }
            for (row, label) in batch.labels.enumerated() {
                let scores = probabilities[(row * classes)..<((row + 1) * classes)]
                if scores.indices.max(by: { scores[$0] < scores[$1] })! - row * classes != Int(label) { counts[0] += 1 }
            }
            counts[1] += Double(batch.count)
        }
        if let reducer { counts = reducer.sum(counts) }
        return counts[0] / max(counts[1], 1)
    }
}
