import Autograd
import Distributed
import Foundation
import NeuralNetworks
import Testing
import Training

/// A model the library does not ship, trained by the one loop: a single weight `w` fitted to
/// the loss `(w - target)^2`, whose target a test may make jump so that the loss explodes.
final class OneWeight: Trainable {
    let store = ParameterStore<Float>()
    let weight: Parameter
    /// The target of each epoch's steps.
    let targets: [Float]
    let stepsPerEpoch = 20

    init(targets: [Float]) {
        self.targets = targets
        weight = store.add("w", Tensor(shape: [1], scalars: [0]))
    }

    var sampleUnit: String { "samples" }
    var metrics: [Metric] { [Metric("distance", tag: "fit/distance")] }
    var selection: Selection { Selection("distance", lowerIsBetter: true) }

    func batches(epoch: Int, from start: Int, part: (rank: Int, size: Int)?) -> any Sequence<Float> {
        repeatElement(targets[min(epoch, targets.count - 1)], count: stepsPerEpoch - start)
    }

    func size(of batch: Float) -> (samples: Int, share: Double) { (1, 1) }

    func loss(
        on target: Float, tape: Tape<Float>, progress: Double, using generator: inout SeededGenerator
    )
        -> (loss: Variable<Float>, metrics: [String: Double])
    {
        let w = store.variable(weight, on: tape)
        let difference = w - tape.constant(Tensor(shape: [1], scalars: [target]))
        return ((difference * difference).sum(), [:])
    }

    func validate(sharedWith reducer: (any Reducer)?) -> [String: Double] {
        ["distance": Double(abs(store.value(weight).scalars[0] - targets.last!))]
    }
}

struct TrainerTests {
    @Test func aModelOfYourOwnTrainsAndItsMetricsAreRecorded() throws {
        let model = OneWeight(targets: [3])
        let trainer = Trainer(
            model, optimizer: SGD(for: model.store, learningRate: 0.1), schedule: .constant,
            epochs: 3, directory: nil)
        var warnings: [String] = []
        trainer.onWarning = { warnings.append($0) }
        #expect(try trainer.run() == .finished)
        // Gradient descent on (w - 3)^2 at rate 0.1 takes w to 3 (1 - 0.8^n): 60 steps leave 3 * 0.8^60.
        let w = Double(model.store.value(model.weight).scalars[0])
        #expect(abs(w - 3 * (1 - pow(0.8, 60))) < 1e-4)
        #expect(trainer.progress.history.map(\.epoch) == [1, 2, 3] && trainer.progress.step == 60)
        #expect(trainer.progress.history.map(\.samples) == [20, 40, 60])
        #expect(abs((trainer.progress.best ?? 1) - 3 * pow(0.8, 60)) < 1e-4)
        // The epoch's loss is the mean over its steps: epoch 1's, by hand, is the mean of 9 * 0.64^k.
        let firstEpoch = (0..<20).map { 9 * pow(0.64, Double($0)) }.reduce(0, +) / 20
        #expect(abs((trainer.progress.history[0]["loss"] ?? 0) - firstEpoch) < 1e-4)
        #expect(warnings.isEmpty)
    }

    @Test func aLossFarAboveWhereItStartedIsWarnedOfOnceAndTheRunGoesOn() throws {
        // The target jumps from 1 to 100 in epoch 2 and to 200 in epoch 3: the loss jumps with it.
        let model = OneWeight(targets: [1, 100, 200])
        let trainer = Trainer(
            model, optimizer: SGD(for: model.store, learningRate: 0.01), schedule: .constant,
            epochs: 3, directory: nil)
        var warnings: [String] = []
        trainer.onWarning = { warnings.append($0) }
        #expect(try trainer.run() == .finished)
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("the training loss in epoch 2 is ") == true)
        #expect(warnings.first?.contains("a lower learning rate may help") == true)
        let start = try #require(trainer.progress.startingLoss)
        #expect(start > 0.5 && start < 1 && (trainer.progress.history[1]["loss"] ?? 0) > 100 * start)
    }

    @Test func aTargetIsNotedWhenFirstReachedAndMayStopTheRun() throws {
        // The distance to 3 after epoch n is 3 * 0.8^(20n): 0.035 after epoch 1, 4e-4 after 2.
        func trainer(epochs: Int = 3, in folder: URL? = nil) -> Trainer<OneWeight> {
            let model = OneWeight(targets: [3])
            return Trainer(
                model, optimizer: SGD(for: model.store, learningRate: 0.1), schedule: .constant,
                epochs: epochs, directory: folder)
        }
        let watching = trainer()
        watching.target = 0.01
        #expect(try watching.run() == .finished)
        let reached = try #require(watching.progress.reachedTarget)
        #expect((reached.epoch, reached.step, reached.samples) == (2, 40, 40))
        #expect(abs(reached.value - 3 * pow(0.8, 40)) < 1e-5)
        #expect(reached.elapsedSeconds == watching.progress.history[1]["elapsed_seconds"])

        // Never reached: nothing noted, the run ends as planned.
        let unreachable = trainer()
        unreachable.target = 1e-30
        #expect(try unreachable.run() == .finished && unreachable.progress.reachedTarget == nil)

        // Stopping there, then resuming: the target and where it was reached are kept, not noted again.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("target-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let stopping = trainer(in: folder)
        (stopping.target, stopping.stopsAtTarget) = (0.01, true)
        #expect(try stopping.run() == .reachedTarget && stopping.progress.completedEpochs == 2)
        let resumed = trainer(in: folder)
        try resumed.resume()
        #expect(resumed.target == 0.01 && resumed.progress.reachedTarget == stopping.progress.reachedTarget)
        #expect(try resumed.run() == .finished && resumed.progress.completedEpochs == 3)
        #expect(resumed.progress.reachedTarget == stopping.progress.reachedTarget)
    }
}
