import Foundation
import Testing

// The README's headline figures, read from its tables and compared with the evaluations
// committed beside the models (Models/Trained/<model>/evaluation.txt); its length; its links.
// Plain file reading only: this target depends on no other.

/// The package's root folder, from this file's place in it.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func text(_ relativePath: String) throws -> String {
    try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
}

/// A Markdown table: its header cells, and its rows' cells.
struct Table {
    var header: [String]
    var rows: [[String]]

    func column(_ name: String) -> Int? { header.firstIndex(of: name) }
}

/// The text outside fenced code blocks.
func prose(_ markdown: String) -> [Substring] {
    var inFence = false
    return markdown.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
        if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
            inFence.toggle()
            return false
        }
        return !inFence
    }
}

func cells(_ line: Substring) -> [String] {
    var trimmed = line.trimmingCharacters(in: .whitespaces)
    if trimmed.hasPrefix("|") { trimmed.removeFirst() }
    if trimmed.hasSuffix("|") { trimmed.removeLast() }
    return trimmed.split(separator: "|", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
    }
}

/// Every table in the Markdown, outside code blocks.
func tables(in markdown: String) -> [Table] {
    var found: [Table] = []
    var lines = prose(markdown)[...]
    while let line = lines.popFirst() {
        guard line.trimmingCharacters(in: .whitespaces).hasPrefix("|"),
            let rule = lines.first, rule.contains("---")
        else { continue }
        lines.removeFirst()
        var table = Table(header: cells(line), rows: [])
        while let row = lines.first, row.trimmingCharacters(in: .whitespaces).hasPrefix("|") {
            table.rows.append(cells(row))
            lines.removeFirst()
        }
        found.append(table)
    }
    return found
}

/// The `Models/Trained/<folder>` a table row links to, if any.
func modelFolder(_ row: [String]) -> String? {
    for cell in row {
        guard let start = cell.range(of: "](Models/Trained/") else { continue }
        let rest = cell[start.upperBound...]
        return String(rest.prefix { $0 != "/" && $0 != ")" })
    }
    return nil
}

/// The first figure written as a percentage in `s` ("**0.92 %**", "0.92%"), as written.
func percentage(in s: some StringProtocol) -> String? {
    let scalars = Array(s)
    for i in scalars.indices where scalars[i] == "%" {
        var j = i
        while j > scalars.startIndex, scalars[j - 1] == " " { j -= 1 }
        var k = j
        while k > scalars.startIndex, scalars[k - 1].isNumber || scalars[k - 1] == "." { k -= 1 }
        if k < j { return String(scalars[k..<j]) }
    }
    return nil
}

/// The figure of the first line of `evaluation` that starts with `prefix` and contains `containing`.
func figure(in evaluation: String, prefix: String, containing: String = "") -> String? {
    evaluation.split(separator: "\n").first { $0.hasPrefix(prefix) && (containing.isEmpty || $0.contains(containing)) }
        .flatMap { percentage(in: $0.dropFirst(prefix.count)) }
}

/// How a table column's figures are found in a model's evaluation.txt.
struct Column {
    var header: String
    var prefix: String
    var containing = ""
}

/// Checks every linked row of `table` against its model's evaluation, column by column, and
/// returns the folders it checked.
func check(_ table: Table, _ columns: [Column]) throws -> [String] {
    var checked: [String] = []
    for row in table.rows {
        guard let folder = modelFolder(row) else { continue }
        let evaluation = try text("Models/Trained/\(folder)/evaluation.txt")
        for column in columns {
            guard let index = table.column(column.header) else { continue }
            let written = percentage(in: row[index])
            let committed = figure(in: evaluation, prefix: column.prefix, containing: column.containing)
            let problem =
                "README, \(folder), '\(column.header)': \(written ?? "no figure") against "
                + "evaluation.txt's \(committed ?? "none")"
            #expect(written != nil && written == committed, Comment(rawValue: problem))
        }
        checked.append(folder)
    }
    return checked
}

/// "200 (188)": the best checkpoint's epoch, in brackets, against evaluation.txt's "after 188 epochs".
func checkBestEpoch(_ table: Table) throws {
    guard let index = table.column("epochs (best at)") else { return }
    for row in table.rows {
        guard let folder = modelFolder(row) else { continue }
        let evaluation = try text("Models/Trained/\(folder)/evaluation.txt")
        let cell = row[index]
        let best = cell.split(separator: "(").dropFirst().first?.prefix { $0.isNumber }
        #expect(
            best != nil && evaluation.contains("after \(best!) epochs"),
            "README, \(folder), 'epochs (best at)': \(cell) does not match evaluation.txt")
    }
}

struct ReadmeTests {
    @Test func theRAMResultsAreTheCommittedEvaluations() throws {
        let readme = try text("README.md")
        let table = try #require(
            tables(in: readme).first { $0.header.contains("policy mean") },
            "README.md has no RAM results table (a column 'policy mean')")
        let checked = try check(
            table,
            [
                Column(header: "policy mean", prefix: "test error, policy mean:"),
                Column(header: "one sample", prefix: "test error, one sampled trajectory:"),
                Column(
                    header: "mean of 10 samples", prefix: "test error, Monte-Carlo average of 10 sampled trajectories"),
                Column(header: "random glimpses", prefix: "test error, random glimpses (ablation"),
            ])
        #expect(checked == ["mnist-ram", "translated-ram", "cluttered60-ram", "cluttered100-ram"])
        for column in ["policy mean", "one sample", "mean of 10 samples", "random glimpses"] {
            #expect(table.column(column) != nil, "the RAM results table lost its column '\(column)'")
        }
        try checkBestEpoch(table)
    }

    @Test func theComparisonNetsAreTheCommittedEvaluations() throws {
        let readme = try text("README.md")
        let table = try #require(
            tables(in: readme).first { $0.header.contains("model") && $0.header.contains("test error") },
            "README.md has no comparison-net table (columns 'model' and 'test error')")
        let checked = try check(table, [Column(header: "test error", prefix: "test error, ")])
        #expect(
            Set(checked) == [
                "mnist-fc", "mnist-conv", "translated-fc", "translated-conv", "cluttered60-fc",
                "cluttered60-conv", "cluttered100-fc", "cluttered100-conv", "random-cluttered60",
                "random-cluttered100",
            ])
        try checkBestEpoch(table)
    }

    @Test func theCatchRatesAreTheCommittedEvaluations() throws {
        let readme = try text("README.md")
        let table = try #require(
            tables(in: readme).first { $0.header.contains("greedy, 20,000 games") },
            "README.md has no Catch table (a column 'greedy, 20,000 games')")
        let checked = try check(
            table,
            [
                Column(
                    header: "greedy, 1,000 games", prefix: "catch rate, greedy",
                    containing: "(standard error; 1000 games)"),
                Column(
                    header: "greedy, 20,000 games", prefix: "catch rate, greedy",
                    containing: "(standard error; 20000 games)"),
                Column(
                    header: "sampled, 20,000 games", prefix: "catch rate, sampled",
                    containing: "(standard error; 20000 games)"),
            ])
        #expect(checked == ["catch-ram", "catch-fixed"])
    }

    @Test func aChangedFigureFails() {
        // The comparison itself, on a made-up evaluation: a figure that differs in its last digit,
        // or is rounded differently, does not match.
        let evaluation = "test error, policy mean: 0.92% (10000 images)\n"
        #expect(figure(in: evaluation, prefix: "test error, policy mean:") == "0.92")
        #expect(percentage(in: "**0.92 %**") == "0.92")
        #expect(percentage(in: "**0.93 %**") != "0.92")
        #expect(percentage(in: "0.9 %") != "0.92")
        #expect(percentage(in: "| 100.0 % |") == "100.0")
    }

    @Test func theReadmeIsAtMost400Lines() throws {
        let lines = try text("README.md").split(separator: "\n", omittingEmptySubsequences: false)
        let count = lines.last == "" ? lines.count - 1 : lines.count
        #expect(count <= 400, "README.md has \(count) lines; the manual stays at 400 or fewer")
    }

    @Test(arguments: [
        "README.md", "Models/Trained/README.md", "docs/experiments.md", "docs/performance.md",
        "docs/distributed.md", "docs/runs.md", "docs/autograd.md", "Notebooks-as-scripts/README.md",
    ])
    func everyRelativeLinkLeadsSomewhere(_ file: String) throws {
        let markdown = try text(file)
        let folder = (file as NSString).deletingLastPathComponent
        let anchors = Set(prose(markdown).filter { $0.hasPrefix("#") }.map(anchor))
        for target in links(in: markdown) {
            if target.hasPrefix("#") {
                #expect(anchors.contains(String(target.dropFirst())), "\(file): no heading for the link \(target)")
                continue
            }
            let path = String(target.prefix { $0 != "#" })
            let url = root.appendingPathComponent(folder).appendingPathComponent(path)
            #expect(FileManager.default.fileExists(atPath: url.path), "\(file): the link \(target) leads nowhere")
            // A link into another Markdown file's section: that file has the heading.
            if let hash = target.firstIndex(of: "#"), path.hasSuffix(".md"),
                let other = try? String(contentsOf: url, encoding: .utf8)
            {
                let headings = Set(prose(other).filter { $0.hasPrefix("#") }.map(anchor))
                #expect(
                    headings.contains(String(target[target.index(after: hash)...])),
                    "\(file): \(path) has no heading for the link \(target)")
            }
        }
    }
}

/// The targets of the Markdown's links and images, outside code blocks, except web addresses.
func links(in markdown: String) -> [String] {
    var targets: [String] = []
    for line in prose(markdown) {
        var rest = line[...]
        while let open = rest.range(of: "](") {
            let after = rest[open.upperBound...]
            guard let close = after.firstIndex(of: ")") else { break }
            let target = String(after[..<close])
            if !target.contains("://"), !target.hasPrefix("mailto:") { targets.append(target) }
            rest = after[close...]
        }
    }
    return targets
}

/// GitHub's anchor for a heading line: lower case, punctuation dropped, spaces as hyphens.
func anchor(_ heading: Substring) -> String {
    let title = heading.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
    return String(
        title.compactMap { c -> Character? in
            if c == " " { return "-" }
            return c.isLetter || c.isNumber || c == "-" || c == "_" ? c : nil
        })
}
