import Autograd
import NeuralNetworks

/// The recurrent attention model (Mnih, Heess, Graves and Kavukcuoglu, NIPS 2014).
///
/// ```
/// glimpse   g_t = ReLU(Linear(ReLU(Linear(rho(x, l_t)))) + Linear(ReLU(Linear(l_t))))
/// core      h_t = ReLU(Linear(h_{t-1}) + Linear(g_t))           (or an LSTM)
/// location  l_{t+1} ~ N(tanh(Linear(h_t)), sd^2), clamped to [-1, 1]   (or a linear mean;
///           optionally Linear(ReLU(Linear(h_t))) inside the tanh)
/// baseline  b_t = Linear(h_t)
/// action    p(y) = softmax(Linear(h_T))
/// ```
/// Trained with the hybrid loss: cross-entropy through the action, core and glimpse
/// networks; REINFORCE (Williams 1992) through the stochastic location nodes with advantage
/// `R - b_t`, where `R` is 1 for a correct classification; squared error for the baseline.
public final class RecurrentAttentionModel {
    public let configuration: RAMConfiguration
    public let store: ParameterStore<Float>
    let glimpse: GlimpseNetwork
    let core: any RecurrentCell<Float>
    let location: LocationNetwork
    let baseline: Linear<Float>
    let action: Linear<Float>
    /// The standard deviation `.sample` draws with: the configuration's final one (its only
    /// one when it has no schedule); a training loop sets it each step.
    public var locationStandardDeviation: Float

    /// Builds the model with parameters drawn from `seed`.
    public init(_ configuration: RAMConfiguration, seed: UInt64) {
        self.configuration = configuration
        let c = configuration
        let store = ParameterStore<Float>()
        var generator = SeededGenerator(seed: seed)
        glimpse = GlimpseNetwork(
            sensor: c.sensor, imageHidden: c.glimpseHidden, locationHidden: c.locationHidden,
            outputSize: c.glimpseSize, store: store, generator: &generator)
        core =
            switch c.core {
            case .relu:
                RNNCell<Float>(
                    inputSize: c.glimpseSize, hiddenSize: c.coreSize, nonlinearity: .relu, name: "core",
                    store: store, generator: &generator)
            case .lstm:
                LSTMCell<Float>(
                    inputSize: c.glimpseSize, hiddenSize: c.coreSize, name: "core", store: store,
                    generator: &generator)
            }
        location = LocationNetwork(
            coreSize: c.coreSize, hiddenSize: c.locationNetworkHidden,
            squashesMean: c.locationMean == .tanh, store: store, generator: &generator)
        baseline = Linear(inputSize: c.coreSize, outputSize: 1, name: "baseline", store: store, generator: &generator)
        action = Linear(
            inputSize: c.coreSize, outputSize: c.classes, name: "action", store: store, generator: &generator)
        self.store = store
        locationStandardDeviation = c.finalLocationStandardDeviation ?? c.locationStandardDeviation
    }

    /// How the model chooses where to look after each glimpse.
    public typealias Policy = AttentionPolicy

    /// One pass over a batch: everything the loss and the pictures need.
    public struct Episode {
        /// `[batch, classes]` after the last glimpse.
        public let logits: Variable<Float>
        /// `b_t` for each step that chose a location, each `[batch, 1]`.
        public let baselines: [Variable<Float>]
        /// The stochastic location nodes (empty unless the policy was `.sample`).
        public let samples: [Variable<Float>]
        /// Where each glimpse looked: `glimpses` arrays of `[batch * 2]` `(x, y)` pairs.
        public let locations: [[Float]]
    }

    /// Runs the model on `images` (`[batch, height, width]`, values in [0, 1]).
    /// The first glimpse looks at the centre, except with the random policy and in training
    /// (`isTraining`) with `randomFirstGlimpse`, where it looks at a uniformly random place;
    /// `generator` drives that, sampling and random glimpses; with `shard`, the images are
    /// those rows of a larger batch, and draw what they would in it.
    public func run(
        _ images: Tensor<Float>, on tape: Tape<Float>, policy: Policy, isTraining: Bool = false,
        shard: BatchShard? = nil, using generator: inout SeededGenerator
    ) -> Episode {
        let c = configuration
        require(
            images.shape.rank == 3 && images.shape[1] == c.imageHeight && images.shape[2] == c.imageWidth,
            "RAM: expected images [batch, \(c.imageHeight), \(c.imageWidth)], got \(images.shape)")
        return images.withUnsafeBufferPointer { pixels in
            run(
                core, pixels.baseAddress!, batch: images.shape[0], on: tape, policy: policy, isTraining: isTraining,
                shard: shard, using: &generator)
        }
    }

    /// The glimpse loop, for the core's own cell type.
    private func run<Cell: RecurrentCell<Float>>(
        _ core: Cell, _ images: UnsafePointer<Float>, batch: Int,
        on tape: Tape<Float>, policy: Policy, isTraining: Bool, shard: BatchShard?,
        using generator: inout SeededGenerator
    ) -> Episode {
        let c = configuration
        var state = core.zeroState(batchSize: batch, on: tape)
        var where_ =
            policy == .random || (isTraining && c.randomFirstGlimpse)
            ? LocationNetwork.uniform(batch: batch, shard: shard, using: &generator)
            : [Float](repeating: 0, count: batch * 2)
        var baselines: [Variable<Float>] = []
        var samples: [Variable<Float>] = []
        var visited: [[Float]] = []

        for t in 0..<c.glimpses {
            visited.append(where_)
            state = glimpse.look(
                at: images, batch: batch, height: c.imageHeight, width: c.imageWidth, locations: where_,
                core: core, state: state, on: tape)
            guard t < c.glimpses - 1 else { break }  // a location chosen after the last glimpse is never used

            // The baseline and the policy read the core through a stop-gradient, unless
            // configured otherwise, so their gradients train only themselves.
            let hidden = core.hidden(of: state)
            let detached = c.locationTrainsCore && c.baselineTrainsCore ? hidden : hidden.stoppingGradient()
            if policy == .sample { baselines.append(baseline(c.baselineTrainsCore ? hidden : detached)) }
            let next = LocationNetwork.next(
                policy, mean: { location.mean(c.locationTrainsCore ? hidden : detached) },
                batch: batch, standardDeviation: locationStandardDeviation, shard: shard,
                using: &generator)
            where_ = next.locations
            if let sample = next.sample { samples.append(sample) }
        }
        return Episode(
            logits: action(core.hidden(of: state)), baselines: baselines, samples: samples, locations: visited)
    }

    /// What one training step measured.
    public struct StepStatistics: Sendable {
        public var crossEntropy: Float
        public var baselineError: Float
        /// The mean reward: the fraction classified correctly.
        public var reward: Float
        public var correct: Int
        public var count: Int
    }

    /// The hybrid loss of an episode: cross-entropy plus the baseline's squared error, with
    /// each location node's advantage `w (R - b_t) / batch` set for REINFORCE (`w`: the
    /// configuration's `policyGradientWeight`).
    /// With `samplesPerImage` m > 1, the rows are m runs of each image in turn (rows
    /// `i*m ..< (i+1)*m` are image i's), and a run's baseline is the mean reward of the
    /// image's other runs; the learned baseline is not trained.
    /// Backward from the returned loss trains all parts.
    public func hybridLoss(
        _ episode: Episode, labels: [Int],
        samplesPerImage m: Int = 1
    ) -> (loss: Variable<Float>, statistics: StepStatistics) {
        let tape = episode.logits.tape
        let batch = labels.count
        require(m >= 1 && batch % m == 0, "RAM: \(batch) rows are not runs of \(m) samples per image")
        let crossEntropy = softmaxCrossEntropy(logits: episode.logits, labels: labels)
        let predicted = Self.predictions(episode.logits)
        let rewards = zip(predicted, labels).map { $0 == $1 ? Float(1) : 0 }
        var loss = crossEntropy
        var baselineError: Float = 0
        let weight = configuration.policyGradientWeight
        if m > 1 && !episode.samples.isEmpty {
            let advantage = rewards.indices.map { row in
                let image = row / m * m
                let others = (rewards[image..<(image + m)].reduce(0, +) - rewards[row]) / Float(m - 1)
                return weight * (rewards[row] - others) / Float(batch)
            }
            for sample in episode.samples { sample.setAdvantage(Tensor(shape: [batch, 1], scalars: advantage)) }
        } else if !episode.baselines.isEmpty {
            let reward = tape.constant(Tensor(shape: [batch, 1], scalars: rewards))
            var squared: Variable<Float>?
            for (b, sample) in zip(episode.baselines, episode.samples) {
                let advantage = zip(rewards, b.scalars).map { weight * ($0 - $1) / Float(batch) }
                sample.setAdvantage(Tensor(shape: [batch, 1], scalars: advantage))
                let term = meanSquaredError(predictions: b, targets: reward)
                squared = squared.map { $0 + term } ?? term
            }
            let baselineLoss = squared! * (1 / Float(episode.baselines.count))
            baselineError = baselineLoss.scalars[0]
            loss = loss + baselineLoss
        }
        let correct = Int(rewards.reduce(0, +))
        return (
            loss,
            StepStatistics(
                crossEntropy: crossEntropy.scalars[0], baselineError: baselineError,
                reward: Float(correct) / Float(batch), correct: correct, count: batch)
        )
    }

    /// The most likely class of each row of `[batch, classes]` logits.
    public static func predictions(_ logits: Variable<Float>) -> [Int] { mostLikelyClasses(logits) }
}
