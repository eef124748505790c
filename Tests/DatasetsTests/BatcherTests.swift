import Autograd
import Datasets
import Testing

@Suite struct BatcherTests {
    func batcher(
        _ task: DatasetTask = .cluttered60, batchSize: Int = 128, shuffles: Bool = true,
        dropsLast: Bool = false
    ) -> Batcher {
        Batcher(
            generator: TaskGenerator(source: bundledSplits.train, task: task, seed: 5, isFixed: false),
            batchSize: batchSize, shuffles: shuffles, dropsLast: dropsLast)
    }

    @Test func batchShapesAndLabels() {
        let b = batcher()
        let first = b.batches(epoch: 0).first { _ in true }!
        #expect(first.images.shape == [128, 60, 60])
        #expect(first.labels.count == 128 && first.indices.count == 128)
        for (label, index) in zip(first.labels, first.indices) {
            #expect(label == Int32(bundledSplits.train.labels[index]))
        }
        #expect(first.images.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    /// Rendering on another thread gives exactly the batches of the plain sequence, in order.
    @Test func prefetchedBatchesEqualThePlainOnes() {
        let b = batcher(.translated, batchSize: 4_096)
        let plain = Array(b.batches(epoch: 3))
        let prefetched = Array(PrefetchedBatches(b, epoch: 3, depth: 2))
        #expect(plain.count == 13 && prefetched.count == 13 && prefetched.last!.count == 50_000 - 12 * 4_096)
        for (x, y) in zip(plain, prefetched) { #expect(x.indices == y.indices && x.images == y.images) }
    }

    /// A consumer that stops early (a time budget) lets the rendering thread go.
    @Test func leavingAnEpochEarlyDoesNotHang() {
        let b = batcher(.mnist, batchSize: 100)
        for _ in 0..<20 {
            let first = PrefetchedBatches(b, epoch: 0, depth: 1).prefix(2).map(\.indices)
            #expect(first == Array(b.batches(epoch: 0).prefix(2)).map(\.indices))
        }
    }

    @Test func anEpochVisitsEverySampleOnce() {
        let b = batcher(.mnist, batchSize: 4_096)
        #expect(b.batchCount == 13)
        var seen = [Bool](repeating: false, count: 50_000)
        var sizes: [Int] = []
        for batch in b.batches(epoch: 1) {
            sizes.append(batch.count)
            for i in batch.indices {
                #expect(!seen[i])
                seen[i] = true
            }
        }
        #expect(seen.allSatisfy { $0 })
        #expect(sizes.last == 50_000 - 12 * 4_096)
        #expect(batcher(.mnist, batchSize: 4_096, dropsLast: true).batchCount == 12)
    }

    @Test func shuffleIsSeededAndChangesPerEpoch() {
        let b = batcher()
        #expect(b.order(epoch: 0) == batcher().order(epoch: 0))
        #expect(b.order(epoch: 0) != b.order(epoch: 1))
        #expect(batcher(shuffles: false).order(epoch: 3) == Array(0..<50_000))
    }

    @Test func sameBatchTwiceIsIdentical() {
        let b = batcher(.cluttered100, batchSize: 16)
        let indices = Array(b.order(epoch: 2).prefix(16))
        #expect(b.batch(of: indices, epoch: 2).images == b.batch(of: indices, epoch: 2).images)
    }

    @Test func batchGenerationSpeedIsReported() {
        for task in [DatasetTask.translated, .cluttered60, .cluttered100] {
            let b = batcher(task)
            let order = b.order(epoch: 0)
            let rounds = 50
            let start = ContinuousClock.now
            var checksum: Float = 0
            for round in 0..<rounds {
                let batch = b.batch(of: Array(order[round * 128..<(round + 1) * 128]), epoch: 0)
                checksum += batch.images.scalars[0]
            }
            let perBatch = (ContinuousClock.now - start) / rounds
            print("\(task.name): one batch of 128 takes \(perBatch) (checksum \(checksum))")
        }
    }
}
