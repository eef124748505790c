import Autograd
import Foundation
import Testing

@Suite struct TapeProfileTests {
    /// y = sum(reshape(tanh(W x + b) * c)): 5 inputs (2 variables, one of them unused, 2 constants
    /// and a bound parameter), then matmul, add, tanh, multiply, reshape and sum once each; a
    /// gradient reaches every op, so backward runs each of their VJPs once.
    static func pass(
        _ tape: Tape<Double>, parameter: UnsafeMutablePointer<Double>,
        gradient: UnsafeMutablePointer<Double>
    ) {
        tape.reset()
        let w = tape.variable(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        let x = tape.constant(Tensor(shape: [3, 1], scalars: [0.1, 0.2, 0.3]))
        let b = tape.bind(parameter, gradient: gradient, shape: [2, 1])
        let c = tape.constant(Tensor(shape: [2, 1], scalars: [2, 3]))
        let unused = tape.variable(Tensor([7]))
        _ = unused
        let h = (w.matmul(x) + b).tanh() * c
        let y = h.reshaped(to: [2]).sum()
        tape.backward(from: y)
    }

    static func withParameter(_ body: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void) {
        var value: [Double] = [0.5, -0.5]
        var gradient: [Double] = [0, 0]
        value.withUnsafeMutableBufferPointer { v in
            gradient.withUnsafeMutableBufferPointer { g in body(v.baseAddress!, g.baseAddress!) }
        }
    }

    @Test func countsEqualTheRecordedAndReplayedOps() {
        let tape = Tape<Double>()
        let profile = TapeProfile()
        tape.profile = profile
        Self.withParameter { v, g in
            for _ in 0..<3 { Self.pass(tape, parameter: v, gradient: g) }
        }
        // Three passes: forward counts are recorded nodes, backward counts the VJPs that ran.
        let expected: [OpCode: (forward: Int, backward: Int)] = [
            .matmul: (3, 3), .add: (3, 3), .tanh: (3, 3), .multiply: (3, 3), .reshape: (3, 3), .sum: (3, 3),
        ]
        for op in OpCode.allCases {
            let entry = profile[op]
            let (forward, backward) = expected[op] ?? (0, 0)
            #expect(entry.forwardCount == forward, "\(op) forward")
            #expect(entry.backwardCount == backward, "\(op) backward")
        }
        #expect(profile.inputs.forwardCount == 3 * 5)
        #expect(profile.inputs.backwardCount == 0)
        #expect(Set(profile.entries.map(\.name)) == ["matmul", "add", "tanh", "multiply", "reshape", "sum", "inputs"])
    }

    @Test func vjpsSkippedByBackwardAreNotCounted() {
        // Nothing upstream of a constant-only product needs a gradient, so its VJP never runs;
        // a stochastic node runs its VJP without an incoming gradient.
        let tape = Tape<Double>()
        tape.profile = TapeProfile()
        let a = tape.constant(Tensor([1, 2]))
        let m = tape.variable(Tensor([0.5, 0.25]))
        var generator = SeededGenerator(seed: 3)
        let sample = m.sampleNormal(standardDeviation: 0.1, using: &generator)
        sample.setAdvantage(Tensor([1, 1]))
        let loss = ((a * a).stoppingGradient() * sample).sum() + m.sum()
        tape.backward(from: loss)
        let profile = tape.profile!
        #expect(profile[.multiply].forwardCount == 2)
        #expect(profile[.multiply].backwardCount == 0)  // neither operand side needs a gradient
        #expect(profile[.stopGradient].forwardCount == 1)
        #expect(profile[.stopGradient].backwardCount == 0)
        #expect(profile[.sampleNormal].forwardCount == 1)
        #expect(profile[.sampleNormal].backwardCount == 1)
        #expect(profile[.sum].backwardCount == 1)  // only m.sum() reaches a variable
        #expect(profile[.add].backwardCount == 1)
    }

    @Test func timesAreNonNegativeAndWithinTheWallTime() {
        let tape = Tape<Double>()
        let profile = TapeProfile()
        tape.profile = profile
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            Self.withParameter { v, g in
                for _ in 0..<20 { Self.pass(tape, parameter: v, gradient: g) }
            }
        }
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        for entry in profile.entries {
            #expect(entry.forwardSeconds >= 0 && entry.backwardSeconds >= 0, "\(entry.name)")
        }
        #expect(profile.totalSeconds > 0)
        #expect(profile.totalSeconds <= wall)
        let sum = profile.entries.reduce(0) { $0 + $1.totalSeconds }
        #expect(abs(sum - profile.totalSeconds) <= 1e-9 * Double(profile.entries.count + 1))
        // Sorted by total time, the most expensive first.
        let totals = profile.entries.map(\.totalSeconds)
        #expect(totals == totals.sorted(by: >))
    }

    @Test func disabledProfilingRecordsNothing() {
        let tape = Tape<Double>()
        let profile = TapeProfile()
        Self.withParameter { v, g in Self.pass(tape, parameter: v, gradient: g) }  // never attached
        #expect(profile.entries.isEmpty)
        #expect(profile.totalSeconds == 0)
        #expect(tape.profile == nil)

        // Detached again, it stops counting; reset() clears it.
        tape.profile = profile
        Self.withParameter { v, g in Self.pass(tape, parameter: v, gradient: g) }
        tape.profile = nil
        Self.withParameter { v, g in Self.pass(tape, parameter: v, gradient: g) }
        #expect(profile[.matmul].forwardCount == 1)
        profile.reset()
        #expect(profile.entries.isEmpty && profile.totalSeconds == 0)
    }

    @Test func profilingDoesNotChangeResults() {
        func run(profiled: Bool) -> ([Double], [Double]) {
            let tape = Tape<Double>()
            if profiled { tape.profile = TapeProfile() }
            var gradient: [Double] = []
            var parameter: [Double] = []
            Self.withParameter { v, g in
                Self.pass(tape, parameter: v, gradient: g)
                gradient = Array(UnsafeBufferPointer(start: g, count: 2))
                parameter = Array(UnsafeBufferPointer(start: v, count: 2))
            }
            return (gradient, parameter)
        }
        #expect(run(profiled: true) == run(profiled: false))
    }

    @Test func theTableListsEveryRowAndATotal() {
        let tape = Tape<Double>()
        let profile = TapeProfile()
        tape.profile = profile
        Self.withParameter { v, g in Self.pass(tape, parameter: v, gradient: g) }
        let lines = profile.description.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("op") == true)
        #expect(lines.count == profile.entries.count + 2)
        #expect(lines.last?.hasPrefix("total") == true)
        #expect(lines.contains { $0.hasPrefix("matmul ") })
        #expect(lines.contains { $0.hasPrefix("inputs ") })
    }
}
