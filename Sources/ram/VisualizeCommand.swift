import Autograd
import Datasets
import Foundation
import Imaging
import RecurrentAttention

/// `ram visualize`: a trained RAM's glimpse paths drawn on test images, as a PNG and as an
/// animated PNG that plays in a browser.
enum VisualizeCommand {
    static let command = Command(
        name: "visualize",
        summary: "Draw a trained RAM's glimpses (every scale's box, in order) on test images: PNG and animated PNG.",
        options: [
            .string("checkpoint", valueName: "file", isRequired: true, help: "A RAM checkpoint written by 'ram train'."),
            .string("output", valueName: "file.png", isRequired: true,
                    help: "The still picture; the animation goes beside it as <name>-animated.png."),
            .integer("count", default: 9, range: 1...64, help: "How many test images."),
            .integer("seed", default: 1, range: 0...Int.max, help: "Which test images (a seeded choice)."),
            .string("data-dir", valueName: "dir", help: "Folder with MNIST-format IDX files (default: the bundled MNIST)."),
        ],
        run: run)

    static func run(_ arguments: ParsedArguments) throws {
        let (run, classifier) = try EvaluateCommand.loadModel(arguments.string("checkpoint")!)
        guard let ram = classifier as? RAMClassifier else {
            throw CommandFailure(description: "\(arguments.string("checkpoint")!): a \(run.specification.kind.rawValue) model has no glimpses to draw")
        }
        let task = DatasetTask(name: run.specification.task)!
        let data = try TaskData.load(task, from: arguments.string("data-dir") ?? run.options.dataDirectory,
                                     for: run.specification)
        let images = TaskGenerator(source: data.test, task: task, seed: EvaluateCommand.testSeed, isFixed: true)
        let batcher = Batcher(generator: images, batchSize: arguments.integer("count"), shuffles: true)
        let batch = batcher.batch(of: Array(batcher.order(epoch: arguments.integer("seed")).prefix(batcher.batchSize)), epoch: 0)

        let tape = Tape<Float>()
        var generator = SeededGenerator(seed: 0)
        let episode = ram.model.run(batch.images, on: tape, policy: .mean, using: &generator)
        let predictions = RecurrentAttentionModel.predictions(episode.logits)
        let drawing = GlimpseDrawing(configuration: ram.model.configuration, batch: batch,
                                     locations: episode.locations, predictions: predictions)
        let output = arguments.string("output")!
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: output).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        try drawing.frame(showing: episode.locations.count).writePNG(to: output)
        let frames = (1...episode.locations.count).map { drawing.frame(showing: $0) }
        let animated = (output.hasSuffix(".png") ? String(output.dropLast(4)) : output) + "-animated.png"
        try APNGEncoder.write(frames: frames, delayMilliseconds: frames.indices.map { $0 == frames.count - 1 ? 2000 : 700 },
                              to: animated)
        CommandLineTool.say("wrote \(output) and \(animated): \(batch.count) test images, \(episode.locations.count) glimpses each, "
            + "\(zip(predictions, batch.labels).filter { $0 == Int($1) }.count) classified correctly")
    }
}

/// Draws glimpse paths: each image scaled up, each glimpse's boxes (one per scale) in a colour
/// that runs from green (first) to red (last), centres joined in order, and the glimpse number.
struct GlimpseDrawing {
    let configuration: RAMConfiguration
    let batch: Batch
    let locations: [[Float]]
    let predictions: [Int]

    var scale: Int { max(1, 200 / max(configuration.imageHeight, configuration.imageWidth)) }

    static func color(_ t: Int, of count: Int) -> Color {
        let f = count > 1 ? Double(t) / Double(count - 1) : 0
        return Color(red: UInt8(40 + 200 * f), green: UInt8(220 - 180 * f), blue: 60)
    }

    /// The grid with the first `glimpses` glimpses drawn.
    func frame(showing glimpses: Int) -> Image {
        let (height, width) = (configuration.imageHeight, configuration.imageWidth)
        let columns = max(1, Int(Double(batch.count).squareRoot().rounded(.up)))
        let rows = (batch.count + columns - 1) / columns
        let margin = 8, labelHeight = 20
        let cellWidth = width * scale + margin, cellHeight = height * scale + labelHeight + margin
        var picture = Image(width: columns * cellWidth + margin, height: rows * cellHeight + margin, background: Color(gray: 40))
        let sensor = configuration.sensor
        for b in 0..<batch.count {
            let originX = margin + (b % columns) * cellWidth, originY = margin + (b / columns) * cellHeight
            var cell = Image(width: width, height: height)
            cell.paste(intensities: batch.images.scalars[(b * height * width)..<((b + 1) * height * width)],
                       width: width, height: height, atX: 0, y: 0)
            var big = cell.scaled(by: scale)
            var previous: (Int, Int)?
            for t in 0..<min(glimpses, locations.count) {
                let (x, y) = (locations[t][2 * b], locations[t][2 * b + 1])
                let color = Self.color(t, of: locations.count)
                let current = t == glimpses - 1
                for k in 0..<sensor.scales {
                    let w = sensor.window(x: x, y: y, scale: k, height: height, width: width)
                    big.stroke(Rectangle(x: w.column * scale, y: w.row * scale, width: w.size * scale, height: w.size * scale),
                               color: color, thickness: current ? 2 : 1)
                }
                let centre = (Int((x + 1) / 2 * Float(width * scale)), Int((y + 1) / 2 * Float(height * scale)))
                if let previous { big.drawLine(fromX: previous.0, y: previous.1, toX: centre.0, y: centre.1, color: color) }
                _ = big.draw(text: String(t + 1), atX: centre.0 + 2, y: centre.1 + 2, scale: 2, color: color)
                previous = centre
            }
            picture.paste(big, atX: originX, y: originY)
            let label = Int(batch.labels[b]), predicted = predictions[b]
            let done = glimpses == locations.count
            _ = picture.draw(text: done ? "\(label) \(predicted)" : "\(label)", atX: originX, y: originY + height * scale + 4,
                             scale: 3, color: !done ? .yellow : (label == predicted ? .green : .red))
        }
        return picture
    }
}
