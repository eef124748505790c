import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress line on stderr: redrawn in place on a terminal, a plain line every few seconds
/// in a log file.
struct ProgressReporter {
    let total: Int
    let label: String
    /// What the rate counts, e.g. `img/s`.
    let unit: String
    private let started = Date()
    private var lastDrawn = Date.distantPast
    private let isTerminal = isatty(2) != 0

    init(total: Int, label: String, unit: String = "img/s") {
        self.total = total
        self.label = label
        self.unit = unit
    }

    /// Redraws the line if enough time passed since the last one.
    mutating func update(done: Int, samples: Int, details: String) {
        let now = Date()
        let interval: TimeInterval = isTerminal ? 0.1 : 15
        guard now.timeIntervalSince(lastDrawn) >= interval || done == total else { return }
        lastDrawn = now
        let elapsed = now.timeIntervalSince(started)
        let fraction = Double(done) / Double(max(total, 1))
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar =
            String(repeating: "=", count: filled) + (filled < width ? ">" : "")
            + String(repeating: " ", count: max(0, width - filled - 1))
        let rate = Double(samples) / max(elapsed, 1e-9)
        let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let line = "\(label) [\(bar)] \(done)/\(total) \(Int(rate)) \(unit) ETA \(Self.clock(eta)) \(details)"
        CommandLineTool.printError(
            isTerminal ? "\r\u{1B}[K" + line + (done == total ? "\n" : "") : line, newline: !isTerminal)
    }

    /// `m:ss` or `h:mm:ss`.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
