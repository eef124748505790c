import Autograd

/// An Elman recurrent cell: `h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)`.
///
/// Layout (as PyTorch's `nn.RNNCell`): `weightIH` `[hidden, input]`, `weightHH`
/// `[hidden, hidden]`, `biasIH` and `biasHH` `[hidden]`; all uniform in +-1/sqrt(hidden).
/// RAM's core network is this cell with ReLU (Mnih et al. 2014).
public struct RNNCell<Scalar: TensorScalar> {
    public enum Nonlinearity: String, Sendable, CaseIterable { case tanh, relu }

    public let input: Linear<Scalar>
    public let recurrent: Linear<Scalar>
    public let nonlinearity: Nonlinearity
    public var hiddenSize: Int { recurrent.outputSize }

    /// Registers `name.weight_ih`, `name.bias_ih`, `name.weight_hh`, `name.bias_hh`.
    public init(inputSize: Int, hiddenSize: Int, nonlinearity: Nonlinearity = .tanh, name: String,
                store: ParameterStore<Scalar>, generator: inout SeededGenerator) {
        self.nonlinearity = nonlinearity
        (input, recurrent) = recurrentPair(inputSize: inputSize, outputSize: hiddenSize, hiddenSize: hiddenSize,
                                           name: name, store: store, generator: &generator)
    }

    /// The next hidden state `[batch, hidden]` from input `[batch, input]` and state `[batch, hidden]`.
    @inlinable
    public func callAsFunction(_ x: Variable<Scalar>, state h: Variable<Scalar>) -> Variable<Scalar> {
        input(x, plus: recurrent, of: h, activation: nonlinearity == .relu ? .relu : .tanh)
    }

    /// A zero state for a batch.
    @inlinable
    public func zeroState(batchSize: Int, on tape: Tape<Scalar>) -> Variable<Scalar> {
        tape.constant(0, shape: [batchSize, hiddenSize])
    }
}

/// The input and recurrent projections every recurrent cell has, named and initialised as
/// PyTorch names them (`weight_ih`, `bias_ih`, `weight_hh`, `bias_hh`), uniform in +-1/sqrt(hidden).
func recurrentPair<Scalar>(inputSize: Int, outputSize: Int, hiddenSize: Int, name: String,
                           store: ParameterStore<Scalar>, generator: inout SeededGenerator)
    -> (input: Linear<Scalar>, recurrent: Linear<Scalar>) {
    let weightIH = store.addUniform("\(name).weight_ih", shape: [outputSize, inputSize], fanIn: hiddenSize, using: &generator)
    let biasIH = store.addUniform("\(name).bias_ih", shape: [outputSize], fanIn: hiddenSize, using: &generator)
    let weightHH = store.addUniform("\(name).weight_hh", shape: [outputSize, hiddenSize], fanIn: hiddenSize, using: &generator)
    let biasHH = store.addUniform("\(name).bias_hh", shape: [outputSize], fanIn: hiddenSize, using: &generator)
    return (Linear(weight: weightIH, bias: biasIH, inputSize: inputSize, outputSize: outputSize, store: store),
            Linear(weight: weightHH, bias: biasHH, inputSize: hiddenSize, outputSize: outputSize, store: store))
}

extension Linear {
    /// A layer over parameters that are already registered.
    init(weight: Parameter, bias: Parameter?, inputSize: Int, outputSize: Int, store: ParameterStore<Scalar>) {
        self.weight = weight
        self.bias = bias
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.store = store
    }
}
