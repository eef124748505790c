import Autograd

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the processes of a data-parallel run combine what each of them computed: the
/// gradients of their share of a batch, the counts of a validation split. Every process calls
/// the same operations in the same order; each returns once all have taken part.
public protocol Reducer: AnyObject {
    /// This process's place in the run, from 0; rank 0 prints and writes checkpoints.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Replaces `values` on every process by their elementwise sum over all processes.
    func sum(_ values: UnsafeMutableBufferPointer<Float>)
    /// Replaces `values` on every process by their elementwise sum over all processes.
    func sum(_ values: UnsafeMutableBufferPointer<Double>)
    /// Replaces `values` on every process by those of process `root`.
    func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int)
    /// Ends every process of the run at once, after this one prints `message` on stderr.
    func abort(_ message: String) -> Never
}

extension Reducer {
    /// Whether this process is the one that prints and writes.
    public var isLeader: Bool { rank == 0 }

    /// `values` summed elementwise over all processes (a few figures: counts, flags).
    public func sum(_ values: [Double]) -> [Double] {
        var values = values
        values.withUnsafeMutableBufferPointer { sum($0) }
        return values
    }

    /// This process's share of `count` rows (`BatchShard.part`).
    public func share(of count: Int) -> BatchShard { BatchShard.part(rank, of: size, rows: count) }
}

/// The reducer of a run with one process: every operation leaves the values as they are.
public final class LocalReducer: Reducer {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func sum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func sum(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) {}

    public func abort(_ message: String) -> Never {
        let line = message + "\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        exit(1)
    }
}

/// The reducer of this process's run: Open MPI's world when built with the `MPI` trait (a
/// world of one without `mpirun`), otherwise a run of one process.
public func worldReducer() -> any Reducer {
    #if MPI
    MPIReducer()
    #else
    LocalReducer()
    #endif
}
