import Foundation
import Imaging
import Training

/// A training run on the command line, for any model the loop trains: the progress line, a
/// line per epoch, the run's logs, Ctrl-C, and what each way of ending says. `ram train` and
/// `ram catch train` differ only in what they print of their models' figures.
struct LoopRun<Model: Trainable> {
    let trainer: Trainer<Model>
    let log: RunLog?
    /// The progress line's figures, from the epoch's running means.
    var stepDetails: ([String: Double]) -> String
    /// The line that reports an epoch, without its ending (seconds, throughput).
    var epochLine: (EpochRecord, _ improved: Bool) -> String
    /// The learning curves drawn from the history.
    var curves: ([EpochRecord]) -> Image
    /// A picture of the model at work after an epoch: the image and its folder.
    var picture: (() -> Image, folder: String)?

    /// Trains, printing as it goes; a stop request saves where the run stands and throws
    /// `StopRequest.Stopped`.
    func run(summary: String, timeBudget: Double?, stopStep: Int?, directory: URL) throws {
        if let stopStep, stopStep <= trainer.progress.step {
            throw CommandFailure(
                description: "--stop-at-step \(stopStep): the run in \(directory.path) is already at "
                    + "step \(trainer.progress.step)")
        }
        let unit = trainer.model.sampleUnit
        func newProgressLine(for epoch: Int) -> ProgressReporter {
            ProgressReporter(
                total: trainer.model.stepsPerEpoch, label: "epoch \(epoch)/\(trainer.epochs)",
                unit: unit == "images" ? "img/s" : "\(unit)/s")
        }
        var progressLine = newProgressLine(for: trainer.progress.completedEpochs + 1)
        trainer.onStep = { step in
            progressLine.update(done: step.step, samples: step.samples, details: stepDetails(step.metrics))
        }
        var announced = trainer.progress.reachedTarget != nil
        trainer.onEpoch = { record, improved in
            try log?.draw(
                curves: { curves(trainer.progress.history) },
                picture: picture.map { ($0.0, $0.folder, String(format: "epoch-%03d", record.epoch)) },
                step: record.epoch)
            CommandLineTool.say(epochLine(record, improved))
            if let reached = trainer.progress.reachedTarget, !announced {
                announced = true
                CommandLineTool.say(Self.describe(reached, target: trainer.progress.target ?? .nan, unit: unit))
            }
            progressLine = newProgressLine(for: record.epoch + 1)
        }
        trainer.onWarning = { CommandLineTool.say("warning: \($0)") }
        trainer.shouldStop = { StopRequest.isRequested }

        CommandLineTool.say(summary)
        let start = trainer.progress
        if start.step > 0 { CommandLineTool.say("resuming after epoch \(start.completedEpochs), step \(start.step)") }
        try log?.settings(summary, step: start.completedEpochs)

        let started = Date()
        let outcome = try Self.failingClearly { try trainer.run(timeBudget: timeBudget, stopStep: stopStep) }
        let runSeconds = Date().timeIntervalSince(started)
        let progress = trainer.progress
        let last = RunCheckpoints.last
        // Inside an epoch the progress line is still open; after one, the epoch's line ended it.
        let place =
            progress.partialEpoch != nil
            ? "\n%@ in epoch \(progress.completedEpochs + 1) after step \(progress.step)"
            : "%@ after epoch \(progress.completedEpochs), step \(progress.step)"
        let resumable = "; saved \(last) there, and --resume continues from it"
        switch outcome {
        case .outOfTime:
            CommandLineTool.say(String(format: place, "time budget of \(Int(timeBudget ?? 0)) s reached") + resumable)
        case .reachedStopStep:
            CommandLineTool.say(String(format: place, "stopped (--stop-at-step)") + resumable)
        case .stopped:
            CommandLineTool.say(String(format: place, "interrupted") + resumable)
            throw StopRequest.Stopped()
        case .reachedTarget:
            CommandLineTool.say(String(format: place, "stopped at the target (--stop-at-target)") + resumable)
        case .finished:
            let best = trainer.model.selection
            CommandLineTool.say(
                String(
                    format: "done: %d epochs, best %@ %.2f%%, %.0f s in all; checkpoints in %@",
                    progress.completedEpochs, best.metric.replacingOccurrences(of: "_", with: " "),
                    100 * (progress.best ?? .nan), progress.elapsedSeconds, directory.path))
            if let log {
                CommandLineTool.say(
                    String(
                        format: "logs (metrics.csv, TensorBoard, pictures) took %.2f s, %.2f%% of "
                            + "this session's %.0f s", log.seconds, 100 * log.seconds / runSeconds,
                        runSeconds))
            }
        }
    }

    /// When and where the run first reached its target.
    static func describe(_ reached: TargetReached, target: Double, unit: String) -> String {
        String(
            format: "reached the target %.2f%% at epoch %d (%.2f%%): %.1f minutes of training, %d %@ seen",
            100 * target, reached.epoch, 100 * reached.value, reached.elapsedSeconds / 60, reached.samples, unit)
    }

    /// The end of an epoch's line: its time and throughput.
    static func timing(_ record: EpochRecord, sampleUnit unit: String) -> String {
        String(
            format: ", %.1f s, %.0f %@", record.seconds, record["\(unit)_per_second"] ?? 0,
            unit == "images" ? "img/s" : "\(unit)/s")
    }

    /// Runs `work`, turning a divergence into the one-line failure that names where it
    /// happened and what may help. Nothing is saved, so the last checkpoint stays the last good one.
    static func failingClearly<T>(_ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let diverged as TrainingDiverged {
            throw CommandFailure(
                description: "\(diverged); the last good checkpoint is kept; a lower --learning-rate or a "
                    + "--gradient-clip may help")
        }
    }
}
