import Autograd
import Foundation
import NeuralNetworks

/// The two checkpoints a training run keeps in its folder. `best` (parameters only, for
/// evaluation and sharing) is always written before `last` (with the optimizer's state, for
/// resuming), each atomically: a kill between the writes leaves `last` behind `best`, which a
/// resumed run redoes, never `last` claiming a best model that was not written.
public enum RunCheckpoints {
    public static let last = "last.safetensors"
    public static let best = "best.safetensors"

    /// Writes `writer` atomically as `name` in `directory`, creating the directory.
    public static func write(_ writer: CheckpointWriter, named name: String, in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try writer.write(to: directory.appendingPathComponent(name))
    }

    /// Loads `directory`'s last checkpoint into `store` and `optimizer` to resume a run, and
    /// returns it with the best one (nil if there is none), which holds the best figure: a kill
    /// after writing `best` and before `last` leaves `last` claiming an older, worse figure.
    public static func resume<Scalar: TensorScalar>(
        _ store: ParameterStore<Scalar>, _ optimizer: any Optimizer<Scalar>,
        from directory: URL?
    ) throws -> (last: Checkpoint, best: Checkpoint?) {
        let directory = directory ?? URL(fileURLWithPath: ".")
        guard let checkpoint = try read(last, in: directory) else {
            throw CheckpointError(
                path: directory.appendingPathComponent(last).path,
                problem: .unreadable("no such file to resume from"))
        }
        try checkpoint.load(into: store)
        try checkpoint.restore(optimizer)
        return (checkpoint, try read(best, in: directory))
    }

    /// The checkpoint `name` in `directory`, or nil when there is none.
    public static func read(_ name: String, in directory: URL) throws -> Checkpoint? {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try Checkpoint(contentsOf: url)
    }
}
