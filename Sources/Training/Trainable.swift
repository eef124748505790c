import Autograd
import Distributed
import NeuralNetworks

/// What `Trainer` trains: a model's parameters, the batches of each epoch, the loss of a batch
/// and the validation after an epoch. The loop owns everything else (schedule, stops, data
/// parallelism, checkpoints, resume); the model's own figures travel as named metrics.
///
/// An epoch is the run of steps between two validations: a pass over a data set, or a fixed
/// number of steps where the data is made on the fly (Keras's `steps_per_epoch`).
public protocol Trainable<Batch>: AnyObject {
    associatedtype Batch

    /// The parameters the loop updates, shares between processes and saves.
    var store: ParameterStore<Float> { get }
    /// Steps per epoch.
    var stepsPerEpoch: Int { get }
    /// What each step's `samples` count (`images`, `frames`): names the throughput metric.
    var sampleUnit: String { get }
    /// The metrics that `loss` and `validate` report, in the order logs show them.
    var metrics: [Metric] { get }
    /// The validation metric that picks the best checkpoint, and which way is better.
    var selection: Selection { get }

    /// The batches of `epoch` (from 0) from its `start`th on; with `part`, this process's share
    /// of each, drawing what the whole batch would.
    func batches(epoch: Int, from start: Int, part: (rank: Int, size: Int)?) -> any Sequence<Batch>
    /// The samples `batch` holds, and the share of the whole batch they are (1 in one process).
    func size(of batch: Batch) -> (samples: Int, share: Double)
    /// Records the loss of `batch` on `tape`, with the batch's figures as metrics (means over
    /// its samples). `progress` is the fraction of the run done, for settings on a schedule;
    /// `generator` is derived from the seed and the step, so a resumed run draws the same.
    func loss(
        on batch: Batch, tape: Tape<Float>, progress: Double, using generator: inout SeededGenerator
    )
        -> (loss: Variable<Float>, metrics: [String: Double])
    /// The validation metrics after an epoch. Every process calls it; `reducer` (nil in one
    /// process) lets them share the work. Only the leader's (`reducer` nil or rank 0) figures
    /// are recorded, so figures that one process alone measures may be left to it.
    func validate(sharedWith reducer: (any Reducer)?) -> [String: Double]
}

/// A figure a model reports: its name in `metrics.csv` and its TensorBoard tag.
public struct Metric: Sendable, Equatable {
    public var name: String, tag: String
    public init(_ name: String, tag: String) { (self.name, self.tag) = (name, tag) }
}

/// Which validation metric picks the best checkpoint.
public struct Selection: Sendable, Equatable {
    public var metric: String
    public var lowerIsBetter: Bool
    public init(_ metric: String, lowerIsBetter: Bool) { (self.metric, self.lowerIsBetter) = (metric, lowerIsBetter) }

    /// Whether `value` beats `best` (anything beats nil).
    public func improves(_ value: Double, on best: Double?) -> Bool {
        guard let best else { return !value.isNaN }
        return lowerIsBetter ? value < best : value > best
    }
}
