import Autograd
import Datasets
import Foundation
import GlimpsePictures
import Imaging
import RecurrentAttention
import SafeFiles
import Training
import TrainingLogs

/// What `ram train` and `ram catch train` leave to look at besides checkpoints, updated after
/// every epoch: the library's `EpochLog` (`metrics.csv`, TensorBoard scalars), and here the
/// settings as TensorBoard text, `learning-curves.png`, and a picture of the model at work
/// (`glimpses/epoch-NNN.png` for RAM, `games/...` for Catch), also sent to TensorBoard.
final class RunLog {
    let directory: URL
    let tensorBoardDirectory: URL?
    /// The figures' log, once attached to a trainer.
    private(set) var epochs: EpochLog?
    private var drawingSeconds = 0.0
    /// Seconds spent writing logs, to report their share of the run.
    var seconds: Double { (epochs?.seconds ?? 0) + drawingSeconds }

    static let glimpseImages = 8

    /// `--logdir` and `--no-tensorboard`, for a command whose runs leave `pictures` (a folder name).
    static func options(pictures: String) -> [Option] {
        [
            .string(
                "logdir", valueName: "dir",
                help:
                    "Where TensorBoard event files go (default: --checkpoint-dir, beside metrics.csv and \(pictures)/)."
            ),
            .flag("no-tensorboard", help: "Write no TensorBoard event files (metrics.csv and the pictures still)."),
        ]
    }

    /// The log of a run in `directory`, with TensorBoard files where `--logdir` and
    /// `--no-tensorboard` say.
    convenience init(directory: URL, arguments: ParsedArguments) {
        self.init(
            directory: directory,
            tensorBoardDirectory: arguments.flag("no-tensorboard")
                ? nil
                : arguments.string("logdir").map { URL(fileURLWithPath: $0) } ?? directory)
    }

    init(directory: URL, tensorBoardDirectory: URL?) {
        (self.directory, self.tensorBoardDirectory) = (directory, tensorBoardDirectory)
    }

    /// Starts the figures' log of `trainer`'s model, which the loop then writes each epoch.
    func attach<Model: Trainable>(to trainer: Trainer<Model>) throws {
        do {
            epochs = try EpochLog(directory: directory, for: trainer.model, tensorBoard: tensorBoardDirectory)
        } catch let error as FileError {
            throw CommandFailure(description: "--logdir \(error.path): \(error.reason)")
        }
        trainer.log = epochs
    }

    /// The run's settings, as text in TensorBoard.
    func settings(_ summary: String, step: Int) throws {
        try timed { try epochs?.events?.text("settings", summary, step: step) }
    }

    /// Redraws `learning-curves.png` with `curves`, and keeps `picture` as `<folder>/<name>.png`
    /// and in TensorBoard at `step`. The pictures are drawn inside, so their cost counts in `seconds`.
    func draw(curves: () -> Image, picture: (image: () -> Image, folder: String, name: String)?, step: Int) throws {
        try timed {
            try AtomicFile.replace(
                directory.appendingPathComponent("learning-curves.png").path, with: curves().pngData())
            guard let picture else { return }
            let folder = directory.appendingPathComponent(picture.folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let image = picture.image()
            let png = image.pngData()
            try AtomicFile.replace(folder.appendingPathComponent(picture.name + ".png").path, with: png)
            try epochs?.events?.image(picture.folder, png: png, width: image.width, height: image.height, step: step)
        }
    }

    /// Two charts against epochs: training and validation error, and the loss and its parts.
    static func learningCurves(_ history: [EpochRecord]) -> Image {
        func curve(_ metric: String, scale: Double = 1) -> [(x: Double, y: Double)] {
            history.compactMap { record in record[metric].map { (Double(record.epoch), $0 * scale) } }
        }
        let epochs = 0...Double(max(2, history.count))
        // The first epochs' errors dwarf the rest: the y range starts after a tenth of the run.
        let settled = history.dropFirst(history.count / 10)
        let errorTop = (settled.map { max($0.trainingError, $0.validationError) }.max() ?? 1) * 100 * 1.05
        var errors = LinePlot(xRange: epochs, yRange: 0...max(errorTop, 0.1))
        (errors.xLabel, errors.yLabel, errors.width) = ("epoch", "error %", 560)
        errors.series = [
            LinePlot.Series(
                points: curve("training_error", scale: 100), color: Color(red: 90, green: 160, blue: 255),
                name: "train"),
            LinePlot.Series(
                points: curve("validation_error", scale: 100), color: Color(red: 255, green: 170, blue: 60),
                name: "validation"),
        ]
        let losses = settled.compactMap { $0["loss"] }
        var lossPlot = LinePlot(
            xRange: epochs, yRange: min(0, losses.min() ?? 0)...max((losses.max() ?? 1) * 1.05, 0.01))
        (lossPlot.xLabel, lossPlot.yLabel, lossPlot.width) = ("epoch", "training loss", 560)
        lossPlot.series = [
            LinePlot.Series(points: curve("loss"), color: .white, name: "total"),
            LinePlot.Series(
                points: curve("cross_entropy"), color: Color(red: 90, green: 160, blue: 255),
                name: "cross entropy"),
            LinePlot.Series(
                points: curve("baseline_error"), color: Color(red: 120, green: 220, blue: 120),
                name: "baseline mse"),
        ]
        lossPlot.series.removeAll { $0.points.isEmpty }
        return LinePlot.sideBySide([errors.image(), lossPlot.image()])
    }

    /// The policy's glimpses (at its mean) on the first validation images.
    static func glimpsePicture(of model: RecurrentAttentionModel, on validation: TaskGenerator) -> Image {
        let batcher = Batcher(generator: validation, batchSize: glimpseImages, shuffles: false)
        let batch = batcher.batch(of: Array(0..<min(glimpseImages, validation.count)), epoch: 0)
        var generator = SeededGenerator(seed: 0)  // the mean policy draws nothing
        let episode = model.run(batch.images, on: Tape<Float>(), policy: .mean, using: &generator)
        return GlimpseDrawing(
            sensor: model.configuration.sensor, images: batch.images, labels: batch.labels.map(Int.init),
            locations: episode.locations, predictions: RecurrentAttentionModel.predictions(episode.logits)
        )
        .frame(showing: episode.locations.count)
    }

    private func timed(_ work: () throws -> Void) throws {
        let start = Date()
        defer { drawingSeconds += Date().timeIntervalSince(start) }
        try work()
    }
}
