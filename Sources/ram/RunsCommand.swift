import Foundation
import Imaging
import SafeFiles
import Training

/// `ram runs compare`: several training runs side by side, from their checkpoints.
enum RunsCommand {
    static let command = Command(
        name: "runs",
        summary: "Look at training runs.",
        subcommands: [compare])

    static let compare = Command(
        name: "compare",
        summary:
            "One table of several runs (the settings that differ, best validation error, epochs, time) and their "
            + "validation curves in one picture.",
        options: [
            .string(
                "output", valueName: "file", default: "runs-compare.png",
                help: "Where the picture of the validation curves goes.")
        ],
        operands: (
            name: "run-dir", help: "A folder 'ram train' wrote (its last.safetensors, or best.safetensors, is read)."
        ),
        run: runComparison)

    struct Run {
        let name: String
        let settings: [String: String]
        let history: [EpochRecord]
        /// Where the run first reached its `--target-error`, if it had one and reached it.
        var reachedTarget: TargetReached? = nil
    }

    static func runComparison(_ arguments: ParsedArguments) throws {
        let runs = try arguments.operands.map(load)
        let keys = Set(runs.flatMap(\.settings.keys)).sorted()
        let differing = keys.filter { key in Set(runs.map { $0.settings[key] ?? "-" }).count > 1 }
        let header =
            ["run"] + differing + ["best validation", "at epoch", "epochs", "training time"]
            + (runs.contains { $0.reachedTarget != nil } ? ["target reached"] : [])
        let rows = runs.map { run -> [String] in
            let best = run.history.min { $0.validationError < $1.validationError }
            let seconds = run.history.map(\.seconds).reduce(0, +)
            let bestError: String = best.map { String(format: "%.2f%%", 100 * $0.validationError) } ?? "-"
            let bestEpoch: String = best.map { String($0.epoch) } ?? "-"
            let settings: [String] = differing.map { run.settings[$0] ?? "-" }
            let target =
                run.reachedTarget.map { "epoch \($0.epoch), \(ProgressReporter.clock($0.elapsedSeconds))" } ?? "-"
            return [run.name] + settings + [
                bestError, bestEpoch, String(run.history.count), ProgressReporter.clock(seconds),
            ]
                + (header.last == "target reached" ? [target] : [])
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        for row in [header] + rows {
            let padded = zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(
                separator: "  ")
            CommandLineTool.say(String(padded.reversed().drop { $0 == " " }.reversed()))
        }
        if differing.isEmpty { CommandLineTool.say("(the runs have the same settings)") }

        let output = arguments.string("output")!
        try AtomicFile.replace(output, with: curves(runs).pngData())
        CommandLineTool.say("wrote \(output): validation error against epochs")
    }

    static func load(_ directory: String) throws -> Run {
        let folder = URL(fileURLWithPath: directory)
        let file = [RunCheckpoints.last, RunCheckpoints.best]
            .first { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
        guard let file else {
            throw CommandFailure(
                description:
                    "\(directory): no \(RunCheckpoints.last) or \(RunCheckpoints.best) (not a 'ram train' run folder)")
        }
        let saved = try SavedRun(directory: folder, file: file)
        var settings = flatten(saved.specification, prefix: "")
        settings.merge(flatten(saved.options, prefix: "")) { a, _ in a }
        settings.removeValue(forKey: "epochs")  // the table has its own column
        return Run(
            name: folder.lastPathComponent, settings: settings, history: saved.progress?.history ?? [],
            reachedTarget: saved.progress?.reachedTarget)
    }

    /// A value's JSON fields as `path.to.field: value`.
    static func flatten(_ value: some Encodable, prefix: String) -> [String: String] {
        guard let data = try? JSONEncoder().encode(value), let object = try? JSONSerialization.jsonObject(with: data)
        else { return [:] }
        var result: [String: String] = [:]
        func walk(_ node: Any, _ path: String) {
            if let dictionary = node as? [String: Any] {
                for (key, child) in dictionary { walk(child, path.isEmpty ? key : path + "." + key) }
            } else {
                result[path] = "\(node)"
            }
        }
        walk(object, prefix)
        return result
    }

    static func curves(_ runs: [Run]) -> Image {
        let palette = [
            Color(red: 255, green: 170, blue: 60), Color(red: 90, green: 160, blue: 255),
            Color(red: 120, green: 220, blue: 120), Color(red: 230, green: 90, blue: 200),
            Color(red: 240, green: 230, blue: 90), Color(red: 90, green: 220, blue: 220), .white,
        ]
        let epochs = runs.map(\.history.count).max() ?? 1
        let settled = runs.flatMap { $0.history.dropFirst($0.history.count / 10) }.map(\.validationError)
        var plot = LinePlot(xRange: 0...Double(max(epochs, 2)), yRange: 0...max(100 * 1.05 * (settled.max() ?? 1), 0.1))
        (plot.xLabel, plot.yLabel, plot.width, plot.height) = ("epoch", "validation error %", 720, 400)
        plot.series = runs.enumerated().map { i, run in
            LinePlot.Series(
                points: run.history.map { (Double($0.epoch), 100 * $0.validationError) },
                color: palette[i % palette.count], name: run.name)
        }
        return plot.image()
    }
}
