import Autograd
import Foundation
import NeuralNetworks
import RecurrentAttention

/// A Hessian-vector product's time over a gradient's, both in the parameters and measured in
/// this run: on an MLP and on RAM's loss. The gradient is a forward pass and `backward`; the
/// HVP is a forward pass, the recorded gradient pass and a backward pass from `<grad, v>`.
func runSecondOrderBenchmark(steps: Int) {
    print("\nHessian-vector product against a gradient, in the parameters (Float, median of \(steps) of each)")
    print("model                                   batch  gradient ms    HVP ms   HVP / gradient")
    var generator = SeededGenerator(seed: 4)

    let mlpStore = ParameterStore<Float>()
    let mlp = MLP<Float>(
        sizes: [784, 256, 256, 10], activation: .relu, name: "mlp", store: mlpStore, generator: &generator)
    let digits = Tensor<Float>.uniform([128, 784], in: 0...1, using: &generator)
    let labels = (0..<128).map { $0 % 10 }
    report("MLP 784-256-256-10, ReLU", batch: 128, store: mlpStore, steps: steps) { tape in
        softmaxCrossEntropy(logits: mlp(tape.constant(digits)), labels: labels)
    }

    let model = RecurrentAttentionModel(RAMConfiguration(imageHeight: 28, imageWidth: 28), seed: 1)
    let images = Tensor<Float>.uniform([128, 28, 28], in: 0...1, using: &generator)
    report("RAM on MNIST (hybrid loss, 6 glimpses)", batch: 128, store: model.store, steps: steps) { tape in
        model.hybridLoss(model.run(images, on: tape, policy: .sample, using: &generator), labels: labels).loss
    }
}

/// Times both passes of `loss` over the store's parameters and prints one row.
private func report(
    _ name: String, batch: Int, store: ParameterStore<Float>, steps: Int, loss: (Tape<Float>) -> Variable<Float>
) {
    var generator = SeededGenerator(seed: 5)
    let direction = store.tensors.map { Tensor<Float>.normal($0.shape, using: &generator) }
    let tape = Tape<Float>()
    let clock = ContinuousClock()
    func median(_ pass: () -> Void) -> Double {
        var samples: [Double] = []
        for step in 0..<(steps + 3) {
            let start = clock.now
            pass()
            if step >= 3 { samples.append(seconds(clock.now - start)) }  // warm-up: the arenas size themselves
        }
        return samples.sorted()[samples.count / 2]
    }
    let gradient = median {
        tape.reset()
        tape.backward(from: loss(tape))
        store.zeroGradients()
    }
    let product = median {
        tape.reset()
        let root = loss(tape)
        let parameters = store.parameters.map { store.variable($0, on: tape) }
        let gradients = tape.gradients(of: root, withRespectTo: parameters)
        var inner = (gradients[0] * tape.constant(direction[0])).sum()
        for k in 1..<gradients.count { inner = inner + (gradients[k] * tape.constant(direction[k])).sum() }
        tape.backward(from: inner, reinforce: false)  // H v lands in the store's gradients
        store.zeroGradients()
    }
    print(
        name.padding(toLength: 40, withPad: " ", startingAt: 0)
            + "\(String(batch).leftPadded(5)) \(milliseconds(gradient).leftPadded(12)) "
            + "\(milliseconds(product).leftPadded(9)) \(String(format: "%.2fx", product / gradient).leftPadded(16))")
}

private func milliseconds(_ s: Double) -> String { String(format: "%.2f", s * 1000) }

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
