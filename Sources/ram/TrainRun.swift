import Datasets
import Distributed
import Foundation
import NeuralNetworks
import RecurrentAttention
import Training

/// `ram train`'s run: the library's `ClassifierTrainer`, with the command line's progress
/// line, a line per epoch, the run's logs, and Ctrl-C.
enum TrainRun {
    static func run(_ specification: ModelSpecification, options: TrainingOptions, data: DatasetSplits, task: DatasetTask,
                    directory: URL, resuming: Bool, log: RunLog?, timeBudget: Double?, stopStep: Int? = nil,
                    reducer: any Reducer = LocalReducer()) throws {
        let model = specification.makeModel()
        let trainer = ClassifierTrainer(model: model, options: options, data: data, task: task, directory: directory)
        trainer.reducer = reducer
        if resuming { try trainer.resume() }
        if let stopStep, stopStep <= trainer.progress.step {
            throw CommandFailure(description: "--stop-at-step \(stopStep): the run in \(directory.path) is already at step \(trainer.progress.step)")
        }
        trainer.metadata["specification"] = CheckpointWriter.json(specification)
        // A model trained with random glimpses is validated with them: its location net is untrained.
        trainer.validationMode = specification.randomGlimpses ? .random : .mean
        let policy = (model as? RAMClassifier).flatMap { specification.randomGlimpses ? nil : $0.model }

        // A line per epoch, started when the epoch starts, so its rate counts the first step.
        func newProgressLine(for epoch: Int) -> ProgressReporter {
            ProgressReporter(total: trainer.batchesPerEpoch, label: "epoch \(epoch)/\(options.epochs)")
        }
        var progressLine = newProgressLine(for: trainer.progress.completedEpochs + 1)
        trainer.onStep = { step in
            progressLine.update(done: step.batch, samples: step.seen, details: String(
                format: "loss %.3f acc %.1f%%", step.meanLoss, 100 * Double(step.correct) / Double(step.seen)))
        }
        var diagnosticLine = ""
        trainer.measureEpoch = { record in
            guard let policy else { return }
            let diagnostic = policy.glimpseDiagnostic(on: trainer.validation, seed: options.seed &+ 3)
            (record.glimpseDistance, record.glimpseInk) = (diagnostic.learned.meanDistance, diagnostic.learned.inkFraction)
            diagnosticLine = "\n  " + Evaluation.describe(diagnostic)
        }
        trainer.onEpoch = { record, improved in
            try log?.record(trainer.progress.history, glimpsesOf: policy, on: trainer.validation)
            CommandLineTool.say(String(format: "epoch %d: train error %.2f%%, validation error %.2f%%%@, %.1f s, %.0f img/s",
                                       record.epoch, 100 * record.trainingError, 100 * record.validationError,
                                       improved ? " (best)" : "", record.seconds, record.imagesPerSecond ?? 0) + diagnosticLine)
            progressLine = newProgressLine(for: record.epoch + 1)
        }
        trainer.shouldStop = { StopRequest.isRequested }

        CommandLineTool.say("\(specification.summary); \(model.store.count) parameters; \(options.summary)"
            + (reducer.size > 1 ? "; \(reducer.size) processes, each taking its share of every batch" : ""))
        let start = trainer.progress
        if start.step > 0 { CommandLineTool.say("resuming after epoch \(start.completedEpochs), step \(start.step)") }
        try log?.settings(specification.summary, options: options, step: start.completedEpochs)
        try log?.backfill(start.history, columns: EpochRecord.columns, step: \.epoch)

        let started = Date()
        let outcome = try failingClearly { try trainer.run(timeBudget: timeBudget, stopStep: stopStep) }
        let runSeconds = Date().timeIntervalSince(started)
        let progress = trainer.progress, last = RunCheckpoints.last
        switch outcome {
        case .outOfTime:
            CommandLineTool.say("\ntime budget of \(Int(timeBudget ?? 0)) s reached in epoch \(progress.completedEpochs + 1) after step "
                + "\(progress.step); saved \(last) there, and --resume continues from it")
        case .reachedStopStep:
            // Inside an epoch the progress line is still open; after one, the epoch's line ended it.
            CommandLineTool.say((progress.partialEpoch != nil
                ? "\nstopped at step \(progress.step) (--stop-at-step) in epoch \(progress.completedEpochs + 1)"
                : "stopped at step \(progress.step) (--stop-at-step) after epoch \(progress.completedEpochs)")
                + "; saved \(last) there, and --resume continues from it")
        case .stopped:
            CommandLineTool.say(progress.partialEpoch != nil
                ? "\ninterrupted in epoch \(progress.completedEpochs + 1) after step \(progress.step); saved \(last) there, and --resume continues from it"
                : "interrupted after epoch \(progress.completedEpochs); saved \(last), and --resume continues from it")
            throw StopRequest.Stopped()
        case .finished:
            CommandLineTool.say(String(format: "done: %d epochs, best validation error %.2f%%, %.0f s in all; checkpoints in %@",
                                       progress.completedEpochs, 100 * (progress.bestValidationError ?? .nan),
                                       progress.elapsedSeconds, directory.path))
            if let log {
                CommandLineTool.say(String(format: "logs (metrics.csv, TensorBoard, glimpse pictures) took %.2f s, %.2f%% of this session's %.0f s",
                                           log.seconds, 100 * log.seconds / runSeconds, runSeconds))
            }
        }
    }

    /// Runs `work`, turning a divergence into the one-line failure that names where it
    /// happened and what may help. Nothing is saved, so the last checkpoint stays the last good one.
    static func failingClearly<T>(_ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let diverged as TrainingDiverged {
            throw CommandFailure(description: "\(diverged); the last good checkpoint is kept; a lower --learning-rate or a "
                + "--gradient-clip may help")
        }
    }
}

extension EpochRecord {
    /// `metrics.csv`'s columns, in order, with their TensorBoard tags.
    static var columns: [RunLog.MetricColumn<EpochRecord>] {
        [.init(name: "epoch", tag: "epoch") { Double($0.epoch) },
         .init(name: "train_error", tag: "error/train") { $0.trainingError },
         .init(name: "validation_error", tag: "error/validation") { $0.validationError },
         .init(name: "loss", tag: "loss/total") { $0.loss },
         .init(name: "cross_entropy", tag: "loss/cross_entropy") { $0.crossEntropy },
         .init(name: "baseline_mse", tag: "loss/baseline_mse") { $0.baselineError },
         .init(name: "mean_reward", tag: "policy/mean_reward") { $0.reward },
         .init(name: "glimpse_distance_px", tag: "policy/glimpse_distance_px") { $0.glimpseDistance },
         .init(name: "glimpse_ink", tag: "policy/glimpse_ink") { $0.glimpseInk },
         .init(name: "learning_rate", tag: "optimizer/learning_rate") { $0.learningRate },
         .init(name: "images_per_second", tag: "speed/images_per_second") { $0.imagesPerSecond },
         .init(name: "seconds", tag: "speed/epoch_seconds") { $0.seconds }]
    }
}
