import Autograd
import Datasets
import Foundation
import NeuralNetworks
import RecurrentAttention
import Training

/// The training loop: epochs of mini-batches, validation after each epoch, the best model
/// kept by validation error, every checkpoint written atomically, and resumable.
///
/// Every random draw of step `s` comes from a generator derived from `(seed, s)`, so a run
/// resumed from a checkpoint continues with exactly the numbers it would have drawn.
///
/// What a kill can cost: `best` is written before `last`, each atomically, so at every moment
/// `best` holds the best model `last` has seen, and a resumed run redoes at most one epoch (or
/// nothing, after Ctrl-C or a time budget, which save mid-epoch). A NaN or an infinity in the
/// loss, a gradient or a parameter stops the run before it reaches a checkpoint.
final class Trainer {
    let specification: ModelSpecification
    var options: TrainingOptions
    let model: any ImageClassifier
    let data: DatasetSplits
    let directory: URL
    let optimizer: any Optimizer<Float>
    let training: TaskGenerator
    let validation: TaskGenerator

    private(set) var completedEpochs = 0
    private(set) var step = 0
    private(set) var bestValidationError = Double.infinity
    private var history: [EpochRecord] = []
    private var elapsedBefore: Double = 0
    private var plateau: ReduceOnPlateau?
    /// The steps of the current epoch already taken, when a run stopped mid-epoch.
    private var partialEpoch = PartialEpoch()

    /// The running figures of an epoch, saved when a run stops mid-epoch.
    struct PartialEpoch: Codable {
        var steps = 0, seen = 0, correct = 0, seconds = 0.0
        var lossSum = 0.0, crossEntropySum = 0.0, baselineErrorSum = 0.0, rewardSum = 0.0
        var hasPolicyTerms = false

        mutating func record(loss: Float, correct right: Int, count: Int, terms: LossTerms) {
            steps += 1
            seen += count
            correct += right
            lossSum += Double(loss)
            crossEntropySum += Double(terms.crossEntropy)
            if let baseline = terms.baselineError, let reward = terms.reward {
                (baselineErrorSum, rewardSum, hasPolicyTerms) = (baselineErrorSum + Double(baseline), rewardSum + Double(reward), true)
            }
        }

        /// The means of the loss and its parts over the epoch's steps.
        func fill(_ record: inout EpochRecord) {
            let n = Double(max(steps, 1))
            (record.loss, record.crossEntropy) = (lossSum / n, crossEntropySum / n)
            if hasPolicyTerms { (record.baselineError, record.reward) = (baselineErrorSum / n, rewardSum / n) }
        }
    }

    /// Where metrics, TensorBoard events and glimpse pictures go; nil writes none.
    var log: RunLog?

    /// One line of the run's history, saved in checkpoints.
    struct EpochRecord: Codable {
        var epoch: Int
        var trainingError: Double
        var validationError: Double
        var seconds: Double
        /// RAM: glimpses 2...T's mean distance from the digit (pixels) and how often their finest
        /// patch holds ink, on 2,000 validation images with the policy's mean.
        var glimpseDistance: Double?
        var glimpseInk: Double?
        /// The epoch's means of the training loss and its parts (RAM: the baseline's squared
        /// error and the reward, the fraction of sampled episodes classified right).
        var loss: Double?, crossEntropy: Double?, baselineError: Double?, reward: Double?
        /// The learning rate at the epoch's last step, and training throughput.
        var learningRate: Double?, imagesPerSecond: Double?

        typealias Column = RunLog.MetricColumn<EpochRecord>

        /// `metrics.csv`'s columns, in order.
        static var columns: [Column] {
            [Column(name: "epoch", tag: "epoch") { Double($0.epoch) },
             Column(name: "train_error", tag: "error/train") { $0.trainingError },
             Column(name: "validation_error", tag: "error/validation") { $0.validationError },
             Column(name: "loss", tag: "loss/total") { $0.loss },
             Column(name: "cross_entropy", tag: "loss/cross_entropy") { $0.crossEntropy },
             Column(name: "baseline_mse", tag: "loss/baseline_mse") { $0.baselineError },
             Column(name: "mean_reward", tag: "policy/mean_reward") { $0.reward },
             Column(name: "glimpse_distance_px", tag: "policy/glimpse_distance_px") { $0.glimpseDistance },
             Column(name: "glimpse_ink", tag: "policy/glimpse_ink") { $0.glimpseInk },
             Column(name: "learning_rate", tag: "optimizer/learning_rate") { $0.learningRate },
             Column(name: "images_per_second", tag: "speed/images_per_second") { $0.imagesPerSecond },
             Column(name: "seconds", tag: "speed/epoch_seconds") { $0.seconds }]
        }
    }

    static let lastCheckpoint = "last.safetensors"
    static let bestCheckpoint = "best.safetensors"

    init(specification: ModelSpecification, options: TrainingOptions, data: DatasetSplits, task: DatasetTask,
         directory: URL) {
        self.specification = specification
        self.options = options
        self.data = data
        self.directory = directory
        model = specification.makeModel()
        optimizer = switch options.optimizer {
        case .adam: Adam(for: model.store, learningRate: options.learningRate)
        case .sgd: SGD(for: model.store, learningRate: options.learningRate, momentum: options.momentum)
        }
        training = TaskGenerator(source: data.train, task: task, seed: options.seed, isFixed: false)
        validation = TaskGenerator(source: data.validation, task: task, seed: options.seed &+ 1, isFixed: true)
        if options.schedule == .plateau {
            plateau = ReduceOnPlateau(learningRate: options.learningRate, factor: 0.1, patience: 5)
        }
    }

    /// Restores parameters, optimizer state and progress from the last checkpoint.
    func resume() throws {
        let checkpoint = try Checkpoint(contentsOf: directory.appendingPathComponent(Self.lastCheckpoint))
        try checkpoint.load(into: model.store)
        try checkpoint.restore(optimizer)
        let m = checkpoint.metadata
        completedEpochs = Int(m["completed_epochs"] ?? "") ?? 0
        step = Int(m["step"] ?? "") ?? 0
        elapsedBefore = Double(m["elapsed_seconds"] ?? "") ?? 0
        history = checkpoint.json("history") ?? []
        if m["plateau"] != nil { plateau = checkpoint.json("plateau") }
        partialEpoch = checkpoint.json("partial_epoch") ?? PartialEpoch()
        bestValidationError = try RunFolder.recordedFigure("best_validation_error", of: Self.bestCheckpoint,
                                                           in: directory) ?? .infinity
    }

    /// Trains until `options.epochs` epochs are complete or `timeBudget` seconds pass.
    func run(timeBudget: Double?) throws {
        let batcher = Batcher(generator: training, batchSize: options.batchSize, shuffles: true, dropsLast: true)
        let totalSteps = batcher.batchCount * options.epochs
        let takeStep = TrainingStep(optimizer: optimizer, gradientClip: options.gradientClip > 0 ? options.gradientClip : nil)
        // A RAM whose location policy narrows over the run (`--final-location-std`), set each step.
        let narrowing = (model as? RAMClassifier).map(\.model).flatMap { $0.configuration.finalLocationStandardDeviation == nil ? nil : $0 }
        let started = Date()
        CommandLineTool.say("\(specification.summary); \(model.store.count) parameters; \(options.optimizer.rawValue) lr \(options.learningRate) "
            + "(\(options.schedule.rawValue)), batch \(options.batchSize), \(options.epochs) epochs, seed \(options.seed)")
        if step > 0 { CommandLineTool.say("resuming after epoch \(completedEpochs), step \(step)") }
        try log?.settings(specification.summary, options: options, step: completedEpochs)
        try log?.backfill(history, columns: EpochRecord.columns, step: \.epoch)

        while completedEpochs < options.epochs {
            let epoch = completedEpochs
            let firstBatch = step - epoch * batcher.batchCount  // > 0 when resumed mid-epoch
            let epochStarted = Date().addingTimeInterval(-partialEpoch.seconds)
            var progress = ProgressReporter(total: batcher.batchCount, label: "epoch \(epoch + 1)/\(options.epochs)")
            var running = partialEpoch
            partialEpoch = PartialEpoch()
            // Rendered on another core.
            for (i, batch) in PrefetchedBatches(batcher, epoch: epoch, from: firstBatch).enumerated() {
                optimizer.learningRate = learningRate(at: step, totalSteps: totalSteps)
                if let narrowing {
                    narrowing.locationStandardDeviation = narrowing.configuration.locationStandardDeviation(
                        atProgress: Double(step) / Double(totalSteps))
                }
                let (loss, (right, terms)) = try Self.diverging(at: "step \(step + 1) (epoch \(epoch + 1))") {
                    try takeStep { tape in
                        var generator = SeededGenerator(seed: options.seed).derived(UInt64(step))
                        let (loss, right, terms) = model.trainingLoss(batch.images, labels: batch.labels.map(Int.init), on: tape,
                                                                      using: &generator)
                        return (loss, (right, terms))
                    }
                }
                step += 1
                running.record(loss: loss, correct: right, count: batch.count, terms: terms)
                let done = firstBatch + i + 1
                progress.update(done: done, samples: running.seen,
                                details: String(format: "loss %.3f acc %.1f%%", running.lossSum / Double(running.steps),
                                                100 * Double(running.correct) / Double(running.seen)))
                let outOfTime = timeBudget.map { Date().timeIntervalSince(started) > $0 } ?? false
                if (outOfTime || StopRequest.isRequested) && done < batcher.batchCount {
                    running.seconds = Date().timeIntervalSince(epochStarted)
                    partialEpoch = running
                    try save(Self.lastCheckpoint, elapsed: Date().timeIntervalSince(started), withOptimizer: true)
                    partialEpoch = PartialEpoch()
                    let reason = outOfTime ? "time budget of \(Int(timeBudget!)) s reached" : "interrupted"
                    CommandLineTool.say("\n\(reason) in epoch \(epoch + 1) after step \(step); saved \(Self.lastCheckpoint) "
                        + "there, and --resume continues from it")
                    if !outOfTime { throw StopRequest.Stopped() }
                    return
                }
            }
            let (seen, correct) = (running.seen, running.correct)
            // A model trained with random glimpses is validated with them: its location net is untrained.
            let validationError = Evaluation.error(of: model, on: validation,
                                                   mode: specification.randomGlimpses ? .random : .mean, seed: options.seed &+ 2)
            var record = EpochRecord(epoch: epoch + 1, trainingError: 1 - Double(correct) / Double(max(seen, 1)),
                                     validationError: validationError, seconds: Date().timeIntervalSince(epochStarted))
            running.fill(&record)
            record.learningRate = optimizer.learningRate
            record.imagesPerSecond = Double(seen) / record.seconds
            var diagnosticLine = "", policy: RecurrentAttentionModel?
            if let ram = model as? RAMClassifier, !specification.randomGlimpses {
                policy = ram.model
                let diagnostic = Evaluation.glimpseDiagnostic(of: ram.model, on: validation, seed: options.seed &+ 3)
                record.glimpseDistance = diagnostic.learned.meanDistance
                record.glimpseInk = diagnostic.learned.inkFraction
                diagnosticLine = "\n  " + Evaluation.describe(diagnostic)
            }
            history.append(record)
            completedEpochs += 1
            _ = plateau?.record(validationError)
            let improved = validationError < bestValidationError
            if improved { bestValidationError = validationError }
            // Best first: a kill between the two writes leaves `last` behind `best`, which a
            // resumed run redoes, never `last` claiming a best model that was not written.
            // The best model is for evaluation and sharing: parameters only, about 4 bytes each.
            if improved { try save(Self.bestCheckpoint, elapsed: Date().timeIntervalSince(started), withOptimizer: false) }
            try save(Self.lastCheckpoint, elapsed: Date().timeIntervalSince(started), withOptimizer: true)
            try log?.record(history, glimpsesOf: policy, on: validation)
            CommandLineTool.say(String(format: "epoch %d: train error %.2f%%, validation error %.2f%%%@, %.1f s, %.0f img/s",
                         epoch + 1, 100 * record.trainingError, 100 * validationError, improved ? " (best)" : "",
                         record.seconds, Double(seen) / record.seconds) + diagnosticLine)
            if StopRequest.isRequested {
                CommandLineTool.say("interrupted after epoch \(epoch + 1); saved \(Self.lastCheckpoint), and --resume continues from it")
                throw StopRequest.Stopped()
            }
        }
        let runSeconds = Date().timeIntervalSince(started)
        CommandLineTool.say(String(format: "done: %d epochs, best validation error %.2f%%, %.0f s in all; checkpoints in %@",
                     completedEpochs, 100 * bestValidationError, elapsedBefore + runSeconds, directory.path))
        if let log {
            CommandLineTool.say(String(format: "logs (metrics.csv, TensorBoard, glimpse pictures) took %.2f s, %.2f%% of this session's %.0f s",
                                       log.seconds, 100 * log.seconds / runSeconds, runSeconds))
        }
    }

    /// Runs `step`, turning a divergence into the failure that stops a run, which names
    /// `place`. The caller saves nothing, so the last checkpoint stays the last good one.
    static func diverging<T>(at place: String, _ step: () throws -> T) throws -> T {
        do {
            return try step()
        } catch let diverged as TrainingDiverged {
            throw CommandFailure(description: "training diverged at \(place): \(diverged.problem); the last good checkpoint is "
                + "kept; a lower --learning-rate or a --gradient-clip may help")
        }
    }

    private func learningRate(at step: Int, totalSteps: Int) -> Double {
        switch options.schedule {
        case .constant: options.learningRate
        case .linear: LinearDecay(from: options.learningRate, overSteps: totalSteps).learningRate(at: step)
        case .step:
            options.learningRate * (step >= totalSteps * 3 / 4 ? 0.01 : step >= totalSteps / 2 ? 0.1 : 1)
        case .plateau: plateau?.learningRate ?? options.learningRate
        }
    }

    private func save(_ name: String, elapsed: Double, withOptimizer: Bool) throws {
        var writer = CheckpointWriter()
        writer.addParameters(of: model.store)
        if withOptimizer { writer.addState(of: optimizer) }
        writer.setJSON(specification, forKey: "specification")
        writer.setJSON(options, forKey: "options")
        writer.metadata["completed_epochs"] = String(completedEpochs)
        writer.metadata["step"] = String(step)
        writer.metadata["best_validation_error"] = String(bestValidationError)
        writer.metadata["elapsed_seconds"] = String(elapsedBefore + elapsed)
        writer.setJSON(history, forKey: "history")
        if let plateau { writer.setJSON(plateau, forKey: "plateau") }
        if partialEpoch.seen > 0 { writer.setJSON(partialEpoch, forKey: "partial_epoch") }
        try writer.write(named: name, in: directory)
    }
}
