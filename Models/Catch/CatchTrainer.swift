import Autograd
import Distributed
import Foundation
import NeuralNetworks
import Training

/// How a Catch agent is trained; saved in every checkpoint so a resumed run continues as it began.
public struct CatchTrainingOptions: Codable, Sendable, Equatable {
    public var learningRate = 3e-3
    /// `linear` decays to zero over the frames; any other schedule keeps the rate constant.
    public var schedule = TrainingOptions.ScheduleKind.linear
    /// Games played in parallel per update.
    public var batchSize = 64
    /// Frames to train on (each game shows the agent 23).
    public var frames = 25_000_000
    /// The weight of the move policy's entropy in the loss.
    public var entropyWeight = 0.01
    public var gradientClip = 0.0
    /// Frames between validations (and checkpoints).
    public var validationInterval = 500_000
    public var seed: UInt64 = 1

    public init() {}
}

/// One validation of a Catch run, saved in its checkpoints.
public struct CatchRecord: Codable, Sendable {
    public var frames: Int
    public var trainingCatchRate: Double
    public var validationCatchRate: Double
    public var seconds: Double
    /// Moving averages at the validation: the move policy's entropy, the baseline's error.
    public var entropy: Double?, baselineError: Double?
    public var learningRate: Double?, framesPerSecond: Double?
}

/// Where a Catch run stands, saved in every checkpoint as one JSON record.
public struct CatchProgress: Codable, Sendable {
    /// Updates taken, and the frames they showed the agent.
    public var step = 0, frames = 0
    /// Training time over every session of the run.
    public var elapsedSeconds = 0.0
    /// The best greedy catch rate on the validation games (in `best`, that of the agent it holds).
    public var bestValidationCatchRate: Double?
    public var history: [CatchRecord] = []

    public init() {}

    /// The progress `checkpoint` records, or nil when it records none; checkpoints written
    /// before the record existed are read from their separate keys.
    public init?(of checkpoint: Checkpoint) {
        if let saved = checkpoint.json(TrainingProgress.metadataKey, as: Self.self) {
            self = saved
            return
        }
        let m = checkpoint.metadata
        guard let step = m["step"].flatMap({ Int($0) }), let frames = m["frames"].flatMap({ Int($0) }) else { return nil }
        (self.step, self.frames) = (step, frames)
        elapsedSeconds = m["elapsed_seconds"].flatMap { Double($0) } ?? 0
        bestValidationCatchRate = m["best_validation_catch_rate"].flatMap { Double($0) }.flatMap { $0 >= 0 ? $0 : nil }
        history = checkpoint.json("history") ?? []
    }
}

/// Trains a Catch agent by REINFORCE with Adam, validating on a fixed set of games and keeping
/// the best agent by its greedy catch rate. Every random draw of update `s` comes from a
/// generator derived from `(seed, s)`, so a resumed run draws what the killed one would have.
public final class CatchTrainer {
    /// Validation games are dealt from this seed; `ram catch evaluate` uses other games.
    public static let validationSeed: UInt64 = 1_000_003
    public static let validationEpisodes = 1000

    public let configuration: CatchAgentConfiguration
    public let options: CatchTrainingOptions
    public let agent: CatchAgent
    public let optimizer: Adam<Float>
    /// Where `best.safetensors` and `last.safetensors` go; nil keeps no checkpoints.
    public let directory: URL?
    public private(set) var progress = CatchProgress()

    /// Called after every update (a progress bar).
    public var onStep: ((StepReport) -> Void)?
    /// Called after each validation's checkpoints, with whether it was the best so far.
    public var onValidation: ((CatchRecord, _ improved: Bool) throws -> Void)?
    /// Asked after every update; true validates, saves and stops the run.
    public var shouldStop: () -> Bool = { false }
    /// The processes that share this run (data parallel); by default this one alone. Each
    /// plays its share of every update's games and of the validation games, the gradients
    /// and figures are summed over all, and only rank 0 writes checkpoints and calls
    /// `onStep` and `onValidation`.
    public var reducer: any Reducer = LocalReducer()

    /// Where an update left the current validation interval.
    public struct StepReport: Sendable {
        /// Frames of the interval done, and in all.
        public var done: Int, interval: Int
        /// Frames shown in the interval so far, the fraction of its games caught, and moving
        /// averages of the move policy's entropy and the baseline's squared error.
        public var frames: Int, catchRate: Double, entropy: Double, baselineError: Double
    }

    public init(configuration: CatchAgentConfiguration, options: CatchTrainingOptions, directory: URL?) {
        self.configuration = configuration
        self.options = options
        self.directory = directory
        agent = CatchAgent(configuration, seed: options.seed)
        optimizer = Adam(for: agent.store, learningRate: options.learningRate)
    }

    /// Restores parameters, optimizer state and progress from `directory`'s last checkpoint,
    /// and the best catch rate from `best`.
    public func resume() throws {
        let (last, best) = try RunCheckpoints.resume(agent.store, optimizer, from: directory)
        progress = CatchProgress(of: last) ?? CatchProgress()
        progress.bestValidationCatchRate = best.flatMap { CatchProgress(of: $0) }?.bestValidationCatchRate
    }

    /// Trains until `options.frames` frames are seen, `timeBudget` seconds pass or
    /// `shouldStop` says so; each of these validates and saves first.
    @discardableResult
    public func run(timeBudget: Double? = nil) throws -> TrainingOutcome {
        let takeStep = TrainingStep(optimizer: optimizer, gradientClip: options.gradientClip > 0 ? options.gradientClip : nil)
        let parallel = reducer.size > 1, leads = reducer.isLeader
        guard options.batchSize >= reducer.size else {
            throw TrainingSetupError(description: "\(options.batchSize) games per update cannot be shared by \(reducer.size) processes")
        }
        // This process's games of each update, and the share of the update they are.
        let shard = BatchShard.part(reducer.rank, of: reducer.size, rows: options.batchSize)
        let weight = Double(shard.rows.count) / Double(options.batchSize)
        if parallel { takeStep.shareGradients(over: reducer) { weight } }
        /// The figures summed over the processes.
        func summed(_ values: [Double]) -> [Double] { parallel ? reducer.sum(values) : values }
        let started = Date()
        let elapsedBefore = progress.elapsedSeconds
        let framesPerStep = options.batchSize * CatchGame.moves
        var intervalStarted = Date(), intervalCaught = 0.0, intervalGames = 0
        var entropy: Double?, baselineError: Double?  // moving averages over recent updates
        var nextValidation = (progress.frames / options.validationInterval + 1) * options.validationInterval
        while progress.frames < options.frames {
            optimizer.learningRate = options.schedule == .linear
                ? LinearDecay(from: options.learningRate, overSteps: options.frames).learningRate(at: progress.frames)
                : options.learningRate
            let (_, statistics) = try TrainingDiverged.locating("update \(progress.step + 1)") {
                try takeStep { tape in
                    var generator = SeededGenerator(seed: options.seed).derived(UInt64(progress.step))
                    let episode = agent.play(CatchGame(shard, using: &generator), on: tape, policy: .sample, shard: shard,
                                             using: &generator)
                    return agent.reinforceLoss(episode, entropyWeight: Float(options.entropyWeight))
                }
            }
            progress.step += 1
            progress.frames += framesPerStep
            let step = summed([Double(statistics.catchRate), Double(statistics.entropy), Double(statistics.baselineError)]
                .map { weight * $0 })
            intervalGames += options.batchSize
            intervalCaught += step[0] * Double(options.batchSize)
            entropy = entropy.map { 0.95 * $0 + 0.05 * step[1] } ?? step[1]
            baselineError = baselineError.map { 0.95 * $0 + 0.05 * step[2] } ?? step[2]
            let done = options.validationInterval - max(0, nextValidation - progress.frames)
            if leads {
                onStep?(StepReport(done: min(done, options.validationInterval), interval: options.validationInterval,
                                   frames: intervalGames * CatchGame.moves, catchRate: intervalCaught / Double(intervalGames),
                                   entropy: entropy!, baselineError: baselineError!))
            }

            // Every process stops where any one of them would.
            let stops = summed([timeBudget.map { Date().timeIntervalSince(started) > $0 } ?? false ? 1 : 0, shouldStop() ? 1 : 0])
            let (outOfTime, stopping) = (stops[0] > 0, stops[1] > 0)
            guard progress.frames >= nextValidation || progress.frames >= options.frames || outOfTime || stopping else { continue }
            var unused = SeededGenerator(seed: 0)  // the policy mean draws nothing
            let validation = CatchEvaluation.catchRate(of: agent, policy: .mean, episodes: Self.validationEpisodes,
                                                       seed: Self.validationSeed, sampling: &unused,
                                                       sharedWith: parallel ? reducer : nil)
            let seconds = Date().timeIntervalSince(intervalStarted)
            let record = CatchRecord(frames: progress.frames, trainingCatchRate: intervalCaught / Double(intervalGames),
                                     validationCatchRate: validation, seconds: seconds, entropy: entropy,
                                     baselineError: baselineError, learningRate: optimizer.learningRate,
                                     framesPerSecond: Double(intervalGames * CatchGame.moves) / seconds)
            progress.history.append(record)
            let improved = validation > (progress.bestValidationCatchRate ?? -1)
            if improved { progress.bestValidationCatchRate = validation }
            progress.elapsedSeconds = elapsedBefore + Date().timeIntervalSince(started)
            if improved { try save(RunCheckpoints.best, withOptimizer: false) }
            try save(RunCheckpoints.last, withOptimizer: true)
            if leads { try onValidation?(record, improved) }
            if stopping { return .stopped }
            if outOfTime { return .outOfTime }
            nextValidation += options.validationInterval
            (intervalStarted, intervalCaught, intervalGames) = (Date(), 0, 0)
        }
        progress.elapsedSeconds = elapsedBefore + Date().timeIntervalSince(started)
        return .finished
    }

    private func save(_ name: String, withOptimizer: Bool) throws {
        guard let directory, reducer.isLeader else { return }
        var writer = CheckpointWriter()
        writer.addParameters(of: agent.store)
        if withOptimizer { writer.addState(of: optimizer) }
        writer.setJSON(configuration, forKey: "catch_agent")
        writer.setJSON(options, forKey: "options")
        writer.setJSON(progress, forKey: TrainingProgress.metadataKey)
        try RunCheckpoints.write(writer, named: name, in: directory)
    }
}
