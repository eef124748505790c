import Autograd
import NeuralNetworks
import Testing

/// Second derivatives through the layers: an LSTM cell's Hessian-vector product in its
/// weights, against central differences of its gradients.
@Suite struct SecondOrderLayerTests {
    @Test func anLSTMCellsHessianVectorProductMatchesDifferencesOfGradients() {
        var generator = SeededGenerator(seed: 31)
        let store = ParameterStore<Double>()
        let cell = LSTMCell<Double>(inputSize: 3, hiddenSize: 4, name: "lstm", store: store, generator: &generator)
        let steps = (0..<3).map { _ in Tensor<Double>.normal([2, 3], using: &generator) }
        let labels = [1, 3]
        let weights = store.tensors
        let direction = weights.map { Tensor<Double>.normal($0.shape, using: &generator) }

        /// The loss of three steps and the classifier on the last hidden state, on `tape`,
        /// with the cell's weights replaced by `parameters`.
        func loss(_ parameters: [Variable<Double>]) -> Variable<Double> {
            let tape = parameters[0].tape
            store.substitute(parameters)
            var state = cell.zeroState(batchSize: 2, on: tape)
            for x in steps { state = cell(tape.constant(x), state: state) }
            return softmaxCrossEntropy(logits: state.hidden, labels: labels)
        }

        // H v, reverse over reverse.
        let tape = Tape<Double>()
        let parameters = weights.map { tape.variable($0) }
        let gradients = tape.gradients(of: loss(parameters), withRespectTo: parameters)
        let inner = zip(gradients, direction).map { ($0 * tape.constant($1)).sum() }.reduce(tape.constant(0), +)
        tape.backward(from: inner, reinforce: false)
        let product = parameters.flatMap { tape.gradient(of: $0)!.scalars }

        // (grad L(w + e v) - grad L(w - e v)) / 2e from the fast first-order pass.
        func gradient(_ scale: Double) -> [Double] {
            let tape = Tape<Double>()
            let shifted = zip(weights, direction).map { w, v in
                tape.variable(Tensor(shape: w.shape, scalars: zip(w.scalars, v.scalars).map { $0 + scale * $1 }))
            }
            tape.backward(from: loss(shifted))
            return shifted.flatMap { tape.gradient(of: $0)!.scalars }
        }
        let epsilon = 1e-6
        let differences = zip(gradient(epsilon), gradient(-epsilon)).map { ($0 - $1) / (2 * epsilon) }
        #expect(product.count == store.count && product.contains { abs($0) > 1e-3 })
        let worst = zip(product, differences).map { abs($0 - $1) / max(1, abs($1)) }.max()!
        #expect(worst < 1e-6, "largest relative difference \(worst)")
    }
}
