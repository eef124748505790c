/// The hyperparameters of a recurrent attention model; saved with every checkpoint.
///
/// Defaults follow Mnih et al. (2014) for MNIST: 6 glimpses of one 8x8 patch, a glimpse
/// network of 128 + 128 -> 256 units and a ReLU core of 256 units; `RAMRecipe` holds the
/// settings the kept models trained with. What the paper leaves open is a documented choice
/// here (see docs/experiments.md). Each setting is declared once, in `settings`
/// (RAMConfiguration+Settings.swift): its flag, range, saved key and summary follow from it.
public struct RAMConfiguration: Sendable, Equatable {
    public enum Core: String, Sendable, CaseIterable {
        /// `h_t = ReLU(Linear(h_{t-1}) + Linear(g_t))`, as the paper uses for classification.
        case relu
        /// An LSTM, as the paper uses for the Catch game.
        case lstm
    }

    public var imageHeight: Int
    public var imageWidth: Int
    public var classes = 10
    /// Glimpses per image; the location policy acts between them (glimpses - 1 times).
    public var glimpses = 6
    public var patchSize = 8
    public var scales = 1
    public var glimpseHidden = 128
    public var locationHidden = 128
    public var glimpseSize = 256
    public var coreSize = 256
    public var core = Core.relu
    /// How the location network turns the core state into the policy's mean.
    public enum LocationMean: String, Sendable, CaseIterable {
        /// `Linear(h_t)`, as the paper states it; the mean can leave [-1, 1], where every
        /// sample is clamped to the border and the policy tends to park glimpses in a corner.
        case linear
        /// `tanh(Linear(h_t))`: the mean stays inside the image (as the Torch7 example bounds
        /// it with HardTanh, and the most used PyTorch implementation with tanh).
        case tanh
    }

    public var locationMean = LocationMean.tanh
    /// The fixed standard deviation of the Gaussian location policy (the paper does not give
    /// it; 0.05 to 0.2 is common for MNIST).
    public var locationStandardDeviation: Float = 0.17
    /// When set, training narrows the policy linearly from `locationStandardDeviation` at the
    /// first step to this at the last, and sampling after training uses this. Wide exploration
    /// finds the digit early; narrow sampling late lets the classifier train on glimpses close
    /// to the mean ones it is evaluated with. nil: the deviation stays fixed.
    public var finalLocationStandardDeviation: Float?
    /// Whether the location policy's REINFORCE gradient reaches the core network (and the
    /// glimpse network below it). The Torch7 implementation lets it; the most used PyTorch one
    /// detaches `h_t`. Default: it does not, so the core is shaped by the classification loss
    /// alone and the high-variance policy gradient trains only the location network.
    public var locationTrainsCore = false
    /// What REINFORCE's gradient is multiplied by against the cross-entropy's. Adam scales
    /// the location network's steps alike whatever it is; it sets how much the policy
    /// gradient shapes the core when `locationTrainsCore` lets it reach it.
    public var policyGradientWeight: Float = 1
    /// Whether the baseline's squared error reaches the core network. Default: it does not.
    public var baselineTrainsCore = false
    /// Hidden ReLU units between the core state and the location policy's mean (0: the paper's
    /// `Linear(h_t)` straight to the mean). A hidden layer lets the policy make a non-linear
    /// use of the state, as the most used PyTorch implementation does (256 -> 128 -> 2).
    public var locationNetworkHidden = 0
    /// Whether training starts each episode at a uniformly random location instead of the
    /// centre (the arXiv version of the paper; evaluation always starts at the centre).
    /// Without it every image's first glimpse is the same, and the policy learns from one
    /// starting view only.
    public var randomFirstGlimpse = false
    /// Training runs every image this many times, each with its own first glimpse and sampled
    /// locations, and each run's REINFORCE baseline is the mean reward of the image's other
    /// runs (leave-one-out; Kool, van Hoof and Welling 2019) instead of the learned `b_t`,
    /// which then does not train. 1: the paper's learned baseline.
    public var samplesPerImage = 1

    public init(imageHeight: Int, imageWidth: Int) {
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
    }

    public var sensor: GlimpseSensor { GlimpseSensor(patchSize: patchSize, scales: scales) }

    /// The policy's standard deviation after `progress` (0 at the first training step, 1 at
    /// the end) of training.
    public func locationStandardDeviation(atProgress progress: Double) -> Float {
        guard let final = finalLocationStandardDeviation else { return locationStandardDeviation }
        let p = Float(min(max(progress, 0), 1))
        return locationStandardDeviation + (final - locationStandardDeviation) * p
    }
}
