import Datasets
import Foundation
import RecurrentAttention
import Training

/// `ram tables`: the paper's Tables 1 and 2 (NIPS) beside ours, every row evaluated afresh from
/// the committed checkpoints, so that anyone can re-check them on a fresh clone.
enum TablesCommand {
    static let command = Command(
        name: "tables",
        summary:
            "Print the paper's Tables 1 and 2 beside our test errors, evaluating every committed checkpoint "
            + "(a few seconds each).",
        options: [
            .string(
                "models", valueName: "dir", default: "Models/Trained",
                help: "The folder of trained models: one folder per row (and per further seed, '<row>-seedN')."),
            .string(
                "data-dir", valueName: "dir", help: "Folder with MNIST-format IDX files (default: the bundled MNIST)."),
        ],
        run: run)

    /// One row of the paper's tables: what it is, the paper's test error (percent; nil where
    /// the paper has none) and the folder our model of it lives in.
    struct Row {
        let model: String
        let paper: Double?
        let folder: String
    }

    /// The paper's four tables (NIPS 2014, Tables 1 and 2), with the folders of our models.
    static let tables: [(title: String, rows: [Row])] = [
        (
            "Table 1a: 28x28 MNIST",
            [
                Row(model: "FC, 2 layers of 256 units", paper: 1.69, folder: "mnist-fc"),
                Row(model: "Convolutional, 2 layers", paper: 1.21, folder: "mnist-conv"),
            ] + ramRows(task: "mnist", retina: "8x8", [2: 3.79, 3: 1.51, 4: 1.54, 5: 1.34, 6: 1.12, 7: 1.07])
        ),
        (
            "Table 1b: 60x60 translated MNIST",
            [
                Row(model: "FC, 2 layers of 64 units", paper: 6.42, folder: "translated-fc64"),
                Row(model: "FC, 2 layers of 256 units", paper: 2.63, folder: "translated-fc"),
                Row(model: "Convolutional, 2 layers", paper: 1.62, folder: "translated-conv"),
            ] + ramRows(task: "translated", retina: "12x12, 3 scales", [4: 1.54, 6: 1.22, 8: 1.2])
        ),
        (
            "Table 2a: 60x60 cluttered MNIST, 4 distractors",
            [
                Row(model: "FC, 2 layers of 64 units", paper: 28.58, folder: "cluttered60-fc64"),
                Row(model: "FC, 2 layers of 256 units", paper: 11.96, folder: "cluttered60-fc"),
                Row(model: "Convolutional, 2 layers", paper: 8.09, folder: "cluttered60-conv"),
                Row(model: "RAM, 8 random glimpses", paper: 14.4, folder: "random-cluttered60"),
            ] + ramRows(task: "cluttered60", retina: "12x12, 3 scales", [4: 4.96, 6: 4.08, 8: 4.04])
        ),
        (
            "Table 2b: 100x100 cluttered MNIST, 8 distractors",
            [
                Row(model: "FC, 2 layers of 256 units (not in the paper)", paper: nil, folder: "cluttered100-fc"),
                Row(model: "Convolutional, 2 layers", paper: 14.35, folder: "cluttered100-conv"),
                Row(model: "RAM, 8 random glimpses", paper: 28.4, folder: "random-cluttered100"),
            ] + ramRows(task: "cluttered100", retina: "12x12, 4 scales", [4: 9.41, 6: 8.31, 8: 8.11])
        ),
    ]

    /// RAM's rows of one table; the 6-glimpse model is the task's headline folder.
    static func ramRows(task: String, retina: String, _ paper: [Int: Double]) -> [Row] {
        paper.keys.sorted().map { glimpses in
            Row(
                model: "RAM, \(glimpses) glimpses, \(retina)", paper: paper[glimpses],
                folder: glimpses == 6 ? "\(task)-ram" : "\(task)-ram-\(glimpses)glimpses")
        }
    }

    static func run(_ arguments: ParsedArguments) throws {
        let models = arguments.string("models")!
        guard FileManager.default.fileExists(atPath: models) else {
            throw CommandFailure(description: "\(models): no such folder (--models)")
        }
        let start = Date()
        var data: [String: TaskGenerator] = [:]
        var evaluated = 0
        var mismatches: [String] = []
        var unevaluated = false
        CommandLineTool.say(
            "Test error with the policy mean (one pass), of each model's best checkpoint by validation; "
                + "several seeds: their mean, then each.")
        for table in tables {
            CommandLineTool.say("\n\(table.title)\n")
            var lines = [["model", "paper", "ours", "seeds", "against the paper"]]
            for row in table.rows {
                var errors: [Double] = []
                var fromRecords = false
                for folder in seedFolders(of: row.folder, in: models) {
                    guard FileManager.default.fileExists(atPath: "\(folder)/best.safetensors") else {
                        // A checkpoint too large to commit: its recorded figure, marked.
                        guard let recorded = recordedError(in: folder) else { continue }
                        errors.append(recorded)
                        fromRecords = true
                        continue
                    }
                    let (run, model) = try EvaluateCommand.loadModel("\(folder)/best.safetensors")
                    let images = try testImages(for: run, dataDirectory: arguments.string("data-dir"), cache: &data)
                    let error = 100 * evaluate(model, run: run, on: images)
                    if let mismatch = mismatch(error, in: folder) { mismatches.append(mismatch) }
                    errors.append(error)
                    evaluated += 1
                }
                lines.append(line(row, errors, fromRecords: fromRecords))
                unevaluated = unevaluated || fromRecords
            }
            CommandLineTool.say(aligned(lines))
        }
        if unevaluated {
            CommandLineTool.say(
                "\n* the checkpoint is not committed (too large): the figure is its evaluation.txt's, from when it was "
                    + "trained")
        }
        CommandLineTool.say(
            String(format: "\n%d checkpoints evaluated in %.0f s", evaluated, Date().timeIntervalSince(start)))
        guard mismatches.isEmpty else {
            throw CommandFailure(description: mismatches.joined(separator: "\n"))
        }
        CommandLineTool.say("every figure is the one its folder's evaluation.txt gives")
    }

    /// The row's folder and its further seeds (`<folder>-seed2`, ...), those that exist.
    static func seedFolders(of folder: String, in models: String) -> [String] {
        ([folder] + (2...9).map { "\(folder)-seed\($0)" }).map { "\(models)/\($0)" }.filter {
            FileManager.default.fileExists(atPath: $0)
        }
    }

    /// The task's fixed test images (placements from `EvaluateCommand.testSeed`), loaded once a task.
    static func testImages(
        for run: SavedRun, dataDirectory: String?, cache: inout [String: TaskGenerator]
    ) throws -> TaskGenerator {
        let name = run.specification.task
        if let images = cache[name] { return images }
        let task = DatasetTask(name: name)!
        let data = try TaskData.load(task, from: dataDirectory ?? run.options.dataDirectory, for: run.specification)
        let images = TaskGenerator(source: data.test, task: task, seed: EvaluateCommand.testSeed, isFixed: true)
        cache[name] = images
        return images
    }

    /// The error `ram evaluate` leads with: RAM's policy mean, a comparison net's whole
    /// image, or the random glimpses a random-glimpse model was trained with.
    static func evaluate(_ model: any ImageClassifier, run: SavedRun, on images: TaskGenerator) -> Double {
        if let ram = model as? RAMClassifier, !run.specification.randomGlimpses {
            return ram.evaluating(with: .mean).error(on: images, seed: 1)
        }
        return model.error(on: images, seed: 1)
    }

    /// The test error the folder's evaluation.txt leads with (written by `ram evaluate` when
    /// the model was kept), in percent.
    static func recordedError(in folder: String) -> Double? {
        guard let text = try? String(contentsOfFile: "\(folder)/evaluation.txt", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("test error, ") }),
            let colon = line.firstIndex(of: ":")
        else { return nil }
        return Double(line[line.index(after: colon)...].prefix { $0 != "%" }.trimmingCharacters(in: .whitespaces))
    }

    /// What is wrong when the figure is not its evaluation.txt's to the printed digits; nil when it is.
    static func mismatch(_ error: Double, in folder: String) -> String? {
        guard let recorded = recordedError(in: folder) else {
            return "\(folder)/evaluation.txt: missing, or without a 'test error' line"
        }
        guard String(format: "%.2f", error) != String(format: "%.2f", recorded) else { return nil }
        return String(format: "%@: evaluates to %.2f%%, but its evaluation.txt says %.2f%%", folder, error, recorded)
    }

    static func line(_ row: Row, _ errors: [Double], fromRecords: Bool) -> [String] {
        let paper = row.paper.map { String(format: "%.2f %%", $0) } ?? "-"
        guard !errors.isEmpty else { return [row.model, paper, "not trained", "", ""] }
        let mean = errors.reduce(0, +) / Double(errors.count)
        let ours =
            errors.count == 1
            ? String(format: "%.2f %%", mean)
            : String(format: "%.2f %% (", mean) + errors.map { String(format: "%.2f", $0) }.joined(separator: ", ")
                + ")"
        let verdict = row.paper.map { mean <= $0 ? "at or below" : String(format: "above by %.2f", mean - $0) } ?? ""
        return [row.model, paper, ours + (fromRecords ? " *" : ""), "\(errors.count)", verdict]
    }

    /// Columns padded to their widest cell, with a rule under the header.
    static func aligned(_ lines: [[String]]) -> String {
        let widths = lines[0].indices.map { column in lines.map { $0[column].count }.max()! }
        func render(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        let rule = widths.map { String(repeating: "-", count: $0) }
        return ([render(lines[0]), render(rule)] + lines.dropFirst().map(render)).joined(separator: "\n")
    }
}
