import Autograd
import AutogradTesting
import NeuralNetworks
import Testing

/// Sequence-level recurrent layers: the same numbers as unrolling the cells by hand, correct
/// gradients through time and layers, and any cell through the `RecurrentCell` protocol.
@Suite struct RecurrenceTests {
    @Test func aStackedLSTMEqualsTheCellsUnrolledByHand() {
        var generator = SeededGenerator(seed: 21)
        let store = ParameterStore<Double>()
        let lstm = LSTM<Double>(
            inputSize: 3, hiddenSize: 4, layers: 2, name: "lstm", store: store, generator: &generator)
        #expect(
            store.entries.map(\.name).prefix(4) == [
                "lstm.l0.weight_ih", "lstm.l0.bias_ih", "lstm.l0.weight_hh", "lstm.l0.bias_hh",
            ])
        #expect(lstm.cells.map(\.inputSize) == [3, 4])
        let tape = Tape<Double>()
        let sequence = tape.constant(.normal([5, 2, 3], using: &generator))
        let (output, states) = lstm(sequence)
        #expect(output.shape == [5, 2, 4] && states.count == 2)

        var (s0, s1) = (
            lstm.cells[0].zeroState(batchSize: 2, on: tape), lstm.cells[1].zeroState(batchSize: 2, on: tape)
        )
        var expected: [Double] = []
        for t in 0..<5 {
            let x = sequence.slice(alongAxis: 0, start: t, length: 1).reshaped(to: [2, 3])
            s0 = lstm.cells[0](x, state: s0)
            s1 = lstm.cells[1](s0.hidden, state: s1)
            expected += s1.hidden.scalars
        }
        #expect(Array(output.scalars) == expected)
        #expect(states[1].cell.value == s1.cell.value)
    }

    @Test func gradientsThroughTimeAndLayersPassTheChecker() {
        var generator = SeededGenerator(seed: 22)
        let store = ParameterStore<Double>()
        let gru = GRU<Double>(inputSize: 2, hiddenSize: 3, layers: 2, name: "gru", store: store, generator: &generator)
        let result = checkGradients(at: [.normal([4, 2, 2], using: &generator)]) { _, v in gru(v[0]).output.tanh() }
        #expect(result.passed, "\(result)")
    }

    @Test func anyCellThroughTheProtocol() {
        var generator = SeededGenerator(seed: 23)
        let store = ParameterStore<Double>()
        let cell = RNNCell<Double>(
            inputSize: 2, hiddenSize: 3, nonlinearity: .tanh, name: "rnn", store: store, generator: &generator)
        func finalHidden<C: RecurrentCell>(_ cell: C, _ steps: [Variable<C.Scalar>]) -> Variable<C.Scalar> {
            let (outputs, _) = Recurrence([cell])(steps)
            return outputs[outputs.count - 1]
        }
        let tape = Tape<Double>()
        let steps = (0..<3).map { _ in tape.constant(.normal([1, 2], using: &generator)) }
        var h = cell.zeroState(batchSize: 1, on: tape)
        for x in steps { h = cell(x, state: h) }
        #expect(finalHidden(cell, steps).value == h.value)
    }

    @Test func mismatchedCellsAreNamed() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var generator = SeededGenerator(seed: 1)
            let store = ParameterStore<Float>()
            _ = Recurrence([
                GRUCell<Float>(inputSize: 2, hiddenSize: 3, name: "a", store: store, generator: &generator),
                GRUCell<Float>(inputSize: 4, hiddenSize: 3, name: "b", store: store, generator: &generator),
            ])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Recurrence: cell 1 takes 4 inputs, cell 0 gives 3"), "\(message)")
    }
}
