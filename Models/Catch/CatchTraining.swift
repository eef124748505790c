import Autograd
import Distributed
import Foundation
import NeuralNetworks
import Training

/// How a Catch agent is trained; saved in every checkpoint so a resumed run continues as it began.
public struct CatchTrainingOptions: Codable, Sendable, Equatable {
    public var learningRate = 3e-3
    /// `linear` decays to zero over the run; any other schedule keeps the rate constant.
    public var schedule = LearningRateSchedule.linear
    /// Games played in parallel per update.
    public var batchSize = 64
    /// Frames to train on (each game shows the agent 23); the run ends with the epoch that reaches them.
    public var frames = 25_000_000
    /// The weight of the move policy's entropy in the loss.
    public var entropyWeight = 0.01
    public var gradientClip = 0.0
    /// Frames between validations (and checkpoints): an epoch, rounded up to whole updates.
    public var validationInterval = 500_000
    public var seed: UInt64 = 1

    public init() {}

    /// Frames each update shows the agent.
    public var framesPerStep: Int { batchSize * CatchGame.moves }
    /// Updates per epoch: the validation interval, or the whole run where that is shorter,
    /// rounded up to whole updates.
    public var stepsPerEpoch: Int { (min(validationInterval, frames) + framesPerStep - 1) / framesPerStep }
    /// Epochs to reach `frames`.
    public var epochs: Int { (frames + stepsPerEpoch * framesPerStep - 1) / (stepsPerEpoch * framesPerStep) }
}

/// A Catch agent as the training loop trains it: every update plays a batch of fresh games,
/// REINFORCE with Adam, and each epoch ends with the greedy catch rate on a fixed set of
/// validation games, which picks the best agent.
public final class CatchTraining: Trainable {
    /// Validation games are dealt from this seed; `ram catch evaluate` uses other games.
    public static let validationSeed: UInt64 = 1_000_003
    public static let validationEpisodes = 1000

    public let configuration: CatchAgentConfiguration
    public let options: CatchTrainingOptions
    public let agent: CatchAgent

    public init(configuration: CatchAgentConfiguration, options: CatchTrainingOptions) {
        self.configuration = configuration
        self.options = options
        agent = CatchAgent(configuration, seed: options.seed)
    }

    /// The trainer of a fresh agent: Adam and `options`, which every checkpoint records with
    /// the agent's configuration.
    public static func trainer(
        configuration: CatchAgentConfiguration, options: CatchTrainingOptions,
        directory: URL?
    ) -> Trainer<CatchTraining> {
        let training = CatchTraining(configuration: configuration, options: options)
        let trainer = Trainer(
            training, optimizer: Adam(for: training.store, learningRate: options.learningRate),
            schedule: options.schedule == .linear ? .linear : .constant, epochs: options.epochs,
            seed: options.seed, gradientClip: options.gradientClip > 0 ? options.gradientClip : nil,
            directory: directory)
        trainer.metadata["catch_agent"] = CheckpointWriter.json(configuration)
        trainer.metadata["options"] = CheckpointWriter.json(options)
        return trainer
    }

    public var store: ParameterStore<Float> { agent.store }
    public var stepsPerEpoch: Int { options.stepsPerEpoch }
    public var sampleUnit: String { "frames" }
    public var selection: Selection { Selection("validation_catch_rate", lowerIsBetter: false) }
    public var metrics: [Metric] {
        [
            Metric("training_catch_rate", tag: "catch_rate/training"),
            Metric("validation_catch_rate", tag: "catch_rate/validation"),
            Metric("entropy", tag: "policy/entropy"), Metric("baseline_error", tag: "loss/baseline_error"),
        ]
    }

    /// An update's games are dealt from its step's generator, so a batch is only which of
    /// them this process plays.
    public func batches(epoch: Int, from start: Int, part: (rank: Int, size: Int)?) -> any Sequence<BatchShard> {
        let shard =
            part.map { BatchShard.part($0.rank, of: $0.size, rows: options.batchSize) }
            ?? .whole(options.batchSize)
        return repeatElement(shard, count: stepsPerEpoch - start)
    }

    public func size(of shard: BatchShard) -> (samples: Int, share: Double) {
        (shard.rows.count * CatchGame.moves, Double(shard.rows.count) / Double(shard.total))
    }

    public func loss(
        on shard: BatchShard, tape: Tape<Float>, progress: Double, using generator: inout SeededGenerator
    )
        -> (loss: Variable<Float>, metrics: [String: Double])
    {
        let episode = agent.play(
            CatchGame(shard, using: &generator), on: tape, policy: .sample, shard: shard,
            using: &generator)
        let (loss, statistics) = agent.reinforceLoss(episode, entropyWeight: Float(options.entropyWeight))
        return (
            loss,
            [
                "training_catch_rate": Double(statistics.catchRate), "entropy": Double(statistics.entropy),
                "baseline_error": Double(statistics.baselineError),
            ]
        )
    }

    public func validate(sharedWith reducer: (any Reducer)?) -> [String: Double] {
        var unused = SeededGenerator(seed: 0)  // the policy mean draws nothing
        return [
            "validation_catch_rate": CatchEvaluation.catchRate(
                of: agent, policy: .mean,
                episodes: Self.validationEpisodes,
                seed: Self.validationSeed, sampling: &unused,
                sharedWith: reducer)
        ]
    }
}
