import Autograd
import AutogradTesting
import Foundation
import NeuralNetworks
import Testing

// Every layer: forward values against a naive Double reference written here from the
// documented formulas and weight layouts, and gradients (inputs, state, every parameter)
// against finite differences.

/// Rows of a `[rows, columns]` tensor as arrays.
private func rows(_ t: Tensor<Double>) -> [[Double]] {
    let columns = t.shape[t.shape.rank - 1]
    return (0..<(t.shape.count / columns)).map { Array(t.scalars[($0 * columns)..<(($0 + 1) * columns)]) }
}

/// `W v + b` for W `[out, in]` given as rows.
private func affine(_ w: [[Double]], _ v: [Double], _ b: [Double]) -> [Double] {
    zip(w, b).map { row, bias in zip(row, v).reduce(bias) { $0 + $1.0 * $1.1 } }
}

private func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

/// Gradient-checks `f` with respect to `inputs` and every parameter in `store`.
private func checkLayer(
    _ store: ParameterStore<Double>, _ inputs: [Tensor<Double>],
    _ f: @escaping ([Variable<Double>]) -> Variable<Double>
) -> GradientCheckResult {
    checkGradients(at: inputs + store.tensors) { _, v in
        store.substitute(Array(v[inputs.count...]))
        return f(Array(v[..<inputs.count]))
    }
}

private func maxDifference(_ a: Tensor<Double>, _ b: [[Double]]) -> Double {
    zip(a.scalars, b.flatMap { $0 }).map { abs($0 - $1) }.max() ?? .infinity
}

@Suite struct LayerTests {
    var generator = SeededGenerator(seed: 42)

    @Test mutating func linear() {
        let store = ParameterStore<Double>()
        let layer = Linear(inputSize: 4, outputSize: 3, name: "fc", store: store, generator: &generator)
        let x = Tensor<Double>.normal([2, 4], using: &generator)
        let tape = Tape<Double>()
        let y = layer(tape.constant(x)).value
        let w = rows(store.value(layer.weight))
        let b = store.value(layer.bias!).scalars
        #expect(maxDifference(y, rows(x).map { affine(w, $0, b) }) < 1e-12)
        #expect(store.entries.map(\.name) == ["fc.weight", "fc.bias"])
        #expect(store.entries.map(\.shape) == [[3, 4], [3]])
        let bound = 1 / 4.0.squareRoot()
        #expect(store.values.allSatisfy { abs($0) <= bound })
        let result = checkLayer(store, [x]) { layer($0[0]) }
        #expect(result.passed, "\(result)")
    }

    @Test(arguments: Activation.allCases)
    func rnnCell(nonlinearity: Activation) {
        var generator = SeededGenerator(seed: 7)
        let store = ParameterStore<Double>()
        let cell = RNNCell(
            inputSize: 3, hiddenSize: 4, nonlinearity: nonlinearity, name: "rnn", store: store, generator: &generator)
        let x = Tensor<Double>.normal([2, 3], using: &generator)
        let h = Tensor<Double>.normal([2, 4], using: &generator)
        let tape = Tape<Double>()
        let y = cell(tape.constant(x), state: tape.constant(h)).value
        let p = store.tensors.map(rows)  // weight_ih, bias_ih, weight_hh, bias_hh
        let expected = zip(rows(x), rows(h)).map { xv, hv in
            zip(affine(p[0], xv, p[1][0]), affine(p[2], hv, p[3][0])).map { a, b in
                switch nonlinearity {
                case .identity: a + b
                case .relu: max(a + b, 0)
                case .tanh: tanh(a + b)
                }
            }
        }
        #expect(maxDifference(y, expected) < 1e-12)
        #expect(store.entries.map(\.name) == ["rnn.weight_ih", "rnn.bias_ih", "rnn.weight_hh", "rnn.bias_hh"])
        let result = checkLayer(store, [x, h]) { cell($0[0], state: $0[1]) }
        #expect(result.passed, "\(result)")
    }

    @Test mutating func lstmCellGateOrderIsIFGO() {
        let store = ParameterStore<Double>()
        let (input, hidden) = (3, 2)
        let cell = LSTMCell(inputSize: input, hiddenSize: hidden, name: "lstm", store: store, generator: &generator)
        #expect(store.entries.map(\.shape) == [[8, 3], [8], [8, 2], [8]])
        let x = Tensor<Double>.normal([2, input], using: &generator)
        let h = Tensor<Double>.normal([2, hidden], using: &generator)
        let c = Tensor<Double>.normal([2, hidden], using: &generator)
        let tape = Tape<Double>()
        let next = cell(tape.constant(x), state: .init(hidden: tape.constant(h), cell: tape.constant(c)))
        let p = store.tensors.map(rows)
        var expectedH: [[Double]] = []
        var expectedC: [[Double]] = []
        for (b, (xv, hv)) in zip(rows(x), rows(h)).enumerated() {
            let z = zip(affine(p[0], xv, p[1][0]), affine(p[2], hv, p[3][0])).map(+)
            let block = { (k: Int) in Array(z[(k * hidden)..<((k + 1) * hidden)]) }
            let (i, f, g, o) = (block(0).map(sigmoid), block(1).map(sigmoid), block(2).map(tanh), block(3).map(sigmoid))
            let cNew = (0..<hidden).map { f[$0] * rows(c)[b][$0] + i[$0] * g[$0] }
            expectedC.append(cNew)
            expectedH.append((0..<hidden).map { o[$0] * tanh(cNew[$0]) })
        }
        #expect(maxDifference(next.hidden.value, expectedH) < 1e-12)
        #expect(maxDifference(next.cell.value, expectedC) < 1e-12)
        // Gradients through both outputs, with respect to the input, both states and every parameter.
        let result = checkLayer(store, [x, h, c]) { v in
            let s = cell(v[0], state: .init(hidden: v[1], cell: v[2]))
            return concatenate([s.hidden, s.cell], alongAxis: 1)
        }
        #expect(result.passed, "\(result)")
    }

    @Test mutating func gruCellResetGateMultipliesTheBiasedRecurrentTerm() {
        let store = ParameterStore<Double>()
        let (input, hidden) = (3, 2)
        let cell = GRUCell(inputSize: input, hiddenSize: hidden, name: "gru", store: store, generator: &generator)
        #expect(store.entries.map(\.shape) == [[6, 3], [6], [6, 2], [6]])
        let x = Tensor<Double>.normal([2, input], using: &generator)
        let h = Tensor<Double>.normal([2, hidden], using: &generator)
        let tape = Tape<Double>()
        let y = cell(tape.constant(x), state: tape.constant(h)).value
        let p = store.tensors.map(rows)
        let expected = zip(rows(x), rows(h)).map { xv, hv -> [Double] in
            let gi = affine(p[0], xv, p[1][0])
            let gh = affine(p[2], hv, p[3][0])
            return (0..<hidden).map { j in
                let r = sigmoid(gi[j] + gh[j])
                let z = sigmoid(gi[hidden + j] + gh[hidden + j])
                let n = tanh(gi[2 * hidden + j] + r * gh[2 * hidden + j])
                return (1 - z) * n + z * hv[j]
            }
        }
        #expect(maxDifference(y, expected) < 1e-12)
        let result = checkLayer(store, [x, h]) { cell($0[0], state: $0[1]) }
        #expect(result.passed, "\(result)")
    }

    @Test mutating func conv2DWithStrideAndPadding() {
        let store = ParameterStore<Double>()
        let conv = Conv2D(
            inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1,
            name: "conv", store: store, generator: &generator)
        let x = Tensor<Double>.normal([2, 2, 6, 5], using: &generator)
        let tape = Tape<Double>()
        let y = conv(tape.constant(x)).value
        #expect(y.shape == [2, 3, 3, 3])
        let w = store.value(conv.weight)
        let b = store.value(conv.bias)
        // Each output pixel from the definition, reading zero outside the image.
        func pixel(_ n: Int, _ o: Int, _ i: Int, _ j: Int) -> Double {
            var sum = b[o]
            for c in 0..<2 {
                for u in 0..<3 {
                    for v in 0..<3 {
                        let (r, s) = (2 * i + u - 1, 2 * j + v - 1)
                        if (0..<6).contains(r) && (0..<5).contains(s) { sum += w[o, c, u, v] * x[n, c, r, s] }
                    }
                }
            }
            return sum
        }
        var worst = 0.0
        for n in 0..<2 {
            for o in 0..<3 {
                for i in 0..<3 {
                    for j in 0..<3 {
                        worst = max(worst, abs(y[n, o, i, j] - pixel(n, o, i, j)))
                    }
                }
            }
        }
        #expect(worst < 1e-12)
        let result = checkLayer(store, [x]) { conv($0[0]) }
        #expect(result.passed, "\(result)")
    }

    @Test mutating func mlpAppliesActivationsBetweenLayersOnly() {
        let store = ParameterStore<Double>()
        let mlp = MLP(sizes: [3, 5, 2], name: "mlp", store: store, generator: &generator)
        let x = Tensor<Double>.normal([4, 3], using: &generator)
        let tape = Tape<Double>()
        let y = mlp(tape.constant(x)).value
        let p = store.tensors.map(rows)
        let expected = rows(x).map { affine(p[2], affine(p[0], $0, p[1][0]).map { max($0, 0) }, p[3][0]) }
        #expect(maxDifference(y, expected) < 1e-12)
        let result = checkLayer(store, [x]) { mlp($0[0]) }
        #expect(result.passed, "\(result)")
    }

    @Test func parametersAreBoundOncePerForwardPass() {
        var generator = SeededGenerator(seed: 3)
        let store = ParameterStore<Float>()
        let cell = RNNCell(inputSize: 2, hiddenSize: 2, name: "rnn", store: store, generator: &generator)
        let tape = Tape<Float>()
        var h = cell.zeroState(batchSize: 1, on: tape)
        let x = tape.constant(.zeros([1, 2]))
        h = cell(x, state: h)
        let afterOneStep = tape.count
        h = cell(x, state: h)
        // The second step records only its op (one fused linear: both products, both biases
        // and tanh), no new bindings.
        #expect(tape.count - afterOneStep == 1)
    }
}
