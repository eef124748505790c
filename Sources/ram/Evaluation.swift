import Autograd
import Datasets

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
