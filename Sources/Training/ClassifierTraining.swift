import Autograd
import Datasets
import Distributed
import Foundation
import NeuralNetworks

/// An image classifier on a task, as `Trainer` trains it: epochs of shuffled mini-batches of
/// the training split (fresh placements each epoch), the error on the validation split after
/// each, the best model kept by validation error.
///
/// ```swift
/// let trainer = ClassifierTraining.trainer(for: model, options: options, data: splits, task: .mnist, directory:
/// folder)
/// trainer.onEpoch = { record, _ in print("epoch \(record.epoch): \(record.validationError)") }
/// try trainer.run()
/// ```
public final class ClassifierTraining: Trainable {
    public let model: any ImageClassifier
    public let batchSize: Int
    /// Fresh placements every epoch, from the training split.
    public let training: TaskGenerator
    /// Fixed placements of the validation split.
    public let validation: TaskGenerator
    /// Validation's seed for whatever the model samples.
    public let seed: UInt64

    /// `model` on `task`'s placements of `data`'s training and validation splits, drawn from `seed`.
    public init(model: any ImageClassifier, batchSize: Int, data: DatasetSplits, task: DatasetTask, seed: UInt64) {
        self.model = model
        self.batchSize = batchSize
        self.seed = seed
        training = TaskGenerator(source: data.train, task: task, seed: seed, isFixed: false)
        validation = TaskGenerator(source: data.validation, task: task, seed: seed &+ 1, isFixed: true)
    }

    /// The trainer of `model` with `options`: its optimizer, schedule, epochs, clipping and
    /// seed, which every checkpoint records under `options`.
    public static func trainer(
        for model: any ImageClassifier, options: TrainingOptions, data: DatasetSplits,
        task: DatasetTask, directory: URL?
    ) -> Trainer<ClassifierTraining> {
        let training = ClassifierTraining(
            model: model, batchSize: options.batchSize, data: data, task: task,
            seed: options.seed)
        let trainer = Trainer(
            training, optimizer: options.makeOptimizer(for: model.store), schedule: options.schedule,
            epochs: options.epochs, seed: options.seed,
            gradientClip: options.gradientClip > 0 ? options.gradientClip : nil, directory: directory)
        trainer.metadata["options"] = CheckpointWriter.json(options)
        return trainer
    }

    public var store: ParameterStore<Float> { model.store }
    public var stepsPerEpoch: Int { batcher.batchCount }
    public var sampleUnit: String { "images" }
    public var selection: Selection { Selection("validation_error", lowerIsBetter: true) }
    public var metrics: [Metric] {
        [
            Metric("training_error", tag: "error/training"), Metric("validation_error", tag: "error/validation"),
            Metric("loss", tag: "loss/total"),
        ] + model.metrics
    }

    /// The training batches: shuffled every epoch, a last smaller batch left out.
    private var batcher: Batcher { Batcher(generator: training, batchSize: batchSize, shuffles: true, dropsLast: true) }

    public func batches(epoch: Int, from start: Int, part: (rank: Int, size: Int)?) -> any Sequence<Batch> {
        PrefetchedBatches(batcher, epoch: epoch, from: start, part: part)  // rendered on another core
    }

    public func size(of batch: Batch) -> (samples: Int, share: Double) {
        (batch.count, Double(batch.shard.rows.count) / Double(batch.shard.total))
    }

    public func loss(
        on batch: Batch, tape: Tape<Float>, progress: Double, using generator: inout SeededGenerator
    )
        -> (loss: Variable<Float>, metrics: [String: Double])
    {
        model.willTrain(atProgress: progress)
        let (loss, correct, metrics) = model.trainingLoss(
            batch.images, labels: batch.labels.map(Int.init), on: tape,
            shard: batch.shard, using: &generator)
        return (
            loss, metrics.merging(["training_error": 1 - Double(correct) / Double(max(batch.count, 1))]) { a, _ in a }
        )
    }

    public func validate(sharedWith reducer: (any Reducer)?) -> [String: Double] {
        var values = ["validation_error": model.error(on: validation, seed: seed &+ 2, sharedWith: reducer)]
        if reducer?.isLeader ?? true {
            values.merge(model.validationMetrics(on: validation, seed: seed &+ 3)) { a, _ in a }
        }
        return values
    }
}

extension EpochRecord {
    /// A classifier's figures: the fraction of training images misclassified in the epoch
    /// (one sample each), and of the validation images after it; NaN in a record without them.
    public var trainingError: Double { self["training_error"] ?? .nan }
    public var validationError: Double { self["validation_error"] ?? .nan }
}
