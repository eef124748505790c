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
    public init(
        inputSize: Int, outputSize: Int, bias: Bool = true, name: String,
        store: ParameterStore<Scalar>, generator: inout SeededGenerator
    ) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.store = store
        weight = store.addUniform(
            "\(name).weight", shape: [outputSize, inputSize], fanIn: inputSize, using: &generator)
        self.bias =
            bias ? store.addUniform("\(name).bias", shape: [outputSize], fanIn: inputSize, using: &generator) : nil
    }

    /// Registers the given `weight` `[out, in]` (and `bias` `[out]`) as `name.weight` and
    /// `name.bias`: a layer with someone else's trained values, in PyTorch's layout.
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>?, name: String, store: ParameterStore<Scalar>) {
        require(weight.shape.rank == 2, "Linear \(name): the weight must be [out, in], got \(weight.shape)")
        if let bias {
            require(
                bias.shape == [weight.shape[0]],
                "Linear \(name): the bias must be [\(weight.shape[0])] for weight \(weight.shape), got \(bias.shape)")
        }
        self.init(
            weight: store.add("\(name).weight", weight), bias: bias.map { store.add("\(name).bias", $0) },
            store: store)
    }

    /// A layer over parameters already in `store`: `weight` `[out, in]`, `bias` `[out]` or nil.
    public init(weight: Parameter, bias: Parameter?, store: ParameterStore<Scalar>) {
        let shape = store.entry(weight).shape
        require(shape.rank == 2, "Linear: \(store.entry(weight).name) must be [out, in], got \(shape)")
        if let bias {
            require(
                store.entry(bias).shape == [shape[0]],
                "Linear: \(store.entry(bias).name) must be [\(shape[0])] for weight \(shape), got "
                    + "\(store.entry(bias).shape)"
            )
        }
        (self.weight, self.bias, self.store) = (weight, bias, store)
        (inputSize, outputSize) = (shape[1], shape[0])
    }

    /// `activation(x W^T + b)` for `x` of shape `[batch, inputSize]`, giving
    /// `[batch, outputSize]`: one fused op (see `Variable.linear`).
    @inlinable
    public func callAsFunction(_ x: Variable<Scalar>, activation: Activation = .identity) -> Variable<Scalar> {
        let (w, b) = variables(on: x.tape)
        return x.linear(weight: w, bias: b, activation: activation)
    }

    /// `activation(self(x) + other(y))`: two layers with the same output size, summed as a
    /// recurrent cell sums its input and recurrent projections, in one fused op whose two
    /// products run at once.
    @inlinable
    public func callAsFunction(
        _ x: Variable<Scalar>, plus other: Linear, of y: Variable<Scalar>,
        activation: Activation = .identity
    ) -> Variable<Scalar> {
        require(
            other.outputSize == outputSize,
            "Linear: cannot sum layers of output sizes \(outputSize) and \(other.outputSize)")
        let (w, b) = variables(on: x.tape)
        let (w2, b2) = other.variables(on: x.tape)
        return x.linear(weight: w, bias: b, plus: y, weight: w2, bias: b2, activation: activation)
    }

    /// The weight and bias bound on `tape` for this forward pass.
    @inlinable
    func variables(on tape: Tape<Scalar>) -> (weight: Variable<Scalar>, bias: Variable<Scalar>?) {
        (store.variable(weight, on: tape), bias.map { store.variable($0, on: tape) })
    }
}
