import Datasets
import Training

/// The settings behind the README's RAM results, one per task: the model and how it trains.
/// `ram train --task <task>` starts from the same recipe, so a library user and the command
/// line train the same model.
///
/// ```swift
/// let recipe = RAMRecipe(for: .mnist)
/// let ram = RAMClassifier(RecurrentAttentionModel(recipe.configuration, seed: recipe.options.seed))
/// ```
/// Every choice was made on the validation split (Models/Trained/README.md says how).
public struct RAMRecipe: Sendable, Equatable {
    public var configuration: RAMConfiguration
    public var options: TrainingOptions

    /// The recipe for `task`'s images (28x28 for the plain MNIST tasks).
    public init(for task: DatasetTask) {
        let size = task.layout?.size ?? 28
        self.init(imageHeight: size, imageWidth: size)
    }

    /// The recipe for images of this size: the wider canvases' settings above 28 pixels.
    public init(imageHeight: Int, imageWidth: Int) {
        let size = imageHeight
        var c = RAMConfiguration(imageHeight: imageHeight, imageWidth: imageWidth)
        // The retina: one 8x8 patch on 28x28 digits; 12x12 at 3 scales on 60x60, 4 on 100x100.
        (c.patchSize, c.scales) = size <= 28 ? (8, 1) : (12, size <= 60 ? 3 : 4)
        // A narrow policy on 28x28, a wider one to search the larger canvases.
        c.locationStandardDeviation = size <= 28 ? 0.05 : 0.2
        (c.locationNetworkHidden, c.randomFirstGlimpse) = (128, true)
        var o = TrainingOptions(optimizer: .adam, learningRate: 3e-4, schedule: .linear, batchSize: 128, epochs: 200)
        if size > 28 {
            // On the wide canvases REINFORCE shapes the core too, at 0.3 of the cross-entropy.
            (c.locationTrainsCore, c.policyGradientWeight) = (true, 0.3)
            (o.learningRate, o.epochs) = (1e-3, size <= 60 ? 1200 : 580)
        }
        (configuration, options) = (c, o)
    }
}
