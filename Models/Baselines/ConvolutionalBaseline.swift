import Autograd
import NeuralNetworks

/// The paper's convolutional comparison net: one layer of `filters` 10x10 filters with
/// stride 5 (8 in the table captions, 16 in the translated-MNIST text), ReLU, a hidden layer
/// of `hiddenSize` ReLU units (256; 86 for 100x100), and a linear classifier.
public struct ConvolutionalBaseline {
    public let store: ParameterStore<Float>
    let convolution: Conv2D<Float>
    let hidden: Linear<Float>
    let classifier: Linear<Float>
    let featureCount: Int

    public init(
        imageHeight: Int, imageWidth: Int, filters: Int = 8, hiddenSize: Int = 256,
        classes: Int = 10, seed: UInt64
    ) {
        let store = ParameterStore<Float>()
        var generator = SeededGenerator(seed: seed)
        let (kernel, stride) = (10, 5)
        convolution = Conv2D(
            inChannels: 1, outChannels: filters, kernelSize: kernel, stride: stride,
            name: "conv", store: store, generator: &generator)
        featureCount = filters * ((imageHeight - kernel) / stride + 1) * ((imageWidth - kernel) / stride + 1)
        hidden = Linear(
            inputSize: featureCount, outputSize: hiddenSize, name: "hidden", store: store, generator: &generator)
        classifier = Linear(
            inputSize: hiddenSize, outputSize: classes, name: "classifier", store: store, generator: &generator)
        self.store = store
    }

    /// Logits `[batch, classes]` for images `[batch, height, width]`.
    public func callAsFunction(_ images: Variable<Float>) -> Variable<Float> {
        let (batch, height, width) = (images.shape[0], images.shape[1], images.shape[2])
        let features = convolution(images.reshaped(to: [batch, 1, height, width])).relu()
        return classifier(hidden(features.reshaped(to: [batch, featureCount]), activation: .relu))
    }
}
