#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a tape's time goes, op by op: how often each op ran, and the seconds its forward
/// kernel and its vector-Jacobian product took.
///
/// ```swift
/// let profile = TapeProfile()
/// tape.profile = profile
/// for _ in 0..<100 { tape.reset(); ...; tape.backward(from: loss) }
/// print(profile)   // a table sorted by total time
/// ```
///
/// Forward time is the op's own computation, timed inside the tape: neither the caller's code
/// between ops nor the tape's bookkeeping (shape checks, allocation, recording) is counted.
/// Backward time is each node's VJP. Every timed call also pays for one clock read (tens of
/// nanoseconds), which matters only for ops on tiny tensors. Inputs (constants, variables and
/// bound parameters) are counted in a row of their own, timed by the copy they make.
///
/// A profile accumulates until `reset()`; `Tape.reset()` leaves it alone, so it sums over
/// training steps. Like a tape, it is used from one thread at a time (several tapes may
/// share it if they run on the same thread). With no profile set, a tape does no timing.
public final class TapeProfile {
    /// One row of the profile: an op, or the inputs (`op == nil`).
    public struct Entry: Sendable, Equatable {
        /// nil for the inputs row.
        public let op: OpCode?
        /// Nodes recorded (forward executions).
        public let forwardCount: Int
        /// VJPs run (nodes that no gradient reached are skipped by `backward`).
        public let backwardCount: Int
        public let forwardSeconds: Double
        public let backwardSeconds: Double

        public var totalSeconds: Double { forwardSeconds + backwardSeconds }
        /// The op's name (`matmul`), or `inputs`.
        public var name: String { op.map { "\($0)" } ?? "inputs" }
    }

    // Indexed by `slot(op)`: one slot per OpCode, then one for the inputs.
    @usableFromInline var forwardCounts: [Int]
    @usableFromInline var backwardCounts: [Int]
    @usableFromInline var forwardNanoseconds: [UInt64]
    @usableFromInline var backwardNanoseconds: [UInt64]

    public init() {
        let slots = OpCode.allCases.count + 1
        forwardCounts = Array(repeating: 0, count: slots)
        backwardCounts = forwardCounts
        forwardNanoseconds = Array(repeating: 0, count: slots)
        backwardNanoseconds = forwardNanoseconds
    }

    /// Forgets everything measured so far.
    public func reset() {
        for i in forwardCounts.indices {
            (forwardCounts[i], backwardCounts[i]) = (0, 0)
            (forwardNanoseconds[i], backwardNanoseconds[i]) = (0, 0)
        }
    }

    /// The row of one op.
    public subscript(op: OpCode) -> Entry { entry(slot: Int(op.rawValue)) }

    /// The row of the inputs: constants, variables and bound parameters.
    public var inputs: Entry { entry(slot: OpCode.allCases.count) }

    /// Every row that recorded something, the most expensive first (ties by name).
    public var entries: [Entry] {
        forwardCounts.indices.map(entry(slot:)).filter { $0.forwardCount > 0 || $0.backwardCount > 0 }
            .sorted { ($0.totalSeconds, $1.name) > ($1.totalSeconds, $0.name) }
    }

    /// Seconds over all rows, forward and backward.
    public var totalSeconds: Double {
        Double(forwardNanoseconds.reduce(0, +) + backwardNanoseconds.reduce(0, +)) * 1e-9
    }

    func entry(slot: Int) -> Entry {
        Entry(
            op: slot < OpCode.allCases.count ? OpCode(rawValue: UInt8(slot)) : nil,
            forwardCount: forwardCounts[slot], backwardCount: backwardCounts[slot],
            forwardSeconds: Double(forwardNanoseconds[slot]) * 1e-9,
            backwardSeconds: Double(backwardNanoseconds[slot]) * 1e-9)
    }

    // MARK: Recording (called by the tape only while a profile is set)

    // Out of line: the tape's inlined hot paths hold just a call, taken only when profiling.

    /// Counts one forward execution of `op` (nil: an input) that started at `start` (`profileClock()`).
    @usableFromInline
    func addForward(_ op: OpCode?, since start: UInt64) {
        let slot = Self.slot(op)
        forwardNanoseconds[slot] &+= profileClock() &- start
        forwardCounts[slot] += 1
    }

    /// Counts a node with no work of its own: a bound parameter, or an alias (reshape,
    /// stop-gradient).
    @usableFromInline
    func count(_ op: OpCode?) {
        forwardCounts[Self.slot(op)] += 1
    }

    /// Counts one VJP of `op` that started at `start` (`profileClock()`).
    @usableFromInline
    func addBackward(_ op: OpCode?, since start: UInt64) {
        let slot = Self.slot(op)
        backwardNanoseconds[slot] &+= profileClock() &- start
        backwardCounts[slot] += 1
    }

    static func slot(_ op: OpCode?) -> Int { op.map { Int($0.rawValue) } ?? OpCode.allCases.count }
}

/// Monotonic nanoseconds, never 0 (a vDSO call on Linux, no system call). A free function so
/// the inlined callers need no class metadata to reach it.
@usableFromInline
func profileClock() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return (UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)) | 1
}

// MARK: The report

extension TapeProfile: CustomStringConvertible {
    /// The profile as a table sorted by total time: `print(profile)`.
    public var description: String { table() }

    /// A table sorted by total time: op, forward and backward counts, forward, backward and
    /// total milliseconds, and each row's share of the total.
    public func table() -> String {
        let rows = entries
        let total = totalSeconds
        func ms(_ seconds: Double) -> String { fixed(seconds * 1000, 2) }
        func line(_ name: String, _ fc: Int, _ bc: Int, _ f: Double, _ b: Double, _ share: String) -> String {
            name.padding(20) + pad(String(fc), 9) + pad(String(bc), 10) + pad(ms(f), 11) + pad(ms(b), 11)
                + pad(ms(f + b), 11) + pad(share, 8)
        }
        var lines = [
            "op".padding(20) + pad("forward", 9) + pad("backward", 10) + pad("fwd ms", 11) + pad("bwd ms", 11)
                + pad("total ms", 11) + pad("share", 8)
        ]
        for e in rows {
            let share = total > 0 ? fixed(100 * e.totalSeconds / total, 1) + " %" : "-"
            lines.append(line(e.name, e.forwardCount, e.backwardCount, e.forwardSeconds, e.backwardSeconds, share))
        }
        lines.append(
            line(
                "total", rows.reduce(0) { $0 + $1.forwardCount }, rows.reduce(0) { $0 + $1.backwardCount },
                rows.reduce(0) { $0 + $1.forwardSeconds }, rows.reduce(0) { $0 + $1.backwardSeconds },
                total > 0 ? "100 %" : "-"))
        return lines.joined(separator: "\n")
    }
}

/// `value` with `digits` decimals, without Foundation's `String(format:)`.
private func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    let whole = String(scaled / Int(scale))
    let fraction = String(abs(scaled) % Int(scale))
    return digits == 0 ? whole : whole + "." + String(repeating: "0", count: digits - fraction.count) + fraction
}

private func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }

extension String {
    fileprivate func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
