import Foundation
import NeuralNetworks
import SafeFiles
import Training

/// A training run's checkpoint folder, claimed before any work: created, checked writable,
/// locked against a second run, and cleared of temporary files a killed run left; and never
/// trained into afresh while it holds a run to resume.
enum RunFolder {
    static func claim(_ directory: URL) throws -> DirectoryLock {
        let lock: DirectoryLock
        do {
            lock = try DirectoryLock(directory: directory.path)
        } catch {
            throw CommandFailure(description: "--checkpoint-dir \(error.path) \(error.reason)")
        }
        for name in AtomicFile.removeStaleTemporaries(in: directory.path) {
            CommandLineTool.say("removed \(name), a partial file left by a killed run")
        }
        return lock
    }

    /// Refuses to start a new run over one that `--resume` could continue: its checkpoints
    /// would be overwritten.
    static func checkFresh(_ directory: URL, resuming: Bool) throws {
        let lastCheckpoint = RunCheckpoints.last
        let last = directory.appendingPathComponent(lastCheckpoint)
        if resuming || !FileManager.default.fileExists(atPath: last.path) { return }
        throw CommandFailure(
            description: "--checkpoint-dir \(directory.path) already holds a run (\(lastCheckpoint)); "
                + "pass --resume to continue it, or choose another folder")
    }
}
