import Autograd

/// A 2-D convolution layer with square kernels, stride, zero padding and a bias.
///
/// Layout (as PyTorch's `nn.Conv2d`): `weight` `[outChannels, inChannels, kernel, kernel]`,
/// `bias` `[outChannels]`; uniform in +-1/sqrt(inChannels * kernel^2). The paper's
/// convolutional baseline is one 10x10 layer with stride 5 (Mnih et al. 2014).
public struct Conv2D<Scalar: TensorScalar> {
    public let weight: Parameter
    public let bias: Parameter
    public let stride: Int
    public let padding: Int
    public let store: ParameterStore<Scalar>

    /// Registers `name.weight` and `name.bias`.
    public init(
        inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        name: String, store: ParameterStore<Scalar>, generator: inout SeededGenerator
    ) {
        let fanIn = inChannels * kernelSize * kernelSize
        weight = store.addUniform(
            "\(name).weight", shape: [outChannels, inChannels, kernelSize, kernelSize],
            fanIn: fanIn, using: &generator)
        bias = store.addUniform("\(name).bias", shape: [outChannels], fanIn: fanIn, using: &generator)
        self.stride = stride
        self.padding = padding
        self.store = store
    }

    /// Registers the given `weight` `[out, in, k, k]` and `bias` `[out]` as `name.weight` and
    /// `name.bias`, in PyTorch's layout.
    public init(
        weight: Tensor<Scalar>, bias: Tensor<Scalar>, stride: Int = 1, padding: Int = 0,
        name: String, store: ParameterStore<Scalar>
    ) {
        let w = weight.shape
        require(w.rank == 4 && w[2] == w[3], "Conv2D \(name): the weight must be [out, in, k, k], got \(w)")
        require(bias.shape == [w[0]], "Conv2D \(name): the bias must be [\(w[0])] for weight \(w), got \(bias.shape)")
        require(stride >= 1 && padding >= 0, "Conv2D \(name): stride \(stride) and padding \(padding) are invalid")
        self.weight = store.add("\(name).weight", weight)
        self.bias = store.add("\(name).bias", bias)
        (self.stride, self.padding, self.store) = (stride, padding, store)
    }

    /// Applies the layer to `[batch, inChannels, height, width]`.
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let w = store.variable(weight, on: x.tape)
        let b = store.variable(bias, on: x.tape)
        let y = x.convolution2D(weight: w, stride: stride, padding: padding)
        return y + b.reshaped(to: [1, b.shape[0], 1, 1])
    }
}
