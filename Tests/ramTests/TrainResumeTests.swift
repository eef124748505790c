import Autograd
import Foundation
import NeuralNetworks
import Testing
import Training

@testable import ram

/// `ram train` stopped mid-epoch and resumed ends bit for bit where a run that went straight
/// through ends: parameters, Adam's moments and step count, and the recorded history.
@Suite struct TrainResumeTests {
    var directory = NSTemporaryDirectory() + "train-resume-" + UUID().uuidString

    /// 10,640 8x8 images: 10,000 held out for validation, 640 to train on (5 steps of 128).
    func smallData() -> String {
        let folder = directory + "/data"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: 9)
        func idx(_ file: String, _ dimensions: [Int], values: () -> UInt8) {
            var bytes: [UInt8] = [0, 0, 8, UInt8(dimensions.count)]
            for d in dimensions { bytes += withUnsafeBytes(of: UInt32(d).bigEndian, Array.init) }
            bytes += (0..<dimensions.reduce(1, *)).map { _ in values() }
            _ = FileManager.default.createFile(atPath: folder + "/" + file, contents: Data(bytes))
        }
        idx("train-images-idx3-ubyte", [10_640, 8, 8]) { UInt8(generator.next() % 256) }
        idx("train-labels-idx1-ubyte", [10_640]) { UInt8(generator.next() % 10) }
        idx("t10k-images-idx3-ubyte", [100, 8, 8]) { UInt8(generator.next() % 256) }
        idx("t10k-labels-idx1-ubyte", [100]) { UInt8(generator.next() % 10) }
        return folder
    }

    func train(_ run: String, data: String, extra: [String] = []) throws {
        let words =
            [
                "train", "--data-dir", data, "--glimpses", "3", "--patch-size", "4", "--epochs", "2",
                "--checkpoint-dir", run, "--no-tensorboard",
            ] + extra
        let (command, parsed) = try RootCommand.command.parse(words)
        try command.run!(parsed)
    }

    @Test func aRunStoppedMidEpochAndResumedMatchesAnUninterruptedOne() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = smallData()
        let (straight, interrupted) = (directory + "/straight", directory + "/interrupted")
        try train(straight, data: data)
        // A budget of 0.06 ms runs out after the first step: the run saves mid-epoch and stops.
        try train(interrupted, data: data, extra: ["--time-budget", "0.000001"])
        let stopped = try Checkpoint(contentsOf: URL(fileURLWithPath: interrupted + "/last.safetensors"))
        let stoppedAt = try #require(TrainingProgress(of: stopped))
        #expect(stoppedAt.step == 1 && stoppedAt.completedEpochs == 0 && stoppedAt.partialEpoch?.steps == 1)
        try train(interrupted, data: data, extra: ["--resume"])

        let a = try Checkpoint(contentsOf: URL(fileURLWithPath: straight + "/last.safetensors"))
        let b = try Checkpoint(contentsOf: URL(fileURLWithPath: interrupted + "/last.safetensors"))
        #expect(TrainingProgress(of: a)?.step == 10 && TrainingProgress(of: b)?.step == 10)
        #expect(a.names == b.names && a.names.contains { $0.hasPrefix(Checkpoint.optimizerPrefix) })
        for name in a.names {
            let (x, y) = (try a.tensor(named: name, as: Float.self), try b.tensor(named: name, as: Float.self))
            #expect(x.scalars.map(\.bitPattern) == y.scalars.map(\.bitPattern), "\(name) differs")
        }
        // The same history but for the seconds each epoch took.
        func errors(_ c: Checkpoint) -> [[Double]] {
            (TrainingProgress(of: c)?.history ?? []).map { [$0.trainingError, $0.validationError, $0["loss"] ?? -1] }
        }
        #expect(errors(a).count == 2 && errors(a) == errors(b))
    }

    @Test func stopAtStepStopsThereAtAnEpochsEndOrInsideOneAndResumesToTheSameRun() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = smallData()
        let (straight, stepped) = (directory + "/straight", directory + "/stepped")
        try train(straight, data: data)
        func progress(_ run: String) throws -> TrainingProgress {
            try #require(
                TrainingProgress(of: try Checkpoint(contentsOf: URL(fileURLWithPath: run + "/last.safetensors"))))
        }
        // 5 steps an epoch: step 5 ends the first epoch, step 7 is inside the second.
        try train(stepped, data: data, extra: ["--stop-at-step", "5"])
        var at = try progress(stepped)
        #expect(at.step == 5 && at.completedEpochs == 1 && at.partialEpoch == nil && at.history.count == 1)
        let early = #expect(throws: CommandFailure.self) {
            try train(stepped, data: data, extra: ["--resume", "--stop-at-step", "5"])
        }
        #expect(early?.description.contains("--stop-at-step 5: the run in \(stepped) is already at step 5") == true)
        try train(stepped, data: data, extra: ["--resume", "--stop-at-step", "7"])
        at = try progress(stepped)
        #expect(at.step == 7 && at.completedEpochs == 1 && at.partialEpoch?.steps == 2)
        try train(stepped, data: data, extra: ["--resume"])

        let a = try Checkpoint(contentsOf: URL(fileURLWithPath: straight + "/last.safetensors"))
        let b = try Checkpoint(contentsOf: URL(fileURLWithPath: stepped + "/last.safetensors"))
        #expect(TrainingProgress(of: b)?.step == 10 && a.names == b.names)
        for name in a.names {
            let (x, y) = (try a.tensor(named: name, as: Float.self), try b.tensor(named: name, as: Float.self))
            #expect(x.scalars.map(\.bitPattern) == y.scalars.map(\.bitPattern), "\(name) differs")
        }
    }
}
