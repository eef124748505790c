import Autograd

/// A gated recurrent unit (Cho et al. 2014), in the variant PyTorch and MLX use, where the
/// reset gate multiplies the recurrent projection after its bias:
///
/// ```
/// r  = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)
/// z  = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)
/// n  = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))
/// h' = (1 - z) * n + z * h
/// ```
/// Layout: the gates are fused in the order r, z, n: `weightIH` `[3 hidden, input]`,
/// `weightHH` `[3 hidden, hidden]`, biases `[3 hidden]`; all uniform in +-1/sqrt(hidden).
public struct GRUCell<Scalar: TensorScalar> {
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
            inputSize: inputSize, outputSize: 3 * hiddenSize, hiddenSize: hiddenSize,
            name: name, store: store, generator: &generator)
    }

    /// Registers the given weights, in PyTorch's layout and names (`weight_ih`
    /// `[3 hidden, input]`, `weight_hh` `[3 hidden, hidden]`, biases `[3 hidden]` or nil).
    public init(
        weightIH: Tensor<Scalar>, biasIH: Tensor<Scalar>?, weightHH: Tensor<Scalar>, biasHH: Tensor<Scalar>?,
        name: String, store: ParameterStore<Scalar>
    ) {
        (input, recurrent, hiddenSize) = recurrentPair(
            weightIH: weightIH, biasIH: biasIH, weightHH: weightHH, biasHH: biasHH,
            gates: 3, cell: "GRUCell", name: name, store: store)
    }

    /// The next hidden state `[batch, hidden]` from input `[batch, input]`.
    public func callAsFunction(_ x: Variable<Scalar>, state h: Variable<Scalar>) -> Variable<Scalar> {
        let gi = input(x)
        let gh = recurrent(h)
        func block(_ v: Variable<Scalar>, _ k: Int) -> Variable<Scalar> {
            v.slice(alongAxis: 1, start: k * hiddenSize, length: hiddenSize)
        }
        let r = (block(gi, 0) + block(gh, 0)).sigmoid()
        let z = (block(gi, 1) + block(gh, 1)).sigmoid()
        let n = (block(gi, 2) + r * block(gh, 2)).tanh()
        return n + z * (h - n)  // = (1 - z) n + z h
    }

    /// A zero state for a batch.
    public func zeroState(batchSize: Int, on tape: Tape<Scalar>) -> Variable<Scalar> {
        tape.constant(0, shape: [batchSize, hiddenSize])
    }
}
