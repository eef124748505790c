/// The hyperparameters of a recurrent attention model; saved with every checkpoint.
///
/// Defaults follow Mnih et al. (2014) for MNIST: 6 glimpses of one 8x8 patch, a glimpse
/// network of 128 + 128 -> 256 units and a ReLU core of 256 units. What the paper leaves
/// open is a documented choice here (see ../shared notes in the README).
public struct RAMConfiguration: Codable, Sendable, Equatable {
    public enum Core: String, Codable, Sendable, CaseIterable {
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
    /// The fixed standard deviation of the Gaussian location policy (the paper does not give
    /// it; 0.05 to 0.2 is common for MNIST).
    public var locationStandardDeviation: Float = 0.17
    /// Whether the REINFORCE and baseline gradients reach the core network. The Torch7
    /// implementation lets them; the most used PyTorch one detaches `h_t`. Default: they do
    /// not, so the core is shaped by the classification loss alone and the high-variance
    /// policy gradient trains only the location network.
    public var policyGradientReachesCore = false

    public init(imageHeight: Int, imageWidth: Int) {
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
    }

    public var sensor: GlimpseSensor { GlimpseSensor(patchSize: patchSize, scales: scales) }
}
