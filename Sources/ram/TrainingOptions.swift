/// How a model is trained; saved in every checkpoint so a resumed run continues as it began.
struct TrainingOptions: Codable, Sendable, Equatable {
    enum OptimizerKind: String, Codable, Sendable, CaseIterable { case sgd, adam }
    enum ScheduleKind: String, Codable, Sendable, CaseIterable {
        /// A constant learning rate.
        case constant
        /// Linear decay to zero over all steps, as in the paper.
        case linear
        /// Divided by 10 at 50 % and again at 75 % of the epochs.
        case step
        /// Divided by 10 when the validation error stops improving for 5 epochs.
        case plateau
    }

    var optimizer = OptimizerKind.adam
    var learningRate = 1e-3
    /// SGD's momentum (the paper uses 0.9).
    var momentum = 0.9
    var schedule = ScheduleKind.linear
    var batchSize = 32
    var epochs = 10
    /// Clip the global gradient norm to this (0: no clipping).
    var gradientClip = 0.0
    /// Seeds the batch order, the placements and the location samples.
    var seed: UInt64 = 1
    /// `--data-dir`, so `--resume`, `evaluate` and `visualize` find the same data (nil: the default).
    var dataDirectory: String?
}
