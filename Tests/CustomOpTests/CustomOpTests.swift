// A user's own differentiable op, written as another package would: public API only (no
// @testable import), checked with the public gradient checker.
import Autograd
import AutogradTesting
import Foundation
import NeuralNetworks
import Testing

/// `(p, q) = (a * e^b, a^2 - b)` elementwise: two inputs, two outputs. The forward rule
/// saves e^b for the VJP, which is
///
///     da = gp * e^b + gq * 2a        db = gp * a * e^b - gq
///
/// `mistake` breaks the VJP on purpose (it drops the `gq * 2a` term).
func scaledExponential<Scalar: TensorScalar>(
    exp: @escaping (Scalar) -> Scalar, mistake: Bool = false
)
    -> CustomOp<Scalar, [Scalar]>
{
    CustomOp(
        name: "scaled exponential",
        outputShapes: { shapes in
            precondition(
                shapes == [shapes[0], shapes[0]], "scaled exponential: needs two inputs of one shape, got \(shapes)")
            return [shapes[0], shapes[0]]
        },
        forward: { inputs, outputs in
            let (a, b) = (inputs[0], inputs[1])
            let eb = (0..<b.count).map { exp(b[$0]) }
            for i in 0..<a.count { (outputs[0][i], outputs[1][i]) = (a[i] * eb[i], a[i] * a[i] - b[i]) }
            return eb
        },
        vjp: { c in
            let (a, eb, gp, gq) = (c.inputs[0], c.saved, c.cotangents[0], c.cotangents[1])
            if let da = c.gradients[0] {
                for i in 0..<a.count { da[i] = gp[i] * eb[i] + (mistake ? 0 : gq[i] * 2 * a[i]) }
            }
            if let db = c.gradients[1] {
                for i in 0..<a.count { db[i] = gp[i] * a[i] * eb[i] - gq[i] }
            }
        })
}

/// The same function from built-in ops, as an independent reference for the gradients.
func scaledExponentialFromBuiltIns<Scalar>(
    _ a: Variable<Scalar>, _ b: Variable<Scalar>
) -> (Variable<Scalar>, Variable<Scalar>) {
    (a * b.exp(), a.squared() - b)
}

@Suite struct CustomOpTests {
    let op = scaledExponential(exp: { (x: Double) in Foundation.exp(x) })
    var generator = SeededGenerator(seed: 12)

    @Test mutating func twoInputsTwoOutputsPassTheGradientChecker() {
        let inputs = [Tensor<Double>.normal([3, 4], using: &generator), .normal([3, 4], using: &generator)]
        let op = self.op
        // Both outputs at once (full Jacobian through a concatenation), then each alone, where
        // the other output's cotangent is zero.
        let both = checkGradients(at: inputs) { _, v in
            let o = op(v[0], v[1])
            return concatenate([o[0], o[1]], alongAxis: 0)
        }
        #expect(both.passed, "\(both)")
        for k in 0..<2 {
            let alone = checkGradients(at: inputs) { _, v in op(v[0], v[1])[k].tanh() }
            #expect(alone.passed, "output \(k) alone: \(alone)")
        }
    }

    @Test mutating func anOutputThatIsTheRootGetsItsGradient() {
        // backward from the first of two outputs itself: the VJP, which runs from the last
        // output's node, must still run.
        let inputs = [Tensor<Double>.normal([3], using: &generator), .normal([3], using: &generator)]
        let op = self.op
        for k in 0..<2 {
            let result = checkGradients(at: inputs) { _, v in op(v[0], v[1])[k] }
            #expect(result.passed, "output \(k) as the root: \(result)")
        }
    }

    @Test mutating func aWrongVJPFailsTheChecker() {
        let inputs = [Tensor<Double>.normal([2, 3], using: &generator), .normal([2, 3], using: &generator)]
        let wrong = scaledExponential(exp: { (x: Double) in Foundation.exp(x) }, mistake: true)
        let result = checkGradients(at: inputs) { _, v in
            let o = wrong(v[0], v[1])
            return o[0] + o[1]
        }
        #expect(!result.passed)
        // The checker names the input whose gradient disagrees: only `a`'s VJP is wrong.
        #expect(result.failures.contains { $0.hasPrefix("input 0") })
        #expect(!result.failures.contains { $0.hasPrefix("input 1") })
    }

    @Test mutating func valuesAndGradientsEqualTheBuiltInOps() {
        let (a0, b0) = (
            Tensor<Double>.normal([2, 5], using: &generator), Tensor<Double>.normal([2, 5], using: &generator)
        )
        let weights = Tensor<Double>.normal([2, 5], using: &generator)
        func run(
            _ f: (Variable<Double>, Variable<Double>) -> (Variable<Double>, Variable<Double>)
        )
            -> (values: [Double], da: [Double], db: [Double])
        {
            let tape = Tape<Double>()
            let a = tape.variable(a0)
            let b = tape.variable(b0)
            let (p, q) = f(a, b)
            tape.backward(from: (p * tape.constant(weights) + q.sigmoid()).sum())
            return (Array(p.scalars) + Array(q.scalars), tape.gradient(of: a)!.scalars, tape.gradient(of: b)!.scalars)
        }
        let custom = run { a, b in
            let o = op(a, b)
            return (o[0], o[1])
        }
        let builtIn = run(scaledExponentialFromBuiltIns)
        #expect(zip(custom.values, builtIn.values).allSatisfy { abs($0 - $1) <= 1e-14 * max(1, abs($1)) })
        #expect(zip(custom.da, builtIn.da).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
        #expect(zip(custom.db, builtIn.db).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
    }

    @Test mutating func anInputUsedTwiceAccumulates() {
        let x = [Tensor<Double>.normal([4], using: &generator)]
        let op = self.op
        let result = checkGradients(at: x) { _, v in
            let o = op(v[0], v[0])
            return o[0] * o[1]
        }
        #expect(result.passed, "\(result)")
    }

    @Test func floatParametersTrainThroughTheOp() {
        // A Float op on parameters bound from a store: their gradients land in the store, as
        // the built-in ops' do, and agree with the built-in composite to float precision.
        let op = scaledExponential(exp: { (x: Float) in Foundation.exp(x) })
        func gradients(_ f: (Variable<Float>, Variable<Float>) -> (Variable<Float>, Variable<Float>)) -> [Float] {
            let store = ParameterStore<Float>()
            let a = store.add("a", Tensor([0.5, -1, 2]))
            let b = store.add("b", Tensor([0.25, 0.5, -0.75]))
            let tape = Tape<Float>()
            tape.keepsIntermediateGradients = false  // the training setting: buffers reused during backward
            let (p, q) = f(store.variable(a, on: tape), store.variable(b, on: tape))
            tape.backward(from: (p * q).sum())
            return store.gradient(a).scalars + store.gradient(b).scalars
        }
        let custom = gradients { a, b in
            let o = op(a, b)
            return (o[0], o[1])
        }
        let builtIn = gradients(scaledExponentialFromBuiltIns)
        #expect(zip(custom, builtIn).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }, "\(custom) vs \(builtIn)")
    }

    @Test func inputsThatNeedNoGradientGetNone() {
        // A constant input gets no gradient buffer (nil in the VJP), a variable one does.
        let tape = Tape<Double>()
        let a = tape.variable(Tensor([1, 2]))
        let b = tape.constant(Tensor([0.5, 0.5]))
        nonisolated(unsafe) var seen: [Bool] = []
        let probe = CustomOp<Double, Void>(
            name: "probe",
            forward: { inputs, outputs in
                for i in 0..<outputs[0].count { outputs[0][i] = inputs[0][i] + inputs[1][i] }
            },
            vjp: { c in
                seen = c.gradients.map { $0 != nil }
                for i in 0..<c.cotangents[0].count { c.gradients[0]?[i] = c.cotangents[0][i] }
            })
        tape.backward(from: probe(a, b)[0].sum())
        #expect(seen == [true, false])
        #expect(tape.gradient(of: a) == Tensor([1, 1]))
        #expect(tape.gradient(of: b) == nil)
    }
}
