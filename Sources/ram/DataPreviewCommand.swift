import Datasets
import Imaging

/// `ram data preview`: writes a labelled grid of a task's sample images to a PNG file.
enum DataPreviewCommand {
    static let taskNames = DatasetTask.named.map(\.name)

    static let command = Command(
        name: "preview",
        summary: "Write a labelled grid of sample images of a task to a PNG file.",
        options: [
            .choice("task", taskNames, isRequired: true, help: "The task whose images to show."),
            .string("output", valueName: "file.png", isRequired: true, help: "Where to write the PNG grid."),
            .choice("split", Split.allCases.map(\.rawValue), default: "train", help: "Which part of the data set."),
            .integer("count", default: 64, range: 1...1024, help: "How many images to show."),
            .integer("seed", default: 1, range: 0...Int.max, help: "Seed for the order and the placements."),
            .integer(
                "epoch", default: 0, range: 0...Int.max,
                help: "Training epoch whose placements to show (validation and test are fixed)."),
            .string(
                "data-dir", valueName: "dir",
                help: "Folder with the four MNIST-format IDX files, plain or .gz (default: bundled MNIST; "
                    + "for fashion-mnist \(MNIST.debianFashionMNISTDirectory))."),
            .flag("show-target", help: "Outline where the target image was placed."),
        ],
        run: run)

    static func run(_ arguments: ParsedArguments) throws {
        let task = DatasetTask(name: arguments.string("task")!)!
        let split = Split(rawValue: arguments.string("split")!)!
        let seed = UInt64(arguments.integer("seed"))
        let epoch = arguments.integer("epoch")
        let output = arguments.string("output")!

        let splits = try TaskData.load(task, from: arguments.string("data-dir"))

        let generator = TaskGenerator(source: splits[split], task: task, seed: seed, isFixed: split.isFixed)
        let count = min(arguments.integer("count"), generator.count)
        let batcher = Batcher(generator: generator, batchSize: count, shuffles: true)
        let batch = batcher.batch(of: Array(batcher.order(epoch: epoch).prefix(count)), epoch: epoch)

        let size = generator.height * generator.width
        let images = (0..<batch.count).map { batch.images.scalars[$0 * size..<($0 + 1) * size] }
        let boxes =
            arguments.flag("show-target")
            ? batch.indices.map { index in
                generator.placement(of: index, epoch: epoch).map {
                    Rectangle(x: $0.column, y: $0.row, width: generator.source.width, height: generator.source.height)
                }
            }
            : []
        let picture = SampleGrid.render(
            images: images, labels: batch.labels,
            height: generator.height, width: generator.width, targetBoxes: boxes)
        try picture.writePNG(to: output)
        print(
            "wrote \(output): \(batch.count) \(task.name) \(split.rawValue) images, "
                + "\(generator.height)x\(generator.width), seed \(seed), epoch \(epoch)")
    }
}
