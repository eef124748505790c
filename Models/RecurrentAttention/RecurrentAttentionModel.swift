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
    let core: CoreNetwork
    /// The location network's hidden layer, if `locationNetworkHidden > 0`.
    let locationHidden: Linear<Float>?
    let location: Linear<Float>
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
        glimpse = GlimpseNetwork(sensor: c.sensor, imageHidden: c.glimpseHidden, locationHidden: c.locationHidden,
                                 outputSize: c.glimpseSize, store: store, generator: &generator)
        switch c.core {
        case .relu:
            core = .relu(RNNCell(inputSize: c.glimpseSize, hiddenSize: c.coreSize, nonlinearity: .relu, name: "core",
                                 store: store, generator: &generator))
        case .lstm:
            core = .lstm(LSTMCell(inputSize: c.glimpseSize, hiddenSize: c.coreSize, name: "core",
                                  store: store, generator: &generator))
        }
        locationHidden = c.locationNetworkHidden > 0
            ? Linear(inputSize: c.coreSize, outputSize: c.locationNetworkHidden, name: "location.hidden",
                     store: store, generator: &generator)
            : nil
        location = Linear(inputSize: c.locationNetworkHidden > 0 ? c.locationNetworkHidden : c.coreSize, outputSize: 2,
                          name: "location", store: store, generator: &generator)
        baseline = Linear(inputSize: c.coreSize, outputSize: 1, name: "baseline", store: store, generator: &generator)
        action = Linear(inputSize: c.coreSize, outputSize: c.classes, name: "action", store: store, generator: &generator)
        self.store = store
        locationStandardDeviation = c.finalLocationStandardDeviation ?? c.locationStandardDeviation
    }

    /// How the model chooses where to look after each glimpse.
    public enum Policy: Sendable {
        /// Sample from the Gaussian policy (training, and the "one sample" evaluation).
        case sample
        /// Look at the policy's mean (the deterministic evaluation).
        case mean
        /// Uniformly random locations, the first one too: the random-glimpse ablation.
        case random
    }

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
    /// `generator` drives that, sampling and random glimpses.
    public func run(_ images: Tensor<Float>, on tape: Tape<Float>, policy: Policy, isTraining: Bool = false,
                    using generator: inout SeededGenerator) -> Episode {
        let c = configuration
        require(images.shape.rank == 3 && images.shape[1] == c.imageHeight && images.shape[2] == c.imageWidth,
                     "RAM: expected images [batch, \(c.imageHeight), \(c.imageWidth)], got \(images.shape)")
        let batch = images.shape[0]
        var state = core.zeroState(batchSize: batch, on: tape)
        var where_ = policy == .random || (isTraining && c.randomFirstGlimpse)
            ? (0..<(batch * 2)).map { _ in generator.nextUniform(Float.self) * 2 - 1 }
            : [Float](repeating: 0, count: batch * 2)
        let sensor = glimpse.sensor
        var baselines: [Variable<Float>] = [], samples: [Variable<Float>] = [], visited: [[Float]] = []
        var hidden: Variable<Float>!

        for t in 0..<c.glimpses {
            visited.append(where_)
            // The retina writes straight into the tape's memory.
            let rho = tape.constant(shape: [batch, sensor.featureCount]) { out in
                images.withUnsafeBufferPointer { pixels in
                    sensor.extract(images: pixels.baseAddress!, batch: batch, height: c.imageHeight, width: c.imageWidth,
                                   locations: where_, into: out.baseAddress!)
                }
            }
            let l = tape.constant(shape: [batch, 2]) { out in _ = out.initialize(from: where_) }
            let g = glimpse(rho, at: l)
            state = core(g, state: state)
            hidden = state.hidden
            guard t < c.glimpses - 1 else { break }  // a location chosen after the last glimpse is never used

            let policyInput = c.policyGradientReachesCore ? hidden! : hidden.stoppingGradient()
            func policyMean() -> Variable<Float> {
                let features = locationHidden.map { $0(policyInput, activation: .relu) } ?? policyInput
                return c.locationMean == .tanh ? location(features).tanh() : location(features)
            }
            switch policy {
            case .sample:
                baselines.append(baseline(policyInput))
                let sample = Normal(mean: policyMean(), standardDeviation: locationStandardDeviation)
                    .sample(using: &generator)
                samples.append(sample)
                // The log-probability is taken on the raw sample; only what the sensor sees is clamped.
                where_ = sample.scalars.map { min(max($0, -1), 1) }
            case .mean:
                where_ = policyMean().scalars.map { min(max($0, -1), 1) }
            case .random:
                where_ = (0..<(batch * 2)).map { _ in generator.nextUniform(Float.self) * 2 - 1 }
            }
        }
        return Episode(logits: action(hidden), baselines: baselines, samples: samples, locations: visited)
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
    /// each location node's advantage `(R - b_t) / batch` set for REINFORCE.
    /// Backward from the returned loss trains all parts.
    public func hybridLoss(_ episode: Episode, labels: [Int]) -> (loss: Variable<Float>, statistics: StepStatistics) {
        let tape = episode.logits.tape
        let batch = labels.count
        let crossEntropy = softmaxCrossEntropy(logits: episode.logits, labels: labels)
        let predicted = Self.predictions(episode.logits)
        let rewards = zip(predicted, labels).map { $0 == $1 ? Float(1) : 0 }
        var loss = crossEntropy
        var baselineError: Float = 0
        if !episode.baselines.isEmpty {
            let reward = tape.constant(Tensor(shape: [batch, 1], scalars: rewards))
            var squared: Variable<Float>?
            for (b, sample) in zip(episode.baselines, episode.samples) {
                let advantage = zip(rewards, b.scalars).map { ($0 - $1) / Float(batch) }
                sample.setAdvantage(Tensor(shape: [batch, 1], scalars: advantage))
                let term = meanSquaredError(predictions: b, targets: reward)
                squared = squared.map { $0 + term } ?? term
            }
            let baselineLoss = squared! * (1 / Float(episode.baselines.count))
            baselineError = baselineLoss.scalars[0]
            loss = loss + baselineLoss
        }
        let correct = Int(rewards.reduce(0, +))
        return (loss, StepStatistics(crossEntropy: crossEntropy.scalars[0], baselineError: baselineError,
                                     reward: Float(correct) / Float(batch), correct: correct, count: batch))
    }

    /// The most likely class of each row of `[batch, classes]` logits.
    public static func predictions(_ logits: Variable<Float>) -> [Int] {
        let classes = logits.shape[1], values = logits.scalars
        return (0..<logits.shape[0]).map { r in
            (0..<classes).max { values[r * classes + $0] < values[r * classes + $1] }!
        }
    }
}

/// The core network: the paper's ReLU RNN, or an LSTM.
enum CoreNetwork {
    case relu(RNNCell<Float>)
    case lstm(LSTMCell<Float>)

    /// The recurrent state; `hidden` is what the other networks read.
    struct State {
        var hidden: Variable<Float>
        var cell: Variable<Float>?
    }

    func zeroState(batchSize: Int, on tape: Tape<Float>) -> State {
        switch self {
        case .relu(let cell):
            return State(hidden: cell.zeroState(batchSize: batchSize, on: tape))
        case .lstm(let cell):
            let s = cell.zeroState(batchSize: batchSize, on: tape)
            return State(hidden: s.hidden, cell: s.cell)
        }
    }

    func callAsFunction(_ g: Variable<Float>, state: State) -> State {
        switch self {
        case .relu(let cell):
            return State(hidden: cell(g, state: state.hidden))
        case .lstm(let cell):
            let next = cell(g, state: .init(hidden: state.hidden, cell: state.cell!))
            return State(hidden: next.hidden, cell: next.cell)
        }
    }
}
