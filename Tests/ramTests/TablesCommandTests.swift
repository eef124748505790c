import Foundation
import Testing

@testable import ram

/// `ram tables`: every committed checkpoint evaluated afresh, seeds averaged, and a figure that
/// is not its evaluation.txt's refused.
@Suite struct TablesCommandTests {
    let models = NSTemporaryDirectory() + "tables-" + UUID().uuidString
    let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Models/Trained/mnist-ram").standardizedFileURL.path

    /// Copies the committed MNIST model in as two seeds of the 6-glimpse row.
    init() throws {
        for folder in ["mnist-ram", "mnist-ram-seed2"] {
            try FileManager.default.createDirectory(atPath: "\(models)/\(folder)", withIntermediateDirectories: true)
            for file in ["best.safetensors", "evaluation.txt"] {
                try FileManager.default.copyItem(atPath: "\(committed)/\(file)", toPath: "\(models)/\(folder)/\(file)")
            }
        }
    }

    func run() throws {
        try TablesCommand.run(try RootCommand.command.parse(["tables", "--models", models]).1)
    }

    @Test func theCommittedCheckpointEvaluatesToItsFigure() throws {
        try run()
        #expect(TablesCommand.recordedError(in: "\(models)/mnist-ram-seed2") == 0.92)
    }

    @Test func aFigureThatDiffersFromItsEvaluationIsRefused() throws {
        let path = "\(models)/mnist-ram-seed2/evaluation.txt"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "policy mean: 0.92%", with: "policy mean: 0.93%")
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try run()
        } throws: { error in
            "\(error)".contains("mnist-ram-seed2: evaluates to 0.92%, but its evaluation.txt says 0.93%")
        }
    }

    @Test func severalSeedsAreAveragedAndEachShown() {
        let row = TablesCommand.Row(model: "RAM, 6 glimpses", paper: 1.12, folder: "mnist-ram")
        #expect(
            TablesCommand.line(row, [0.92, 0.84, 1.14], fromRecords: false)
                == ["RAM, 6 glimpses", "1.12 %", "0.97 % (0.92, 0.84, 1.14)", "3", "at or below"])
        #expect(TablesCommand.line(row, [1.5], fromRecords: true)[2...] == ["1.50 % *", "1", "above by 0.38"])
        #expect(TablesCommand.line(row, [], fromRecords: false)[2] == "not trained")
    }

    @Test func everyRowOfThePapersTablesIsListed() {
        let rows = TablesCommand.tables.flatMap(\.rows)
        #expect(rows.filter { $0.paper != nil }.count == 26)
        #expect(Set(rows.map(\.folder)).count == rows.count)
    }
}
