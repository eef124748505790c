import Autograd
import Datasets
import NeuralNetworks
import Training

/// RAM as an image classifier the training loop can train: trained with its policy and the
/// hybrid loss, or with uniformly random glimpses for the paper's ablation. The only part of
/// RAM that knows the loop; the model's networks do not.
public struct RAMClassifier: ImageClassifier {
    public let model: RecurrentAttentionModel
    public let trainsWithRandomGlimpses: Bool
    /// Where evaluation looks: the policy's mean by default, uniformly random places for a
    /// model trained with them (its location network never learned).
    public var evaluationPolicy: AttentionPolicy
    public var store: ParameterStore<Float> { model.store }

    public init(_ model: RecurrentAttentionModel, trainsWithRandomGlimpses: Bool = false) {
        self.model = model
        self.trainsWithRandomGlimpses = trainsWithRandomGlimpses
        evaluationPolicy = trainsWithRandomGlimpses ? .random : .mean
    }

    /// The same classifier, evaluated with `policy`.
    public func evaluating(with policy: AttentionPolicy) -> RAMClassifier {
        var copy = self
        copy.evaluationPolicy = policy
        return copy
    }

    /// The hybrid loss's parts, and where the glimpses land on validation images (glimpses
    /// 2...T, with the policy's mean, against uniformly random glimpses on the same images).
    public var metrics: [Metric] {
        [
            Metric("cross_entropy", tag: "loss/cross_entropy"), Metric("baseline_error", tag: "loss/baseline_error"),
            Metric("reward", tag: "policy/reward"),
        ]
            + (trainsWithRandomGlimpses
                ? []
                : [
                    Metric("glimpse_distance", tag: "policy/glimpse_distance_px"),
                    Metric("glimpse_ink", tag: "policy/glimpse_ink"),
                    Metric("random_glimpse_distance", tag: "policy/random_glimpse_distance_px"),
                    Metric("random_glimpse_ink", tag: "policy/random_glimpse_ink"),
                ])
    }

    public func trainingLoss(
        _ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>,
        using generator: inout SeededGenerator
    )
        -> (loss: Variable<Float>, correct: Int, metrics: [String: Double])
    {
        trainingLoss(images, labels: labels, on: tape, shard: .whole(labels.count), using: &generator)
    }

    public func trainingLoss(
        _ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>, shard: BatchShard,
        using generator: inout SeededGenerator
    )
        -> (loss: Variable<Float>, correct: Int, metrics: [String: Double])
    {
        let m = trainsWithRandomGlimpses ? 1 : model.configuration.samplesPerImage
        let episode = model.run(
            m > 1 ? Self.repeating(images, m) : images, on: tape,
            policy: trainsWithRandomGlimpses ? .random : .sample, isTraining: true,
            shard: BatchShard(
                rows: (shard.rows.lowerBound * m)..<(shard.rows.upperBound * m),
                of: shard.total * m),
            using: &generator)
        let rowLabels = labels.flatMap { repeatElement($0, count: m) }
        let (loss, statistics) = model.hybridLoss(episode, labels: rowLabels, samplesPerImage: m)
        // Training error counts each image's first run: one sampled trajectory, as with m = 1.
        let predicted = m > 1 ? RecurrentAttentionModel.predictions(episode.logits) : []
        let correct = m > 1 ? labels.indices.filter { predicted[$0 * m] == labels[$0] }.count : statistics.correct
        return (
            loss, correct,
            [
                "cross_entropy": Double(statistics.crossEntropy),
                "baseline_error": Double(statistics.baselineError), "reward": Double(statistics.reward),
            ]
        )
    }

    /// `[batch, height, width]` images with each one repeated `m` times in a row.
    static func repeating(_ images: Tensor<Float>, _ m: Int) -> Tensor<Float> {
        let size = images.shape[1] * images.shape[2]
        let pixels = images.scalars
        var rows = [Float]()
        rows.reserveCapacity(pixels.count * m)
        for image in 0..<images.shape[0] {
            for _ in 0..<m { rows.append(contentsOf: pixels[(image * size)..<((image + 1) * size)]) }
        }
        return Tensor(shape: [images.shape[0] * m, images.shape[1], images.shape[2]], scalars: rows)
    }

    public func logits(
        _ images: Tensor<Float>, on tape: Tape<Float>, using generator: inout SeededGenerator
    )
        -> Variable<Float>
    {
        model.run(images, on: tape, policy: evaluationPolicy, using: &generator).logits
    }

    public func validationMetrics(on validation: TaskGenerator, seed: UInt64) -> [String: Double] {
        guard !trainsWithRandomGlimpses else { return [:] }
        let (learned, random) = model.glimpseDiagnostic(on: validation, seed: seed)
        return [
            "glimpse_distance": learned.meanDistance, "glimpse_ink": learned.inkFraction,
            "random_glimpse_distance": random.meanDistance, "random_glimpse_ink": random.inkFraction,
        ]
    }

    /// Narrows the location policy's standard deviation, when the configuration says so.
    public func willTrain(atProgress fraction: Double) {
        guard model.configuration.finalLocationStandardDeviation != nil else { return }
        model.locationStandardDeviation = model.configuration.locationStandardDeviation(atProgress: fraction)
    }
}
