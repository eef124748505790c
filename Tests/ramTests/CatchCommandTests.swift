import Catch
import Foundation
import NeuralNetworks
import Testing
import Training

@testable import ram

@Suite struct CatchCommandTests {
    static func run(_ words: [String]) throws {
        let (command, parsed) = try RootCommand.command.parse(words)
        try command.run!(parsed)
    }

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "catch-command-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Validation every 0.0015M frames at 32 games (736 frames) per update is an epoch of 3
    /// updates; 0.003M frames is 2 epochs, 6 updates.
    static func train(_ directory: String, frames: String, resume: Bool = false) throws {
        try run(
            [
                "catch", "train", "--frames", frames, "--batch-size", "32", "--schedule", "constant",
                "--validate-every", "0.0015", "--checkpoint-dir", directory,
            ] + (resume ? ["--resume"] : []))
    }

    /// `--threads` is declared on both training commands, 1 by default, 1...64. (That 2 threads
    /// train the same numbers is checked at the kernel, bit for bit, in CKernelsTests: a
    /// training run here would race with those tests, which switch the process-wide level.)
    @Test func threadsIsAnOptionOfBothTrainingCommands() throws {
        for words in [["catch", "train"], ["train"]] {
            let parsed = try RootCommand.command.parse(words + ["--threads", "2"]).1
            #expect(parsed.integer("threads") == 2)
            #expect(try RootCommand.command.parse(words).1.integer("threads") == 1)
            #expect(throws: UsageError.self) { try RootCommand.command.parse(words + ["--threads", "65"]) }
        }
    }

    /// A run stopped and resumed ends with exactly the parameters of a run that went straight through.
    @Test func aResumedRunMatchesAnUninterruptedOne() throws {
        let straight = Self.temporaryDirectory()
        let interrupted = Self.temporaryDirectory()
        defer { for d in [straight, interrupted] { try? FileManager.default.removeItem(atPath: d) } }
        try Self.train(straight, frames: "0.003")
        try Self.train(interrupted, frames: "0.0015")
        try Self.train(interrupted, frames: "0.003", resume: true)
        let a = try Checkpoint(contentsOf: URL(fileURLWithPath: straight + "/last.safetensors"))
        let b = try Checkpoint(contentsOf: URL(fileURLWithPath: interrupted + "/last.safetensors"))
        #expect(TrainingProgress(of: a)?.step == 6 && TrainingProgress(of: b)?.step == 6)
        #expect(a.names == b.names && !a.names.isEmpty)
        for name in a.names {
            #expect(
                try a.tensor(named: name, as: Float.self) == b.tensor(named: name, as: Float.self), "\(name) differs")
        }
        #expect(FileManager.default.fileExists(atPath: straight + "/best.safetensors"))

        // Resuming with a flag that would change the run is refused, naming it (the same flags
        // as before, above, were accepted).
        do {
            try Self.run(["catch", "train", "--resume", "--checkpoint-dir", interrupted, "--learning-rate", "0.01"])
            Issue.record("a changed --learning-rate was accepted")
        } catch {
            #expect(
                CommandLineTool.oneLine(error)
                    == "--resume continues the run in \(interrupted) with its saved settings, "
                    + "which --learning-rate 0.01 (the run has 0.003) would change; drop those flags, or train into "
                    + "another --checkpoint-dir"
            )
        }
    }

    @Test func evaluatingSomethingElseFailsWithItsPath() async {
        await #expect(processExitsWith: .exitCode(1)) {
            CommandLineTool.run(
                RootCommand.command, arguments: ["catch", "evaluate", "--checkpoint", "/no/such.safetensors"])
        }
    }

    /// An epoch is the validation interval in whole updates, or the whole run where that is shorter.
    @Test func epochsCountWholeUpdatesOfTheValidationInterval() {
        var options = CatchTrainingOptions()  // 64 games of 23 frames an update: 1,472 frames
        #expect((options.stepsPerEpoch, options.epochs) == (340, 50))  // 500,480 frames an epoch; 25M in 50
        options.frames = 3_000
        #expect((options.stepsPerEpoch, options.epochs) == (3, 1))  // a run shorter than the interval: one epoch
    }
}
