import Autograd
import Catch
import Foundation
import GlimpsePictures
import Imaging
import NeuralNetworks
import Training

/// How a Catch agent is trained; saved in every checkpoint so a resumed run continues as it began.
struct CatchTrainingOptions: Codable, Sendable, Equatable {
    var learningRate = 3e-3
    var schedule = TrainingOptions.ScheduleKind.linear
    /// Games played in parallel per update.
    var batchSize = 64
    /// Frames to train on (each game shows the agent 23).
    var frames = 25_000_000
    /// The weight of the move policy's entropy in the loss.
    var entropyWeight = 0.01
    var gradientClip = 0.0
    /// Frames between validations (and checkpoints).
    var validationInterval = 500_000
    var seed: UInt64 = 1
}

/// Trains a Catch agent by REINFORCE with Adam, validating on a fixed set of games and keeping
/// the best agent by its greedy catch rate. Every random draw of update `s` comes from a
/// generator derived from `(seed, s)`, so a resumed run draws what the killed one would have.
final class CatchTrainer {
    /// Validation games are dealt from this seed; `ram catch evaluate` uses other games.
    static let validationSeed: UInt64 = 1_000_003
    static let validationEpisodes = 1000

    let configuration: CatchAgentConfiguration
    var options: CatchTrainingOptions
    let agent: CatchAgent
    let optimizer: Adam<Float>
    let directory: URL

    private(set) var step = 0
    private(set) var framesSeen = 0
    private(set) var bestCatchRate = -1.0
    private var history: [Record] = []
    private var elapsedBefore = 0.0

    /// One validation, saved in checkpoints.
    struct Record: Codable {
        var frames: Int
        var trainingCatchRate: Double
        var validationCatchRate: Double
        var seconds: Double
        /// Moving averages at the validation: the move policy's entropy, the baseline's error.
        var entropy: Double?, baselineError: Double?
        var learningRate: Double?, framesPerSecond: Double?

        /// `metrics.csv`'s columns, in order.
        static var columns: [RunLog.MetricColumn<Record>] {
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
        static func curves(_ history: [Record]) -> Image {
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

    /// Where metrics, TensorBoard events and game pictures go; nil writes none.
    var log: RunLog?

    init(configuration: CatchAgentConfiguration, options: CatchTrainingOptions, directory: URL) {
        self.configuration = configuration
        self.options = options
        self.directory = directory
        agent = CatchAgent(configuration, seed: options.seed)
        optimizer = Adam(for: agent.store, learningRate: options.learningRate)
    }

    /// Restores parameters, optimizer state and progress from the last checkpoint.
    func resume() throws {
        let checkpoint = try Checkpoint(contentsOf: directory.appendingPathComponent(RunCheckpoints.last))
        try checkpoint.load(into: agent.store)
        try checkpoint.restore(optimizer)
        let m = checkpoint.metadata
        step = Int(m["step"] ?? "") ?? 0
        framesSeen = Int(m["frames"] ?? "") ?? 0
        elapsedBefore = Double(m["elapsed_seconds"] ?? "") ?? 0
        history = checkpoint.json("history") ?? []
        bestCatchRate = try RunCheckpoints.read(RunCheckpoints.best, in: directory)
            .flatMap { Double($0.metadata["best_validation_catch_rate"] ?? "") } ?? -1
    }

    /// Trains until `options.frames` frames are seen or `timeBudget` seconds pass.
    func run(timeBudget: Double?) throws {
        let takeStep = TrainingStep(optimizer: optimizer, gradientClip: options.gradientClip > 0 ? options.gradientClip : nil)
        let started = Date()
        let framesPerStep = options.batchSize * CatchGame.moves
        CommandLineTool.say("Catch agent: \(CatchCommand.summary(configuration)); \(agent.store.count) parameters; "
            + "adam lr \(options.learningRate) (\(options.schedule.rawValue)), \(options.batchSize) games per update, "
            + "entropy weight \(options.entropyWeight), \(options.frames) frames, seed \(options.seed)")
        if framesSeen > 0 { CommandLineTool.say("resuming after \(framesSeen) frames, update \(step)") }
        try log?.backfill(history, columns: Record.columns, step: \.frames)

        var intervalStarted = Date(), intervalCaught = 0.0, intervalGames = 0
        var entropy: Double?, baselineError: Double?  // moving averages over recent updates
        var progress = ProgressReporter(total: options.validationInterval, label: "frames", unit: "frames/s")
        var nextValidation = (framesSeen / options.validationInterval + 1) * options.validationInterval
        while framesSeen < options.frames {
            optimizer.learningRate = learningRate()
            let (_, statistics) = try TrainRun.failingClearly {
                try TrainingDiverged.locating("update \(step + 1)") { try takeStep { tape in
                    var generator = SeededGenerator(seed: options.seed).derived(UInt64(step))
                    let games = CatchGame(count: options.batchSize, using: &generator)
                    let episode = agent.play(games, on: tape, policy: .sample, using: &generator)
                    return agent.reinforceLoss(episode, entropyWeight: Float(options.entropyWeight))
                } }
            }
            step += 1
            framesSeen += framesPerStep
            intervalGames += options.batchSize
            intervalCaught += Double(statistics.catchRate) * Double(options.batchSize)
            entropy = entropy.map { 0.95 * $0 + 0.05 * Double(statistics.entropy) } ?? Double(statistics.entropy)
            baselineError = baselineError.map { 0.95 * $0 + 0.05 * Double(statistics.baselineError) }
                ?? Double(statistics.baselineError)
            let done = options.validationInterval - max(0, nextValidation - framesSeen)
            progress.update(done: min(done, options.validationInterval), samples: intervalGames * CatchGame.moves,
                            details: String(format: "caught %.1f%% entropy %.2f baseline mse %.3f",
                                            100 * intervalCaught / Double(intervalGames), entropy!, baselineError!))

            let outOfTime = timeBudget.map { Date().timeIntervalSince(started) > $0 } ?? false
            let interrupted = StopRequest.isRequested
            if framesSeen >= nextValidation || framesSeen >= options.frames || outOfTime || interrupted {
                var unused = SeededGenerator(seed: 0)  // the greedy policy draws nothing
                let validation = CatchEvaluation.catchRate(of: agent, policy: .greedy, episodes: Self.validationEpisodes,
                                                           seed: Self.validationSeed, sampling: &unused)
                let seconds = Date().timeIntervalSince(intervalStarted)
                let record = Record(frames: framesSeen, trainingCatchRate: intervalCaught / Double(intervalGames),
                                    validationCatchRate: validation, seconds: seconds, entropy: entropy,
                                    baselineError: baselineError, learningRate: optimizer.learningRate,
                                    framesPerSecond: Double(intervalGames * CatchGame.moves) / seconds)
                history.append(record)
                let improved = validation > bestCatchRate
                if improved { bestCatchRate = validation }
                let elapsed = Date().timeIntervalSince(started)
                // Best first, as `Trainer` does: a kill between the writes never loses the best agent.
                if improved { try save(RunCheckpoints.best, elapsed: elapsed, withOptimizer: false) }
                try save(RunCheckpoints.last, elapsed: elapsed, withOptimizer: true)
                try log?.record(history, columns: Record.columns, step: framesSeen, curves: { Record.curves(history) },
                                picture: ({ Self.games(self.agent) }, "games", String(format: "frames-%09d", framesSeen)))
                CommandLineTool.say(String(
                    format: "%.2fM frames: caught %.1f%% while training, %.1f%% on validation (greedy)%@; %.0f frames/s, %@ elapsed",
                    Double(framesSeen) / 1e6, 100 * record.trainingCatchRate, 100 * validation, improved ? " (best)" : "",
                    Double(intervalGames * CatchGame.moves) / seconds, ProgressReporter.clock(elapsedBefore + elapsed)))
                if interrupted {
                    CommandLineTool.say("interrupted after \(framesSeen) frames; saved \(RunCheckpoints.last), and --resume continues from it")
                    throw StopRequest.Stopped()
                }
                if outOfTime {
                    CommandLineTool.say("time budget of \(Int(timeBudget!)) s reached after \(framesSeen) frames; checkpoint saved")
                    return
                }
                nextValidation += options.validationInterval
                (intervalStarted, intervalCaught, intervalGames) = (Date(), 0, 0)
                progress = ProgressReporter(total: options.validationInterval, label: "frames", unit: "frames/s")
            }
        }
        CommandLineTool.say(String(format: "done: %d frames, best validation catch rate %.1f%%, %.0f s in all; checkpoints in %@",
                                   framesSeen, 100 * bestCatchRate, elapsedBefore + Date().timeIntervalSince(started),
                                   directory.path))
    }

    /// The last frame of six fixed games played greedily: where the agent looked and what it caught.
    static func games(_ agent: CatchAgent) -> Image {
        var generator = SeededGenerator(seed: validationSeed)
        let episode = agent.play(CatchGame(count: 6, using: &generator), on: Tape<Float>(), policy: .greedy, using: &generator)
        return CatchDrawing(sensor: agent.configuration.sensor, episode: episode).frame(episode.states.count - 1)
    }

    private func learningRate() -> Double {
        switch options.schedule {
        case .linear: LinearDecay(from: options.learningRate, overSteps: options.frames).learningRate(at: framesSeen)
        default: options.learningRate
        }
    }

    private func save(_ name: String, elapsed: Double, withOptimizer: Bool) throws {
        var writer = CheckpointWriter()
        writer.addParameters(of: agent.store)
        if withOptimizer { writer.addState(of: optimizer) }
        writer.setJSON(configuration, forKey: "catch_agent")
        writer.setJSON(options, forKey: "options")
        writer.metadata["step"] = String(step)
        writer.metadata["frames"] = String(framesSeen)
        writer.metadata["best_validation_catch_rate"] = String(bestCatchRate)
        writer.metadata["elapsed_seconds"] = String(elapsedBefore + elapsed)
        writer.setJSON(history, forKey: "history")
        try RunCheckpoints.write(writer, named: name, in: directory)
    }
}
