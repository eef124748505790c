// # A tour of the autodiff
//
// Build a function on a tape, take its gradients, write an op of your own (first as a
// composite of registered ops, then as a `CustomOp` with its own VJP), check both with the
// public gradient checker, see what `stoppingGradient()` does, and train through your own
// ops, then take second derivatives: a Hessian-vector product driving Newton-CG. Every claim
// is checked; the script fails if one does not hold.
//
//     swift run -c release tour

import Autograd
import AutogradTesting
import Foundation
import NeuralNetworks
import NotebookSupport
import Training

let notebook = Notebook(
    name: "tour", summary: "A tour of the autodiff: tape, gradients, custom ops, checks, stop-gradient.")

// ## 1. A function and its gradient
//
// A `Tape` records every op applied to its variables; `backward(from:)` replays the record
// in reverse and leaves d(root)/d(input) for every input that asked for one. Gradient
// checks run in Double, where finite differences are accurate enough to compare against.
//
//     f(x, y) = sum(tanh(x * y) + x^2)        df/dx = y (1 - tanh^2(xy)) + 2x
//                                             df/dy = x (1 - tanh^2(xy))

say("## 1. f(x, y) = sum(tanh(x * y) + x^2)\n")
let tape = Tape<Double>()
let x = tape.variable(Tensor([0.5, -1.0, 2.0]))
let y = tape.variable(Tensor([1.5, 0.25, -0.75]))
let f = ((x * y).tanh() + x.squared()).sum()
tape.backward(from: f)

let (dx, dy) = (tape.gradient(of: x)!.scalars, tape.gradient(of: y)!.scalars)
var rows: [[String]] = []
var largestError = 0.0
for i in 0..<3 {
    let (xi, yi) = (x.value.scalars[i], y.value.scalars[i])
    let t = Foundation.tanh(xi * yi)
    let (byHandX, byHandY) = (yi * (1 - t * t) + 2 * xi, xi * (1 - t * t))
    largestError = max(largestError, abs(dx[i] - byHandX), abs(dy[i] - byHandY))
    rows.append([
        format(xi, 2), format(yi, 2), format(dx[i], 6), format(byHandX, 6), format(dy[i], 6), format(byHandY, 6),
    ])
}
say(table(["x", "y", "tape df/dx", "by hand", "tape df/dy", "by hand"], rows))
say("f = \(format(f.value.scalar, 6)); the tape recorded \(tape.count) nodes\n")
claim(largestError < 1e-12, "the tape's gradients equal the hand-derived ones (largest difference \(largestError))")

// ## 2. The gradient checker
//
// `checkGradients` (module AutogradTesting) rebuilds the function on its own tape and
// compares every derivative with central finite differences (PyTorch's gradcheck tolerances),
// then checks that a zero cotangent gives zero gradients, gradient shapes equal input shapes,
// two backward passes agree, and an input used twice accumulates. Here: a matrix product,
// a broadcast bias and a log-softmax, the heart of a classifier.

say("\n## 2. The public gradient checker on a small classifier head\n")
var generator = SeededGenerator(seed: 7)
let inputs = [
    Tensor<Double>.normal([4, 3], using: &generator),  // a batch of 4 inputs
    Tensor<Double>.normal([3, 5], using: &generator),  // weights
    Tensor<Double>.normal([5], using: &generator),
]  // bias, broadcast over the batch
let headCheck = checkGradients(at: inputs) { _, v in (v[0].matmul(v[1]) + v[2]).logSoftmax() }
say("matmul + bias + logSoftmax: \(headCheck)")
claim(headCheck.passed, "the classifier head's gradients pass the checker")

// ## 3. An op of your own, as a composite
//
// A new *function* built from registered ops needs no gradient code at all: the tape
// differentiates the pieces. Softplus, a smooth ReLU:
//
//     softplus(x) = log(1 + e^x)          d/dx softplus(x) = e^x / (1 + e^x) = sigmoid(x)

say("\n## 3. softplus as a composite of exp and log\n")
extension Variable {
    /// `log(1 + e^x)`, built from registered ops: its gradient comes for free.
    func softplus() -> Variable { (exp() + 1).log() }
}

let points = Tensor([-3.0, -0.5, 0.0, 0.7, 2.5])
let compositeCheck = checkGradients(at: [points]) { _, v in v[0].softplus() }
say("composite softplus: \(compositeCheck)")
claim(compositeCheck.passed, "the composite softplus passes the checker")

// The gradient the tape derived is the sigmoid we derived by hand:
tape.reset()
let p = tape.variable(points)
tape.backward(from: p.softplus().sum())
let sigmoidByHand = points.scalars.map { 1 / (1 + Foundation.exp(-$0)) }
rows = zip(points.scalars, zip(tape.gradient(of: p)!.scalars, sigmoidByHand)).map {
    [format($0, 2), format($1.0, 8), format($1.1, 8)]
}
say(table(["x", "tape d softplus/dx", "sigmoid(x) by hand"], rows))
let compositeError = zip(tape.gradient(of: p)!.scalars, sigmoidByHand).map { abs($0 - $1) }.max()!
claim(compositeError < 1e-12, "the composite's gradient is sigmoid(x) (largest difference \(compositeError))")

// ## 4. An op of your own, with its own VJP
//
// Sometimes the forward value comes from code the tape does not see (a library call, a
// clever closed form), or the composite is numerically poor: log(1 + e^x) overflows for
// large x. Then declare a `CustomOp`: a forward rule that reads its inputs and writes its
// outputs in the tape's memory, and beside it the VJP, which turns the outputs' cotangents
// into the inputs' gradients. It records one node on the same tape as the built-in ops.
//
//     softplus(x) = max(x, 0) + log(1 + e^-|x|)        VJP: dx = g * sigmoid(x)

say("\n## 4. softplus as a CustomOp with its own VJP\n")
/// softplus computed without overflow, with its derivative sigmoid(x) written by hand;
/// `slope` scales the derivative so that section 4 can show the checker catching a slip.
func softplusOp(slope: Double = 1) -> CustomOp<Double, Void> {
    CustomOp(
        name: "softplus",
        forward: { inputs, outputs in
            let (x, y) = (inputs[0], outputs[0])
            for i in 0..<x.count { y[i] = max(x[i], 0) + Foundation.log1p(Foundation.exp(-abs(x[i]))) }
        },
        vjp: { context in
            let (x, g) = (context.inputs[0], context.cotangents[0])
            guard let dx = context.gradients[0] else { return }
            for i in 0..<x.count { dx[i] = slope * g[i] / (1 + Foundation.exp(-x[i])) }
        })
}
let softplus = softplusOp()

let customCheck = checkGradients(at: [points]) { _, v in softplus(v[0])[0] }
say("CustomOp softplus: \(customCheck)")
claim(customCheck.passed, "the CustomOp's VJP passes the checker")

tape.reset()
let big = tape.variable(Tensor([800.0]))
let stable = softplus(big)[0]
let composite = big.softplus()
tape.backward(from: stable.sum())
say(
    "at x = 800: composite \(composite.value.scalar), CustomOp \(stable.value.scalar), its gradient "
        + "\(tape.gradient(of: big)!.scalar)"
)
claim(
    composite.value.scalar.isInfinite && stable.value.scalar == 800 && tape.gradient(of: big)!.scalar == 1,
    "the composite overflows at x = 800 while the CustomOp gives 800 with gradient 1")

// The checker exists to catch mistakes. A VJP with a slip (sigmoid(x) / 2) fails it:
let wrongCheck = checkGradients(at: [points]) { _, v in softplusOp(slope: 0.5)(v[0])[0] }
say("with a wrong VJP: \(wrongCheck.failureCount) disagreements, e.g. \(wrongCheck.failures.first ?? "none")")
claim(!wrongCheck.passed, "the checker rejects a wrong VJP")

// A VJP need not be the true derivative when that is the point. Rounding has a zero
// derivative almost everywhere, so nothing could learn through it; the straight-through
// estimator (Bengio et al. 2013) rounds going forward and passes the gradient through
// unchanged going back, which is how quantised weights are trained. Section 7 trains with it.

/// Rounds to the nearest multiple of `step`; its VJP is the identity.
func roundedStraightThrough(step: Double) -> CustomOp<Double, Void> {
    CustomOp(
        name: "round (straight-through)",
        forward: { inputs, outputs in
            for i in 0..<inputs[0].count { outputs[0][i] = (inputs[0][i] / step).rounded() * step }
        },
        vjp: { context in
            guard let dx = context.gradients[0] else { return }
            for i in 0..<dx.count { dx[i] = context.cotangents[0][i] }
        })
}

// ## 5. Stop-gradient
//
// `stoppingGradient()` passes its value on and blocks the gradient. It is how REINFORCE
// holds an advantage constant. For `h(x) = x * stop(x)` the value is x^2 but the gradient
// is x, not 2x: only the unstopped factor is differentiated. With both factors stopped the
// loss no longer depends on x, and `gradient(of:)` says so with nil rather than zeros.

say("\n## 5. Stop-gradient\n")
tape.reset()
let s = tape.variable(Tensor([1.0, -2.0, 3.0]))
tape.backward(from: (s * s).sum())
let plain = tape.gradient(of: s)!.scalars
tape.backward(from: (s * s.stoppingGradient()).sum())
let stopped = tape.gradient(of: s)!.scalars
tape.backward(from: (s.stoppingGradient() * s.stoppingGradient()).sum())
let none = tape.gradient(of: s)
say(
    table(
        ["x", "d(x*x)/dx", "d(x*stop(x))/dx"],
        (0..<3).map { [format(s.value.scalars[$0], 1), format(plain[$0], 1), format(stopped[$0], 1)] }))
say("d(stop(x)*stop(x))/dx: \(none.map { "\($0.scalars)" } ?? "nil, the loss does not depend on x")")
claim(
    plain == s.value.scalars.map { 2 * $0 } && stopped == s.value.scalars && none == nil,
    "stop-gradient: 2x without it, x through one factor, and through both no gradient at all (nil)")

// ## 6. Putting it to work: fit a line
//
// Layers keep their parameters in a `ParameterStore`; the tape adds gradients straight into
// it, and an optimizer steps over it. Fit y = 3x - 1 from noisy samples with one `Linear`.

say("\n## 6. Fit y = 3x - 1 with a Linear layer and Adam\n")
let store = ParameterStore<Double>()
let line = Linear(inputSize: 1, outputSize: 1, name: "line", store: store, generator: &generator)
let takeStep = TrainingStep(optimizer: Adam(for: store, learningRate: 0.1))
let xs = Tensor<Double>.uniform([64, 1], in: -1...1, using: &generator)
let noise = Tensor<Double>.normal([64, 1], standardDeviation: 0.05, using: &generator)
let ys = Tensor(shape: [64, 1], scalars: zip(xs.scalars, noise.scalars).map { 3 * $0 - 1 + $1 })
rows = []
for step in 1...300 {
    let loss = must {
        try takeStep { tape in meanSquaredError(predictions: line(tape.constant(xs)), targets: tape.constant(ys)) }
    }
    if [1, 10, 30, 100, 300].contains(step) {
        rows.append([
            String(step), format(loss, 5), format(store.value(line.weight).scalar, 4),
            format(store.value(line.bias!).scalar, 4),
        ])
    }
}
say(table(["step", "loss", "slope", "intercept"], rows))
let (slope, intercept) = (store.value(line.weight).scalar, store.value(line.bias!).scalar)
claim(abs(slope - 3) < 0.05 && abs(intercept + 1) < 0.05, "the fit finds slope 3 and intercept -1 within 0.05")

// ## 7. Training through your own ops
//
// The same fit with the slope quantised to steps of 0.25 in the forward pass (a weight
// stored at low precision) and a softplus on the output, both CustomOps: the target is
// softplus(3x - 1). Through the straight-through estimator the latent slope still learns,
// and the quantised slope settles on 3 exactly.

say("\n## 7. Train through your own ops: a quantised slope and a softplus output\n")
let quantised = ParameterStore<Double>()
let latentSlope = quantised.add("slope", Tensor([0.3]))
let bias = quantised.add("bias", Tensor([0.0]))
let takeQuantisedStep = TrainingStep(optimizer: Adam(for: quantised, learningRate: 0.05))
let round = roundedStraightThrough(step: 0.25)
let softplusTargets = Tensor(
    shape: [64, 1], scalars: xs.scalars.map { max(3 * $0 - 1, 0) + Foundation.log1p(Foundation.exp(-abs(3 * $0 - 1))) })
rows = []
for step in 1...400 {
    let (loss, slopeUsed) = must {
        try takeQuantisedStep { tape in
            let slopeUsed = round(quantised.variable(latentSlope, on: tape))[0]
            let prediction = softplus(
                tape.constant(xs).matmul(slopeUsed.reshaped(to: [1, 1])) + quantised.variable(bias, on: tape))[0]
            return (
                meanSquaredError(predictions: prediction, targets: tape.constant(softplusTargets)),
                slopeUsed.value.scalar
            )
        }
    }
    if [1, 10, 50, 200, 400].contains(step) {
        rows.append([
            String(step), format(loss, 6), format(quantised.value(latentSlope).scalar, 4),
            format(slopeUsed, 2), format(quantised.value(bias).scalar, 4),
        ])
    }
}
say(table(["step", "loss", "latent slope", "quantised slope", "bias"], rows))
let finalSlope = (quantised.value(latentSlope).scalar / 0.25).rounded() * 0.25
claim(
    finalSlope == 3 && abs(quantised.value(bias).scalar + 1) < 0.05,
    "trained through the straight-through rounding and the softplus, the quantised slope is 3 and the bias -1 within "
        + "0.05"
)

// ## 8. Second derivatives: Newton-CG with Hessian-vector products
//
// `tape.gradients(of:withRespectTo:)` is a backward pass that records: the gradients it
// returns are variables on the tape, so they can be differentiated again. `hvp` uses it for
// a Hessian-vector product without forming the Hessian (Pearlmutter 1994): the gradient of
// `<grad f(w), v>`. Newton-CG (Nocedal and Wright, ch. 7) needs nothing more: each step
// solves `H p = -grad f` by conjugate gradients, one HVP per CG iteration, then backtracks.
// On a regularised softmax regression (3 classes, 4 features, 150 points), against gradient
// descent.

say("\n## 8. Newton-CG with Hessian-vector products, against gradient descent\n")
let centres: [[Double]] = [[1, 0, -1, 0.5], [-1, 1, 0, -0.5], [0, -1, 1, 0]]
let classLabels = (0..<150).map { $0 % 3 }
let features = Tensor<Double>(
    shape: [150, 4],
    scalars: classLabels.flatMap { label in centres[label].map { $0 + 1.2 * generator.nextNormal() } })
let regularisation = 0.01
/// The mean cross-entropy of the softmax regression with weights `w` `[3, 4]`, plus
/// `regularisation / 2 * ||w||^2`: smooth and strictly convex.
func regressionLoss(_ w: Variable<Double>) -> Variable<Double> {
    let logits = w.tape.constant(features).matmul(w, transposeB: true)
    return softmaxCrossEntropy(logits: logits, labels: classLabels) + w.squared().sum() * (regularisation / 2)
}
func lossAndGradient(_ w: Tensor<Double>) -> (Double, Tensor<Double>) {
    let tape = Tape<Double>()
    let variable = tape.variable(w)
    let loss = regressionLoss(variable)
    tape.backward(from: loss)
    return (loss.value.scalar, tape.gradient(of: variable)!)
}
func dot(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
    zip(a.scalars, b.scalars).reduce(0) { $0 + $1.0 * $1.1 }
}
func combine(_ a: Tensor<Double>, _ s: Double, _ b: Tensor<Double>) -> Tensor<Double> {
    Tensor(shape: a.shape, scalars: zip(a.scalars, b.scalars).map { $0 + s * $1 })
}

// First the HVP itself, against central differences of gradients along the direction.
let start = Tensor<Double>.normal([3, 4], standardDeviation: 0.5, using: &generator)
let direction = Tensor<Double>.normal([3, 4], using: &generator)
let product = hvp(of: regressionLoss, at: start, direction: direction)
let step = 1e-6
let differences = zip(
    lossAndGradient(combine(start, step, direction)).1.scalars,
    lossAndGradient(combine(start, -step, direction)).1.scalars
).map { ($0 - $1) / (2 * step) }
let hvpError = zip(product.scalars, differences).map { abs($0 - $1) / max(1, abs($1)) }.max()!
say("H v against differences of gradients: largest relative difference \(String(format: "%.1e", hvpError))")
claim(hvpError < 1e-6, "the Hessian-vector product matches differences of gradients")

/// Solves `H p = -g` by conjugate gradients from p = 0, to a relative residual of 1e-10.
func newtonDirection(at w: Tensor<Double>, gradient g: Tensor<Double>) -> (Tensor<Double>, products: Int) {
    var p = Tensor<Double>.zeros(g.shape)
    var residual = combine(.zeros(g.shape), -1, g)
    var search = residual
    var products = 0
    while products < 12 && dot(residual, residual).squareRoot() > 1e-10 * dot(g, g).squareRoot() {
        let curved = hvp(of: regressionLoss, at: w, direction: search)
        products += 1
        let alpha = dot(residual, residual) / dot(search, curved)
        p = combine(p, alpha, search)
        let next = combine(residual, -alpha, curved)
        search = combine(next, dot(next, next) / dot(residual, residual), search)
        residual = next
    }
    return (p, products)
}

rows = []
var newton = start
var products = 0
var newtonGradientNorm = 0.0
let newtonIterations = 8
for iteration in 0...newtonIterations {
    let (loss, g) = lossAndGradient(newton)
    newtonGradientNorm = dot(g, g).squareRoot()
    rows.append([String(iteration), String(products), format(loss, 10), String(format: "%.1e", newtonGradientNorm)])
    if iteration == newtonIterations { break }
    let (p, used) = newtonDirection(at: newton, gradient: g)
    products += used
    // Backtracking (Armijo): halve the step until the loss falls enough; near the minimum
    // the full Newton step is taken.
    var t = 1.0
    while lossAndGradient(combine(newton, t, p)).0 > loss + 1e-4 * t * dot(g, p) { t /= 2 }
    newton = combine(newton, t, p)
}
say("Newton-CG (with a backtracking line search):")
say(table(["iteration", "HVPs so far", "loss", "|gradient|"], rows))

// Gradient descent needs its step tuned: 500 iterations from each step of a grid, the
// best kept (too large a step diverges).
/// The gradient norms of gradient descent with a fixed step, at each iteration.
func descentNorms(step: Double, iterations: Int) -> [Double] {
    var w = start
    return (0...iterations).map { _ in
        let g = lossAndGradient(w).1
        w = combine(w, -step, g)
        return dot(g, g).squareRoot()
    }
}
let grid = [0.5, 1, 2, 4, 6, 8]
let runs = grid.map { descentNorms(step: $0, iterations: 500) }
say(
    "gradient descent, |gradient| after 500 iterations for each step: "
        + zip(grid, runs).map {
            "\(format($0, 1)): \(String(format: "%.1e", $1.last!))"
        }.joined(separator: ", "))
let best = runs.indices.filter { runs[$0].last!.isFinite }.min { runs[$0].last! < runs[$1].last! }!
rows = [0, 5, 50, 500].map { [String($0), String(format: "%.1e", runs[best][$0])] }
say("gradient descent at its best step, \(format(grid[best], 1)):")
say(table(["iteration", "|gradient|"], rows))
claim(
    newtonGradientNorm < 1e-12 && newtonGradientNorm < runs[best].last!,
    "\(newtonIterations) Newton-CG steps (\(products) HVPs, no step to tune) bring the gradient below 1e-12, under "
        + "what 500 steps of gradient descent at its best step leave")

say("\ndone in \(format(notebook.elapsed, 1)) s")
