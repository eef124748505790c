import Autograd
import AutogradTesting
import Foundation
import NeuralNetworks
import Testing

@Suite struct LossTests {
    @Test func softmaxCrossEntropyMatchesTheDefinitionAndIsStable() {
        let logits = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 1000, 0, -1000])
        let tape = Tape<Double>()
        let loss = softmaxCrossEntropy(logits: tape.constant(logits), labels: [2, 0]).value.scalar
        // Row 0: -log(e^3 / (e^1 + e^2 + e^3)); row 1: -log(1) = 0 up to e^-1000 (no overflow).
        let row0 = -(3 - Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0)))
        #expect(abs(loss - row0 / 2) < 1e-12)
        var g = SeededGenerator(seed: 5)
        let result = checkGradients(at: [.normal([3, 4], using: &g)]) { _, v in
            softmaxCrossEntropy(logits: v[0], labels: [0, 3, 1])
        }
        #expect(result.passed, "\(result)")
    }

    @Test func meanSquaredErrorMatchesTheDefinition() {
        let tape = Tape<Double>()
        let loss = meanSquaredError(
            predictions: tape.constant(Tensor([1, 2, 3])), targets: tape.constant(Tensor([1, 0, 0])))
        #expect(abs(loss.value.scalar - 13.0 / 3) < 1e-15)
    }
}
