import Distributed
import Foundation

/// How a training command runs under `mpirun`: every process runs it, rank 0 alone prints,
/// and an error in any process ends them all with its message (one process otherwise).
enum EveryProcess {
    /// Set in a process's environment, it runs alone even when started by an MPI process
    /// (`ram search` sets it for its trials).
    static let aloneVariable = "RAM_RUN_ALONE"

    static func run(_ command: (any Reducer) throws -> Void) throws {
        let reducer = getenv(aloneVariable) != nil ? LocalReducer() : worldReducer()
        CommandLineTool.speaks = reducer.isLeader
        do {
            try command(reducer)
        } catch let error where reducer.size > 1 && !(error is StopRequest.Stopped) {
            reducer.abort("error: \(CommandLineTool.oneLine(error))")
        }
    }
}
