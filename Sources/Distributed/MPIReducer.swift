#if MPI
import CMPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reducer of a run started by `mpirun` (or `srun`): Open MPI's world communicator, one
/// in-place all-reduce per call. A process started without `mpirun` is a world of one.
public final class MPIReducer: Reducer {
    public let rank: Int
    public let size: Int

    /// Joins the run (`MPI_Init`, once per process; `MPI_Finalize` runs at exit).
    public init() {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 {
            MPI_Init(nil, nil)
            atexit { MPI_Finalize() }
        }
        var rank: Int32 = 0
        var size: Int32 = 1
        MPI_Comm_rank(cmpi_world(), &rank)
        MPI_Comm_size(cmpi_world(), &size)
        (self.rank, self.size) = (Int(rank), Int(size))
    }

    public func sum(_ values: UnsafeMutableBufferPointer<Float>) {
        guard size > 1, !values.isEmpty else { return }
        check(
            MPI_Allreduce(
                cmpi_in_place(), values.baseAddress, Int32(values.count), cmpi_float(), cmpi_sum(), cmpi_world()),
            "MPI_Allreduce")
    }

    public func sum(_ values: UnsafeMutableBufferPointer<Double>) {
        guard size > 1, !values.isEmpty else { return }
        check(
            MPI_Allreduce(
                cmpi_in_place(), values.baseAddress, Int32(values.count), cmpi_double(), cmpi_sum(), cmpi_world()),
            "MPI_Allreduce")
    }

    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) {
        guard size > 1, !values.isEmpty else { return }
        check(MPI_Bcast(values.baseAddress, Int32(values.count), cmpi_float(), Int32(root), cmpi_world()), "MPI_Bcast")
    }

    public func abort(_ message: String) -> Never {
        let line = "rank \(rank): " + message + "\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        MPI_Abort(cmpi_world(), 1)
        exit(1)
    }

    private func check(_ code: Int32, _ call: String) {
        if code != 0 { abort("\(call) failed with code \(code)") }
    }
}
#endif
