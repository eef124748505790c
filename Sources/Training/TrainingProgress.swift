import NeuralNetworks

/// Where a training run stands: everything a resumed run needs besides the parameters and the
/// optimizer's state, saved in every checkpoint as one JSON record.
public struct TrainingProgress: Codable, Sendable {
    public var completedEpochs = 0
    /// Updates taken so far.
    public var step = 0
    /// Samples (images, frames) the updates saw, over every process.
    public var samples = 0
    /// Training time over every session of the run.
    public var elapsedSeconds = 0.0
    /// The best value of the selection metric so far (nil before the first epoch ends). In
    /// `best`, the value of the model it holds.
    public var best: Double?
    public var history: [EpochRecord] = []
    /// The plateau schedule's state, when the run uses it.
    public var plateau: ReduceOnPlateau?
    /// The mean loss of the run's first ten steps: where it started, to tell an explosion.
    public var startingLoss: Double?
    /// The figure the run watches for (`Trainer.target`), and where it first reached it.
    public var target: Double?, reachedTarget: TargetReached?
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
        // A key per field; the best figure under its metric's name (`best_validation_error`),
        // and a run that counted frames (`frames`) without epochs.
        let m = checkpoint.metadata
        guard let step = m["step"].flatMap({ Int($0) }) else { return nil }
        self.step = step
        history = checkpoint.json("history") ?? []
        completedEpochs = m["completed_epochs"].flatMap { Int($0) } ?? history.count
        samples = m["frames"].flatMap { Int($0) } ?? 0
        elapsedSeconds = m["elapsed_seconds"].flatMap { Double($0) } ?? 0
        best = m.first { $0.key.hasPrefix("best_validation_") }.flatMap { Double($0.value) }
            .flatMap { $0.isFinite ? $0 : nil }
        plateau = checkpoint.json("plateau")
        partialEpoch = checkpoint.json("partial_epoch")
    }

    private enum CodingKeys: String, CodingKey {
        case completedEpochs, step, samples, elapsedSeconds, best, history, plateau, startingLoss, target, reachedTarget
        case partialEpoch
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Records written before there was one loop named the best figure after its metric
        // (`bestValidationError`) and counted frames rather than samples.
        let earlier = try decoder.container(keyedBy: AnyKey.self)
        let earlierBest = try earlier.allKeys.first { $0.stringValue.hasPrefix("bestValidation") }
            .flatMap { try earlier.decodeIfPresent(Double.self, forKey: $0) }
        step = try c.decode(Int.self, forKey: .step)
        history = try c.decodeIfPresent([EpochRecord].self, forKey: .history) ?? []
        completedEpochs = try c.decodeIfPresent(Int.self, forKey: .completedEpochs) ?? history.count
        samples =
            try c.decodeIfPresent(Int.self, forKey: .samples)
            ?? earlier.decodeIfPresent(Int.self, forKey: AnyKey(stringValue: "frames")) ?? 0
        elapsedSeconds = try c.decodeIfPresent(Double.self, forKey: .elapsedSeconds) ?? 0
        best = try c.decodeIfPresent(Double.self, forKey: .best) ?? earlierBest
        plateau = try c.decodeIfPresent(ReduceOnPlateau.self, forKey: .plateau)
        startingLoss = try c.decodeIfPresent(Double.self, forKey: .startingLoss)
        target = try c.decodeIfPresent(Double.self, forKey: .target)
        reachedTarget = try c.decodeIfPresent(TargetReached.self, forKey: .reachedTarget)
        partialEpoch = try c.decodeIfPresent(PartialEpoch.self, forKey: .partialEpoch)
    }
}

/// Where a run first reached its target: the epoch, the step, the samples seen and the training
/// time until then (everything the clock saw: steps, data, validations, logs), and the figure.
public struct TargetReached: Codable, Sendable, Equatable {
    public var epoch: Int, step: Int, samples: Int
    public var elapsedSeconds: Double, value: Double
}

/// One line of a run's history: an epoch's figures, by metric name.
public struct EpochRecord: Codable, Sendable, Equatable {
    public var epoch: Int
    /// The run's step and samples seen at the epoch's end (nil in records written before they were kept).
    public var step: Int?, samples: Int?
    public var seconds: Double
    public var values: [String: Double]

    public init(epoch: Int, step: Int? = nil, samples: Int? = nil, seconds: Double, values: [String: Double] = [:]) {
        (self.epoch, self.step, self.samples, self.seconds, self.values) = (epoch, step, samples, seconds, values)
    }

    public subscript(metric: String) -> Double? {
        get { values[metric] }
        set { values[metric] = newValue }
    }

    private enum CodingKeys: String, CodingKey { case epoch, step, samples, seconds, values }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seconds = try c.decode(Double.self, forKey: .seconds)
        if let values = try c.decodeIfPresent([String: Double].self, forKey: .values) {
            epoch = try c.decode(Int.self, forKey: .epoch)
            (step, samples, self.values) = (
                try c.decodeIfPresent(Int.self, forKey: .step),
                try c.decodeIfPresent(Int.self, forKey: .samples), values
            )
            return
        }
        // An earlier record, a field per figure: `validationError` is now the metric `validation_error`.
        let fields = try decoder.container(keyedBy: AnyKey.self)
        values = [:]
        for key in fields.allKeys where !["epoch", "seconds", "frames"].contains(key.stringValue) {
            if let value = try? fields.decode(Double.self, forKey: key) { values[snakeCase(key.stringValue)] = value }
        }
        samples = try fields.decodeIfPresent(Int.self, forKey: AnyKey(stringValue: "frames"))
        epoch = try c.decodeIfPresent(Int.self, forKey: .epoch) ?? 0
        step = nil
    }
}

/// The running figures of an epoch, saved when a run stops in the middle of one.
public struct PartialEpoch: Codable, Sendable, Equatable {
    public var steps = 0, samples = 0, seconds = 0.0
    /// The steps' metrics, each weighted by the share of its batch this process computed.
    public var sums: [String: Double] = [:]
    /// The shares added up: the steps' worth of batches this process's sums stand for.
    public var shares = 0.0

    public init(steps: Int = 0) { self.steps = steps }

    /// Adds a step's figures; `share` is the part of the batch they are the means of.
    mutating func record(_ metrics: [String: Double], samples count: Int, share: Double) {
        steps += 1
        samples += count
        shares += share
        for (name, value) in metrics { sums[name, default: 0] += share * value }
    }

    /// The means of the metrics over the steps so far.
    public var means: [String: Double] { sums.mapValues { $0 / max(shares, 1e-12) } }

    private enum CodingKeys: String, CodingKey { case steps, samples, seconds, sums, shares }
    private enum EarlierKeys: String, CodingKey { case seen, correct }

    /// Decodes a partial epoch, also as the classifier trainer wrote it before there was one loop.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        steps = try c.decode(Int.self, forKey: .steps)
        seconds = try c.decodeIfPresent(Double.self, forKey: .seconds) ?? 0
        if let sums = try c.decodeIfPresent([String: Double].self, forKey: .sums) {
            self.sums = sums
            samples = try c.decode(Int.self, forKey: .samples)
            shares = try c.decodeIfPresent(Double.self, forKey: .shares) ?? Double(steps)
            return
        }
        // The classifier trainer's earlier form: counts, and `lossSum` and the like for each
        // figure (zero where the model had no such figure).
        let e = try decoder.container(keyedBy: EarlierKeys.self)
        samples = try e.decode(Int.self, forKey: .seen)
        shares = Double(steps)
        let correct = Double(try e.decode(Int.self, forKey: .correct))
        sums["training_error"] = Double(steps) * (1 - correct / Double(max(samples, 1)))
        let fields = try decoder.container(keyedBy: AnyKey.self)
        for key in fields.allKeys where key.stringValue.hasSuffix("Sum") {
            let value = try fields.decode(Double.self, forKey: key)
            if value != 0 { sums[snakeCase(String(key.stringValue.dropLast(3)))] = value }
        }
    }
}

/// Any key of a JSON object, for reading records whose fields were named by older code.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// `validationError` as `validation_error`: how a record's earlier field names map to metric names.
private func snakeCase(_ name: String) -> String {
    name.reduce(into: "") { result, character in
        if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
    }
}
