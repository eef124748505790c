import Autograd
import Datasets
import Foundation
import GlimpsePictures
import Imaging
import RecurrentAttention
import SafeFiles

/// `ram visualize`: a trained RAM's glimpse paths drawn on test images, as a PNG and as an
/// animated PNG that plays in a browser.
enum VisualizeCommand {
    static let command = Command(
        name: "visualize",
        summary: "Draw a trained RAM's glimpse paths on test images: PNG and animated PNG.",
        options: [
            .string(
                "checkpoint", valueName: "file", isRequired: true, help: "A RAM checkpoint written by 'ram train'."),
            .string(
                "output", valueName: "file.png", isRequired: true,
                help: "The still picture; the animation goes beside it as <name>-animated.png "
                    + "(none beside a device or FIFO)."),
            .integer("count", default: 9, range: 1...64, help: "How many test images."),
            .integer("seed", default: 1, range: 0...Int.max, help: "Which test images (a seeded choice)."),
            .string(
                "data-dir", valueName: "dir", help: "Folder with MNIST-format IDX files (default: the bundled MNIST)."),
            .choice(
                "scales", GlimpseDrawing.Scales.allCases.map(\.rawValue), default: "path",
                help: "path: each glimpse's centre (numbered, joined in order) and finest patch, "
                    + "the animation adding the current glimpse's coarser scales; "
                    + "all: every scale's box of every glimpse."),
        ],
        run: run)

    static func run(_ arguments: ParsedArguments) throws {
        let (run, classifier) = try EvaluateCommand.loadModel(arguments.string("checkpoint")!)
        guard let ram = classifier as? RAMClassifier else {
            throw CommandFailure(
                description:
                    "\(arguments.string("checkpoint")!): a \(run.specification.kind.rawValue) model has no glimpses "
                    + "to draw"
            )
        }
        let task = DatasetTask(name: run.specification.task)!
        let data = try TaskData.load(
            task, from: arguments.string("data-dir") ?? run.options.dataDirectory,
            for: run.specification)
        let images = TaskGenerator(source: data.test, task: task, seed: EvaluateCommand.testSeed, isFixed: true)
        let batcher = Batcher(generator: images, batchSize: arguments.integer("count"), shuffles: true)
        let batch = batcher.batch(
            of: Array(batcher.order(epoch: arguments.integer("seed")).prefix(batcher.batchSize)), epoch: 0)

        let tape = Tape<Float>()
        var generator = SeededGenerator(seed: 0)
        let episode = ram.model.run(batch.images, on: tape, policy: .mean, using: &generator)
        let predictions = RecurrentAttentionModel.predictions(episode.logits)
        let drawing = GlimpseDrawing(
            sensor: ram.model.configuration.sensor, images: batch.images,
            labels: batch.labels.map(Int.init), locations: episode.locations,
            predictions: predictions,
            scales: GlimpseDrawing.Scales(rawValue: arguments.string("scales")!)!)
        let output = arguments.string("output")!
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: output).deletingLastPathComponent(),
            withIntermediateDirectories: true)
        try drawing.frame(showing: episode.locations.count).writePNG(to: output)
        // A device or FIFO (/dev/null, a pipe) has no folder of its own to put the animation beside.
        var written = output
        if !AtomicFile.writesInPlace(output) {
            let (frames, delays) = drawing.animation()
            let animated = (output.hasSuffix(".png") ? String(output.dropLast(4)) : output) + "-animated.png"
            try APNGEncoder.write(frames: frames, delayMilliseconds: delays, to: animated)
            written += " and \(animated)"
        }
        CommandLineTool.say(
            "wrote \(written): \(batch.count) test images, \(episode.locations.count) glimpses each, "
                + "\(zip(predictions, batch.labels).filter { $0 == Int($1) }.count) classified correctly")
    }
}
