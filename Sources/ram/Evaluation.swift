import Autograd
import Datasets
import RecurrentAttention

/// Scores a classifier on a fixed set of images.
enum Evaluation {
    /// The fraction of `images` misclassified in `mode`.
    ///
    /// With `trajectories > 1` the class probabilities of that many sampled trajectories are
    /// averaged before taking the most likely class: a Monte-Carlo average, reported apart
    /// from the single-trajectory error because it hides a poor policy.
    static func error(of model: any ImageClassifier, on images: TaskGenerator, mode: EvaluationMode,
                      trajectories: Int = 1, batchSize: Int = 500, seed: UInt64) -> Double {
        let batcher = Batcher(generator: images, batchSize: batchSize, shuffles: false)
        let tape = Tape<Float>()
        var generator = SeededGenerator(seed: seed)
        var wrong = 0, total = 0
        for batch in batcher.batches(epoch: 0) {
            var probabilities = [Float](repeating: 0, count: batch.count * 10)
            var classes = 0
            for _ in 0..<trajectories {
                tape.reset()
                let logits = model.logits(batch.images, on: tape, mode: mode, using: &generator)
                classes = logits.shape[1]
                if probabilities.count != batch.count * classes { probabilities = .init(repeating: 0, count: batch.count * classes) }
                for (i, p) in logits.softmax().scalars.enumerated() { probabilities[i] += p }
            }
            for (row, label) in batch.labels.enumerated() {
                let scores = probabilities[(row * classes)..<((row + 1) * classes)]
                if scores.indices.max(by: { scores[$0] < scores[$1] })! - row * classes != Int(label) { wrong += 1 }
            }
            total += batch.count
        }
        return Double(wrong) / Double(max(total, 1))
    }
}

extension Evaluation {
    /// Where RAM's glimpses land on the first `count` images, with the policy's mean and with
    /// uniformly random locations (drawn from `seed`) on the same images.
    static func glimpseDiagnostic(of model: RecurrentAttentionModel, on images: TaskGenerator, count: Int = 2_000,
                                  seed: UInt64) -> (learned: GlimpseDiagnostic, random: GlimpseDiagnostic) {
        let c = model.configuration
        let batcher = Batcher(generator: images, batchSize: 500, shuffles: false)
        let tape = Tape<Float>()
        var generator = SeededGenerator(seed: seed)
        var learned = GlimpseDiagnostic(glimpses: c.glimpses), random = GlimpseDiagnostic(glimpses: c.glimpses)
        for start in stride(from: 0, to: min(count, images.count), by: batcher.batchSize) {
            let indices = Array(start..<min(start + batcher.batchSize, count, images.count))
            let batch = batcher.batch(of: indices, epoch: 0)
            tape.reset()
            let episode = model.run(batch.images, on: tape, policy: .mean, using: &generator)
            let targets = indices.flatMap { images.targetImage($0, epoch: 0) }
            learned.record(locations: episode.locations, targets: targets, height: images.height, width: images.width,
                           sensor: c.sensor)
            let uniform = (0..<c.glimpses).map { _ in
                (0..<(indices.count * 2)).map { _ in generator.nextUniform(Float.self) * 2 - 1 }
            }
            random.record(locations: uniform, targets: targets, height: images.height, width: images.width, sensor: c.sensor)
        }
        return (learned, random)
    }

    /// One line: how far glimpses 2...T land from the digit, and how often they see its ink.
    static func describe(_ d: (learned: GlimpseDiagnostic, random: GlimpseDiagnostic)) -> String {
        String(format: "glimpses 2-%d: %.1f px from the digit (random %.1f), ink in %.0f%% of finest patches (random %.0f%%)",
               d.learned.distanceSums.count, d.learned.meanDistance, d.random.meanDistance,
               100 * d.learned.inkFraction, 100 * d.random.inkFraction)
    }
}
