import Autograd
import Datasets
import Foundation
import NeuralNetworks

/// Trains an image classifier (RAM, a comparison net, a model of your own) on a task:
/// epochs of mini-batches, validation after each epoch, the best model kept by validation
/// error, checkpoints written atomically, and resumable.
///
/// ```swift
/// let trainer = ClassifierTrainer(model: classifier, options: options, data: splits, task: task, directory: folder)
/// trainer.onEpoch = { record, _ in print("epoch \(record.epoch): \(record.validationError)") }
/// try trainer.run()
/// ```
/// Every random draw of step `s` comes from a generator derived from `(seed, s)`, so a run
/// resumed from a checkpoint continues with exactly the numbers it would have drawn.
///
/// What a kill can cost: a resumed run redoes at most one epoch (or nothing, after a stop
/// request or a time budget, which save mid-epoch). A NaN or an infinity in the loss, a
/// gradient or a parameter stops the run (`TrainingDiverged`) before it reaches a checkpoint.
public final class ClassifierTrainer {
    public let model: any ImageClassifier
    public let options: TrainingOptions
    public let optimizer: any Optimizer<Float>
    /// Fresh placements every epoch, from the training split.
    public let training: TaskGenerator
    /// Fixed placements of the validation split.
    public let validation: TaskGenerator
    /// Where `best.safetensors` and `last.safetensors` go; nil keeps no checkpoints.
    public let directory: URL?
    public private(set) var progress = TrainingProgress()

    /// More metadata for every checkpoint (how to rebuild the model, say).
    public var metadata: [String: String] = [:]
    /// How validation runs the model: `.random` for a model trained with random glimpses,
    /// whose location network never learned.
    public var validationMode = EvaluationMode.mean
    /// Called after every step (a progress bar).
    public var onStep: ((StepReport) -> Void)?
    /// Called at the end of each epoch, before the checkpoints, to add figures to its record.
    public var measureEpoch: ((inout EpochRecord) -> Void)?
    /// Called after each epoch's checkpoints, with whether the epoch was the best so far.
    public var onEpoch: ((EpochRecord, _ improved: Bool) throws -> Void)?
    /// Asked after every step; true stops the run at once, saving where it stands.
    public var shouldStop: () -> Bool = { false }

    /// Where a step left its epoch.
    public struct StepReport: Sendable {
        /// The epoch, from 1, and the batches of it done and in all.
        public var epoch: Int, batch: Int, batches: Int
        /// Images seen and classified right in the epoch so far, and the epoch's mean loss.
        public var seen: Int, correct: Int, meanLoss: Double
    }

    private var plateau: ReduceOnPlateau?
    /// `progress.elapsedSeconds` when this session began.
    private var elapsedBefore = 0.0

    /// A trainer of `model` on `task`'s placements of `data`'s training and validation splits.
    public init(model: any ImageClassifier, options: TrainingOptions, data: DatasetSplits, task: DatasetTask,
                directory: URL?) {
        self.model = model
        self.options = options
        self.directory = directory
        optimizer = options.makeOptimizer(for: model.store)
        training = TaskGenerator(source: data.train, task: task, seed: options.seed, isFixed: false)
        validation = TaskGenerator(source: data.validation, task: task, seed: options.seed &+ 1, isFixed: true)
        plateau = options.initialPlateau
    }

    /// Restores parameters, optimizer state and progress from `directory`'s last checkpoint,
    /// and the best error from `best`.
    public func resume() throws {
        let (last, best) = try RunCheckpoints.resume(model.store, optimizer, from: directory)
        progress = TrainingProgress(of: last) ?? TrainingProgress()
        if let saved = progress.plateau { plateau = saved }
        progress.bestValidationError = best.flatMap { TrainingProgress(of: $0) }?.bestValidationError
    }

    /// Trains until `options.epochs` epochs are complete, `timeBudget` seconds pass or
    /// `shouldStop` says so.
    @discardableResult
    public func run(timeBudget: Double? = nil) throws -> TrainingOutcome {
        let batcher = Batcher(generator: training, batchSize: options.batchSize, shuffles: true, dropsLast: true)
        let totalSteps = batcher.batchCount * options.epochs
        let takeStep = TrainingStep(optimizer: optimizer, gradientClip: options.gradientClip > 0 ? options.gradientClip : nil)
        let started = Date()
        elapsedBefore = progress.elapsedSeconds
        func elapsed() -> Double { elapsedBefore + Date().timeIntervalSince(started) }

        while progress.completedEpochs < options.epochs {
            let epoch = progress.completedEpochs
            let firstBatch = progress.step - epoch * batcher.batchCount  // > 0 when resumed mid-epoch
            var running = progress.partialEpoch ?? PartialEpoch()
            progress.partialEpoch = nil
            let epochStarted = Date().addingTimeInterval(-running.seconds)
            // Rendered on another core.
            for (i, batch) in PrefetchedBatches(batcher, epoch: epoch, from: firstBatch).enumerated() {
                optimizer.learningRate = options.learningRate(at: progress.step, of: totalSteps, plateau: plateau)
                model.willTrain(atProgress: Double(progress.step) / Double(totalSteps))
                let (loss, (right, terms)) = try TrainingDiverged.locating("step \(progress.step + 1) (epoch \(epoch + 1))") {
                    try takeStep { tape in
                        var generator = SeededGenerator(seed: options.seed).derived(UInt64(progress.step))
                        let (loss, right, terms) = model.trainingLoss(batch.images, labels: batch.labels.map(Int.init),
                                                                      on: tape, using: &generator)
                        return (loss, (right, terms))
                    }
                }
                progress.step += 1
                running.record(loss: loss, correct: right, count: batch.count, terms: terms)
                let done = firstBatch + i + 1
                onStep?(StepReport(epoch: epoch + 1, batch: done, batches: batcher.batchCount, seen: running.seen,
                                   correct: running.correct, meanLoss: running.lossSum / Double(running.steps)))
                let outOfTime = timeBudget.map { Date().timeIntervalSince(started) > $0 } ?? false
                if (outOfTime || shouldStop()) && done < batcher.batchCount {
                    running.seconds = Date().timeIntervalSince(epochStarted)
                    progress.partialEpoch = running
                    progress.elapsedSeconds = elapsed()
                    try save(RunCheckpoints.last, withOptimizer: true)
                    return outOfTime ? .outOfTime : .stopped
                }
            }
            let validationError = model.error(on: validation, mode: validationMode, seed: options.seed &+ 2)
            var record = EpochRecord(epoch: epoch + 1, trainingError: 1 - Double(running.correct) / Double(max(running.seen, 1)),
                                     validationError: validationError, seconds: Date().timeIntervalSince(epochStarted))
            running.fill(&record)
            record.learningRate = optimizer.learningRate
            record.imagesPerSecond = Double(running.seen) / record.seconds
            measureEpoch?(&record)
            progress.history.append(record)
            progress.completedEpochs += 1
            if plateau != nil {
                plateau!.record(validationError)
                progress.plateau = plateau
            }
            let improved = validationError < (progress.bestValidationError ?? .infinity)
            if improved { progress.bestValidationError = validationError }
            progress.elapsedSeconds = elapsed()
            if improved { try save(RunCheckpoints.best, withOptimizer: false) }
            try save(RunCheckpoints.last, withOptimizer: true)
            try onEpoch?(record, improved)
            if shouldStop() { return .stopped }
        }
        progress.elapsedSeconds = elapsed()
        return .finished
    }

    private func save(_ name: String, withOptimizer: Bool) throws {
        guard let directory else { return }
        var writer = CheckpointWriter()
        writer.addParameters(of: model.store)
        if withOptimizer { writer.addState(of: optimizer) }
        writer.metadata.merge(metadata) { _, ours in ours }
        writer.setJSON(options, forKey: "options")
        writer.setJSON(progress, forKey: TrainingProgress.metadataKey)
        try RunCheckpoints.write(writer, named: name, in: directory)
    }
}
