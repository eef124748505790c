import Autograd
import NeuralNetworks
import RecurrentAttention

/// The hyperparameters of a Catch agent; saved with every checkpoint.
///
/// Defaults follow Mnih et al. (2014): a 6x6 retina at 3 scales (6, 12 and 24 pixels wide,
/// so the coarsest sees the whole screen at a quarter of its resolution), the glimpse network
/// of the classification experiments and an LSTM core of 256 units.
public struct CatchAgentConfiguration: Codable, Sendable, Equatable {
    public var patchSize = 6
    public var scales = 3
    public var glimpseHidden = 128
    public var locationHidden = 128
    public var glimpseSize = 256
    public var coreSize = 256
    /// The fixed standard deviation of the Gaussian location policy (the paper does not give it).
    public var locationStandardDeviation: Float = 0.1
    /// Look at the centre of the screen every move instead of learning where: the comparison agent.
    public var fixedGlimpse = false
    /// Whether the baseline's squared error trains the core and glimpse networks too (as in the
    /// Torch7 RAM): predicting the catch needs the ball and the paddle, which the policies need.
    /// Off, the baseline reads the core through a stop-gradient and only fits itself.
    public var baselineTrainsCore = true
    /// Whether the location policy's REINFORCE gradient trains the core and glimpse networks.
    /// Off, the location network reads the core through a stop-gradient, as RAM's default.
    public var locationTrainsCore = false

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case patchSize, scales, glimpseHidden, locationHidden, glimpseSize, coreSize, locationStandardDeviation
        case fixedGlimpse, baselineTrainsCore, locationTrainsCore
    }

    /// Decodes a configuration; checkpoints written before `locationTrainsCore` existed let the
    /// location gradient reach the core.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        patchSize = try c.decode(Int.self, forKey: .patchSize)
        scales = try c.decode(Int.self, forKey: .scales)
        glimpseHidden = try c.decode(Int.self, forKey: .glimpseHidden)
        locationHidden = try c.decode(Int.self, forKey: .locationHidden)
        glimpseSize = try c.decode(Int.self, forKey: .glimpseSize)
        coreSize = try c.decode(Int.self, forKey: .coreSize)
        locationStandardDeviation = try c.decode(Float.self, forKey: .locationStandardDeviation)
        fixedGlimpse = try c.decode(Bool.self, forKey: .fixedGlimpse)
        baselineTrainsCore = try c.decode(Bool.self, forKey: .baselineTrainsCore)
        locationTrainsCore = try c.decodeIfPresent(Bool.self, forKey: .locationTrainsCore) ?? true
    }

    /// The retina sums its coarse patches: averaged, the one-pixel ball would read 1/16 at the
    /// coarsest scale, far below the first layer's biases (no agent learned so).
    public var sensor: GlimpseSensor { GlimpseSensor(patchSize: patchSize, scales: scales, pooling: .sum) }
}

/// RAM playing Catch: it sees each frame only through its retina, and after each glimpse picks
/// a move (a linear softmax over left / stay / right) and where to look next (a Gaussian).
///
/// ```
/// g_t = glimpse(rho(frame_t, l_t), l_t)          (l_0 is the centre)
/// h_t = LSTM(g_t, h_{t-1})
/// a_t ~ Categorical(softmax(Linear(h_t)))
/// l_{t+1} ~ N(tanh(Linear(h_t)), sd^2)
/// b_t = Linear(h_t)
/// ```
/// There is no supervised signal: both policies learn by REINFORCE from the final reward with
/// the baseline `b_t` subtracted. The move policy's gradient trains the core and the glimpse
/// network; by default so does the baseline's squared error, and the location policy's does not.
public final class CatchAgent {
    public let configuration: CatchAgentConfiguration
    public let store: ParameterStore<Float>
    let glimpse: GlimpseNetwork
    let core: LSTMCell<Float>
    let action: Linear<Float>
    let location: LocationNetwork
    let baseline: Linear<Float>

    /// Builds the agent with parameters drawn from `seed`.
    public init(_ configuration: CatchAgentConfiguration, seed: UInt64) {
        self.configuration = configuration
        let c = configuration
        let store = ParameterStore<Float>()
        var generator = SeededGenerator(seed: seed)
        glimpse = GlimpseNetwork(
            sensor: c.sensor, imageHidden: c.glimpseHidden, locationHidden: c.locationHidden,
            outputSize: c.glimpseSize, store: store, generator: &generator)
        core = LSTMCell(
            inputSize: c.glimpseSize, hiddenSize: c.coreSize, name: "core", store: store,
            generator: &generator)
        action = Linear(
            inputSize: c.coreSize, outputSize: CatchGame.Action.allCases.count, name: "action",
            store: store, generator: &generator)
        location = LocationNetwork(
            coreSize: c.coreSize, hiddenSize: 0, squashesMean: true, store: store, generator: &generator)
        // The location network starts at zero: every first glimpse looks at the centre, where
        // the coarsest patch sees the whole screen, so the move policy can learn before the
        // location policy has anything to say. (Still drawn, then zeroed, so every other
        // parameter keeps its seeded value.)
        for parameter in location.outputParameters {
            store.setValue(parameter, .zeros(store.entry(parameter).shape))
        }
        baseline = Linear(inputSize: c.coreSize, outputSize: 1, name: "baseline", store: store, generator: &generator)
        self.store = store
    }

    /// How the agent acts: `.sample` draws moves and locations (training, and the stochastic
    /// evaluation); `.mean` takes the most likely move and the mean location (the
    /// deterministic evaluation); `.random` takes the most likely move and looks at uniformly
    /// random places.
    public typealias Policy = AttentionPolicy

    /// One batch of played episodes: what the loss and the pictures need.
    public struct Episode {
        /// `log pi(a_t | h_t)` of the chosen moves, `[batch]` per move (`.sample` only).
        public let actionLogProbabilities: [Variable<Float>]
        /// The move policy's entropy, `[batch]` per move (`.sample` only).
        public let entropies: [Variable<Float>]
        /// `b_t`, `[batch, 1]` per move (`.sample` only).
        public let baselines: [Variable<Float>]
        /// The stochastic location nodes, one per move but the last (`.sample` with learned glimpses).
        public let locationSamples: [Variable<Float>]
        /// Where each move's glimpse looked: `[batch * 2]` `(x, y)` pairs per move.
        public let locations: [[Float]]
        /// The games before each move, and after the last: `moves + 1` states.
        public let states: [CatchGame]
        /// 1 for each game caught, else 0.
        public let rewards: [Float]
    }

    /// Plays `game` to its end on `tape`. With `shard`, the games are those rows of a larger
    /// batch (data-parallel training), and draw what they would in it.
    public func play(
        _ game: CatchGame, on tape: Tape<Float>, policy: Policy, shard: BatchShard? = nil,
        using generator: inout SeededGenerator
    ) -> Episode {
        var game = game
        require(game.ballRow == 0, "CatchAgent: the games must be at their start, not at move \(game.ballRow)")
        let batch = game.count
        let size = CatchGame.size
        var screens = [Float](repeating: 0, count: batch * size * size)
        let shard = shard ?? .whole(batch)
        var where_ =
            policy == .random
            ? LocationNetwork.uniform(batch: batch, shard: shard, using: &generator)
            : [Float](repeating: 0, count: batch * 2)
        var state = core.zeroState(batchSize: batch, on: tape)
        var logProbabilities: [Variable<Float>] = []
        var entropies: [Variable<Float>] = []
        var baselines: [Variable<Float>] = []
        var samples: [Variable<Float>] = []
        var locations: [[Float]] = []
        var states: [CatchGame] = []

        for t in 0..<CatchGame.moves {
            states.append(game)
            locations.append(where_)
            screens.withUnsafeMutableBufferPointer { game.render(into: $0.baseAddress!) }
            state = screens.withUnsafeBufferPointer { pixels in
                glimpse.look(
                    at: pixels.baseAddress!, batch: batch, height: size, width: size, locations: where_,
                    core: core, state: state, on: tape)
            }
            let moves = Categorical(logits: action(state.hidden))
            let chosen: [Int]
            switch policy {
            case .sample:
                chosen = shard.drawing(1, with: &generator, skip: { _ = $0.nextUniform(Double.self) }) {
                    moves.sample(using: &$0)
                }
                logProbabilities.append(moves.logProbability(of: chosen))
                entropies.append(moves.entropy())
                baselines.append(
                    baseline(configuration.baselineTrainsCore ? state.hidden : state.hidden.stoppingGradient()))
            case .mean, .random:
                chosen = moves.mode()
            }
            game.play(chosen.map { CatchGame.Action(rawValue: $0)! })

            guard t < CatchGame.moves - 1, !configuration.fixedGlimpse else { continue }
            let next = LocationNetwork.next(
                policy,
                mean: {
                    location.mean(configuration.locationTrainsCore ? state.hidden : state.hidden.stoppingGradient())
                }, batch: batch, standardDeviation: configuration.locationStandardDeviation, shard: shard,
                using: &generator)
            where_ = next.locations
            if let sample = next.sample { samples.append(sample) }
        }
        states.append(game)
        return Episode(
            actionLogProbabilities: logProbabilities, entropies: entropies, baselines: baselines,
            locationSamples: samples, locations: locations, states: states, rewards: game.rewards)
    }

    /// What one training step measured.
    public struct StepStatistics: Sendable {
        /// The fraction of games caught.
        public var catchRate: Float
        /// The baseline's mean squared error, averaged over moves.
        public var baselineError: Float
        /// The move policy's mean entropy (nats; log 3 = 1.10 is uniform).
        public var entropy: Float
    }

    /// The REINFORCE loss of a sampled episode. Each move's advantage `R - b_t` weights the
    /// log-probability of the move chosen and, through the stochastic node, of the location
    /// chosen; `entropyWeight` rewards an undecided move policy; the baseline regresses on `R`.
    /// Backward from the returned loss trains every part.
    public func reinforceLoss(
        _ episode: Episode, entropyWeight: Float
    ) -> (loss: Variable<Float>, statistics: StepStatistics) {
        require(!episode.baselines.isEmpty, "CatchAgent: the loss needs an episode played with the .sample policy")
        let tape = episode.baselines[0].tape
        let batch = episode.rewards.count
        let scale = 1 / Float(batch)
        let reward = tape.constant(Tensor(shape: [batch, 1], scalars: episode.rewards))
        var policyTerms: [Variable<Float>] = []
        var baselineTerms: [Variable<Float>] = []
        var entropy: Float = 0
        for t in episode.baselines.indices {
            let advantage = zip(episode.rewards, episode.baselines[t].scalars).map { $0 - $1 }
            let weights = tape.constant(Tensor(shape: [batch], scalars: advantage.map { -$0 * scale }))
            policyTerms.append((episode.actionLogProbabilities[t] * weights).sum())
            policyTerms.append(episode.entropies[t].sum() * (-entropyWeight * scale))
            if t < episode.locationSamples.count {
                episode.locationSamples[t].setAdvantage(
                    Tensor(shape: [batch, 1], scalars: advantage.map { $0 * scale }))
            }
            baselineTerms.append(meanSquaredError(predictions: episode.baselines[t], targets: reward))
            entropy += episode.entropies[t].scalars.reduce(0, +) * scale
        }
        let baselineLoss = baselineTerms.dropFirst().reduce(baselineTerms[0], +) * (1 / Float(baselineTerms.count))
        let loss = policyTerms.reduce(baselineLoss, +)
        let moves = Float(episode.baselines.count)
        return (
            loss,
            StepStatistics(
                catchRate: episode.rewards.reduce(0, +) * scale,
                baselineError: baselineLoss.scalars[0], entropy: entropy / moves)
        )
    }
}
