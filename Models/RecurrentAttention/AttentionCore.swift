import Autograd
import NeuralNetworks

// What RAM and the Catch agent share, with one set of names: a glimpse (retina, glimpse
// network, one step of the recurrent core), and a location policy that reads the core state.
//
// ```
// g_t     = glimpse(rho(x_t, l_t), l_t)
// h_t     = core(g_t, h_{t-1})                   any RecurrentCell
// l_{t+1} ~ N(mu(h_t), sd^2)                     mu(h) = tanh(Linear(h)), or Linear(h), with an
//                                                optional hidden ReLU layer inside
// ```

/// How a model chooses where to look (and, for the Catch agent, how to move).
public enum AttentionPolicy: Sendable {
    /// Sample from the policies (training, and the "one sample" evaluation).
    case sample
    /// The policies' means: the mean location (and the most likely move). Deterministic.
    case mean
    /// Uniformly random locations, the first one too: the random-glimpse ablation.
    case random
}

extension GlimpseNetwork {
    /// One glimpse: the retina at `locations` (`batch` `(x, y)` pairs in [-1, 1]) on `images`
    /// (`[batch, height, width]`), through the glimpse network, and one step of `core`.
    public func look<Cell: RecurrentCell<Float>>(
        at images: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
        locations: [Float], core: Cell, state: Cell.State,
        on tape: Tape<Float>
    ) -> Cell.State {
        // The retina writes straight into the tape's memory.
        let rho = tape.constant(shape: [batch, sensor.featureCount]) { out in
            sensor.extract(
                images: images, batch: batch, height: height, width: width, locations: locations,
                into: out.baseAddress!)
        }
        let l = tape.constant(shape: [batch, 2]) { out in _ = out.initialize(from: locations) }
        return core(self(rho, at: l), state: state)
    }
}

/// The location policy: a Gaussian with a fixed standard deviation, its mean read from the
/// core state. Registers `location.hidden` (when it has a hidden layer) and `location`.
public struct LocationNetwork {
    let hidden: Linear<Float>?
    let output: Linear<Float>
    /// Whether the mean is `tanh(Linear(.))`, inside the image, or the paper's `Linear(.)`.
    public let squashesMean: Bool

    /// A policy reading `coreSize` units, through `hiddenSize` ReLU units first (0: none).
    public init(
        coreSize: Int, hiddenSize: Int, squashesMean: Bool, store: ParameterStore<Float>,
        generator: inout SeededGenerator
    ) {
        hidden =
            hiddenSize > 0
            ? Linear(
                inputSize: coreSize, outputSize: hiddenSize, name: "location.hidden", store: store,
                generator: &generator)
            : nil
        output = Linear(
            inputSize: hiddenSize > 0 ? hiddenSize : coreSize, outputSize: 2, name: "location", store: store,
            generator: &generator)
        self.squashesMean = squashesMean
    }

    /// The parameters of the last layer (the Catch agent starts them at zero).
    public var outputParameters: [Parameter] { [output.weight] + (output.bias.map { [$0] } ?? []) }

    /// The policy's mean `[batch, 2]` from the core state `h` (or `h` behind a stop-gradient,
    /// so REINFORCE trains only this network).
    public func mean(_ h: Variable<Float>) -> Variable<Float> {
        let features = hidden.map { $0(h, activation: .relu) } ?? h
        return squashesMean ? output(features).tanh() : output(features)
    }

    /// Where the retina looks next under `policy`, and for `.sample` the stochastic node that
    /// REINFORCE trains. The log-probability is the raw sample's; only what the retina sees
    /// is clamped to the image. `mean` is recorded only when the policy needs it. `shard`
    /// says which rows of a larger batch these are (nil: all of it).
    public static func next(
        _ policy: AttentionPolicy, mean: () -> Variable<Float>, batch: Int, standardDeviation: Float,
        shard: BatchShard? = nil,
        using generator: inout SeededGenerator
    ) -> (locations: [Float], sample: Variable<Float>?) {
        switch policy {
        case .sample:
            let mean = mean()
            let sample = (shard ?? .whole(batch)).drawing(2, with: &generator, skip: { _ = $0.nextNormal() }) {
                Normal(mean: mean, standardDeviation: standardDeviation).sample(using: &$0)
            }
            return (sample.scalars.map { min(max($0, -1), 1) }, sample)
        case .mean:
            return (mean().scalars.map { min(max($0, -1), 1) }, nil)
        case .random:
            return (uniform(batch: batch, shard: shard, using: &generator), nil)
        }
    }

    /// `batch` locations drawn uniformly from the image, as `(x, y)` pairs (the rows `shard`
    /// holds of a larger batch; nil: all of it).
    public static func uniform(batch: Int, shard: BatchShard? = nil, using generator: inout SeededGenerator) -> [Float]
    {
        (shard ?? .whole(batch)).drawing(2, with: &generator, skip: { _ = $0.nextUniform(Float.self) }) { generator in
            (0..<(batch * 2)).map { _ in generator.nextUniform(Float.self) * 2 - 1 }
        }
    }
}
