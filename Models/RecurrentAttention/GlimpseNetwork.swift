import Autograd
import NeuralNetworks

/// RAM's glimpse network: what the retina saw and where it looked, mixed into one vector.
///
/// ```
/// g = ReLU(Linear(ReLU(Linear(rho))) + Linear(ReLU(Linear(l))))
/// ```
/// Shared by the classifier and the Catch agent. Registers `glimpse.image`,
/// `glimpse.location`, `glimpse.what` and `glimpse.where`, drawn in that order.
public struct GlimpseNetwork {
    public let sensor: GlimpseSensor
    let image: Linear<Float>, location: Linear<Float>
    let fromImage: Linear<Float>, fromLocation: Linear<Float>

    public init(
        sensor: GlimpseSensor, imageHidden: Int, locationHidden: Int, outputSize: Int,
        store: ParameterStore<Float>, generator: inout SeededGenerator
    ) {
        self.sensor = sensor
        image = Linear(
            inputSize: sensor.featureCount, outputSize: imageHidden, name: "glimpse.image",
            store: store, generator: &generator)
        location = Linear(
            inputSize: 2, outputSize: locationHidden, name: "glimpse.location",
            store: store, generator: &generator)
        fromImage = Linear(
            inputSize: imageHidden, outputSize: outputSize, name: "glimpse.what",
            store: store, generator: &generator)
        fromLocation = Linear(
            inputSize: locationHidden, outputSize: outputSize, name: "glimpse.where",
            store: store, generator: &generator)
    }

    /// `g` from the retina's output `[batch, featureCount]` and the locations `[batch, 2]`.
    public func callAsFunction(_ rho: Variable<Float>, at locations: Variable<Float>) -> Variable<Float> {
        fromImage(
            image(rho, activation: .relu), plus: fromLocation, of: location(locations, activation: .relu),
            activation: .relu)
    }
}
