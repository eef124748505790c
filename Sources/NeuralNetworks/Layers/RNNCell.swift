import Autograd

/// An Elman recurrent cell: `h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)`.
///
/// Layout (as PyTorch's `nn.RNNCell`): `weightIH` `[hidden, input]`, `weightHH`
/// `[hidden, hidden]`, `biasIH` and `biasHH` `[hidden]`; all uniform in +-1/sqrt(hidden).
/// RAM's core network is this cell with ReLU (Mnih et al. 2014).
public struct RNNCell<Scalar: TensorScalar> {
    public let input: Linear<Scalar>
    public let recurrent: Linear<Scalar>
    /// `.tanh` (the default, as PyTorch's), `.relu`, or `.identity` for a linear recurrence.
    public let nonlinearity: Activation
    public var hiddenSize: Int { recurrent.outputSize }

    /// Registers `name.weight_ih`, `name.bias_ih`, `name.weight_hh`, `name.bias_hh`.
    public init(
        inputSize: Int, hiddenSize: Int, nonlinearity: Activation = .tanh, name: String,
        store: ParameterStore<Scalar>, generator: inout SeededGenerator
    ) {
        self.nonlinearity = nonlinearity
        (input, recurrent) = recurrentPair(
            inputSize: inputSize, outputSize: hiddenSize, hiddenSize: hiddenSize,
            name: name, store: store, generator: &generator)
    }

    /// Registers the given weights, in PyTorch's layout and names (`weight_ih` `[hidden, input]`,
    /// `weight_hh` `[hidden, hidden]`, biases `[hidden]` or nil).
    public init(
        weightIH: Tensor<Scalar>, biasIH: Tensor<Scalar>?, weightHH: Tensor<Scalar>, biasHH: Tensor<Scalar>?,
        nonlinearity: Activation = .tanh, name: String, store: ParameterStore<Scalar>
    ) {
        self.nonlinearity = nonlinearity
        (input, recurrent, _) = recurrentPair(
            weightIH: weightIH, biasIH: biasIH, weightHH: weightHH, biasHH: biasHH,
            gates: 1, cell: "RNNCell", name: name, store: store)
    }

    /// The next hidden state `[batch, hidden]` from input `[batch, input]` and state `[batch, hidden]`.
    @inlinable
    public func callAsFunction(_ x: Variable<Scalar>, state h: Variable<Scalar>) -> Variable<Scalar> {
        input(x, plus: recurrent, of: h, activation: nonlinearity)
    }

    /// A zero state for a batch.
    @inlinable
    public func zeroState(batchSize: Int, on tape: Tape<Scalar>) -> Variable<Scalar> {
        tape.constant(0, shape: [batchSize, hiddenSize])
    }
}

/// The input and recurrent projections every recurrent cell has, named and initialised as
/// PyTorch names them (`weight_ih`, `bias_ih`, `weight_hh`, `bias_hh`), uniform in +-1/sqrt(hidden).
func recurrentPair<Scalar>(
    inputSize: Int, outputSize: Int, hiddenSize: Int, name: String,
    store: ParameterStore<Scalar>, generator: inout SeededGenerator
)
    -> (input: Linear<Scalar>, recurrent: Linear<Scalar>)
{
    let weightIH = store.addUniform(
        "\(name).weight_ih", shape: [outputSize, inputSize], fanIn: hiddenSize, using: &generator)
    let biasIH = store.addUniform("\(name).bias_ih", shape: [outputSize], fanIn: hiddenSize, using: &generator)
    let weightHH = store.addUniform(
        "\(name).weight_hh", shape: [outputSize, hiddenSize], fanIn: hiddenSize, using: &generator)
    let biasHH = store.addUniform("\(name).bias_hh", shape: [outputSize], fanIn: hiddenSize, using: &generator)
    return (Linear(weight: weightIH, bias: biasIH, store: store), Linear(weight: weightHH, bias: biasHH, store: store))
}

/// The same projections from given tensors (`weight_ih` `[gates * hidden, input]`, `weight_hh`
/// `[gates * hidden, hidden]`, biases `[gates * hidden]` or nil), with their shapes checked.
func recurrentPair<Scalar>(
    weightIH: Tensor<Scalar>, biasIH: Tensor<Scalar>?, weightHH: Tensor<Scalar>,
    biasHH: Tensor<Scalar>?, gates: Int, cell: String, name: String,
    store: ParameterStore<Scalar>
) -> (input: Linear<Scalar>, recurrent: Linear<Scalar>, hiddenSize: Int) {
    let hh = weightHH.shape
    require(
        hh.rank == 2 && hh[0] == gates * hh[1],
        "\(cell) \(name): weight_hh must be [\(gates) * hidden, hidden], got \(hh)")
    require(
        weightIH.shape.rank == 2 && weightIH.shape[0] == hh[0],
        "\(cell) \(name): weight_ih must be [\(hh[0]), input] to match weight_hh \(hh), got \(weightIH.shape)")
    func add(_ suffix: String, _ tensor: Tensor<Scalar>?) -> Parameter? {
        guard let tensor else { return nil }
        require(tensor.shape == [hh[0]], "\(cell) \(name): \(suffix) must be [\(hh[0])], got \(tensor.shape)")
        return store.add("\(name).\(suffix)", tensor)
    }
    let input = Linear(weight: store.add("\(name).weight_ih", weightIH), bias: add("bias_ih", biasIH), store: store)
    let recurrent = Linear(weight: store.add("\(name).weight_hh", weightHH), bias: add("bias_hh", biasHH), store: store)
    return (input, recurrent, hh[1])
}
