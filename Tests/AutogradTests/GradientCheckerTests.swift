import Autograd
import AutogradTesting
import Testing

/// The checker must be able to fail: a gradient check that cannot fail checks nothing.
@Suite struct GradientCheckerTests {
    /// `x * stopGradient(x)` has true derivative 2x, but the tape reports x.
    static func halfWrong(_ tape: Tape<Double>, _ v: [Variable<Double>]) -> Variable<Double> {
        v[0] * v[0].stoppingGradient()
    }

    @Test func fullJacobianCatchesAWrongGradient() {
        var g = SeededGenerator(seed: 1)
        let result = checkGradients(at: [.normal([2, 3], using: &g)], Self.halfWrong)
        #expect(!result.passed)
        #expect(result.failureCount == 6, "one disagreement per diagonal entry, got \(result)")
    }

    @Test func randomDirectionsCatchAWrongGradient() {
        var g = SeededGenerator(seed: 2)
        // 40 x 40 outputs times 1600 inputs is far above the full-Jacobian limit.
        let result = checkGradients(at: [.normal([40, 40], using: &g)], Self.halfWrong)
        #expect(!result.passed)
        #expect(result.failures.allSatisfy { $0.hasPrefix("random direction") }, "\(result)")
    }

    @Test func randomDirectionsPassACorrectGradient() {
        var g = SeededGenerator(seed: 3)
        let result = checkGradients(at: [.normal([30, 20], using: &g), .normal([20, 10], using: &g)]) { _, v in
            v[0].matmul(v[1]).tanh()
        }
        #expect(result.passed, "\(result)")
    }

    @Test func constantsAreNotChecked() {
        var g = SeededGenerator(seed: 4)
        // Only the first input is checked; the second enters through stopGradient and is held constant.
        let result = checkGradients(
            at: [.normal([3], using: &g), .normal([3], using: &g)],
            differentiable: [true, false]
        ) { _, v in (v[0] * v[1]).sum() }
        #expect(result.passed, "\(result)")
    }
}
