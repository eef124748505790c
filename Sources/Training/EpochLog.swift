import Foundation
import SafeFiles
import TrainingLogs

/// What a run leaves to look at, epoch by epoch: `metrics.csv` with every figure of the
/// history, rewritten whole after each epoch, and TensorBoard event files with the same
/// figures as scalars. Give it to `Trainer.log` and the loop keeps it.
public final class EpochLog {
    public let directory: URL
    /// The columns after `epoch`: the model's metrics, the learning rate, the throughput, the
    /// epoch's seconds and the run's training time at its end.
    public let columns: [Metric]
    /// The TensorBoard file, for whatever else a caller shows there (text, pictures); nil without one.
    public let events: EventWriter?
    /// Seconds spent writing, to report the log's share of a run.
    public private(set) var seconds = 0.0
    /// Whether the TensorBoard folder already held event files (a resumed run that logged).
    private let hasEarlierEvents: Bool

    /// A log of a model that reports `metrics` and counts `sampleUnit`, in `directory`, with
    /// TensorBoard files in `tensorBoard` (nil: none).
    public init(directory: URL, metrics: [Metric], sampleUnit: String, tensorBoard: URL?) throws {
        self.directory = directory
        columns =
            metrics + [
                Metric("learning_rate", tag: "optimizer/learning_rate"),
                Metric("\(sampleUnit)_per_second", tag: "speed/\(sampleUnit)_per_second"),
                Metric("seconds", tag: "speed/epoch_seconds"),
                Metric("elapsed_seconds", tag: "speed/elapsed_seconds"),
            ]
        guard let tensorBoard else {
            (events, hasEarlierEvents) = (nil, false)
            return
        }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: tensorBoard.path)) ?? []
        hasEarlierEvents = existing.contains { $0.hasPrefix("events.out.tfevents.") }
        events = try EventWriter(directory: tensorBoard.path)
    }

    /// A log of what `model` reports.
    public convenience init(directory: URL, for model: some Trainable, tensorBoard: URL?) throws {
        try self.init(
            directory: directory, metrics: model.metrics, sampleUnit: model.sampleUnit, tensorBoard: tensorBoard)
    }

    /// The figure of `record` in column `metric`.
    public static func value(_ record: EpochRecord, _ metric: Metric) -> Double? {
        metric.name == "seconds" ? record.seconds : record[metric.name]
    }

    /// Rewrites `metrics.csv` from the whole history and sends the last epoch's figures to TensorBoard.
    public func record(_ history: [EpochRecord]) throws {
        try timed {
            guard let last = history.last else { return }
            var table = MetricsTable(columns: ["epoch"] + columns.map(\.name))
            for record in history { table.append([Double(record.epoch)] + columns.map { Self.value(record, $0) }) }
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try table.write(to: directory.appendingPathComponent("metrics.csv").path)
            try send(last)
        }
    }

    /// Sends a resumed run's earlier history to TensorBoard when no earlier event file holds
    /// it (a run begun before it logged, or without TensorBoard).
    public func backfill(_ history: [EpochRecord]) throws {
        guard !hasEarlierEvents else { return }
        try timed { for record in history { try send(record) } }
    }

    private func send(_ record: EpochRecord) throws {
        for column in columns {
            if let value = Self.value(record, column) { try events?.scalar(column.tag, value, step: record.epoch) }
        }
    }

    /// Runs `work`, counting its time in `seconds`.
    public func timed(_ work: () throws -> Void) throws {
        let start = Date()
        defer { seconds += Date().timeIntervalSince(start) }
        try work()
    }
}
