import NeuralNetworks

/// Where a classifier's training run stands: everything a resumed run needs besides the
/// parameters and the optimizer's state, saved in every checkpoint as one JSON record.
public struct TrainingProgress: Codable, Sendable {
    public var completedEpochs = 0
    /// Updates taken so far.
    public var step = 0
    /// Training time over every session of the run.
    public var elapsedSeconds = 0.0
    /// The best validation error so far (nil before the first epoch ends). In `best`, the
    /// error of the model it holds.
    public var bestValidationError: Double?
    public var history: [EpochRecord] = []
    /// The plateau schedule's state, when the run uses it.
    public var plateau: ReduceOnPlateau?
    /// The running figures of an epoch the run stopped in (nil at an epoch's end).
    public var partialEpoch: PartialEpoch?

    public init() {}

    /// The key of the record in a checkpoint's metadata.
    public static let metadataKey = "progress"

    /// The progress `checkpoint` records, or nil when it records none. Checkpoints written
    /// before the record existed kept its fields under keys of their own; those are read too.
    public init?(of checkpoint: Checkpoint) {
        if let saved = checkpoint.json(Self.metadataKey, as: Self.self) {
            self = saved
            return
        }
        let m = checkpoint.metadata
        guard let epochs = m["completed_epochs"].flatMap({ Int($0) }), let step = m["step"].flatMap({ Int($0) }) else { return nil }
        (completedEpochs, self.step) = (epochs, step)
        elapsedSeconds = m["elapsed_seconds"].flatMap { Double($0) } ?? 0
        bestValidationError = m["best_validation_error"].flatMap { Double($0) }.flatMap { $0.isFinite ? $0 : nil }
        history = checkpoint.json("history") ?? []
        plateau = checkpoint.json("plateau")
        partialEpoch = checkpoint.json("partial_epoch")
    }
}

/// One line of a run's history: an epoch's figures.
public struct EpochRecord: Codable, Sendable {
    public var epoch: Int
    public var trainingError: Double
    public var validationError: Double
    public var seconds: Double
    /// RAM: glimpses 2...T's mean distance from the digit (pixels) and how often their finest
    /// patch holds ink, on 2,000 validation images with the policy's mean.
    public var glimpseDistance: Double?
    public var glimpseInk: Double?
    /// The epoch's means of the training loss and its parts (RAM: the baseline's squared
    /// error and the reward, the fraction of sampled episodes classified right).
    public var loss: Double?, crossEntropy: Double?, baselineError: Double?, reward: Double?
    /// The learning rate at the epoch's last step, and training throughput.
    public var learningRate: Double?, imagesPerSecond: Double?

    public init(epoch: Int, trainingError: Double, validationError: Double, seconds: Double) {
        (self.epoch, self.trainingError, self.validationError, self.seconds) = (epoch, trainingError, validationError, seconds)
    }
}

/// The running figures of an epoch, saved when a run stops in the middle of one.
public struct PartialEpoch: Codable, Sendable {
    public var steps = 0, seen = 0, correct = 0, seconds = 0.0
    public var lossSum = 0.0, crossEntropySum = 0.0, baselineErrorSum = 0.0, rewardSum = 0.0
    public var hasPolicyTerms = false

    public init(steps: Int = 0) { self.steps = steps }

    /// Adds a step's figures; `weight` is the share of the batch they are the means of.
    mutating func record(loss: Float, correct right: Int, count: Int, terms: LossTerms, weight: Double = 1) {
        steps += 1
        seen += count
        correct += right
        lossSum += weight * Double(loss)
        crossEntropySum += weight * Double(terms.crossEntropy)
        if let baseline = terms.baselineError, let reward = terms.reward {
            (baselineErrorSum, rewardSum, hasPolicyTerms) = (baselineErrorSum + weight * Double(baseline),
                                                              rewardSum + weight * Double(reward), true)
        }
    }

    /// The means of the loss and its parts over the epoch's steps.
    func fill(_ record: inout EpochRecord) {
        let n = Double(max(steps, 1))
        (record.loss, record.crossEntropy) = (lossSum / n, crossEntropySum / n)
        if hasPolicyTerms { (record.baselineError, record.reward) = (baselineErrorSum / n, rewardSum / n) }
    }
}
