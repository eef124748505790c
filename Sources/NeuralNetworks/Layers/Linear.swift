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

    /// `activation(x W^T + b)` for `x` of shape `[batch, inputSize]`, giving
    /// `[batch, outputSize]`: one fused op (see `Autograd.linear`).
    @inlinable
    public func callAsFunction(_ x: Variable<Scalar>, activation: Activation = .identity) -> Variable<Scalar> {
        let (w, b) = variables(on: x.tape)
        return linear(x, weight: w, bias: b, activation: activation)
    }

    /// `activation(self(x) + other(y))`: two layers with the same output size, summed as a
    /// recurrent cell sums its input and recurrent projections, in one fused op whose two
    /// products run at once.
    @inlinable
    public func callAsFunction(_ x: Variable<Scalar>, plus other: Linear, of y: Variable<Scalar>,
                               activation: Activation = .identity) -> Variable<Scalar> {
        require(other.outputSize == outputSize,
                "Linear: cannot sum layers of output sizes \(outputSize) and \(other.outputSize)")
        let (w, b) = variables(on: x.tape), (w2, b2) = other.variables(on: x.tape)
        return linear(x, weight: w, bias: b, plus: y, weight: w2, bias: b2, activation: activation)
    }

    /// The weight and bias bound on `tape` for this forward pass.
    @inlinable
    func variables(on tape: Tape<Scalar>) -> (weight: Variable<Scalar>, bias: Variable<Scalar>?) {
        (store.variable(weight, on: tape), bias.map { store.variable($0, on: tape) })
    }
}
