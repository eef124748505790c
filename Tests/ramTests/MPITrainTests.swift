import Foundation
import NeuralNetworks
import Testing
import Training

/// The `ram` built with `--traits MPI` that these tests run.
let mpiBinary = ProcessInfo.processInfo.environment["RAM_MPI_BINARY"]

/// `mpirun -np 2 ram train` against one process, with a `ram` built with `--traits MPI`
/// (`.ci/run` builds one and names it in RAM_MPI_BINARY; without it these tests are skipped).
/// One test at a time: a one-process run of the MPI build once failed in CI while another
/// test's job ran beside it, and passed when run again.
@Suite(
    .serialized, .enabled(if: mpiBinary != nil, "needs RAM_MPI_BINARY, a ram built with --traits MPI, and mpirun"))
struct MPITrainTests {
    static let binary = mpiBinary
    let directory = NSTemporaryDirectory() + "mpi-train-" + UUID().uuidString

    /// Runs `executable` with `arguments`, and returns its exit status and output, or nil if it
    /// was still running after `timeout` seconds (then it is killed).
    static func run(
        _ executable: String, _ arguments: [String], timeout: Double,
        whileRunning: ((Process) -> Void)? = nil
    ) throws -> (status: Int32, output: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        (environment["OMPI_ALLOW_RUN_AS_ROOT"], environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"]) = ("1", "1")
        process.environment = environment
        let output = Pipe()
        (process.standardOutput, process.standardError) = (output, output)
        try process.run()
        whileRunning?(process)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        guard !process.isRunning else {
            process.terminate()
            return nil
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, text)
    }

    static func mpirun(
        _ ranks: [[String]], timeout: Double = 300,
        whileRunning: ((Process) -> Void)? = nil
    ) throws -> (status: Int32, output: String)? {
        // One process per argument list (`a : b`), over shared memory, as a container allows.
        let programs = ranks.map { ["-np", "1", binary!] + $0 }.joined(separator: [":"])
        return try run(
            "/usr/bin/env", ["mpirun", "--mca", "btl", "self,vader"] + Array(programs), timeout: timeout,
            whileRunning: whileRunning)
    }

    func train(_ run: String, data: String) -> [String] {
        [
            "train", "--data-dir", data, "--glimpses", "3", "--patch-size", "4", "--epochs", "2", "--checkpoint-dir",
            run,
            "--no-tensorboard",
        ]
    }

    @Test func twoRanksEndWhereOneProcessEnds() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = TrainResumeTests(directory: directory).smallData()
        let (one, two) = (directory + "/one", directory + "/two")
        let alone = try #require(try Self.run(Self.binary!, train(one, data: data), timeout: 300))
        #expect(alone.status == 0, "\(alone.output)")
        let pair = try #require(try Self.mpirun([train(two, data: data), train(two, data: data)]))
        #expect(pair.status == 0, "\(pair.output)")
        #expect(pair.output.contains("2 processes"))

        let a = try Checkpoint(contentsOf: URL(fileURLWithPath: one + "/last.safetensors"))
        let b = try Checkpoint(contentsOf: URL(fileURLWithPath: two + "/last.safetensors"))
        #expect(TrainingProgress(of: a)?.step == 10 && TrainingProgress(of: b)?.step == 10)
        // Float precision: the gradients are added up in another order.
        for name in a.names where !name.hasPrefix(Checkpoint.optimizerPrefix) {
            let (x, y) = (
                try a.tensor(named: name, as: Float.self).scalars, try b.tensor(named: name, as: Float.self).scalars
            )
            let apart = zip(x, y).map { abs($0 - $1) }.max() ?? 0
            #expect(apart < 1e-5, "\(name) differs by \(apart)")
        }
        #expect(
            TrainingProgress(of: a)?.history.map(\.trainingError)
                == TrainingProgress(of: b)?.history.map(\.trainingError))
    }

    @Test func aRunOfTwoRanksStoppedMidEpochResumesOnOneProcess() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = TrainResumeTests(directory: directory).smallData()
        let (straight, resumed) = (directory + "/straight", directory + "/resumed")
        let uninterrupted = try #require(try Self.run(Self.binary!, train(straight, data: data), timeout: 300))
        #expect(uninterrupted.status == 0, "\(uninterrupted.output)")
        // A budget of 0.06 ms runs out after the first step: rank 0 saves mid-epoch, both stop.
        let stopped = try #require(
            try Self.mpirun([
                train(resumed, data: data) + ["--time-budget", "0.000001"],
                train(resumed, data: data) + ["--time-budget", "0.000001"],
            ]))
        #expect(stopped.status == 0, "\(stopped.output)")
        let partial = try Checkpoint(contentsOf: URL(fileURLWithPath: resumed + "/last.safetensors"))
        #expect(TrainingProgress(of: partial)?.step == 1 && TrainingProgress(of: partial)?.partialEpoch?.samples == 128)
        let finished = try #require(try Self.run(Self.binary!, train(resumed, data: data) + ["--resume"], timeout: 300))
        #expect(finished.status == 0, "\(finished.output)")

        let a = try Checkpoint(contentsOf: URL(fileURLWithPath: straight + "/last.safetensors"))
        let b = try Checkpoint(contentsOf: URL(fileURLWithPath: resumed + "/last.safetensors"))
        #expect(TrainingProgress(of: b)?.step == 10)
        for name in a.names where !name.hasPrefix(Checkpoint.optimizerPrefix) {
            let (x, y) = (
                try a.tensor(named: name, as: Float.self).scalars, try b.tensor(named: name, as: Float.self).scalars
            )
            #expect(zip(x, y).map { abs($0 - $1) }.max() ?? 0 < 1e-5, "\(name) differs")
        }
        #expect(
            TrainingProgress(of: a)?.history.map(\.trainingError)
                == TrainingProgress(of: b)?.history.map(\.trainingError))
    }

    @Test func twoRanksPlayingCatchEndWhereOneProcessEnds() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 0.003M frames at 32 games per update: 5 updates, then a validation.
        func catchTrain(_ run: String) -> [String] {
            ["catch", "train", "--frames", "0.003", "--batch-size", "32", "--checkpoint-dir", run, "--no-tensorboard"]
        }
        let (one, two) = (directory + "/one", directory + "/two")
        #expect(try Self.run(Self.binary!, catchTrain(one), timeout: 300)?.status == 0)
        let pair = try #require(try Self.mpirun([catchTrain(two), catchTrain(two)]))
        #expect(pair.status == 0, "\(pair.output)")
        let a = try Checkpoint(contentsOf: URL(fileURLWithPath: one + "/last.safetensors"))
        let b = try Checkpoint(contentsOf: URL(fileURLWithPath: two + "/last.safetensors"))
        for name in a.names where !name.hasPrefix(Checkpoint.optimizerPrefix) {
            let (x, y) = (
                try a.tensor(named: name, as: Float.self).scalars, try b.tensor(named: name, as: Float.self).scalars
            )
            #expect(zip(x, y).map { abs($0 - $1) }.max() ?? 0 < 1e-5, "\(name) differs")
        }
    }

    @Test func aSearchGivesEachRankItsOwnTrials() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = TrainResumeTests(directory: directory).smallData()
        let search = directory + "/search"
        let flags = "--data-dir \(data) --glimpses 3 --patch-size 4 --epochs 1 --batch-size 64 --no-tensorboard"
        let arguments = ["search", "--trials", "2", "--parallel", "1", "--directory", search, "--train-flags=\(flags)"]
        let job = try #require(try Self.mpirun([arguments, arguments]))
        #expect(job.status == 0, "\(job.output)")
        #expect(job.output.contains("1 at a time on each of 2 processes"), "\(job.output)")
        // Rank 0 prints a row as each of its own trials ends, then the table of all of them.
        let parts = job.output.components(separatedBy: "sorted by best validation error")
        #expect(parts.count == 2 && parts[0].contains("trial-00") && !parts[0].contains("trial-01"), "\(job.output)")
        #expect(parts.last!.contains("trial-00") && parts.last!.contains("trial-01"))
        // Each trial trained alone, as one process, to its end.
        for trial in ["trial-00", "trial-01"] {
            let log = try String(contentsOfFile: "\(search)/\(trial).log", encoding: .utf8)
            #expect(log.contains("epoch 1:") && !log.contains("processes"), "\(log)")
            let last = try Checkpoint(contentsOf: URL(fileURLWithPath: "\(search)/\(trial)/last.safetensors"))
            #expect(TrainingProgress(of: last)?.completedEpochs == 1)
        }
    }

    @Test func aRankThatFailsEndsTheJobWithItsMessage() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = TrainResumeTests(directory: directory).smallData()
        let run = directory + "/run"
        let started = Date()
        let job = try #require(
            try Self.mpirun([train(run, data: data), train(run, data: directory + "/missing")], timeout: 60),
            "the job hung")
        #expect(job.status != 0)
        #expect(job.output.contains("rank 1: error:") && job.output.contains("missing"), "\(job.output)")
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func aKilledRankEndsTheJobWithinSeconds() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = directory + "/killed"
        let arguments = ["train", "--task", "mnist", "--epochs", "50", "--checkpoint-dir", run, "--no-tensorboard"]
        var killedAt: Date?
        let job = try #require(
            try Self.mpirun([arguments, arguments], timeout: 120) { _ in
                // Once both ranks train, kill rank 1 (found by the rank Open MPI gives it).
                Thread.sleep(forTimeInterval: 4)
                if let pid = Self.pid(ofRank: 1, running: run) {
                    kill(pid, SIGKILL)
                    killedAt = Date()
                }
            }, "the job hung")
        let killed = try #require(killedAt, "no rank 1 process found")
        #expect(job.status != 0)
        #expect(Date().timeIntervalSince(killed) < 20)
        #expect(job.output.contains("rank 1"), "\(job.output)")
    }

    /// The process of `rank` whose command line names `folder`.
    static func pid(ofRank rank: Int, running folder: String) -> pid_t? {
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in processes {
            guard let pid = pid_t(entry),
                let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                String(decoding: command, as: UTF8.self).contains(folder),
                let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
            else { continue }
            let variables = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
        }
        return nil
    }
}
