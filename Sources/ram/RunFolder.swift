import Foundation
import NeuralNetworks
import SafeFiles

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

    /// The figure `key` that `file` in `directory` records about itself (the best checkpoint's
    /// own error or catch rate), or nil when there is no such file or figure. A resumed run
    /// takes its best figure from here, not from `last`: a kill after writing `best` and before
    /// `last` leaves `last` claiming an older, worse figure than the model `best` holds.
    static func recordedFigure(_ key: String, of file: String, in directory: URL) throws -> Double? {
        let path = directory.appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: path.path) else { return nil }
        return Double(try Checkpoint(contentsOf: path).metadata[key] ?? "")
    }

    /// Refuses to start a new run over one that `--resume` could continue: its checkpoints
    /// would be overwritten.
    static func checkFresh(_ directory: URL, resuming: Bool, lastCheckpoint: String) throws {
        let last = directory.appendingPathComponent(lastCheckpoint)
        if resuming || !FileManager.default.fileExists(atPath: last.path) { return }
        throw CommandFailure(description: "--checkpoint-dir \(directory.path) already holds a run (\(lastCheckpoint)); "
            + "pass --resume to continue it, or choose another folder")
    }
}
