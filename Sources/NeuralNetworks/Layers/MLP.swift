import Autograd

/// A multilayer perceptron: Linear layers with an activation between them (none after the last).
///
/// `MLP(sizes: [784, 256, 256, 10], ...)` is the paper's FC-256 baseline with two hidden layers.
public struct MLP<Scalar: TensorScalar> {
    public let layers: [Linear<Scalar>]
    public let activation: Activation

    /// Registers `name.0`, `name.1`, ... (each with `.weight` and `.bias`).
    public init(
        sizes: [Int], activation: Activation = .relu, name: String,
        store: ParameterStore<Scalar>, generator: inout SeededGenerator
    ) {
        require(sizes.count >= 2, "MLP: needs at least an input and an output size, got \(sizes)")
        self.activation = activation
        layers = (0..<(sizes.count - 1)).map { i in
            Linear(
                inputSize: sizes[i], outputSize: sizes[i + 1], name: "\(name).\(i)", store: store, generator: &generator
            )
        }
    }

    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h, activation: i < layers.count - 1 ? activation : .identity)
        }
        return h
    }
}
