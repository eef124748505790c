import Autograd
import Datasets
import Foundation
import GlimpsePictures
import Imaging
import RecurrentAttention
import SafeFiles
import Training
import TrainingLogs

/// What `ram train` leaves to look at besides checkpoints, updated after every epoch:
/// `metrics.csv` (every figure of the history), `learning-curves.png`, TensorBoard event files
/// (the same figures as scalars, the settings as text, the glimpse pictures as images) and,
/// for RAM, `glimpses/epoch-NNN.png`: the same validation images with the policy's glimpses.
final class RunLog {
    /// One figure of a record: its `metrics.csv` column and TensorBoard tag.
    struct MetricColumn<Record>: Sendable {
        let name: String, tag: String
        let value: @Sendable (Record) -> Double?
    }

    let directory: URL
    private let events: EventWriter?
    /// Seconds spent writing logs, to report their share of the run.
    private(set) var seconds = 0.0
    /// Whether the TensorBoard folder already held event files (a resumed run that logged).
    private var hasEarlierEvents = false

    static let glimpseImages = 8

    /// `--logdir` and `--no-tensorboard`, for a command whose runs leave `pictures` (a folder name).
    static func options(pictures: String) -> [Option] {
        [.string("logdir", valueName: "dir",
                 help: "Where TensorBoard event files go (default: --checkpoint-dir, beside metrics.csv and \(pictures)/)."),
         .flag("no-tensorboard", help: "Write no TensorBoard event files (metrics.csv and the pictures still).")]
    }

    /// The log of a run in `directory`, with TensorBoard files where `--logdir` and
    /// `--no-tensorboard` say.
    convenience init(directory: URL, arguments: ParsedArguments) throws {
        try self.init(directory: directory, tensorBoardDirectory: arguments.flag("no-tensorboard") ? nil
            : arguments.string("logdir").map { URL(fileURLWithPath: $0) } ?? directory)
    }

    init(directory: URL, tensorBoardDirectory: URL?) throws {
        self.directory = directory
        guard let tensorBoardDirectory else { events = nil; return }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: tensorBoardDirectory.path)) ?? []
        hasEarlierEvents = existing.contains { $0.hasPrefix("events.out.tfevents.") }
        do {
            events = try EventWriter(directory: tensorBoardDirectory.path)
        } catch {
            throw CommandFailure(description: "--logdir \(error.path): \(error.reason)")
        }
    }

    /// The run's settings, as text in TensorBoard.
    func settings(_ summary: String, options: TrainingOptions, step: Int) throws {
        try timed {
            try events?.text("settings", summary + "\n\n" + options.summary, step: step)
        }
    }

    /// `metrics.csv`'s columns for a model's `metrics`: the epoch, the metrics in order, then
    /// the learning rate, the throughput and the epoch's seconds.
    static func columns(for metrics: [Metric], sampleUnit unit: String) -> [MetricColumn<EpochRecord>] {
        [MetricColumn(name: "epoch", tag: "epoch") { Double($0.epoch) }]
            + (metrics + [Metric("learning_rate", tag: "optimizer/learning_rate"),
                          Metric("\(unit)_per_second", tag: "speed/\(unit)_per_second")]).map { metric in
                MetricColumn(name: metric.name, tag: metric.tag) { $0[metric.name] }
            }
            + [MetricColumn(name: "seconds", tag: "speed/epoch_seconds") { $0.seconds }]
    }

    /// Rewrites `metrics.csv` from the whole history, and `learning-curves.png` with `curves`;
    /// sends the last epoch's figures and `picture` to TensorBoard, and keeps the picture as
    /// `<folder>/<name>.png`. The pictures are drawn inside, so their cost counts in `seconds`.
    func record(_ history: [EpochRecord], columns: [MetricColumn<EpochRecord>], curves: () -> Image,
                picture: (image: () -> Image, folder: String, name: String)?) throws {
        try timed {
            guard let last = history.last else { return }
            var table = MetricsTable(columns: columns.map(\.name))
            for record in history { table.append(columns.map { $0.value(record) }) }
            try table.write(to: directory.appendingPathComponent("metrics.csv").path)
            try AtomicFile.replace(directory.appendingPathComponent("learning-curves.png").path, with: curves().pngData())
            for column in columns.dropFirst() {
                if let value = column.value(last) { try events?.scalar(column.tag, value, step: last.epoch) }
            }
            if let picture {
                let folder = directory.appendingPathComponent(picture.folder)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let image = picture.image()
                let png = image.pngData()
                try AtomicFile.replace(folder.appendingPathComponent(picture.name + ".png").path, with: png)
                try events?.image(picture.folder, png: png, width: image.width, height: image.height, step: last.epoch)
            }
        }
    }

    /// Sends a resumed run's earlier history to TensorBoard when no earlier event file holds
    /// it (a run begun before it logged, or with --no-tensorboard).
    func backfill(_ history: [EpochRecord], columns: [MetricColumn<EpochRecord>]) throws {
        guard !hasEarlierEvents else { return }
        try timed {
            for record in history {
                for column in columns.dropFirst() {
                    if let value = column.value(record) { try events?.scalar(column.tag, value, step: record.epoch) }
                }
            }
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
            LinePlot.Series(points: curve("training_error", scale: 100), color: Color(red: 90, green: 160, blue: 255),
                            name: "train"),
            LinePlot.Series(points: curve("validation_error", scale: 100), color: Color(red: 255, green: 170, blue: 60),
                            name: "validation"),
        ]
        let losses = settled.compactMap { $0["loss"] }
        var lossPlot = LinePlot(xRange: epochs, yRange: min(0, losses.min() ?? 0)...max((losses.max() ?? 1) * 1.05, 0.01))
        (lossPlot.xLabel, lossPlot.yLabel, lossPlot.width) = ("epoch", "training loss", 560)
        lossPlot.series = [
            LinePlot.Series(points: curve("loss"), color: .white, name: "total"),
            LinePlot.Series(points: curve("cross_entropy"), color: Color(red: 90, green: 160, blue: 255),
                            name: "cross entropy"),
            LinePlot.Series(points: curve("baseline_error"), color: Color(red: 120, green: 220, blue: 120),
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
        return GlimpseDrawing(sensor: model.configuration.sensor, images: batch.images, labels: batch.labels.map(Int.init),
                              locations: episode.locations, predictions: RecurrentAttentionModel.predictions(episode.logits))
            .frame(showing: episode.locations.count)
    }

    private func timed(_ work: () throws -> Void) throws {
        let start = Date()
        defer { seconds += Date().timeIntervalSince(start) }
        try work()
    }
}
