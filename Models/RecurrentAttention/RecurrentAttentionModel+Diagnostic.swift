import Autograd
import Datasets

extension RecurrentAttentionModel {
    /// Where the glimpses land on the first `count` images of `images`, with the policy's mean
    /// and with uniformly random locations (drawn from `seed`) on the same images.
    public func glimpseDiagnostic(
        on images: TaskGenerator, count: Int = 2_000,
        seed: UInt64
    ) -> (learned: GlimpseDiagnostic, random: GlimpseDiagnostic) {
        let c = configuration
        let batcher = Batcher(generator: images, batchSize: 500, shuffles: false)
        let tape = Tape<Float>()
        var generator = SeededGenerator(seed: seed)
        var learned = GlimpseDiagnostic(glimpses: c.glimpses)
        var random = GlimpseDiagnostic(glimpses: c.glimpses)
        for start in stride(from: 0, to: min(count, images.count), by: batcher.batchSize) {
            let indices = Array(start..<min(start + batcher.batchSize, count, images.count))
            let batch = batcher.batch(of: indices, epoch: 0)
            tape.reset()
            let episode = run(batch.images, on: tape, policy: .mean, using: &generator)
            let targets = indices.flatMap { images.targetImage($0, epoch: 0) }
            learned.record(
                locations: episode.locations, targets: targets, height: images.height, width: images.width,
                sensor: c.sensor)
            let uniform = (0..<c.glimpses).map { _ in
                (0..<(indices.count * 2)).map { _ in generator.nextUniform(Float.self) * 2 - 1 }
            }
            random.record(
                locations: uniform, targets: targets, height: images.height, width: images.width, sensor: c.sensor)
        }
        return (learned, random)
    }
}
