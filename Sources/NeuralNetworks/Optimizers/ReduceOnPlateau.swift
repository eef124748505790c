import Autograd

/// A learning rate that drops by a factor when a validation metric stops improving
/// (PyTorch's `ReduceLROnPlateau`, relative threshold).
///
/// ```
/// improved  = metric < best * (1 - threshold)        (maximize: metric > best * (1 + threshold))
/// bad       = improved ? 0 : bad + 1
/// if bad > patience:  rate = max(rate * factor, minimum);  bad = 0;  wait `cooldown` epochs
/// ```
/// `patience` bad epochs in a row are tolerated; the next one reduces the rate. During a
/// cooldown, bad epochs are not counted. A NaN metric counts as a bad epoch.
///
/// ```swift
/// var plateau = ReduceOnPlateau(learningRate: 1e-3, patience: 5)
/// optimizer.learningRate = plateau.record(validationLoss)   // once per epoch
/// ```
/// The schedule is `Codable`, so its state can be stored in a checkpoint's metadata.
public struct ReduceOnPlateau: Codable, Sendable, Equatable {
    /// Whether a smaller or a larger metric is better.
    public enum Mode: String, Codable, Sendable { case minimize, maximize }

    /// The current learning rate.
    public private(set) var learningRate: Double
    public let mode: Mode
    /// The multiplier applied at each reduction, in (0, 1).
    public let factor: Double
    /// How many bad epochs in a row are tolerated before a reduction.
    public let patience: Int
    /// The relative improvement that counts as better than the best so far.
    public let threshold: Double
    /// How many epochs after a reduction are not counted as bad.
    public let cooldown: Int
    /// The rate never drops below this.
    public let minimum: Double

    /// The best metric seen so far (nil before the first epoch).
    public private(set) var best: Double?
    /// The number of bad epochs in a row.
    public private(set) var badEpochs = 0
    private var cooldownRemaining = 0

    /// - Precondition: `0 < factor < 1`, `patience >= 0`, `threshold >= 0`, `cooldown >= 0`,
    ///   `minimum >= 0`.
    public init(
        learningRate: Double, mode: Mode = .minimize, factor: Double = 0.1, patience: Int = 10,
        threshold: Double = 1e-4, cooldown: Int = 0, minimum: Double = 0
    ) {
        require(factor > 0 && factor < 1, "ReduceOnPlateau: the factor must lie in (0, 1), got \(factor)")
        require(patience >= 0 && cooldown >= 0, "ReduceOnPlateau: patience and cooldown must be non-negative")
        require(threshold >= 0 && minimum >= 0, "ReduceOnPlateau: threshold and minimum must be non-negative")
        self.learningRate = learningRate
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.cooldown = cooldown
        self.minimum = minimum
    }

    /// Records one epoch's validation metric and returns the learning rate to use next.
    @discardableResult
    public mutating func record(_ metric: Double) -> Double {
        if isImprovement(metric) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownRemaining > 0 {
            cooldownRemaining -= 1
            badEpochs = 0
        }
        if badEpochs > patience {
            learningRate = max(learningRate * factor, minimum)
            cooldownRemaining = cooldown
            badEpochs = 0
        }
        return learningRate
    }

    private func isImprovement(_ metric: Double) -> Bool {
        guard !metric.isNaN else { return false }
        guard let best else { return true }
        switch mode {
        case .minimize: return metric < best * (1 - threshold)
        case .maximize: return metric > best * (1 + threshold)
        }
    }
}
