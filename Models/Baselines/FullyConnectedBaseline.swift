import Autograd
import NeuralNetworks

/// The paper's fully connected comparison net: the flattened image, two hidden layers of
/// `hiddenSize` ReLU units (64 or 256 in Mnih et al. 2014), and a linear classifier.
public struct FullyConnectedBaseline {
    public let store: ParameterStore<Float>
    let network: MLP<Float>
    public let imageSize: Int

    public init(imageHeight: Int, imageWidth: Int, hiddenSize: Int, classes: Int = 10, seed: UInt64) {
        let store = ParameterStore<Float>()
        var generator = SeededGenerator(seed: seed)
        imageSize = imageHeight * imageWidth
        network = MLP(
            sizes: [imageSize, hiddenSize, hiddenSize, classes], name: "fc", store: store, generator: &generator)
        self.store = store
    }

    /// Logits `[batch, classes]` for images `[batch, height, width]`.
    public func callAsFunction(_ images: Variable<Float>) -> Variable<Float> {
        network(images.reshaped(to: [images.shape[0], imageSize]))
    }
}
