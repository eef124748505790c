import Autograd

/// One mini-batch: images as floats in [0, 1], their labels, and which samples they are.
public struct Batch: Sendable {
    /// Shape `[count, height, width]`.
    public let images: Tensor<Float>
    /// The class of each image, 0 through 9.
    public let labels: [Int32]
    /// Each image's index in the source set (for looking a sample up again).
    public let indices: [Int]
    /// Which rows of the whole batch these are, when processes share it (else all of them).
    public var shard: BatchShard

    public init(images: Tensor<Float>, labels: [Int32], indices: [Int], shard: BatchShard? = nil) {
        (self.images, self.labels, self.indices) = (images, labels, indices)
        self.shard = shard ?? .whole(labels.count)
    }

    /// The number of images.
    public var count: Int { labels.count }
}

/// Cuts a task's samples into mini-batches, in a seeded order that changes every epoch.
///
/// Images stay bytes until a batch is asked for; only that batch is turned into floats,
/// so memory stays at the byte size of the data set plus one batch.
public struct Batcher: Sendable {
    /// What the batches are made of.
    public let generator: TaskGenerator
    /// Images per batch (the last batch may be smaller unless `dropsLast`).
    public let batchSize: Int
    /// Whether the order is shuffled each epoch (training) or the stored order (evaluation).
    public let shuffles: Bool
    /// Whether a last, smaller batch is left out.
    public let dropsLast: Bool

    public init(generator: TaskGenerator, batchSize: Int, shuffles: Bool, dropsLast: Bool = false) {
        require(batchSize > 0, "Batcher: batch size must be positive, got \(batchSize)")
        self.generator = generator
        self.batchSize = batchSize
        self.shuffles = shuffles
        self.dropsLast = dropsLast
    }

    /// The number of batches in one epoch.
    public var batchCount: Int {
        dropsLast ? generator.count / batchSize : (generator.count + batchSize - 1) / batchSize
    }

    /// The order in which the samples of `epoch` are visited.
    public func order(epoch: Int) -> [Int] {
        guard shuffles else { return Array(0..<generator.count) }
        // A stream apart from the placements' (which use derived(epoch)) so the two never correlate.
        var random = SeededGenerator(seed: generator.seed ^ 0x5EED_0F_0DE5).derived(UInt64(epoch))
        return random.permutation(of: generator.count)
    }

    /// The samples at `indices`, rendered for `epoch`, as one batch.
    public func batch(of indices: [Int], epoch: Int) -> Batch {
        let imageSize = generator.height * generator.width
        let scalars = [Float](unsafeUninitializedCapacity: indices.count * imageSize) { buffer, initialized in
            for (position, index) in indices.enumerated() {
                generator.render(index, epoch: epoch, into: buffer.baseAddress! + position * imageSize)
            }
            initialized = indices.count * imageSize
        }
        let labels = indices.map { Int32(generator.source.labels[$0]) }
        return Batch(
            images: Tensor(shape: [indices.count, generator.height, generator.width], scalars: scalars),
            labels: labels, indices: indices)
    }

    /// The batches of `epoch` from number `first` on (a run resumed mid-epoch skips those it
    /// trained on), in order; each is rendered only when the sequence reaches it. With `part`,
    /// only process `rank`'s share of each batch of `size` processes (`BatchShard.part`).
    public func batches(epoch: Int, from first: Int = 0, part: (rank: Int, size: Int)? = nil) -> some Sequence<Batch> {
        require(first >= 0 && first <= batchCount, "Batcher: batch \(first) of an epoch of \(batchCount)")
        let order = order(epoch: epoch)
        return (first..<batchCount).lazy.map { number in
            let start = number * batchSize
            let end = min(start + batchSize, order.count)
            guard let part else { return batch(of: Array(order[start..<end]), epoch: epoch) }
            let shard = BatchShard.part(part.rank, of: part.size, rows: end - start)
            var batch = batch(
                of: Array(order[(start + shard.rows.lowerBound)..<(start + shard.rows.upperBound)]), epoch: epoch)
            batch.shard = shard
            return batch
        }
    }
}
