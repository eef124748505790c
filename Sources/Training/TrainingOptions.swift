import Autograd
import NeuralNetworks

/// How a classifier is trained; saved in every checkpoint so a resumed run continues as it began.
public struct TrainingOptions: Codable, Sendable, Equatable {
    public enum OptimizerKind: String, Codable, Sendable, CaseIterable { case sgd, adam }

    public var optimizer: OptimizerKind
    public var learningRate: Double
    /// SGD's momentum (the paper uses 0.9).
    public var momentum: Double
    public var schedule: LearningRateSchedule
    public var batchSize: Int
    public var epochs: Int
    /// Clip the global gradient norm to this (0: no clipping).
    public var gradientClip: Double
    /// An L2 penalty on every parameter, added to its gradient as `weightDecay * theta` (0: none).
    public var weightDecay: Double
    /// Seeds the batch order, the placements and the location samples.
    public var seed: UInt64
    /// Where the data came from (nil: the default), so a resumed run, an evaluation and a
    /// picture find the same data.
    public var dataDirectory: String?

    public init(
        optimizer: OptimizerKind = .adam, learningRate: Double = 1e-3, momentum: Double = 0.9,
        schedule: LearningRateSchedule = .linear, batchSize: Int = 32, epochs: Int = 10, gradientClip: Double = 0,
        weightDecay: Double = 0, seed: UInt64 = 1, dataDirectory: String? = nil
    ) {
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.momentum = momentum
        self.schedule = schedule
        self.batchSize = batchSize
        self.epochs = epochs
        self.gradientClip = gradientClip
        self.weightDecay = weightDecay
        self.seed = seed
        self.dataDirectory = dataDirectory
    }

    /// The optimizer these options name, over `store`.
    public func makeOptimizer(for store: ParameterStore<Float>) -> any Optimizer<Float> {
        switch optimizer {
        case .adam: Adam(for: store, learningRate: learningRate, weightDecay: weightDecay)
        case .sgd: SGD(for: store, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        }
    }

    /// One line for logs: "adam lr 0.001 (linear), batch 128, 200 epochs, seed 1", with the
    /// clipping and weight decay where they are on.
    public var summary: String {
        "\(optimizer.rawValue) lr \(learningRate) (\(schedule.rawValue))"
            + (optimizer == .sgd ? ", momentum \(momentum)" : "")
            + (gradientClip > 0 ? ", gradient norm clipped at \(gradientClip)" : "")
            + (weightDecay > 0 ? ", weight decay \(weightDecay)" : "")
            + ", batch \(batchSize), \(epochs) epochs, seed \(seed)"
    }
}

extension TrainingOptions {
    private enum CodingKeys: String, CodingKey {
        case optimizer, learningRate, momentum, schedule, batchSize, epochs, gradientClip, weightDecay, seed,
            dataDirectory
    }

    /// Decodes options; checkpoints written before weight decay existed trained without it.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            optimizer: try c.decode(OptimizerKind.self, forKey: .optimizer),
            learningRate: try c.decode(Double.self, forKey: .learningRate),
            momentum: try c.decode(Double.self, forKey: .momentum),
            schedule: try c.decode(LearningRateSchedule.self, forKey: .schedule),
            batchSize: try c.decode(Int.self, forKey: .batchSize),
            epochs: try c.decode(Int.self, forKey: .epochs),
            gradientClip: try c.decode(Double.self, forKey: .gradientClip),
            weightDecay: try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? 0,
            seed: try c.decode(UInt64.self, forKey: .seed),
            dataDirectory: try c.decodeIfPresent(String.self, forKey: .dataDirectory))
    }
}

/// How the learning rate changes over a run.
public enum LearningRateSchedule: String, Codable, Sendable, CaseIterable {
    /// A constant learning rate.
    case constant
    /// Linear decay to zero over all steps, as in the paper.
    case linear
    /// Divided by 10 at 50 % and again at 75 % of the steps.
    case step
    /// Divided by 10 when the selection metric stops improving for 5 epochs.
    case plateau

    /// The learning rate for the update after `step` of `totalSteps`, from `initial` (`plateau`
    /// holds the plateau schedule's state).
    public func learningRate(_ initial: Double, at step: Int, of totalSteps: Int, plateau: ReduceOnPlateau?) -> Double {
        switch self {
        case .constant: initial
        case .linear: LinearDecay(from: initial, overSteps: totalSteps).learningRate(at: step)
        case .step: initial * (step >= totalSteps * 3 / 4 ? 0.01 : step >= totalSteps / 2 ? 0.1 : 1)
        case .plateau: plateau?.learningRate ?? initial
        }
    }

    /// The plateau schedule's starting state, when the schedule is `plateau`.
    public func initialPlateau(learningRate: Double, selection: Selection) -> ReduceOnPlateau? {
        self == .plateau
            ? ReduceOnPlateau(
                learningRate: learningRate, mode: selection.lowerIsBetter ? .minimize : .maximize,
                factor: 0.1, patience: 5)
            : nil
    }
}
