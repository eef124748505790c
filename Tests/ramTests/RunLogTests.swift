import Foundation
import NeuralNetworks
import RecurrentAttention
import Testing
import Training

@testable import ram

/// What a run leaves to look at: metrics.csv, learning curves, TensorBoard events, and
/// `ram runs compare` over run folders.
@Suite struct RunLogTests {
    let directory = URL(fileURLWithPath: NSTemporaryDirectory() + "run-log-" + UUID().uuidString)

    static func history(_ errors: [Double]) -> [EpochRecord] {
        errors.enumerated().map { i, error in
            EpochRecord(
                epoch: i + 1, seconds: 2,
                values: [
                    "training_error": error + 0.01, "validation_error": error, "loss": 1.5 - 0.1 * Double(i),
                    "cross_entropy": 1.25, "baseline_error": 0.25, "reward": 0.5,
                ])
        }
    }

    @Test func everyEpochRewritesTheMetricsAndCurvesAndAppendsEvents() throws {
        let ram = RAMClassifier(RecurrentAttentionModel(RAMRecipe(for: .mnist).configuration, seed: 1))
        let metrics =
            [
                Metric("training_error", tag: "error/training"), Metric("validation_error", tag: "error/validation"),
                Metric("loss", tag: "loss/total"),
            ] + ram.metrics
        let epochs = try EpochLog(
            directory: directory, metrics: metrics, sampleUnit: "images",
            tensorBoard: directory.appendingPathComponent("tb"))
        let log = RunLog(directory: directory, tensorBoardDirectory: nil)
        for history in [Self.history([0.5]), Self.history([0.5, 0.25])] {
            try epochs.record(history)
            try log.draw(curves: { RunLog.learningCurves(history) }, picture: nil, step: history.count)
        }
        let csv = try String(contentsOf: directory.appendingPathComponent("metrics.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(
            lines[0] == "epoch,training_error,validation_error,loss,cross_entropy,baseline_error,reward,"
                + "glimpse_distance,glimpse_ink,random_glimpse_distance,random_glimpse_ink,learning_rate,"
                + "images_per_second,"
                + "seconds,elapsed_seconds")
        #expect(lines[2] == "2,0.26,0.25,1.4,1.25,0.25,0.5,,,,,,,2,")
        let png = try Data(contentsOf: directory.appendingPathComponent("learning-curves.png"))
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        let events = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("tb").path)
        #expect(events.count == 1 && events[0].hasPrefix("events.out.tfevents."))
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func compareTabulatesTheSettingsThatDiffer() throws {
        for (name, rate, errors) in [("slow", 3e-4, [0.5, 0.25]), ("fast", 1e-3, [0.4, 0.2, 0.125])] {
            var options = RAMRecipe(for: .mnist).options
            options.learningRate = rate
            var writer = CheckpointWriter()
            writer.setJSON(RobustnessTests.mnistRAM, forKey: "specification")
            writer.setJSON(options, forKey: "options")
            var progress = TrainingProgress()
            progress.history = Self.history(errors)
            writer.setJSON(progress, forKey: TrainingProgress.metadataKey)
            try RunCheckpoints.write(writer, named: RunCheckpoints.last, in: directory.appendingPathComponent(name))
        }
        let runs = try ["slow", "fast"].map { try RunsCommand.load(directory.appendingPathComponent($0).path) }
        let differing = Set(runs.flatMap(\.settings.keys)).filter { key in Set(runs.map { $0.settings[key] }).count > 1
        }
        #expect(differing == ["learningRate"])
        #expect(runs.map { $0.history.count } == [2, 3])
        #expect(RunsCommand.curves(runs).width == 720)
        #expect(throws: CommandFailure.self) { try RunsCommand.load(directory.path) }
        try? FileManager.default.removeItem(at: directory)
    }
}
