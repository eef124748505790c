import Autograd
import Foundation
import NeuralNetworks
import Testing

/// A two-parameter store `w = [1, -2]` and three fixed gradients, so every expected value
/// below follows from the update formulas with pencil and paper.
private let gradients: [[Double]] = [[0.5, -1], [0.25, 2], [-1, 0.5]]

private func twoParameterStore<Scalar: TensorScalar>(
    _: Scalar.Type = Double.self
) -> (ParameterStore<Scalar>, Parameter) {
    let store = ParameterStore<Scalar>()
    let w = store.add("w", Tensor([1, -2]))
    return (store, w)
}

/// Runs `steps` updates with the fixed gradients and returns `w` after each.
private func trajectory<Scalar>(_ optimizer: some Optimizer<Scalar>, steps: Int = 3) -> [[Double]] {
    (0..<steps).map { t in
        for i in 0..<2 { optimizer.store.gradients[i] = Scalar(gradients[t][i]) }
        optimizer.update()
        return (0..<2).map { Double(optimizer.store.values[$0]) }
    }
}

private func expectClose(
    _ actual: [[Double]], _ expected: [[Double]], tolerance: Double = 1e-12,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    for (a, e) in zip(actual.joined(), expected.joined()) {
        #expect(abs(a - e) <= tolerance, "got \(actual), expected \(expected)", sourceLocation: sourceLocation)
    }
}

@Suite("Optimizers")
struct OptimizerTests {
    @Test("plain SGD: w -= 0.1 g")
    func plainSGD() {
        let (store, _) = twoParameterStore()
        // [1 - 0.05, -2 + 0.1], then [0.95 - 0.025, -1.9 - 0.2], then [0.925 + 0.1, -2.1 - 0.05]
        expectClose(
            trajectory(SGD(for: store, learningRate: 0.1)),
            [[0.95, -1.9], [0.925, -2.1], [1.025, -2.15]])
    }

    @Test("SGD with momentum 0.9: b = 0.9 b + g, w -= 0.1 b")
    func momentum() {
        let (store, _) = twoParameterStore()
        // b1 = [0.5, -1]; b2 = [0.45 + 0.25, -0.9 + 2] = [0.7, 1.1];
        // b3 = [0.63 - 1, 0.99 + 0.5] = [-0.37, 1.49]
        let optimizer = SGD(for: store, learningRate: 0.1, momentum: 0.9)
        expectClose(trajectory(optimizer), [[0.95, -1.9], [0.88, -2.01], [0.917, -2.159]])
        expectClose([optimizer.state.tensors["momentum.w"]!.scalars], [[-0.37, 1.49]])
        #expect(optimizer.step == 3)
    }

    @Test("SGD with Nesterov momentum: w -= 0.1 (g + 0.9 b)")
    func nesterov() {
        let (store, _) = twoParameterStore()
        // d1 = [0.5 + 0.45, -1 - 0.9]; d2 = [0.25 + 0.63, 2 + 0.99]; d3 = [-1 - 0.333, 0.5 + 1.341]
        expectClose(
            trajectory(SGD(for: store, learningRate: 0.1, momentum: 0.9, nesterov: true)),
            [[0.905, -1.81], [0.817, -2.109], [0.9503, -2.2931]])
    }

    @Test("SGD with weight decay 0.1: w -= 0.1 (g + 0.1 w)")
    func weightDecay() {
        let (store, _) = twoParameterStore()
        // d1 = [0.6, -1.2]; d2 = [0.25 + 0.094, 2 - 0.188]; d3 = [-1 + 0.09056, 0.5 - 0.20612]
        expectClose(
            trajectory(SGD(for: store, learningRate: 0.1, weightDecay: 0.1)),
            [[0.94, -1.88], [0.9056, -2.0612], [0.996544, -2.090588]])
    }

    @Test("Adam: three steps of Kingma and Ba's Algorithm 1, PyTorch's epsilon placement")
    func adam() {
        let (store, _) = twoParameterStore()
        let optimizer = Adam(for: store, learningRate: 0.1)
        // Moments by hand: m1 = 0.1 g1 = [0.05, -0.1], v1 = 0.001 g1^2 = [0.00025, 0.001];
        // m2 = [0.045 + 0.025, -0.09 + 0.2] = [0.07, 0.11],
        // v2 = [0.00024975 + 0.0000625, 0.000999 + 0.004] = [0.00031225, 0.004999];
        // m3 = [0.063 - 0.1, 0.099 + 0.05] = [-0.037, 0.149],
        // v3 = [0.00031193775 + 0.001, 0.004994001 + 0.00025] = [0.00131193775, 0.005244001].
        // Step 1: m^ = g, sqrt(v^) = |g|, so w moves by 0.1 g / (|g| + 1e-8):
        // [1 - 0.1 (1 - 2e-8), -2 + 0.1 (1 - 1e-8)].
        // Steps 2 and 3: w -= 0.1 (m / (1 - 0.9^t)) / (sqrt(v / (1 - 0.999^t)) + 1e-8), with
        // 1 - 0.9^2 = 0.19, 1 - 0.999^2 = 0.001999, 1 - 0.9^3 = 0.271, 1 - 0.999^3 = 0.002997001.
        func adamStep(_ w: Double, _ m: Double, _ v: Double, correction1: Double, correction2: Double) -> Double {
            w - 0.1 * (m / correction1) / ((v / correction2).squareRoot() + 1e-8)
        }
        let w1: [Double] = [0.900000002, -1.900000001]
        let w2: [Double] = [
            adamStep(w1[0], 0.07, 0.00031225, correction1: 0.19, correction2: 0.001999),
            adamStep(w1[1], 0.11, 0.004999, correction1: 0.19, correction2: 0.001999),
        ]
        let w3: [Double] = [
            adamStep(w2[0], -0.037, 0.00131193775, correction1: 0.271, correction2: 0.002997001),
            adamStep(w2[1], 0.149, 0.005244001, correction1: 0.271, correction2: 0.002997001),
        ]
        // The same numbers as literals (0.80678204, -1.93661035; 0.82741774, -1.97817547).
        expectClose(
            [w2, w3], [[0.8067820404774622, -1.9366103534720749], [0.8274177428854113, -1.9781754731467738]])
        expectClose(trajectory(optimizer), [w1, w2, w3])
        let state = optimizer.state
        expectClose(
            [state.tensors["m.w"]!.scalars, state.tensors["v.w"]!.scalars],
            [[-0.037, 0.149], [0.00131193775, 0.005244001]])
        #expect(state.kind == "adam" && state.step == 3)
    }

    @Test("Adam with weight decay 0.1 is Adam on g + 0.1 w (the L2 penalty's gradient)")
    func adamWeightDecay() {
        // A plain Double loop of Algorithm 1 on the decayed gradients, written out here.
        var w: [Double] = [1, -2]
        var m: [Double] = [0, 0]
        var v: [Double] = [0, 0]
        var expected: [[Double]] = []
        for t in 1...3 {
            for i in 0..<2 {
                let g = gradients[t - 1][i] + 0.1 * w[i]
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                let mHat = m[i] / (1 - pow(0.9, Double(t)))
                let vHat = v[i] / (1 - pow(0.999, Double(t)))
                w[i] -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
            }
            expected.append(w)
        }
        let (store, _) = twoParameterStore()
        let decayed = trajectory(Adam(for: store, learningRate: 0.1, weightDecay: 0.1))
        expectClose(decayed, expected)
        // The penalty changes the path: after step 2 w[0] is 0.8050 against plain Adam's 0.8068.
        let (plainStore, _) = twoParameterStore()
        #expect(abs(trajectory(Adam(for: plainStore, learningRate: 0.1))[1][0] - decayed[1][0]) > 1e-3)
    }

    @Test("the Float loops agree with the Double ones")
    func floatMatchesDouble() {
        let (doubles, _) = twoParameterStore(Double.self)
        let (floats, _) = twoParameterStore(Float.self)
        let pairs: [([[Double]], [[Double]])] = [
            (
                trajectory(Adam(for: doubles, learningRate: 0.1, weightDecay: 0.01)),
                trajectory(Adam(for: floats, learningRate: 0.1, weightDecay: 0.01))
            ),
            (
                trajectory(SGD(for: doubles, learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1)),
                trajectory(SGD(for: floats, learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1))
            ),
        ]
        for (d, f) in pairs { expectClose(f, d, tolerance: 1e-6) }
    }

    @Test("Adam's four-lane Float loop is bit-identical to its scalar loop", arguments: [0.0, 0.01])
    func vectorMatchesScalar(weightDecay: Double) {
        // Nine scalars: two groups of four lanes and a scalar tail. Single-scalar stores run
        // only the scalar loop.
        var generator = SeededGenerator(seed: 3)
        let start = Tensor<Float>.normal([9], using: &generator)
        let grads = (0..<3).map { _ in Tensor<Float>.normal([9], standardDeviation: 10, using: &generator) }
        let wide = ParameterStore<Float>()
        wide.add("w", start)
        let wideAdam = Adam(for: wide, learningRate: 0.01, weightDecay: weightDecay)
        let singles = (0..<9).map { i in
            let store = ParameterStore<Float>()
            store.add("w", Tensor([start.scalars[i]]))
            return (store, Adam(for: store, learningRate: 0.01, weightDecay: weightDecay))
        }
        for g in grads {
            for i in 0..<9 {
                wide.gradients[i] = g.scalars[i]
                singles[i].0.gradients[0] = g.scalars[i]
            }
            wideAdam.update()
            for (_, adam) in singles { adam.update() }
        }
        #expect(Array(wide.values).map(\.bitPattern) == singles.map { $0.0.values[0].bitPattern })
    }

    @Test("restoring exported state continues the run exactly; a mismatched state is refused")
    func stateRoundTrip() throws {
        let (a, wa) = twoParameterStore()
        let first = Adam(for: a, learningRate: 0.1)
        _ = trajectory(first, steps: 2)
        let (b, wb) = twoParameterStore()
        b.setValue(wb, a.value(wa))
        let second = Adam(for: b, learningRate: 0.1)
        try second.restore(from: first.state)
        #expect(second.step == 2 && second.state == first.state)

        #expect(throws: OptimizerStateError.self) {
            try SGD(for: b, learningRate: 0.1, momentum: 0.9).restore(from: first.state)
        }
        var wrongShape = first.state
        wrongShape.tensors["m.w"] = Tensor([1, 2, 3])
        #expect(throws: OptimizerStateError("buffer m.w has shape [3], the parameter has [2]")) {
            try second.restore(from: wrongShape)
        }
        #expect(second.state == first.state, "a refused state changes nothing")
    }

    @Test("parameters registered after the optimizer start with zero state")
    func storeGrowth() {
        let (store, _) = twoParameterStore()
        let optimizer = SGD(for: store, learningRate: 0.1, momentum: 0.9)
        _ = trajectory(optimizer, steps: 1)
        store.add("late", Tensor([5]))
        store.gradients[2] = 1
        optimizer.update()
        #expect(store.values[2] == 5 - 0.1)
        #expect(optimizer.state.tensors["momentum.late"] == Tensor([1]))
    }

    @Test(
        "each optimizer fits y = 3x - 1 with matmul and a bias on a tape",
        arguments: ["sgd", "momentum", "nesterov", "adam"])
    func fitsALine(kind: String) {
        let store = ParameterStore<Float>()
        var generator = SeededGenerator(seed: 7)
        let weight = store.addUniform("weight", shape: [1, 1], fanIn: 1, using: &generator)
        let bias = store.add("bias", Tensor.zeros([1]))
        let x = Tensor<Float>.uniform([32, 1], in: -1...1, using: &generator)
        let y = Tensor(shape: [32, 1], scalars: x.scalars.map { 3 * $0 - 1 })
        let optimizer: any Optimizer<Float> =
            switch kind {
            case "sgd": SGD(for: store, learningRate: 0.3)
            case "momentum": SGD(for: store, learningRate: 0.05, momentum: 0.9)
            case "nesterov": SGD(for: store, learningRate: 0.05, momentum: 0.9, nesterov: true)
            default: Adam(for: store, learningRate: 0.05)
            }
        let tape = Tape<Float>()
        var loss: Float = .infinity
        for _ in 0..<400 {
            tape.reset()
            store.zeroGradients()
            let prediction = tape.constant(x).matmul(store.variable(weight, on: tape)) + store.variable(bias, on: tape)
            let error = (prediction - tape.constant(y)).squared().mean()
            loss = error.value.scalar
            tape.backward(from: error)
            optimizer.update()
        }
        #expect(loss < 1e-5, "\(kind): final loss \(loss)")
        #expect(abs(store.value(weight).scalar - 3) < 1e-2 && abs(store.value(bias).scalar + 1) < 1e-2)
    }

    @Test("clipping by global norm rescales all gradients together and returns the norm before")
    func clipping() {
        let store = ParameterStore<Float>()
        store.add("a", Tensor([3]))
        store.add("b", Tensor([0, 0]))
        store.gradients[0] = 3
        store.gradients[2] = 4
        #expect(clipGradientNorm(store, maxNorm: 10) == 5)
        #expect(Array(store.gradients) == [3, 0, 4], "below the limit nothing changes")
        #expect(clipGradientNorm(store, maxNorm: 1) == 5)
        let factor = Float(1 / (5 + 1e-6))
        #expect(Array(store.gradients) == [3 * factor, 0, 4 * factor])

        store.gradients[1] = .infinity
        #expect(clipGradientNorm(store, maxNorm: 1) == .infinity)
        #expect(
            store.gradients[1] == .infinity && store.gradients[0] == 3 * factor,
            "a non-finite norm leaves the gradients")
    }
}
