import Foundation
import Imaging
import Synchronization
@_exported import TrainingLogs

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What every notebook script shares: its two options, its way of failing, and where its
/// pictures go. Kept tiny on purpose: the scripts are the point, not this.
///
/// ```
/// <script> [--small] [--output-dir DIR]
/// ```
/// `--small` is the quick setting CI runs; `--output-dir` (default `notebook-output/<script>`)
/// receives the pictures.
public struct Notebook: Sendable {
    /// Whether to run the quick setting (what CI runs).
    public let isSmall: Bool
    /// Where pictures are written; created on first use.
    public let outputDirectory: String
    /// When the script started, for `elapsed`.
    private let started = Date()

    /// Reads the command line; prints usage and exits on `--help` or on anything unknown.
    public init(name: String, summary: String, arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
        var isSmall = false
        var outputDirectory = "notebook-output/\(name)"
        var rest = arguments[...]
        let usage =
            "usage: swift run -c release \(name) [--small] [--output-dir DIR]\n\n\(summary)\n\n"
            + "  --small            the quick setting that CI runs\n"
            + "  --output-dir DIR   where pictures go (default notebook-output/\(name))"
        while let argument = rest.popFirst() {
            switch argument {
            case "--small": isSmall = true
            case "--output-dir":
                guard let value = rest.popFirst() else { Notebook.exit(usage: usage, "--output-dir needs a folder") }
                outputDirectory = value
            case "--help", "-h":
                print(usage)
                Foundation.exit(0)
            default: Notebook.exit(usage: usage, "unknown argument '\(argument)'")
            }
        }
        self.isSmall = isSmall
        self.outputDirectory = outputDirectory
    }

    private static func exit(usage: String, _ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n\n\(usage)\n".utf8))
        Foundation.exit(2)
    }

    /// Seconds since the script started.
    public var elapsed: Double { Date().timeIntervalSince(started) }

    /// Writes `image` as `<outputDirectory>/<fileName>` and says so; a failure to write fails the script.
    public func write(_ image: Image, to fileName: String) {
        guard Notebook.speaks else { return }
        let path = (outputDirectory as NSString).appendingPathComponent(fileName)
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
            try image.writePNG(to: path)
        } catch {
            fail("could not write \(path): \(error)")
        }
        say("wrote \(path)")
    }
}

extension Notebook {
    /// A TensorBoard event file for one run of the notebook, in `<outputDirectory>/tensorboard/<run>`
    /// (`tensorboard --logdir <outputDirectory>/tensorboard` shows the runs side by side); a
    /// failure to create it fails the script. Nil in the processes that do not speak.
    public func events(run: String) -> EventWriter? {
        guard Notebook.speaks else { return nil }
        let directory = (outputDirectory as NSString).appendingPathComponent("tensorboard/" + run)
        do { return try EventWriter(directory: directory) } catch { fail("could not start \(directory): \(error)") }
    }
}

extension Notebook {
    /// Whether `say`, `claim` and `write` print: in a run of several processes (`mpirun`)
    /// only rank 0 does, so the output reads as one script's.
    public static var speaks: Bool {
        get { speaking.load(ordering: .relaxed) }
        set { speaking.store(newValue, ordering: .relaxed) }
    }
    private static let speaking = Atomic<Bool>(true)
}

/// Prints a line and flushes it at once, so progress shows even when the output is a pipe.
public func say(_ line: String) {
    guard Notebook.speaks else { return }
    print(line)
    fflush(nil)
}

/// Stops the script with a non-zero status and says which claim did not hold.
public func fail(_ message: String) -> Never {
    fflush(nil)
    FileHandle.standardError.write(Data("FAILED: \(message)\n".utf8))
    exit(1)
}

/// The value of `body`, or the script stops with its error (a training step that diverged).
@discardableResult
public func must<T>(_ body: () throws -> T) -> T {
    do { return try body() } catch { fail("\(error)") }
}

/// Fails the script unless `condition` holds; prints the claim when it does.
public func claim(_ condition: Bool, _ message: @autoclosure () -> String) {
    guard condition else { fail(message()) }
    say("ok: \(message())")
}

/// A plain-text table with right-aligned columns.
public func table(_ header: [String], _ rows: [[String]]) -> String {
    let widths = header.indices.map { column in
        ([header] + rows).map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { String(repeating: " ", count: widths[$0] - $1.count) + $1 }.joined(separator: "  ")
    }
    let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
    return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
}

/// `value` with `digits` digits after the point.
public func format(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }
