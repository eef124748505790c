import Datasets

/// A task's data set, loaded and checked before anything uses it: enough training images for
/// the validation hold-out, a test set that is not empty, images that fit the task's canvas,
/// and, for a saved model, images of the size it takes.
enum TaskData {
    /// Images held out of MNIST's 60,000 training images for validation, as the paper does.
    static let validationCount = 10_000

    /// The splits of `task`'s data in `directory` (nil: the bundled MNIST, or Debian's
    /// Fashion-MNIST for that task), checked against `model` when one is given.
    static func load(
        _ task: DatasetTask, from directory: String?, for model: ModelSpecification? = nil
    ) throws -> DatasetSplits {
        let (training, test) = try images(task, from: directory, for: model)
        return DatasetSplits(training: training, test: test, validationCount: validationCount)
    }

    /// The training and test images `load` splits, read and checked: each failed check is one
    /// line naming the folder and the counts or sizes.
    static func images(
        _ task: DatasetTask, from directory: String?,
        for model: ModelSpecification? = nil
    ) throws -> (training: LabeledImages, test: LabeledImages) {
        let directory = directory ?? (task.usesFashionMNIST ? MNIST.debianFashionMNISTDirectory : nil)
        let loaded = Result { () throws(DatasetError) in try MNIST.load(from: directory) }
        if case .failure(let error) = loaded, error.problem == .missingDirectory,
            directory == MNIST.debianFashionMNISTDirectory
        {
            throw CommandFailure(description: "\(error); install Debian's dataset-fashion-mnist or pass --data-dir")
        }
        let (training, test) = try loaded.get()
        let name = directory ?? "the bundled MNIST"
        func failure(_ problem: String) -> CommandFailure { CommandFailure(description: "\(name): \(problem)") }
        guard training.count > validationCount else {
            throw failure(
                "\(training.count) training images; training holds out \(validationCount) for validation, so it "
                    + "needs more"
            )
        }
        guard test.count > 0 else { throw failure("the test set holds no images") }
        guard (test.height, test.width) == (training.height, training.width) else {
            throw failure(
                "test images are \(test.height)x\(test.width), training images \(training.height)x\(training.width)")
        }
        if let layout = task.layout {
            let crops = layout.distractorCount > 0
            guard training.height <= layout.size, training.width <= layout.size,
                !crops || layout.distractorSize <= min(training.height, training.width)
            else {
                throw failure(
                    "\(training.height)x\(training.width) images do not fit task \(task.name) "
                        + "(a \(layout.size)x\(layout.size) canvas"
                        + (crops ? " with \(layout.distractorSize)x\(layout.distractorSize) distractor crops)" : ")"))
            }
        }
        let height = task.layout?.size ?? training.height
        let width = task.layout?.size ?? training.width
        if let model, (model.ram.imageHeight, model.ram.imageWidth) != (height, width) {
            throw failure(
                "task \(task.name) makes \(height)x\(width) images of these, but the model takes "
                    + "\(model.ram.imageHeight)x\(model.ram.imageWidth); pass the --data-dir it was trained with")
        }
        return (training, test)
    }
}
