import Foundation
import SafeFiles

/// A training run's checkpoint folder, claimed before any work: created, checked writable,
/// locked against a second run, and cleared of temporary files a killed run left.
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
}
