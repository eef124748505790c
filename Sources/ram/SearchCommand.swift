import Autograd
import Datasets
import Distributed
import Foundation
import Training

/// `ram search`: a seeded random search (as the paper tuned RAM) over the location policy's
/// standard deviation and the learning rate, scored on the validation split only.
///
/// Each trial is an ordinary `ram train` run in its own folder, `parallel` at a time; a search
/// run again skips finished trials and resumes unfinished ones, so a time budget can cut it.
/// Under `mpirun` every process runs its own trials (trial i on rank i mod N), each trial
/// still one process; rank 0 prints the table once all have finished.
enum SearchCommand {
    static let command = Command(
        name: "search",
        summary: "Random search on the validation split: short 'ram train' trials, a table of what each reached.",
        options: [
            .integer("trials", default: 8, range: 1...1000, help: "How many settings to try."),
            .integer(
                "parallel", default: 2, range: 1...64, help: "Trials run at once by each process, one thread each."),
            .string(
                "location-std", valueName: "lo:hi", default: "0.03:0.3",
                help: "Range of the location standard deviation, drawn log-uniformly (one number fixes it)."),
            .string(
                "learning-rate", valueName: "lo:hi", default: "1e-4:3e-3",
                help: "Range of the learning rate, drawn log-uniformly (one number fixes it)."),
            .integer(
                "seed", default: 1, range: 0...Int.max, help: "Seed of the draws; every trial trains with --seed 1."),
            .string(
                "directory", valueName: "dir", default: "runs/search", help: "Where trials keep checkpoints and logs."),
            .string(
                "train-flags", valueName: "flags", default: "--task mnist --epochs 30 --batch-size 128",
                help: "Flags every trial passes to 'ram train' (write --train-flags=\"--task translated ...\")."),
        ],
        run: run)

    struct Trial {
        var index: Int
        var locationStandardDeviation: Double
        var learningRate: Double
        var search: URL
        var name: String { String(format: "trial-%02d", index) }
        var directory: URL { search.appendingPathComponent(name) }
    }

    static func run(_ arguments: ParsedArguments) throws {
        try EveryProcess.run { try search(arguments, reducer: $0) }
    }

    static func search(_ arguments: ParsedArguments, reducer: any Reducer) throws {
        let stdRange = try range(arguments.string("location-std")!, option: "location-std")
        let rateRange = try range(arguments.string("learning-rate")!, option: "learning-rate")
        let flags = arguments.string("train-flags")!.split(separator: " ").map(String.init)
        for reserved in ["--location-std", "--learning-rate", "--checkpoint-dir", "--resume", "--threads"]
        where flags.contains(where: { $0 == reserved || $0.hasPrefix(reserved + "=") }) {
            throw CommandFailure(description: "--train-flags: \(reserved) is set by the search itself")
        }
        try checkData(trainFlags: flags)
        let directory = URL(fileURLWithPath: arguments.string("directory")!)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        var generator = SeededGenerator(seed: UInt64(arguments.integer("seed")))
        func logUniform(_ r: ClosedRange<Double>) -> Double {
            exp(log(r.lowerBound) + Double(generator.nextUniform(Float.self)) * (log(r.upperBound) - log(r.lowerBound)))
        }
        let trials = (0..<arguments.integer("trials")).map { i in
            let std = logUniform(stdRange)
            let rate = logUniform(rateRange)
            return Trial(
                index: i, locationStandardDeviation: Double(String(format: "%.3g", std))!,
                learningRate: Double(String(format: "%.2g", rate))!, search: directory)
        }
        let parallel = arguments.integer("parallel")
        let processes = reducer.size > 1 ? " on each of \(reducer.size) processes" : ""
        CommandLineTool.say(
            "\(trials.count) trials of 'ram train \(flags.joined(separator: " "))', \(parallel) at a "
                + "time\(processes), in \(directory.path)"
        )
        CommandLineTool.say(header)

        let mine = trials.filter { $0.index % reducer.size == reducer.rank }
        for start in stride(from: 0, to: mine.count, by: parallel) {
            let group = mine[start..<min(start + parallel, mine.count)]
            let running = try group.map { try launch($0, flags: flags) }
            for (trial, process) in zip(group, running) {
                process?.waitUntilExit()
                if let process, process.terminationStatus != 0 {
                    throw CommandFailure(
                        description:
                            "\(trial.name) failed (exit \(process.terminationStatus)); see \(trial.directory.path).log")
                }
                CommandLineTool.say(row(trial, try result(trial)))
            }
        }
        _ = reducer.sum([0])  // every process's trials are done
        CommandLineTool.say("\nsorted by best validation error:\n" + header)
        let rows = try trials.map { ($0, try result($0)) }.sorted { $0.1.best < $1.1.best }
        for (trial, result) in rows { CommandLineTool.say(row(trial, result)) }
    }

    /// Loads the data the trials will train on, so that data that cannot be used is one line
    /// here (naming the folder and the counts, as 'ram train' would) rather than a failed trial.
    static func checkData(trainFlags flags: [String]) throws {
        let parsed: ParsedArguments
        do {
            parsed = try TrainCommand.command.parse(flags, path: ["ram"]).1
        } catch let mistake as UsageError {
            throw CommandFailure(description: "--train-flags: \(mistake.message)")
        }
        _ = try TaskData.images(DatasetTask(name: parsed.string("task")!)!, from: parsed.string("data-dir"))
    }

    /// Starts `ram train` for a trial, resuming one that stopped early; `nil` if it is finished.
    static func launch(_ trial: Trial, flags: [String]) throws -> Process? {
        let last = trial.directory.appendingPathComponent(RunCheckpoints.last)
        var arguments =
            ["train"] + flags + [
                "--location-std", "\(trial.locationStandardDeviation)",
                "--learning-rate", "\(trial.learningRate)", "--threads", "1",
                "--checkpoint-dir", trial.directory.path,
            ]
        if FileManager.default.fileExists(atPath: last.path) {
            let saved = try SavedRun(path: last)
            let done = saved.progress?.completedEpochs ?? 0
            if done >= saved.options.epochs { return nil }
            arguments.append("--resume")
        }
        let process = Process()
        process.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = arguments
        // A trial is a run of its own, even when the search runs under mpirun.
        process.environment = ProcessInfo.processInfo.environment.merging([EveryProcess.aloneVariable: "1"]) { $1 }
        let logPath = trial.directory.path + ".log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return process
    }

    struct Result {
        var best: Double, bestEpoch: Int, epochs: Int, seconds: Double
        var glimpseDistance: Double?, glimpseInk: Double?
    }

    /// What a trial's last checkpoint says it reached.
    static func result(_ trial: Trial) throws -> Result {
        let saved = try SavedRun(path: trial.directory.appendingPathComponent(RunCheckpoints.last))
        let history = saved.progress?.history ?? []
        guard let best = history.min(by: { $0.validationError < $1.validationError }) else {
            throw CommandFailure(description: "\(trial.directory.path): no epoch recorded")
        }
        return Result(
            best: best.validationError, bestEpoch: best.epoch, epochs: history.count,
            seconds: history.map(\.seconds).reduce(0, +),
            glimpseDistance: best["glimpse_distance"], glimpseInk: best["glimpse_ink"])
    }

    static let header = "trial     location sd  learning rate  best validation  at epoch  epochs  glimpse distance  ink"

    static func row(_ trial: Trial, _ r: Result) -> String {
        String(
            format: "%@  %11.3g  %13.2g  %14.2f%%  %8d  %6d  %13@ px  %@", trial.name,
            trial.locationStandardDeviation, trial.learningRate, 100 * r.best, r.bestEpoch, r.epochs,
            r.glimpseDistance.map { String(format: "%.1f", $0) } ?? "-",
            r.glimpseInk.map { String(format: "%.0f%%", 100 * $0) } ?? "-")
    }

    /// `lo:hi` or a single number, both positive.
    static func range(_ text: String, option: String) throws -> ClosedRange<Double> {
        let parts = text.split(separator: ":").map { Double($0) }
        guard (1...2).contains(parts.count), let lo = parts.first!, let hi = parts.last!, lo > 0, lo <= hi, hi.isFinite
        else {
            throw CommandFailure(description: "--\(option): expected a positive number or a range lo:hi, got '\(text)'")
        }
        return lo...hi
    }
}
