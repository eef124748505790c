import Autograd

/// A long short-term memory cell (Hochreiter and Schmidhuber 1997, with forget gate).
///
/// ```
/// [i, f, g, o] = x W_ih^T + b_ih + h W_hh^T + b_hh        (four blocks of `hidden`)
/// c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
/// h' = sigmoid(o) * tanh(c')
/// ```
/// Layout (as PyTorch's `nn.LSTMCell` and MLX): the four gates are fused in one weight in the
/// order i, f, g, o: `weightIH` `[4 hidden, input]`, `weightHH` `[4 hidden, hidden]`, biases
/// `[4 hidden]`; all uniform in +-1/sqrt(hidden).
public struct LSTMCell<Scalar: TensorScalar> {
    /// The hidden and cell states, each `[batch, hidden]`.
    public struct State {
        public var hidden: Variable<Scalar>
        public var cell: Variable<Scalar>
        @inlinable
        public init(hidden: Variable<Scalar>, cell: Variable<Scalar>) {
            self.hidden = hidden
            self.cell = cell
        }
    }

    public let input: Linear<Scalar>
    public let recurrent: Linear<Scalar>
    public let hiddenSize: Int

    /// Registers `name.weight_ih`, `name.bias_ih`, `name.weight_hh`, `name.bias_hh`.
    public init(
        inputSize: Int, hiddenSize: Int, name: String,
        store: ParameterStore<Scalar>, generator: inout SeededGenerator
    ) {
        self.hiddenSize = hiddenSize
        (input, recurrent) = recurrentPair(
            inputSize: inputSize, outputSize: 4 * hiddenSize, hiddenSize: hiddenSize,
            name: name, store: store, generator: &generator)
    }

    /// Registers the given weights, in PyTorch's layout and names (`weight_ih`
    /// `[4 hidden, input]`, `weight_hh` `[4 hidden, hidden]`, biases `[4 hidden]` or nil).
    public init(
        weightIH: Tensor<Scalar>, biasIH: Tensor<Scalar>?, weightHH: Tensor<Scalar>, biasHH: Tensor<Scalar>?,
        name: String, store: ParameterStore<Scalar>
    ) {
        (input, recurrent, hiddenSize) = recurrentPair(
            weightIH: weightIH, biasIH: biasIH, weightHH: weightHH, biasHH: biasHH,
            gates: 4, cell: "LSTMCell", name: name, store: store)
    }

    /// The next state from input `[batch, input]`.
    @inlinable
    public func callAsFunction(_ x: Variable<Scalar>, state: State) -> State {
        let gates = input(x, plus: recurrent, of: state.hidden)
        func gate(_ k: Int) -> Variable<Scalar> { gates.slice(alongAxis: 1, start: k * hiddenSize, length: hiddenSize) }
        let cell = gate(1).sigmoid() * state.cell + gate(0).sigmoid() * gate(2).tanh()
        return State(hidden: gate(3).sigmoid() * cell.tanh(), cell: cell)
    }

    /// Zero hidden and cell states for a batch.
    @inlinable
    public func zeroState(batchSize: Int, on tape: Tape<Scalar>) -> State {
        State(
            hidden: tape.constant(0, shape: [batchSize, hiddenSize]),
            cell: tape.constant(0, shape: [batchSize, hiddenSize]))
    }
}
