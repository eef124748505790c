import CKernels
import Foundation
import NeuralNetworks
import Testing
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

    /// 0.003M frames at 32 games per update is 5 updates; validation every 0.0015M.
    static func train(_ directory: String, frames: String, resume: Bool = false, threads: Int = 1) throws {
        try run(["catch", "train", "--frames", frames, "--batch-size", "32", "--schedule", "constant",
                 "--validate-every", "0.0015", "--checkpoint-dir", directory, "--threads", "\(threads)"]
                + (resume ? ["--resume"] : []))
    }

    static func parameters(_ directory: String) throws -> [String: [Float]] {
        let checkpoint = try Checkpoint(contentsOf: URL(fileURLWithPath: directory + "/last.safetensors"))
        var result: [String: [Float]] = [:]
        for name in checkpoint.names { result[name] = try checkpoint.tensor(named: name, as: Float.self).scalars }
        return result
    }

    /// `--threads 2` splits the large matrix products over two threads and changes nothing else:
    /// the parameters after training are bit for bit those of a single-threaded run.
    @Test func twoThreadsTrainTheSameParametersAsOne() throws {
        let one = Self.temporaryDirectory(), two = Self.temporaryDirectory()
        let saved = ck_thread_count()
        defer {
            ck_set_thread_count(saved)
            for d in [one, two] { try? FileManager.default.removeItem(atPath: d) }
        }
        try Self.train(one, frames: "0.003", threads: 1)
        try Self.train(two, frames: "0.003", threads: 2)
        let a = try Self.parameters(one), b = try Self.parameters(two)
        #expect(!a.isEmpty && a.keys == b.keys)
        for (name, values) in a {
            #expect(values.map(\.bitPattern) == b[name]?.map(\.bitPattern), "\(name) differs")
        }
    }

    /// A run stopped and resumed ends with exactly the parameters of a run that went straight through.
    @Test func aResumedRunMatchesAnUninterruptedOne() throws {
        let straight = Self.temporaryDirectory(), interrupted = Self.temporaryDirectory()
        defer { for d in [straight, interrupted] { try? FileManager.default.removeItem(atPath: d) } }
        try Self.train(straight, frames: "0.003")
        try Self.train(interrupted, frames: "0.0015")
        try Self.train(interrupted, frames: "0.003", resume: true)
        let a = try Checkpoint(contentsOf: URL(fileURLWithPath: straight + "/last.safetensors"))
        let b = try Checkpoint(contentsOf: URL(fileURLWithPath: interrupted + "/last.safetensors"))
        #expect(a.metadata["step"] == "5" && b.metadata["step"] == "5")
        #expect(a.names == b.names && !a.names.isEmpty)
        for name in a.names {
            #expect(try a.tensor(named: name, as: Float.self) == b.tensor(named: name, as: Float.self), "\(name) differs")
        }
        #expect(FileManager.default.fileExists(atPath: straight + "/best.safetensors"))
    }

    @Test func evaluatingSomethingElseFailsWithItsPath() async {
        await #expect(processExitsWith: .exitCode(1)) {
            CommandLineTool.run(RootCommand.command, arguments: ["catch", "evaluate", "--checkpoint", "/no/such.safetensors"])
        }
    }
}
