import Autograd
import AutogradTesting
import Foundation
import Testing

/// Derivatives of derivatives against hand derivations and finite differences: Hessians,
/// Hessian- and Jacobian-vector products, a MAML meta-gradient and a gradient penalty.
@Suite struct HigherOrderTests {
    static func close(_ a: [Double], _ b: [Double], tolerance: Double = 1e-10) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    static func diagonal(_ d: [Double]) -> [Double] {
        var m = [Double](repeating: 0, count: d.count * d.count)
        for i in d.indices { m[i * d.count + i] = d[i] }
        return m
    }

    @Test func theHessianOfASumOfCubesIsDiagonalSixX() {
        let x = Tensor<Double>(shape: [2, 2], scalars: [0.5, -1.25, 2, 0.3])
        let expected = Self.diagonal(x.scalars.map { 6 * $0 })
        let product = hessian(of: { ($0 * $0 * $0).sum() }, at: x)
        #expect(product.shape == [4, 4] && Self.close(product.scalars, expected), "\(product.scalars)")
        let squared = hessian(of: { ($0.squared() * $0).sum() }, at: x)
        #expect(Self.close(squared.scalars, expected), "\(squared.scalars)")
    }

    /// The README's three lines, as written there.
    @Test func theReadmesExampleGivesWhatItsCommentsSay() {
        let x = Tensor<Double>([0.5, -2, 3])
        let v = Tensor<Double>([1, 0.5, -1])
        let f = { (x: Variable<Double>) in (x * x).sum() }
        let hv = hvp(of: { ($0 * $0 * $0).sum() }, at: x, direction: v)  // H v = 6 x v, without H
        let (y, jv) = jvp(of: { $0.tanh() }, at: x, direction: v)  // y and J v = (1 - y^2) v
        let h = hessian(of: f, at: x)  // [n, n]; jacobian(of:at:) too
        #expect(Self.close(hv.scalars, zip(x.scalars, v.scalars).map { 6 * $0 * $1 }))
        #expect(Self.close(jv.scalars, zip(y.scalars, v.scalars).map { (1 - $0 * $0) * $1 }))
        #expect(h.shape == [3, 3] && Self.close(h.scalars, Self.diagonal([2, 2, 2])))
    }

    @Test func theHessianOfASumOfSinesIsDiagonalMinusSine() {
        let x = Tensor<Double>([0.3, -1.1, 2.5, 4])
        let h = hessian(of: { sine($0).sum() }, at: x)
        #expect(Self.close(h.scalars, Self.diagonal(x.scalars.map { -Foundation.sin($0) })), "\(h.scalars)")
        // Two more orders through the ops' differentiable VJPs: d^4/dx^4 sin = sin.
        let third = { (x: Variable<Double>) -> Variable<Double> in
            let tape = x.tape
            let first = tape.gradients(of: sine(x).sum(), withRespectTo: [x])[0]
            let second = tape.gradients(of: first.sum(), withRespectTo: [x])[0]
            return tape.gradients(of: second.sum(), withRespectTo: [x])[0]
        }
        let fourth = jacobian(of: third, at: x)
        #expect(Self.close(fourth.scalars, Self.diagonal(x.scalars.map { Foundation.sin($0) })), "\(fourth.scalars)")
    }

    /// Softmax cross-entropy over a batch: per row, the Hessian in the logits is
    /// `diag(p) - p p^T` (a hand derivation), and it equals differences of the gradient.
    @Test func softmaxCrossEntropysHessianMatchesTheHandDerivationAndDifferences() {
        var generator = SeededGenerator(seed: 5)
        let logits = Tensor<Double>.normal([2, 3], using: &generator)
        let labels = [2, 0]
        let loss = { (z: Variable<Double>) in -z.logSoftmax().gathering(labels, alongAxis: 1).sum() }
        let h = hessian(of: loss, at: logits)

        var expected = [Double](repeating: 0, count: 36)
        for row in 0..<2 {
            let z = Array(logits.scalars[(row * 3)..<(row * 3 + 3)])
            let e = z.map { Foundation.exp($0) }
            let p = e.map { $0 / e.reduce(0, +) }
            for i in 0..<3 {
                for j in 0..<3 { expected[(row * 3 + i) * 6 + row * 3 + j] = (i == j ? p[i] : 0) - p[i] * p[j] }
            }
        }
        #expect(Self.close(h.scalars, expected), "\(h.scalars)")
        #expect(Self.close(h.scalars, differencesOfGradient(loss, at: logits), tolerance: 1e-7))
    }

    /// `jvp` gives `J v`, with `J` built row by row from reverse passes, and `f(x)` itself.
    @Test func aJacobianVectorProductIsTheJacobianTimesTheDirection() {
        var generator = SeededGenerator(seed: 6)
        let weight = Tensor<Double>.normal([3, 4], using: &generator)
        let f = { (x: Variable<Double>) in
            let w = x.tape.constant(weight)
            return (x.matmul(w).tanh() * x.sum(alongAxes: [1]).reshaped(to: [2, 1])).logSoftmax()
        }
        let x = Tensor<Double>.normal([2, 3], using: &generator)
        let v = Tensor<Double>.normal([2, 3], using: &generator)
        let (value, tangent) = jvp(of: f, at: x, direction: v)
        let j = jacobian(of: f, at: x)
        #expect(j.shape == [8, 6])
        let product = (0..<8).map { i in (0..<6).reduce(0.0) { $0 + j.scalars[i * 6 + $1] * v.scalars[$1] } }
        #expect(tangent.shape == [2, 4] && Self.close(tangent.scalars, product), "\(tangent.scalars) vs \(product)")
        let tape = Tape<Double>()
        #expect(value == f(tape.constant(x)).value)
    }

    /// `hvp` equals the Hessian times the direction and differences of gradients along it.
    @Test func aHessianVectorProductMatchesTheHessianAndDifferences() {
        var generator = SeededGenerator(seed: 7)
        let f = { (x: Variable<Double>) in (x.exp() * x.sigmoid()).sum() + (x.matmul(x, transposeB: true)).tanh().sum()
        }
        let x = Tensor<Double>.normal([2, 3], using: &generator)
        let v = Tensor<Double>.normal([2, 3], using: &generator)
        let product = hvp(of: f, at: x, direction: v)
        let h = hessian(of: f, at: x)
        let expected = (0..<6).map { i in (0..<6).reduce(0.0) { $0 + h.scalars[i * 6 + $1] * v.scalars[$1] } }
        #expect(Self.close(product.scalars, expected), "\(product.scalars) vs \(expected)")
        let epsilon = 1e-6
        let up = gradient(f, at: x, plus: v, times: epsilon)
        let down = gradient(f, at: x, plus: v, times: -epsilon)
        let differences = zip(up, down).map { ($0 - $1) / (2 * epsilon) }
        #expect(Self.close(product.scalars, differences, tolerance: 1e-6), "\(product.scalars) vs \(differences)")
    }

    /// MAML (Finn et al. 2017) on a linear regression: one inner step of gradient descent
    /// on a training set, the loss of the adapted weights on a validation set, and its
    /// gradient through the inner step, against differences of a plain Double computation.
    @Test func aMAMLMetaGradientMatchesDifferences() {
        var generator = SeededGenerator(seed: 8)
        let (trainX, trainY) = (
            Tensor<Double>.normal([5, 2], using: &generator), Tensor<Double>.normal([5, 1], using: &generator)
        )
        let (validX, validY) = (
            Tensor<Double>.normal([4, 2], using: &generator), Tensor<Double>.normal([4, 1], using: &generator)
        )
        let rate = 0.3
        let weights = Tensor<Double>(shape: [2, 1], scalars: [0.4, -0.7])

        let tape = Tape<Double>()
        let w = tape.variable(weights)
        func loss(_ w: Variable<Double>, _ x: Tensor<Double>, _ y: Tensor<Double>) -> Variable<Double> {
            (tape.constant(x).matmul(w) - tape.constant(y)).squared().mean()
        }
        let inner = tape.gradients(of: loss(w, trainX, trainY), withRespectTo: [w])[0]
        let adapted = w - inner * rate
        tape.backward(from: loss(adapted, validX, validY))
        let metaGradient = tape.gradient(of: w)!.scalars

        // The same meta-loss in plain Double: inner gradient (2/n) X^T (X w - y) by hand.
        func metaLoss(_ w: [Double]) -> Double {
            func residuals(_ x: Tensor<Double>, _ y: Tensor<Double>, _ w: [Double]) -> [Double] {
                (0..<y.shape[0]).map { r in x.scalars[2 * r] * w[0] + x.scalars[2 * r + 1] * w[1] - y.scalars[r] }
            }
            let r = residuals(trainX, trainY, w)
            let n = Double(r.count)
            let g = (0..<2).map { k in 2 / n * r.indices.reduce(0.0) { $0 + trainX.scalars[2 * $1 + k] * r[$1] } }
            let v = residuals(validX, validY, [w[0] - rate * g[0], w[1] - rate * g[1]])
            return v.reduce(0) { $0 + $1 * $1 } / Double(v.count)
        }
        let epsilon = 1e-6
        let differences = (0..<2).map { k in
            var (up, down) = (weights.scalars, weights.scalars)
            up[k] += epsilon
            down[k] -= epsilon
            return (metaLoss(up) - metaLoss(down)) / (2 * epsilon)
        }
        #expect(Self.close(metaGradient, differences, tolerance: 1e-7), "\(metaGradient) vs \(differences)")

        // The second-order term matters here: first-order MAML (inner gradient held) differs.
        let held = Tape<Double>()
        let w2 = held.variable(weights)
        let innerHeld = held.gradients(
            of: (held.constant(trainX).matmul(w2) - held.constant(trainY)).squared().mean(), withRespectTo: [w2])[0]
        let adaptedHeld = w2 - innerHeld.stoppingGradient() * rate
        held.backward(from: (held.constant(validX).matmul(adaptedHeld) - held.constant(validY)).squared().mean())
        let firstOrder = held.gradient(of: w2)!.scalars
        #expect(zip(firstOrder, metaGradient).contains { abs($0 - $1) > 1e-3 }, "\(firstOrder) vs \(metaGradient)")
    }

    /// A gradient penalty `mean ||grad_x D(x)||^2` on a small network (WGAN-GP's term): its
    /// gradient in the weights passes the checker, and a few steps of descent on it lower it.
    @Test func aGradientPenaltyTrainsWithCheckedGradients() {
        var generator = SeededGenerator(seed: 9)
        let x = Tensor<Double>.normal([4, 3], using: &generator)
        func penalty(_ weights: [Variable<Double>]) -> Variable<Double> {
            let tape = weights[0].tape
            let input = tape.variable(x)
            let hidden = input.linear(weight: weights[0], bias: weights[1], activation: .tanh)
            let critic = hidden.linear(weight: weights[2]).sum()
            let slopes = tape.gradients(of: critic, withRespectTo: [input])[0]  // one row per example
            return (slopes.squared().sum(alongAxes: [1]) - 1).squared().mean()
        }
        var weights = [
            Tensor<Double>.normal([5, 3], using: &generator), Tensor<Double>.normal([5], using: &generator),
            Tensor<Double>.normal([1, 5], using: &generator),
        ]
        let check = checkGradients(at: weights) { _, w in penalty(w) }
        #expect(check.passed, "\(check)")

        var losses: [Double] = []
        for _ in 0..<20 {
            let tape = Tape<Double>()
            let variables = weights.map { tape.variable($0) }
            let loss = penalty(variables)
            losses.append(loss.scalars[0])
            tape.backward(from: loss)
            for k in weights.indices {
                let g = tape.gradient(of: variables[k])!
                weights[k] = Tensor(
                    shape: weights[k].shape, scalars: zip(weights[k].scalars, g.scalars).map { $0 - 0.1 * $1 })
            }
        }
        #expect(losses.last! < 0.5 * losses.first!, "\(losses)")
    }

    /// A second-order rule that is wrong while its first-order values are right (the
    /// derivative of softplus detached from `x`) passes at order 1 and fails at order 2.
    @Test func theCheckerCatchesAWrongSecondOrderRule() {
        func softplus(
            _ rule: @escaping (Variable<Double>, Variable<Double>) -> Variable<Double>
        ) -> CustomOp<Double, Void> {
            CustomOp(
                name: "softplus",
                forward: { inputs, outputs in
                    for i in 0..<inputs[0].count { outputs[0][i] = Foundation.log(1 + Foundation.exp(inputs[0][i])) }
                },
                vjp: { c in
                    guard let dx = c.gradients[0] else { return }
                    for i in 0..<dx.count { dx[i] = c.cotangents[0][i] / (1 + Foundation.exp(-c.inputs[0][i])) }
                },
                differentiableVJP: { c in [rule(c.inputs[0], c.cotangents[0])] })
        }
        let right = softplus { x, g in g * x.sigmoid() }
        let wrong = softplus { x, g in g * x.sigmoid().stoppingGradient() }
        let x = [Tensor<Double>([0.3, -1.2, 2])]
        #expect(checkGradients(at: x, order: 2) { _, v in right(v[0])[0] }.passed)
        #expect(checkGradients(at: x) { _, v in wrong(v[0])[0] }.passed)
        let failed = checkGradients(at: x, order: 2) { _, v in wrong(v[0])[0] }
        #expect(!failed.passed && failed.description.contains("order 2"), "\(failed)")
    }

    /// A custom op with only a buffer VJP still gives first derivatives through the recorded
    /// pass, equal to `backward`'s.
    @Test func aBufferVJPGivesFirstDerivativesInARecordedPass() {
        let tape = Tape<Double>()
        let (a, b) = (tape.variable(Tensor([1, 2, 3])), tape.variable(Tensor([0.5, -1, 2])))
        let outputs = bufferOnlyProductAndDifference()(a, b)
        let root = (outputs[0] * outputs[1]).sum()
        let recorded = tape.gradients(of: root, withRespectTo: [a, b]).map(\.scalars)
        tape.backward(from: root)
        #expect(recorded == [tape.gradient(of: a)!.scalars, tape.gradient(of: b)!.scalars])
    }

    @Test func differentiatingABufferVJPTwiceStopsWithTheOpsName() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let tape = Tape<Double>()
            let (a, b) = (tape.variable(Tensor([1, 2, 3])), tape.variable(Tensor([0.5, -1, 2])))
            let root = bufferOnlyProductAndDifference()(a, b)[0].sum()
            let gradient = tape.gradients(of: root, withRespectTo: [a])[0]
            tape.backward(from: gradient.sum())
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("product: its gradient cannot be differentiated again"), "\(message)")
    }

    @Test func aGradientWithRespectToAConstantStopsWithAMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let tape = Tape<Double>()
            let x = tape.constant(Tensor([1, 2]))
            _ = tape.gradients(of: x.sum(), withRespectTo: [x])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("input 0 is a constant"), "\(message)")
    }
}

/// sin and cos as custom ops whose differentiable VJPs call each other: differentiable to
/// any order.
func sine(_ x: Variable<Double>) -> Variable<Double> {
    CustomOp<Double, Void>(
        name: "sin",
        forward: { inputs, outputs in for i in 0..<inputs[0].count { outputs[0][i] = Foundation.sin(inputs[0][i]) } },
        vjp: { c in
            guard let dx = c.gradients[0] else { return }
            for i in 0..<dx.count { dx[i] = c.cotangents[0][i] * Foundation.cos(c.inputs[0][i]) }
        },
        differentiableVJP: { c in [c.cotangents[0] * cosine(c.inputs[0])] })(x)[0]
}

func cosine(_ x: Variable<Double>) -> Variable<Double> {
    CustomOp<Double, Void>(
        name: "cos",
        forward: { inputs, outputs in for i in 0..<inputs[0].count { outputs[0][i] = Foundation.cos(inputs[0][i]) } },
        vjp: { c in
            guard let dx = c.gradients[0] else { return }
            for i in 0..<dx.count { dx[i] = -c.cotangents[0][i] * Foundation.sin(c.inputs[0][i]) }
        },
        differentiableVJP: { c in [-(c.cotangents[0] * sine(c.inputs[0]))] })(x)[0]
}

/// `(a * b, a - b^2)` with a buffer VJP only.
func bufferOnlyProductAndDifference() -> CustomOp<Double, Void> {
    let op = productAndDifference()
    return CustomOp(name: "product", outputShapes: op.outputShapes, forward: op.forward, vjp: op.vjp)
}

/// The gradient of `f` at `x + scale * direction`, from `backward`.
func gradient(
    _ f: (Variable<Double>) -> Variable<Double>, at x: Tensor<Double>, plus direction: Tensor<Double>,
    times scale: Double
) -> [Double] {
    let tape = Tape<Double>()
    let input = tape.variable(
        Tensor(shape: x.shape, scalars: zip(x.scalars, direction.scalars).map { $0 + scale * $1 }))
    tape.backward(from: f(input))
    return tape.gradient(of: input)!.scalars
}

/// The Hessian of `f` by central differences of its gradient from `backward`, row by row.
func differencesOfGradient(_ f: (Variable<Double>) -> Variable<Double>, at x: Tensor<Double>) -> [Double] {
    let (n, epsilon) = (x.shape.count, 1e-6)
    var columns: [[Double]] = []
    for k in 0..<n {
        var unit = Tensor<Double>.zeros(x.shape)
        unit.withUnsafeMutableBufferPointer { $0[k] = 1 }
        let (up, down) = (
            gradient(f, at: x, plus: unit, times: epsilon), gradient(f, at: x, plus: unit, times: -epsilon)
        )
        columns.append(zip(up, down).map { ($0 - $1) / (2 * epsilon) })
    }
    return (0..<n * n).map { columns[$0 % n][$0 / n] }  // symmetric: row i, column j
}
