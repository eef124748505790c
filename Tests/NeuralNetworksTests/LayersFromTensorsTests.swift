import Autograd
import NeuralNetworks
import Testing

/// Layers built from given tensors (someone else's trained weights) compute what the same
/// numbers do in a randomly initialised layer, under PyTorch's names, and refuse wrong shapes.
@Suite struct LayersFromTensorsTests {
    @Test func linearFromTensorsComputesByHand() {
        let store = ParameterStore<Double>()
        let layer = Linear(
            weight: Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), bias: Tensor([0.5, -1]),
            name: "fc", store: store)
        #expect(store.entries.map(\.name) == ["fc.weight", "fc.bias"])
        #expect((layer.inputSize, layer.outputSize) == (3, 2))
        let tape = Tape<Double>()
        let y = layer(tape.constant(Tensor(shape: [1, 3], scalars: [1, 0, -1])))
        // [1 - 3 + 0.5, 4 - 6 - 1]
        #expect(y.value == Tensor(shape: [1, 2], scalars: [-1.5, -3]))
    }

    /// Each cell rebuilt from the tensors of a randomly initialised one gives the same state.
    @Test func recurrentCellsFromTensorsMatchTheOriginals() {
        var generator = SeededGenerator(seed: 4)
        let x = Tensor<Double>.normal([3, 5], using: &generator)
        let h = Tensor<Double>.normal([3, 4], using: &generator)
        func tensors(_ store: ParameterStore<Double>) -> [Tensor<Double>] { store.parameters.map(store.value) }
        let names = ["cell.weight_ih", "cell.bias_ih", "cell.weight_hh", "cell.bias_hh"]

        let (rnnStore, rebuiltRNNStore) = (ParameterStore<Double>(), ParameterStore<Double>())
        let rnn = RNNCell(
            inputSize: 5, hiddenSize: 4, nonlinearity: .relu, name: "cell", store: rnnStore, generator: &generator)
        let t = tensors(rnnStore)
        let rebuiltRNN = RNNCell(
            weightIH: t[0], biasIH: t[1], weightHH: t[2], biasHH: t[3], nonlinearity: .relu,
            name: "cell", store: rebuiltRNNStore)
        #expect(rebuiltRNNStore.entries.map(\.name) == names)
        let tape = Tape<Double>()
        #expect(
            rnn(tape.constant(x), state: tape.constant(h)).value
                == rebuiltRNN(tape.constant(x), state: tape.constant(h)).value)

        let (lstmStore, rebuiltLSTMStore) = (ParameterStore<Double>(), ParameterStore<Double>())
        let lstm = LSTMCell(inputSize: 5, hiddenSize: 4, name: "cell", store: lstmStore, generator: &generator)
        let l = tensors(lstmStore)
        let rebuiltLSTM = LSTMCell(
            weightIH: l[0], biasIH: l[1], weightHH: l[2], biasHH: l[3], name: "cell", store: rebuiltLSTMStore)
        #expect(rebuiltLSTM.hiddenSize == 4 && rebuiltLSTMStore.entries.map(\.name) == names)
        let state = LSTMCell<Double>.State(hidden: tape.constant(h), cell: tape.constant(h))
        #expect(
            lstm(tape.constant(x), state: state).cell.value == rebuiltLSTM(tape.constant(x), state: state).cell.value)

        let (gruStore, rebuiltGRUStore) = (ParameterStore<Double>(), ParameterStore<Double>())
        let gru = GRUCell(inputSize: 5, hiddenSize: 4, name: "cell", store: gruStore, generator: &generator)
        let g = tensors(gruStore)
        let rebuiltGRU = GRUCell(
            weightIH: g[0], biasIH: g[1], weightHH: g[2], biasHH: g[3], name: "cell", store: rebuiltGRUStore)
        #expect(
            gru(tape.constant(x), state: tape.constant(h)).value
                == rebuiltGRU(tape.constant(x), state: tape.constant(h)).value)
    }

    @Test func convolutionFromTensorsMatchesTheOriginal() {
        var generator = SeededGenerator(seed: 5)
        let (store, rebuiltStore) = (ParameterStore<Double>(), ParameterStore<Double>())
        let conv = Conv2D(
            inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1, name: "conv",
            store: store, generator: &generator)
        let rebuilt = Conv2D(
            weight: store.value(conv.weight), bias: store.value(conv.bias), stride: 2, padding: 1,
            name: "conv", store: rebuiltStore)
        let tape = Tape<Double>()
        let x = tape.constant(.normal([1, 2, 6, 6], using: &generator))
        #expect(conv(x).value == rebuilt(x).value)
    }

    @Test func aGradientCanBeSet() {
        let store = ParameterStore<Float>()
        let p = store.add("p", Tensor([1, 2, 3]))
        store.setGradient(p, Tensor([0.5, -1, 2]))
        #expect(store.gradient(p) == Tensor([0.5, -1, 2]))
    }

    @Test func wrongShapesAreNamed() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = LSTMCell(
                weightIH: .zeros([16, 3]), biasIH: nil, weightHH: .zeros([12, 4]), biasHH: nil,
                name: "core", store: ParameterStore<Float>())
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("LSTMCell core: weight_hh must be [4 * hidden, hidden], got [12, 4]"), "\(message)")
    }
}
