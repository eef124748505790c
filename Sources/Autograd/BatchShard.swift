/// The rows of a batch that this process computes when several processes share the batch
/// (data-parallel training). Random draws for a batch are made row by row from one
/// generator; a shard draws the other rows' values too and throws them away, so every row
/// gets the numbers it would get in a single process, whatever the number of processes.
public struct BatchShard: Sendable, Equatable {
    /// This process's rows.
    public let rows: Range<Int>
    /// The rows of the whole batch.
    public let total: Int

    public init(rows: Range<Int>, of total: Int) {
        require(rows.lowerBound >= 0 && rows.upperBound <= total, "BatchShard: rows \(rows) of a batch of \(total)")
        (self.rows, self.total) = (rows, total)
    }

    /// The whole batch of `count` rows: a single process.
    public static func whole(_ count: Int) -> BatchShard { BatchShard(rows: 0..<count, of: count) }

    public var isWhole: Bool { rows.count == total }

    /// Process `rank`'s share of a batch of `count` rows split over `size` processes:
    /// contiguous, in rank order, the first `count % size` processes one row more.
    public static func part(_ rank: Int, of size: Int, rows count: Int) -> BatchShard {
        require(size > 0 && rank >= 0 && rank < size, "BatchShard: rank \(rank) of \(size) processes")
        let base = count / size
        let extra = count % size
        let start = rank * base + min(rank, extra)
        return BatchShard(rows: start..<(start + base + (rank < extra ? 1 : 0)), of: count)
    }

    /// Runs `draw`, which draws `perRow` values per row of this shard with `next`, after
    /// skipping the values of the rows before it and before skipping those after it.
    public func drawing<T>(
        _ perRow: Int, with generator: inout SeededGenerator, skip: (inout SeededGenerator) -> Void,
        _ draw: (inout SeededGenerator) -> T
    ) -> T {
        for _ in 0..<(rows.lowerBound * perRow) { skip(&generator) }
        let result = draw(&generator)
        for _ in 0..<((total - rows.upperBound) * perRow) { skip(&generator) }
        return result
    }
}
