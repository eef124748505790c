import Autograd
import Distributed
import Foundation
import NeuralNetworks

/// The one training loop: epochs of steps on a `Trainable`, a validation after each, the best
/// checkpoint kept by the selection metric, the last one for resuming, stops on request, by the
/// clock or at a step, and data-parallel training over a `Reducer`. It knows no model: the
/// model's figures are metrics it averages, records and hands to the callbacks.
///
/// ```swift
/// let trainer = Trainer(myTrainable, optimizer: Adam(for: myTrainable.store, learningRate: 1e-3), epochs: 10,
///                       directory: URL(fileURLWithPath: "runs/mine"))
/// trainer.onEpoch = { record, improved in print(record.epoch, record.values) }
/// try trainer.run()
/// ```
/// Every random draw of step `s` comes from a generator derived from `(seed, s)`, so a run
/// resumed from a checkpoint continues with exactly the numbers it would have drawn.
///
/// What a kill can cost: a resumed run redoes at most one epoch (or nothing, after a stop
/// request, a time budget or a stop step, which save mid-epoch). A NaN or an infinity in the
/// loss, a gradient or a parameter stops the run (`TrainingDiverged`) before it reaches a
/// checkpoint.
public final class Trainer<Model: Trainable> {
    public let model: Model
    public let optimizer: any Optimizer<Float>
    public let epochs: Int
    public let seed: UInt64
    /// The learning rate at the first step, and how it changes over the run.
    public let learningRate: Double, schedule: LearningRateSchedule
    /// The global gradient norm is clipped to this before each update; nil: no clipping.
    public let gradientClip: Double?
    /// Where `best.safetensors` and `last.safetensors` go; nil keeps no checkpoints.
    public let directory: URL?
    public private(set) var progress = TrainingProgress()

    /// More metadata for every checkpoint (the options, how to rebuild the model).
    public var metadata: [String: String] = [:]
    /// Called after every step (a progress bar), in the leading process.
    public var onStep: ((StepReport) -> Void)?
    /// Called after each epoch's checkpoints, with whether the epoch was the best so far, in
    /// the leading process.
    public var onEpoch: ((EpochRecord, _ improved: Bool) throws -> Void)?
    /// A value of the selection metric to watch for: the first epoch that reaches it (at or
    /// below it, or above for a metric where higher is better) is noted in the progress as
    /// `reachedTarget`. Kept in the checkpoints, so a resumed run watches for it too.
    public var target: Double? {
        get { progress.target }
        set { progress.target = newValue }
    }
    /// Whether the run stops once it reaches `target`.
    public var stopsAtTarget = false
    /// Where each epoch's figures go (`metrics.csv`, TensorBoard), written by the leading process.
    public var log: EpochLog?
    /// Called with advice the run goes on after (the loss has exploded), in the leading process.
    public var onWarning: ((String) -> Void)?
    /// Asked after every step; true stops the run at once, saving where it stands.
    public var shouldStop: () -> Bool = { false }
    /// The processes that share this run (data parallel); by default this one alone. Every
    /// process runs the same trainer: each computes its share of every batch and of the
    /// validation, gradients and figures are summed over all, and only rank 0 writes
    /// checkpoints and calls the callbacks.
    public var reducer: any Reducer = LocalReducer()

    /// Where a step left its epoch.
    public struct StepReport: Sendable {
        /// The epoch, from 1, and its steps done and in all.
        public var epoch: Int, step: Int, steps: Int
        /// Samples this process saw in the epoch so far, and the means of the metrics.
        public var samples: Int, metrics: [String: Double]
    }

    private var plateau: ReduceOnPlateau?
    /// A warning is given once a run: the epoch's mean loss above this many times the first steps'.
    private static var explosionFactor: Double { 100 }
    private var warnedOfExplosion = false

    public init(
        _ model: Model, optimizer: any Optimizer<Float>, learningRate: Double? = nil,
        schedule: LearningRateSchedule = .linear, epochs: Int, seed: UInt64 = 1, gradientClip: Double? = nil,
        directory: URL?
    ) {
        self.model = model
        self.optimizer = optimizer
        self.learningRate = learningRate ?? optimizer.learningRate
        self.schedule = schedule
        self.epochs = epochs
        self.seed = seed
        self.gradientClip = gradientClip
        self.directory = directory
        plateau = schedule.initialPlateau(learningRate: self.learningRate, selection: model.selection)
    }

    /// Restores parameters, optimizer state and progress from `directory`'s last checkpoint,
    /// and the best figure from `best`.
    public func resume() throws {
        let (last, best) = try RunCheckpoints.resume(model.store, optimizer, from: directory)
        let target = progress.target  // one set before resuming wins over the saved one
        progress = TrainingProgress(of: last) ?? TrainingProgress()
        if let target { progress.target = target }
        if let saved = progress.plateau { plateau = saved }
        progress.best = best.flatMap { TrainingProgress(of: $0) }?.best
    }

    /// Trains until `epochs` epochs are complete, `timeBudget` seconds pass, the run has taken
    /// `stopStep` steps in all (the clock-free, reproducible form of a stop), or `shouldStop`
    /// says so.
    @discardableResult
    public func run(timeBudget: Double? = nil, stopStep: Int? = nil) throws -> TrainingOutcome {
        if let stopStep, stopStep <= progress.step {
            throw TrainingSetupError(
                description: "cannot stop at step \(stopStep): the run is already at step \(progress.step)")
        }
        let stepsPerEpoch = model.stepsPerEpoch
        let totalSteps = stepsPerEpoch * epochs
        let takeStep = TrainingStep(optimizer: optimizer, gradientClip: gradientClip)
        if reducer.isLeader { try log?.backfill(progress.history) }
        let started = Date()
        let elapsedBefore = progress.elapsedSeconds
        func elapsed() -> Double { elapsedBefore + Date().timeIntervalSince(started) }
        let parallel = reducer.size > 1
        let leads = reducer.isLeader
        var share = 1.0  // of the current batch, which weights this process's gradients and figures
        if parallel { takeStep.shareGradients(over: reducer) { share } }
        /// Which of `flags` any process raised.
        func agreed(_ flags: [Bool]) -> [Bool] {
            parallel ? reducer.sum(flags.map { $0 ? 1 : 0 }).map { $0 > 0 } : flags
        }

        while progress.completedEpochs < epochs {
            let epoch = progress.completedEpochs
            let firstStep = progress.step - epoch * stepsPerEpoch  // > 0 when resumed mid-epoch
            // A stopped epoch's figures are the sums over all processes: one of them carries them on.
            var running =
                leads
                ? progress.partialEpoch ?? PartialEpoch()
                : PartialEpoch(steps: progress.partialEpoch?.steps ?? 0)
            progress.partialEpoch = nil
            let epochStarted = Date().addingTimeInterval(-running.seconds)
            let batches = model.batches(
                epoch: epoch, from: firstStep, part: parallel ? (reducer.rank, reducer.size) : nil)
            var done = firstStep  // steps of the epoch taken
            for batch in batches {
                optimizer.learningRate = schedule.learningRate(
                    learningRate, at: progress.step, of: totalSteps,
                    plateau: plateau)
                let size = model.size(of: batch)
                share = size.share
                let place = "step \(progress.step + 1) (epoch \(epoch + 1))"
                let (loss, metrics) = try TrainingDiverged.locating(place) {
                    try takeStep { tape in
                        var generator = SeededGenerator(seed: seed).derived(UInt64(progress.step))
                        return model.loss(
                            on: batch, tape: tape, progress: Double(progress.step) / Double(totalSteps),
                            using: &generator)
                    }
                }
                progress.step += 1
                running.record(
                    metrics.merging(["loss": Double(loss)]) { ours, _ in ours }, samples: size.samples,
                    share: share)
                if progress.startingLoss == nil && running.steps == 10 { progress.startingLoss = running.means["loss"] }
                done += 1
                if leads {
                    onStep?(
                        StepReport(
                            epoch: epoch + 1, step: done, steps: stepsPerEpoch, samples: running.samples,
                            metrics: running.means))
                }
                // Every process stops, for the same reason, where any one of them would.
                let stops =
                    done < stepsPerEpoch
                    ? agreed([timeBudget.map { Date().timeIntervalSince(started) > $0 } ?? false, shouldStop()])
                    : [false, false]
                let atStopStep = done < stepsPerEpoch && progress.step == stopStep  // the same step on every process
                if stops.contains(true) || atStopStep {
                    running.seconds = Date().timeIntervalSince(epochStarted)
                    progress.partialEpoch = summed(running)
                    progress.elapsedSeconds = elapsed()
                    try save(RunCheckpoints.last, withOptimizer: true)
                    return stops[0] ? .outOfTime : stops[1] ? .stopped : .reachedStopStep
                }
            }
            running = summed(running)
            let validation = model.validate(sharedWith: parallel ? reducer : nil)
            progress.samples += running.samples
            var record = EpochRecord(
                epoch: epoch + 1, step: progress.step, samples: progress.samples,
                seconds: Date().timeIntervalSince(epochStarted),
                values: running.sums.mapValues { $0 / Double(max(running.steps, 1)) })
            record.values.merge(validation) { _, validation in validation }
            record.values["learning_rate"] = optimizer.learningRate
            record.values["\(model.sampleUnit)_per_second"] = Double(running.samples) / record.seconds
            progress.history.append(record)
            progress.completedEpochs += 1
            let selected = record[model.selection.metric] ?? .nan
            if plateau != nil {
                plateau!.record(selected)
                progress.plateau = plateau
            }
            let improved = model.selection.improves(selected, on: progress.best)
            if improved { progress.best = selected }
            progress.elapsedSeconds = elapsed()
            record.values["elapsed_seconds"] = progress.elapsedSeconds
            progress.history[progress.history.count - 1] = record
            let reachesTarget =
                progress.reachedTarget == nil
                && progress.target.map { target in
                    model.selection.lowerIsBetter ? selected <= target : selected >= target
                } ?? false
            if reachesTarget {
                progress.reachedTarget = TargetReached(
                    epoch: record.epoch, step: progress.step, samples: progress.samples,
                    elapsedSeconds: progress.elapsedSeconds, value: selected)
            }
            if improved { try save(RunCheckpoints.best, withOptimizer: false) }
            try save(RunCheckpoints.last, withOptimizer: true)
            if leads {
                try log?.record(progress.history)
                warnIfExploded(record)
                try onEpoch?(record, improved)
            }
            if agreed([shouldStop()])[0] { return .stopped }
            if reachesTarget && stopsAtTarget && progress.completedEpochs < epochs { return .reachedTarget }
            if progress.step == stopStep && progress.completedEpochs < epochs { return .reachedStopStep }
        }
        progress.elapsedSeconds = elapsed()
        return .finished
    }

    /// Tells once when the epoch's mean loss is far above the first steps': a learning rate
    /// too high for the model, which a NaN would stop but a merely huge loss does not.
    private func warnIfExploded(_ record: EpochRecord) {
        guard !warnedOfExplosion, let start = progress.startingLoss, let loss = record["loss"],
            abs(loss) > Self.explosionFactor * max(abs(start), 1e-6)
        else { return }
        warnedOfExplosion = true
        onWarning?(
            String(
                format: "the training loss in epoch %d is %.4g, more than %.0f times its %.4g at the start: "
                    + "the run goes on, but a lower learning rate may help", record.epoch, loss,
                Self.explosionFactor, start))
    }

    /// `running` with its counts and sums added up over the processes.
    private func summed(_ running: PartialEpoch) -> PartialEpoch {
        guard reducer.size > 1 else { return running }
        let names = running.sums.keys.sorted()  // the same on every process: they run the same code
        let values = reducer.sum([Double(running.samples), running.shares] + names.map { running.sums[$0]! })
        var total = running
        (total.samples, total.shares) = (Int(values[0]), values[1])
        for (name, value) in zip(names, values.dropFirst(2)) { total.sums[name] = value }
        return total
    }

    private func save(_ name: String, withOptimizer: Bool) throws {
        guard let directory, reducer.isLeader else { return }
        var writer = CheckpointWriter()
        writer.addParameters(of: model.store)
        if withOptimizer { writer.addState(of: optimizer) }
        writer.metadata.merge(metadata) { _, ours in ours }
        writer.setJSON(progress, forKey: TrainingProgress.metadataKey)
        try RunCheckpoints.write(writer, named: name, in: directory)
    }
}
