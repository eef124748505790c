import Autograd
import Catch
import Distributed
import Foundation
import GlimpsePictures
import Imaging
import Training

/// `ram catch train`'s run: the library's `CatchTrainer`, with the command line's progress
/// line, a line per validation, the run's logs, and Ctrl-C.
enum CatchRun {
    static func run(_ configuration: CatchAgentConfiguration, options: CatchTrainingOptions, directory: URL, resuming: Bool,
                    log: RunLog?, timeBudget: Double?, reducer: any Reducer = LocalReducer()) throws {
        let trainer = CatchTrainer(configuration: configuration, options: options, directory: directory)
        trainer.reducer = reducer
        if resuming { try trainer.resume() }
        var progressLine = ProgressReporter(total: options.validationInterval, label: "frames", unit: "frames/s")
        trainer.onStep = { step in
            progressLine.update(done: step.done, samples: step.frames, details: String(
                format: "caught %.1f%% entropy %.2f baseline mse %.3f", 100 * step.catchRate, step.entropy, step.baselineError))
        }
        trainer.onValidation = { record, improved in
            let frames = record.frames
            try log?.record(trainer.progress.history, columns: CatchRecord.columns, step: frames,
                            curves: { CatchRecord.curves(trainer.progress.history) },
                            picture: ({ games(trainer.agent) }, "games", String(format: "frames-%09d", frames)))
            CommandLineTool.say(String(
                format: "%.2fM frames: caught %.1f%% while training, %.1f%% on validation (greedy)%@; %.0f frames/s, %@ elapsed",
                Double(frames) / 1e6, 100 * record.trainingCatchRate, 100 * record.validationCatchRate, improved ? " (best)" : "",
                record.framesPerSecond ?? 0, ProgressReporter.clock(trainer.progress.elapsedSeconds)))
            progressLine = ProgressReporter(total: options.validationInterval, label: "frames", unit: "frames/s")
        }
        trainer.shouldStop = { StopRequest.isRequested }

        CommandLineTool.say("Catch agent: \(CatchCommand.summary(configuration)); \(trainer.agent.store.count) parameters; "
            + "adam lr \(options.learningRate) (\(options.schedule.rawValue)), \(options.batchSize) games per update, "
            + "entropy weight \(options.entropyWeight), \(options.frames) frames, seed \(options.seed)"
            + (reducer.size > 1 ? "; \(reducer.size) processes, each playing its share of every update's games" : ""))
        let start = trainer.progress
        if start.frames > 0 { CommandLineTool.say("resuming after \(start.frames) frames, update \(start.step)") }
        try log?.backfill(start.history, columns: CatchRecord.columns, step: \.frames)

        let outcome = try TrainRun.failingClearly { try trainer.run(timeBudget: timeBudget) }
        let progress = trainer.progress
        switch outcome {
        case .stopped:
            CommandLineTool.say("interrupted after \(progress.frames) frames; saved \(RunCheckpoints.last), and --resume continues from it")
            throw StopRequest.Stopped()
        case .outOfTime, .reachedStopStep:  // Catch's trainer stops by its clock, never at a step
            CommandLineTool.say("time budget of \(Int(timeBudget ?? 0)) s reached after \(progress.frames) frames; checkpoint saved")
        case .finished:
            CommandLineTool.say(String(format: "done: %d frames, best validation catch rate %.1f%%, %.0f s in all; checkpoints in %@",
                                       progress.frames, 100 * (progress.bestValidationCatchRate ?? .nan),
                                       progress.elapsedSeconds, directory.path))
        }
    }

    /// The last frame of six fixed games played greedily: where the agent looked and what it caught.
    static func games(_ agent: CatchAgent) -> Image {
        var generator = SeededGenerator(seed: CatchTrainer.validationSeed)
        let episode = agent.play(CatchGame(count: 6, using: &generator), on: Tape<Float>(), policy: .mean, using: &generator)
        return CatchDrawing(sensor: agent.configuration.sensor, episode: episode).frame(episode.states.count - 1)
    }
}

extension CatchRecord {
    /// `metrics.csv`'s columns, in order, with their TensorBoard tags.
    static var columns: [RunLog.MetricColumn<CatchRecord>] {
        [.init(name: "frames", tag: "frames") { Double($0.frames) },
         .init(name: "train_catch_rate", tag: "catch_rate/train") { $0.trainingCatchRate },
         .init(name: "validation_catch_rate", tag: "catch_rate/validation") { $0.validationCatchRate },
         .init(name: "entropy", tag: "policy/entropy") { $0.entropy },
         .init(name: "baseline_mse", tag: "loss/baseline_mse") { $0.baselineError },
         .init(name: "learning_rate", tag: "optimizer/learning_rate") { $0.learningRate },
         .init(name: "frames_per_second", tag: "speed/frames_per_second") { $0.framesPerSecond },
         .init(name: "seconds", tag: "speed/interval_seconds") { $0.seconds }]
    }

    /// Catch rates against millions of frames.
    static func curves(_ history: [CatchRecord]) -> Image {
        var plot = LinePlot(xRange: 0...max(0.001, Double(history.last?.frames ?? 1) / 1e6), yRange: 0...100)
        (plot.xLabel, plot.yLabel, plot.width) = ("million frames", "catch rate %", 560)
        plot.series = [
            LinePlot.Series(points: history.map { (Double($0.frames) / 1e6, 100 * $0.trainingCatchRate) },
                            color: Color(red: 90, green: 160, blue: 255), name: "train (sampled)"),
            LinePlot.Series(points: history.map { (Double($0.frames) / 1e6, 100 * $0.validationCatchRate) },
                            color: Color(red: 255, green: 170, blue: 60), name: "validation (greedy)"),
        ]
        return plot.image()
    }
}
