import Autograd
import Catch
import Distributed
import Foundation
import GlimpsePictures
import Imaging
import NeuralNetworks
import Training

/// `ram catch`: the paper's game, played by RAM through its retina and trained by reward alone.
enum CatchCommand {
    /// `ram catch evaluate` deals its games from this seed; training never sees them.
    static let evaluationSeed: UInt64 = 2_000_003

    static let command = Command(
        name: "catch",
        summary: "Train RAM to play Catch by reward alone, evaluate its catch rate, render it playing.",
        subcommands: [train, evaluate, render])

    static let train = Command(
        name: "train",
        summary: "Train a Catch agent with REINFORCE, keeping the best checkpoint by validation catch rate.",
        options: [
            .number(
                "frames", default: 25, range: 0.001...10_000,
                help:
                    "Millions of frames to train on (23 per game; the run ends with the validation interval that "
                    + "reaches them)."
            ),
            .integer("batch-size", default: 64, range: 1...4096, help: "Games played in parallel per update."),
            .number(
                "learning-rate", default: 3e-3, range: 1e-8...10,
                help: "Adam's initial learning rate (chosen on validation: 1e-3 had learned nothing after 1.5M frames)."
            ),
            .choice(
                "schedule", ["constant", "linear"], default: "linear",
                help: "Learning-rate schedule (linear: decay to zero at the last frame)."),
            .number("entropy", default: 0.01, range: 0...10, help: "Weight of the move policy's entropy bonus."),
            .number("location-std", default: 0.1, range: 1e-4...2, help: "Standard deviation of the location policy."),
            .flag("fixed-glimpse", help: "Always look at the centre (the comparison agent) instead of learning where."),
            .flag("policy-gradient-to-core", help: "Let the location policy's REINFORCE gradient train the core too."),
            .flag(
                "baseline-to-core",
                help:
                    "Let the baseline's squared error train the core (default: on; --no-baseline-to-core keeps it out)."
            ),
            .flag(
                "location-gradient-to-core",
                help: "The former name of --policy-gradient-to-core, kept for old commands."),
            .flag("detach-baseline", help: "The former spelling of --no-baseline-to-core, kept for old commands."),
            .number("gradient-clip", default: 0, range: 0...1e6, help: "Clip the global gradient norm (0: off)."),
            .number(
                "validate-every", default: 0.5, range: 0.001...10_000,
                help:
                    "Millions of frames between validations on 1,000 fixed games (and checkpoints), rounded up to "
                    + "whole updates."
            ),
            .integer("seed", default: 1, range: 0...Int.max, help: "Seed for parameters, games and samples."),
            .string(
                "checkpoint-dir", valueName: "dir",
                help: "Where checkpoints go (default: runs/catch or runs/catch-fixed)."),
            .flag(
                "resume",
                help: "Continue the run in --checkpoint-dir from its last checkpoint (--frames may extend it)."),
            Threads.option,
        ] + RunStops.options(step: "update") + RunLog.options(pictures: "games"),
        run: runTraining)

    static let evaluate = Command(
        name: "evaluate",
        summary:
            "Report a Catch agent's catch rate (greedy and sampled) and a random agent's, on the same fixed games.",
        options: [
            .string(
                "checkpoint", valueName: "file", isRequired: true, help: "A checkpoint written by 'ram catch train'."),
            .integer("episodes", default: 1000, range: 1...10_000_000, help: "Games to play."),
            .integer("seed", default: 2, range: 0...Int.max, help: "Seed for the sampled moves and locations."),
        ],
        run: runEvaluation)

    static let render = Command(
        name: "render",
        summary:
            "Render a Catch agent playing, as an animated PNG (plays in a browser): screens, glimpse boxes, paddle.",
        options: [
            .string(
                "checkpoint", valueName: "file", isRequired: true, help: "A checkpoint written by 'ram catch train'."),
            .string("output", valueName: "file.png", isRequired: true, help: "The animated PNG to write."),
            .integer("episodes", default: 6, range: 1...64, help: "Games shown side by side."),
            .choice("policy", ["greedy", "sample"], default: "greedy", help: "Most likely moves, or sampled ones."),
            .integer("seed", default: 1, range: 0...Int.max, help: "Which games (a seeded deal)."),
        ],
        run: runRendering)

    static func summary(_ c: CatchAgentConfiguration) -> String {
        "\(c.patchSize)x\(c.patchSize) retina at \(c.scales) scales, LSTM \(c.coreSize), "
            + (c.fixedGlimpse ? "fixed central glimpse" : "location std \(c.locationStandardDeviation)")
    }

    /// Under `mpirun`, every process runs this; rank 0 prints, logs and writes checkpoints.
    static func runTraining(_ arguments: ParsedArguments) throws {
        try EveryProcess.run { try train(arguments, reducer: $0) }
    }

    static func train(_ arguments: ParsedArguments, reducer: any Reducer) throws {
        Threads.apply(arguments)
        let fixed = arguments.flag("fixed-glimpse")
        let directory = URL(
            fileURLWithPath: arguments.string("checkpoint-dir") ?? (fixed ? "runs/catch-fixed" : "runs/catch"))
        let lock = reducer.isLeader ? try RunFolder.claim(directory) : nil
        try RunFolder.checkFresh(directory, resuming: arguments.flag("resume"))
        var options = CatchTrainingOptions()
        options.frames = Int(arguments.number("frames") * 1e6)
        options.batchSize = arguments.integer("batch-size")
        options.learningRate = arguments.number("learning-rate")
        options.schedule = .init(rawValue: arguments.string("schedule")!)!
        options.entropyWeight = arguments.number("entropy")
        options.gradientClip = arguments.number("gradient-clip")
        options.validationInterval = max(1, Int(arguments.number("validate-every") * 1e6))
        options.seed = UInt64(arguments.integer("seed"))
        var configuration = CatchAgentConfiguration()
        configuration.locationStandardDeviation = Float(arguments.number("location-std"))
        configuration.fixedGlimpse = fixed
        configuration.baselineTrainsCore =
            arguments.flagSetting("baseline-to-core") ?? !arguments.flag("detach-baseline")
        configuration.locationTrainsCore =
            arguments.flag("policy-gradient-to-core") || arguments.flag("location-gradient-to-core")

        if arguments.flag("resume") {
            // A resumed run keeps its agent and settings; only --frames may extend (or shorten) it.
            let saved = try SavedCatchRun(path: directory.appendingPathComponent(RunCheckpoints.last))
            let (c, o, sc, so) = (configuration, options, saved.configuration, saved.options)
            try ResumeCheck.refuseChanges(
                [
                    ("batch-size", "\(o.batchSize)", "\(so.batchSize)"),
                    ("learning-rate", "\(o.learningRate)", "\(so.learningRate)"),
                    ("schedule", o.schedule.rawValue, so.schedule.rawValue),
                    ("entropy", "\(o.entropyWeight)", "\(so.entropyWeight)"),
                    ("location-std", "\(c.locationStandardDeviation)", "\(sc.locationStandardDeviation)"),
                    ("fixed-glimpse", "on", ResumeCheck.onOff(sc.fixedGlimpse)),
                    ("policy-gradient-to-core", "on", ResumeCheck.onOff(sc.locationTrainsCore)),
                    ("location-gradient-to-core", "on", ResumeCheck.onOff(sc.locationTrainsCore)),
                    (
                        "baseline-to-core", ResumeCheck.onOff(c.baselineTrainsCore),
                        ResumeCheck.onOff(sc.baselineTrainsCore)
                    ),
                    ("detach-baseline", "on", ResumeCheck.onOff(!sc.baselineTrainsCore)),
                    ("gradient-clip", "\(o.gradientClip)", "\(so.gradientClip)"),
                    ("validate-every", "\(o.validationInterval)", "\(so.validationInterval)"),
                    ("seed", "\(o.seed)", "\(so.seed)"),
                ], arguments, directory: directory.path)
            let frames = arguments.isGiven("frames") ? options.frames : saved.options.frames
            (configuration, options) = (saved.configuration, saved.options)
            options.frames = frames
        }
        let log = reducer.isLeader ? RunLog(directory: directory, arguments: arguments) : nil
        StopRequest.install()
        let (budget, stopStep) = RunStops.read(arguments)
        try withExtendedLifetime(lock) {
            try CatchRun.run(
                configuration, options: options, directory: directory, resuming: arguments.flag("resume"),
                log: log, timeBudget: budget, stopStep: stopStep, reducer: reducer)
        }
    }

    static func runEvaluation(_ arguments: ParsedArguments) throws {
        let (run, agent) = try loadAgent(arguments.string("checkpoint")!)
        let episodes = arguments.integer("episodes")
        let seed = UInt64(arguments.integer("seed"))
        let progress = TrainingProgress(of: run.checkpoint)
        CommandLineTool.say("Catch agent: \(summary(run.configuration))")
        CommandLineTool.say(
            "checkpoint: \(arguments.string("checkpoint")!), after \(progress.map { "\($0.samples)" } ?? "?") frames, "
                + "\(Int(progress?.elapsedSeconds ?? 0)) s of training")
        func report(_ label: String, _ rate: Double) {
            CommandLineTool.say(
                String(
                    format: "catch rate, %@: %.1f%% +- %.1f (standard error; %d games)",
                    label, 100 * rate, 100 * CatchEvaluation.standardError(rate, episodes), episodes))
        }
        var sampling = SeededGenerator(seed: seed)
        report(
            "greedy (most likely move, mean location)",
            CatchEvaluation.catchRate(
                of: agent, policy: .mean, episodes: episodes, seed: evaluationSeed,
                sampling: &sampling))
        report(
            "sampled moves and locations",
            CatchEvaluation.catchRate(
                of: agent, policy: .sample, episodes: episodes,
                seed: evaluationSeed, sampling: &sampling))
        report(
            "random moves (for comparison)", CatchEvaluation.randomCatchRate(episodes: episodes, seed: evaluationSeed))
    }

    static func runRendering(_ arguments: ParsedArguments) throws {
        let (_, agent) = try loadAgent(arguments.string("checkpoint")!)
        var generator = SeededGenerator(seed: UInt64(arguments.integer("seed")))
        let games = CatchGame(count: arguments.integer("episodes"), using: &generator)
        let policy: CatchAgent.Policy = arguments.string("policy") == "greedy" ? .mean : .sample
        let episode = agent.play(games, on: Tape<Float>(), policy: policy, using: &generator)
        let drawing = CatchDrawing(sensor: agent.configuration.sensor, episode: episode)
        let frames = (0..<episode.states.count).map { drawing.frame($0) }
        let output = arguments.string("output")!
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: output).deletingLastPathComponent(),
            withIntermediateDirectories: true)
        try APNGEncoder.write(
            frames: frames, delayMilliseconds: frames.indices.map { $0 == frames.count - 1 ? 2500 : 250 },
            to: output)
        CommandLineTool.say(
            "wrote \(output): \(games.count) games, \(frames.count) frames each, "
                + "\(Int(episode.rewards.reduce(0, +))) caught")
    }

    static func loadAgent(_ path: String) throws -> (SavedCatchRun, CatchAgent) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure(description: "\(path): no such checkpoint")
        }
        let run = try SavedCatchRun(path: URL(fileURLWithPath: path))
        let agent = CatchAgent(run.configuration, seed: 0)
        try run.checkpoint.load(into: agent.store)
        return (run, agent)
    }
}

/// What a Catch checkpoint says about the run that wrote it.
struct SavedCatchRun {
    let configuration: CatchAgentConfiguration
    let options: CatchTrainingOptions
    let checkpoint: Checkpoint

    init(path: URL) throws {
        checkpoint = try Checkpoint(contentsOf: path)
        guard let configuration = checkpoint.json("catch_agent", as: CatchAgentConfiguration.self),
            let options = checkpoint.json("options", as: CatchTrainingOptions.self)
        else {
            throw CommandFailure(description: "\(path.path): not a checkpoint written by 'ram catch train'")
        }
        var checks = SettingChecks()
        configuration.check(&checks)
        options.check(&checks)
        try checks.throwIfAny(in: path.path)
        (self.configuration, self.options) = (configuration, options)
    }
}
