import Autograd

/// The three parts of a data set: fit on train, choose on validation, report on test.
public enum Split: String, CaseIterable, Sendable {
    case train, validation, test

    /// Whether each epoch brings new placements (training) or the set is fixed by its seed.
    public var isFixed: Bool { self != .train }
}

/// A data set's fixed, seeded train/validation split and its test set.
///
/// The paper trains on 50,000 MNIST images and validates on the other 10,000 of the
/// official training set; the 10,000 official test images are reported only at the end.
public struct DatasetSplits: Sendable {
    public let train: LabeledImages
    public let validation: LabeledImages
    public let test: LabeledImages

    /// Splits `training` at random (by `seed`) into `training.count - validationCount`
    /// training images and `validationCount` validation images; `test` stays as it is.
    public init(training: LabeledImages, test: LabeledImages, validationCount: Int = 10_000, seed: UInt64 = 0) {
        require(
            validationCount >= 0 && validationCount <= training.count,
            "DatasetSplits: cannot hold out \(validationCount) of \(training.count) images")
        var generator = SeededGenerator(seed: seed)
        let order = generator.permutation(of: training.count)
        let trainCount = training.count - validationCount
        self.train = training.subset(Array(order[..<trainCount]))
        self.validation = training.subset(Array(order[trainCount...]))
        self.test = test
    }

    /// Loads the data set in `directory` (`nil`: the bundled MNIST) and splits it.
    public static func load(
        from directory: String? = nil, validationCount: Int = 10_000,
        seed: UInt64 = 0
    ) throws(DatasetError) -> DatasetSplits {
        let (training, test) = try MNIST.load(from: directory)
        return DatasetSplits(training: training, test: test, validationCount: validationCount, seed: seed)
    }

    /// The images of one split.
    public subscript(split: Split) -> LabeledImages {
        switch split {
        case .train: return train
        case .validation: return validation
        case .test: return test
        }
    }
}
