import Autograd
import Datasets
import Distributed
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
    /// The processes that share this run (data parallel); by default this one alone. Every
    /// process runs the same trainer: each computes its share of every batch and of the
    /// validation images, gradients and counts are summed over all, and only rank 0 writes
    /// checkpoints and calls `onStep`, `measureEpoch` and `onEpoch`.
    public var reducer: any Reducer = LocalReducer()

    /// Where a step left its epoch.
    public struct StepReport: Sendable {
        /// The epoch, from 1, and the batches of it done and in all.
        public var epoch: Int, batch: Int, batches: Int
        /// Images seen and classified right in the epoch so far, and the epoch's mean loss.
        public var seen: Int, correct: Int, meanLoss: Double
    }

    /// The steps of an epoch (a last, smaller batch is left out).
    public var batchesPerEpoch: Int { trainingBatcher().batchCount }

    /// The training batches: shuffled every epoch, a last smaller batch left out.
    private func trainingBatcher() -> Batcher {
        Batcher(generator: training, batchSize: options.batchSize, shuffles: true, dropsLast: true)
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

    /// Trains until `options.epochs` epochs are complete, `timeBudget` seconds pass, the run
    /// has taken `stopStep` steps in all (the clock-free, reproducible form of a stop), or
    /// `shouldStop` says so.
    @discardableResult
    public func run(timeBudget: Double? = nil, stopStep: Int? = nil) throws -> TrainingOutcome {
        if let stopStep, stopStep <= progress.step {
            throw TrainingSetupError(description: "cannot stop at step \(stopStep): the run is already at step \(progress.step)")
        }
        let batcher = trainingBatcher()
        let totalSteps = batcher.batchCount * options.epochs
        let takeStep = TrainingStep(optimizer: optimizer, gradientClip: options.gradientClip > 0 ? options.gradientClip : nil)
        let started = Date()
        elapsedBefore = progress.elapsedSeconds
        func elapsed() -> Double { elapsedBefore + Date().timeIntervalSince(started) }
        let parallel = reducer.size > 1, leads = reducer.isLeader
        guard options.batchSize >= reducer.size else {
            throw TrainingSetupError(description: "a batch of \(options.batchSize) cannot be shared by \(reducer.size) processes")
        }
        // The share of the batch this process computes, which weights its gradients and figures.
        var weight = 1.0
        if parallel { takeStep.shareGradients(over: reducer) { weight } }
        /// Which of `flags` any process raised.
        func agreed(_ flags: [Bool]) -> [Bool] {
            parallel ? reducer.sum(flags.map { $0 ? 1 : 0 }).map { $0 > 0 } : flags
        }

        while progress.completedEpochs < options.epochs {
            let epoch = progress.completedEpochs
            let firstBatch = progress.step - epoch * batcher.batchCount  // > 0 when resumed mid-epoch
            // A stopped epoch's figures are the sums over all processes: one of them carries them on.
            var running = leads ? progress.partialEpoch ?? PartialEpoch() : PartialEpoch(steps: progress.partialEpoch?.steps ?? 0)
            progress.partialEpoch = nil
            let epochStarted = Date().addingTimeInterval(-running.seconds)
            // Rendered on another core.
            let batches = PrefetchedBatches(batcher, epoch: epoch, from: firstBatch,
                                            part: parallel ? (reducer.rank, reducer.size) : nil)
            for (i, batch) in batches.enumerated() {
                optimizer.learningRate = options.learningRate(at: progress.step, of: totalSteps, plateau: plateau)
                model.willTrain(atProgress: Double(progress.step) / Double(totalSteps))
                weight = Double(batch.shard.rows.count) / Double(batch.shard.total)
                let (loss, (right, terms)) = try TrainingDiverged.locating("step \(progress.step + 1) (epoch \(epoch + 1))") {
                    try takeStep { tape in
                        var generator = SeededGenerator(seed: options.seed).derived(UInt64(progress.step))
                        let (loss, right, terms) = model.trainingLoss(batch.images, labels: batch.labels.map(Int.init),
                                                                      on: tape, shard: batch.shard, using: &generator)
                        return (loss, (right, terms))
                    }
                }
                progress.step += 1
                running.record(loss: loss, correct: right, count: batch.count, terms: terms, weight: weight)
                let done = firstBatch + i + 1
                if leads {
                    onStep?(StepReport(epoch: epoch + 1, batch: done, batches: batcher.batchCount, seen: running.seen,
                                       correct: running.correct, meanLoss: running.lossSum / Double(running.steps)))
                }
                // Every process stops, for the same reason, where any one of them would.
                let stops = done < batcher.batchCount
                    ? agreed([timeBudget.map { Date().timeIntervalSince(started) > $0 } ?? false, shouldStop()]) : [false, false]
                let atStopStep = done < batcher.batchCount && progress.step == stopStep  // the same step on every process
                if stops.contains(true) || atStopStep {
                    running.seconds = Date().timeIntervalSince(epochStarted)
                    progress.partialEpoch = summed(running)
                    progress.elapsedSeconds = elapsed()
                    try save(RunCheckpoints.last, withOptimizer: true)
                    return stops[0] ? .outOfTime : stops[1] ? .stopped : .reachedStopStep
                }
            }
            running = summed(running)
            let validationError = model.error(on: validation, mode: validationMode, seed: options.seed &+ 2,
                                              sharedWith: parallel ? reducer : nil)
            var record = EpochRecord(epoch: epoch + 1, trainingError: 1 - Double(running.correct) / Double(max(running.seen, 1)),
                                     validationError: validationError, seconds: Date().timeIntervalSince(epochStarted))
            running.fill(&record)
            record.learningRate = optimizer.learningRate
            record.imagesPerSecond = Double(running.seen) / record.seconds
            if leads { measureEpoch?(&record) }
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
            if leads { try onEpoch?(record, improved) }
            if agreed([shouldStop()])[0] { return .stopped }
            if progress.step == stopStep && progress.completedEpochs < options.epochs { return .reachedStopStep }
        }
        progress.elapsedSeconds = elapsed()
        return .finished
    }

    /// `running` with its counts and sums added up over the processes.
    private func summed(_ running: PartialEpoch) -> PartialEpoch {
        guard reducer.size > 1 else { return running }
        let values = reducer.sum([Double(running.seen), Double(running.correct), running.lossSum, running.crossEntropySum,
                                  running.baselineErrorSum, running.rewardSum])
        var total = running
        (total.seen, total.correct) = (Int(values[0]), Int(values[1]))
        (total.lossSum, total.crossEntropySum, total.baselineErrorSum, total.rewardSum) = (values[2], values[3], values[4], values[5])
        return total
    }

    private func save(_ name: String, withOptimizer: Bool) throws {
        guard let directory, reducer.isLeader else { return }
        var writer = CheckpointWriter()
        writer.addParameters(of: model.store)
        if withOptimizer { writer.addState(of: optimizer) }
        writer.metadata.merge(metadata) { _, ours in ours }
        writer.setJSON(options, forKey: "options")
        writer.setJSON(progress, forKey: TrainingProgress.metadataKey)
        try RunCheckpoints.write(writer, named: name, in: directory)
    }
}
