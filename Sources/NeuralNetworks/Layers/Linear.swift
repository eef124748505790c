import Autograd

/// A fully connected layer: `y = x W^T + b`.
///
/// Layout (as PyTorch's `nn.Linear`): `weight` is `[outputSize, inputSize]`, `bias` is
/// `[outputSize]`. Both are initialised uniformly in +-1/sqrt(inputSize).
public struct Linear<Scalar: TensorScalar> {
    public let weight: Parameter
    public let bias: Parameter?
    public let inputSize: Int
    public let outputSize: Int
    public let store: ParameterStore<Scalar>

    /// Registers `name.weight` (and `name.bias`) in `store`.
    public init(inputSize: Int, outputSize: Int, bias: Bool = true, name: String,
                store: ParameterStore<Scalar>, generator: inout SeededGenerator) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.store = store
        weight = store.addUniform("\(name).weight", shape: [outputSize, inputSize], fanIn: inputSize, using: &generator)
        self.bias = bias ? store.addUniform("\(name).bias", shape: [outputSize], fanIn: inputSize, using: &generator) : nil
    }

    /// Applies the layer to `x` of shape `[batch, inputSize]`, giving `[batch, outputSize]`.
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let y = matmul(x, store.variable(weight, on: x.tape), transposeB: true)
        guard let bias else { return y }
        return y + store.variable(bias, on: x.tape)
    }
}
