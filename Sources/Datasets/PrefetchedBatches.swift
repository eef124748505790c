import Autograd
import Foundation

/// The batches of one epoch, rendered on a background thread a few batches ahead of the
/// consumer, so the training thread never waits for data (translated and cluttered images
/// are drawn, and every image converted to floats, per batch).
///
/// The batches are exactly those of `Batcher.batches(epoch:)`, in the same order: rendering
/// depends only on the samples and the epoch, never on which thread does it. Dropping the
/// iterator early (a time budget, an error) stops the thread.
public final class PrefetchedBatches: Sequence, IteratorProtocol {
    private let queue: Queue
    private let total: Int
    private var taken = 0

    /// Starts rendering `epoch`'s batches from number `first` on (with `part`, one process's
    /// share of each), keeping at most `depth` ready.
    public init(
        _ batcher: Batcher, epoch: Int, from first: Int = 0, part: (rank: Int, size: Int)? = nil, depth: Int = 2
    ) {
        require(depth >= 1, "PrefetchedBatches: depth must be at least 1, got \(depth)")
        let queue = Queue(depth: depth)
        self.queue = queue
        total = batcher.batchCount - first
        let thread = Thread {
            for batch in batcher.batches(epoch: epoch, from: first, part: part) {
                guard queue.put(batch) else { return }
            }
        }
        thread.name = "batch prefetcher"
        thread.start()
    }

    deinit { queue.cancel() }

    public func next() -> Batch? {
        guard taken < total else { return nil }
        taken += 1
        return queue.take()
    }

    /// A bounded hand-over between the rendering thread and the consumer.
    private final class Queue: @unchecked Sendable {  // every field is guarded by `condition`
        private let condition = NSCondition()
        private var ready: [Batch] = []
        private var cancelled = false
        private let depth: Int

        init(depth: Int) { self.depth = depth }

        /// Waits for room, then adds `batch`; false once the consumer has gone.
        func put(_ batch: Batch) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while ready.count >= depth && !cancelled { condition.wait() }
            guard !cancelled else { return false }
            ready.append(batch)
            condition.broadcast()
            return true
        }

        /// Waits for the next batch.
        func take() -> Batch {
            condition.lock()
            defer { condition.unlock() }
            while ready.isEmpty { condition.wait() }
            condition.broadcast()
            return ready.removeFirst()
        }

        func cancel() {
            condition.lock()
            cancelled = true
            condition.broadcast()
            condition.unlock()
        }
    }
}
