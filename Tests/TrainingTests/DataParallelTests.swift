import Autograd
import Catch
import Datasets
import Distributed
import Foundation
import NeuralNetworks
import RecurrentAttention
import Testing
import Training

/// Two processes of a data-parallel run, played by two threads of this one: a reducer whose
/// sums wait until both have contributed. It checks the trainer's sharing (each takes its
/// share of every batch and draws what those rows would in one process) without MPI.
final class ThreadReducer: Reducer, @unchecked Sendable {  // the hub's fields are guarded by its condition
    final class Hub: @unchecked Sendable {
        let size: Int
        private let condition = NSCondition()
        private var arrived = 0, generation = 0
        private var total: [Double] = [], result: [Double] = []

        init(size: Int) { self.size = size }

        /// Every thread's `values`, added up (in Double: with two threads the order cannot matter).
        func sum(_ values: [Double]) -> [Double] {
            condition.lock()
            defer { condition.unlock() }
            total = arrived == 0 ? values : zip(total, values).map(+)
            arrived += 1
            let mine = generation
            if arrived == size {
                (result, arrived, generation) = (total, 0, generation + 1)
                condition.broadcast()
            } else {
                while generation == mine { condition.wait() }
            }
            return result
        }
    }

    let hub: Hub
    let rank: Int
    var size: Int { hub.size }

    init(hub: Hub, rank: Int) { (self.hub, self.rank) = (hub, rank) }

    func sum(_ values: UnsafeMutableBufferPointer<Float>) {
        for (i, v) in hub.sum(values.map(Double.init)).enumerated() { values[i] = Float(v) }
    }

    func sum(_ values: UnsafeMutableBufferPointer<Double>) {
        for (i, v) in hub.sum(Array(values)).enumerated() { values[i] = v }
    }

    func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) {
        for (i, v) in hub.sum(values.map { rank == root ? Double($0) : 0 }).enumerated() { values[i] = Float(v) }
    }

    func abort(_ message: String) -> Never { fatalError(message) }
}

/// A value handed to another thread that this test alone touches until the thread is done.
struct Unchecked<Value>: @unchecked Sendable { let value: Value }

/// What each thread's run ended with.
final class Outcomes: @unchecked Sendable {  // guarded by `condition`
    private let condition = NSCondition()
    private var results: [Int: Result<TrainingOutcome, any Error>] = [:]

    func record(_ rank: Int, _ result: Result<TrainingOutcome, any Error>) {
        condition.lock()
        results[rank] = result
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until `count` threads have recorded, and returns their results in rank order.
    func wait(for count: Int) -> [Result<TrainingOutcome, any Error>] {
        condition.lock()
        defer { condition.unlock() }
        while results.count < count { condition.wait() }
        return results.keys.sorted().map { results[$0]! }
    }
}

struct DataParallelTests {
    /// 640 MNIST images to train on (5 steps of 128 an epoch) and 100 to validate on.
    static func data() throws -> DatasetSplits {
        let (training, test) = try MNIST.load()
        return DatasetSplits(
            training: training.subset(Array(0..<740)), test: test.subset(Array(0..<10)), validationCount: 100)
    }

    static func trainer(_ data: DatasetSplits, reducer: any Reducer) -> Trainer<ClassifierTraining> {
        var configuration = RAMConfiguration(imageHeight: 28, imageWidth: 28)
        (configuration.locationNetworkHidden, configuration.randomFirstGlimpse) = (128, true)
        let ram = RAMClassifier(RecurrentAttentionModel(configuration, seed: 1))
        let trainer = ClassifierTraining.trainer(
            for: ram,
            options: TrainingOptions(
                learningRate: 1e-3, batchSize: 128,
                epochs: 2),
            data: data, task: .mnist, directory: nil)
        trainer.reducer = reducer
        return trainer
    }

    @Test func twoProcessesSharingEachBatchTrainAsOneProcessDoes() throws {
        let data = try Self.data()
        let alone = Self.trainer(data, reducer: LocalReducer())
        try alone.run()

        let hub = ThreadReducer.Hub(size: 2)
        let pair = (0..<2).map { Self.trainer(data, reducer: ThreadReducer(hub: hub, rank: $0)) }
        let outcomes = Outcomes()
        let threads = pair.enumerated().map { rank, trainer in
            let trainer = Unchecked(value: trainer)
            return Thread { outcomes.record(rank, Result { try trainer.value.run() }) }
        }
        threads.forEach { $0.start() }
        let failures = outcomes.wait(for: 2).compactMap { if case .failure(let e) = $0 { e } else { nil } }
        #expect(failures.isEmpty, "\(failures)")

        // Ten steps later the parameters agree to float precision (the sums are formed in
        // another order), and the two processes hold the same ones.
        let (single, first, second) = (
            alone.model.store.tensors.flatMap(\.scalars), pair[0].model.store.tensors.flatMap(\.scalars),
            pair[1].model.store.tensors.flatMap(\.scalars)
        )
        let largest = single.map(abs).max()!
        let apart = zip(single, first).map { abs($0 - $1) }.max()!
        #expect(apart < 1e-5 * max(largest, 1), "largest difference \(apart)")
        #expect(first == second)
        #expect(pair[0].progress.step == 10 && alone.progress.step == 10)
        // The counts are added up: the same images are seen and validated.
        #expect(pair[0].progress.history.map(\.validationError) == alone.progress.history.map(\.validationError))
        #expect(
            pair[0].progress.history.map(\.samples) == [640, 1280]
                && alone.progress.history.map(\.samples) == [640, 1280])
    }

    @Test func twoProcessesSharingEachUpdatesGamesPlayCatchAsOneProcessDoes() throws {
        var options = CatchTrainingOptions()
        (options.batchSize, options.frames, options.validationInterval) = (
            16, 16 * CatchGame.moves * 4, 16 * CatchGame.moves * 2
        )
        let alone = CatchTraining.trainer(configuration: CatchAgentConfiguration(), options: options, directory: nil)
        try alone.run()
        let hub = ThreadReducer.Hub(size: 2)
        let pair = (0..<2).map { rank in
            let trainer = CatchTraining.trainer(
                configuration: CatchAgentConfiguration(), options: options, directory: nil)
            trainer.reducer = ThreadReducer(hub: hub, rank: rank)
            return trainer
        }
        let outcomes = Outcomes()
        let threads = pair.enumerated().map { rank, trainer in
            let trainer = Unchecked(value: trainer)
            return Thread { outcomes.record(rank, Result { try trainer.value.run() }) }
        }
        threads.forEach { $0.start() }
        #expect(outcomes.wait(for: 2).allSatisfy { if case .success(.finished) = $0 { true } else { false } })

        #expect(alone.progress.step == 4 && alone.progress.history.count == 2)
        let single = alone.model.store.tensors.flatMap(\.scalars)
        let first = pair[0].model.store.tensors.flatMap(\.scalars)
        let apart = zip(single, first).map { abs($0 - $1) }.max()!
        #expect(apart < 1e-5, "largest difference \(apart)")
        #expect(pair[0].model.store.tensors == pair[1].model.store.tensors)
        // The validation games are dealt round the two and their catches added up.
        for metric in ["validation_catch_rate", "training_catch_rate"] {
            #expect(pair[0].progress.history.map { $0[metric] } == alone.progress.history.map { $0[metric] })
        }
    }

    @Test func sharesSplitABatchInRankOrder() {
        #expect((0..<3).map { BatchShard.part($0, of: 3, rows: 128).rows } == [0..<43, 43..<86, 86..<128])
        #expect(BatchShard.part(1, of: 2, rows: 1).rows == 1..<1)
        // A shard draws what its rows would in the whole batch.
        var whole = SeededGenerator(seed: 5)
        var half = SeededGenerator(seed: 5)
        let all = (0..<8).map { _ in whole.nextNormal() }
        let shard = BatchShard(rows: 2..<5, of: 8)
        let mine = shard.drawing(1, with: &half, skip: { _ = $0.nextNormal() }) { g in
            (0..<3).map { _ in g.nextNormal() }
        }
        #expect(mine == Array(all[2..<5]))
        #expect(whole.next() == half.next())
    }
}
