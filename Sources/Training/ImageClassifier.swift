import Autograd
import Datasets
import Distributed
import NeuralNetworks

/// A classifier of images that `ClassifierTraining` trains and `error(on:)` scores: the
/// comparison nets conform, RAM through its adapter, and so can a user's own model.
public protocol ImageClassifier {
    var store: ParameterStore<Float> { get }
    /// The figures the model reports besides the loss and the errors, in the order logs show
    /// them: those of `trainingLoss` and of `validationMetrics`. None by default.
    var metrics: [Metric] { get }
    /// Records the training loss of a batch (`[batch, height, width]` images); backward from it
    /// gives every parameter's gradient. Returns the images classified right and the model's
    /// own figures (means over the batch). `generator` drives whatever the model samples.
    func trainingLoss(
        _ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>,
        using generator: inout SeededGenerator
    )
        -> (loss: Variable<Float>, correct: Int, metrics: [String: Double])
    /// The same for the rows `shard` holds of a batch that several processes share: a model
    /// that draws random numbers per row draws what those rows would in the whole batch. By
    /// default the unsharded loss, right for a model that draws nothing.
    func trainingLoss(
        _ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>, shard: BatchShard,
        using generator: inout SeededGenerator
    )
        -> (loss: Variable<Float>, correct: Int, metrics: [String: Double])
    /// The class scores `[batch, classes]` of a batch, as the model is evaluated.
    func logits(
        _ images: Tensor<Float>, on tape: Tape<Float>, using generator: inout SeededGenerator
    ) -> Variable<Float>
    /// Figures measured after each epoch on the validation images besides the error, by one
    /// process. None by default.
    func validationMetrics(on validation: TaskGenerator, seed: UInt64) -> [String: Double]
    /// Called before each training step with the fraction of the run done, for models whose
    /// settings follow a schedule. Does nothing by default.
    func willTrain(atProgress fraction: Double)
}

extension ImageClassifier {
    public var metrics: [Metric] { [] }

    public func willTrain(atProgress fraction: Double) {}

    public func validationMetrics(on validation: TaskGenerator, seed: UInt64) -> [String: Double] { [:] }

    public func trainingLoss(
        _ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>, shard: BatchShard,
        using generator: inout SeededGenerator
    )
        -> (loss: Variable<Float>, correct: Int, metrics: [String: Double])
    {
        trainingLoss(images, labels: labels, on: tape, using: &generator)
    }
}

extension ImageClassifier {
    /// The fraction of `images` misclassified.
    ///
    /// With `trajectories > 1` the class probabilities of that many runs of a model that
    /// samples are averaged before taking the most likely class: a Monte-Carlo average, to be
    /// reported apart from the single-run error. `sharedWith` splits the images over the
    /// processes of a data-parallel run and adds up their counts.
    public func error(
        on images: TaskGenerator, trajectories: Int = 1, batchSize: Int = 500, seed: UInt64,
        sharedWith reducer: (any Reducer)? = nil
    ) -> Double {
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
                let logits = logits(batch.images, on: tape, using: &generator)
                classes = logits.shape[1]
                if probabilities.count != batch.count * classes {
                    probabilities = .init(repeating: 0, count: batch.count * classes)
                }
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
