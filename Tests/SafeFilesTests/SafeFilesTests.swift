import Foundation
import SafeFiles
import Testing

/// A fresh folder under the system's temporary folder, removed afterwards.
private func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("safe-files-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    return try body(directory)
}

private func fileError(_ body: () throws(FileError) -> Void) -> FileError? {
    do { try body(); return nil } catch { return error }
}

@Suite("Atomic files")
struct AtomicFileTests {
    @Test("a write replaces the file whole; a failure before the rename keeps the old one and no temporary")
    func replace() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/a.bin"
            try AtomicFile.replace(path, with: [1, 2, 3])
            try AtomicFile.replace(path, with: [4, 5])
            #expect(try AtomicFile.contents(of: path) == [4, 5])
            let failure = fileError { () throws(FileError) in
                try AtomicFile.replace(path, with: [9]) { () throws(FileError) in throw FileError(path: path, reason: "simulated") }
            }
            #expect(failure?.reason == "simulated")
            #expect(try AtomicFile.contents(of: path) == [4, 5])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["a.bin"])
        }
    }

    @Test("stale temporaries of dead writers are removed, those of live ones kept")
    func staleTemporaries() throws {
        try withTemporaryDirectory { directory in
            // pid 2^22 + 1 is above Linux's pid_max limit, so no process has it.
            let dead = ".best.safetensors.tmp-4194305-17"
            let live = ".last.safetensors.tmp-\(getpid())-18"
            for name in [dead, live, "keep.tmp-1-2", "last.safetensors"] {
                _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: Data([0]))
            }
            #expect(AtomicFile.removeStaleTemporaries(in: directory) == [dead])
            let left = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            #expect(left == [live, "keep.tmp-1-2", "last.safetensors"].sorted())
        }
    }

    @Test("reading a missing file or a folder names the path and the reason")
    func unreadable() throws {
        try withTemporaryDirectory { directory in
            let missing = fileError { () throws(FileError) in _ = try AtomicFile.contents(of: directory + "/none") }
            #expect(missing == FileError(path: directory + "/none", reason: "No such file or directory"))
            let folder = fileError { () throws(FileError) in _ = try AtomicFile.contents(of: directory) }
            #expect(folder == FileError(path: directory, reason: "not a regular file"))
        }
    }
}

@Suite("Folder locks")
struct DirectoryLockTests {
    @Test("a second lock on a locked folder is refused with the holder's pid; released when the first goes")
    func exclusive() throws {
        try withTemporaryDirectory { directory in
            let run = directory + "/runs/a"
            var first: DirectoryLock? = try DirectoryLock(directory: run)
            #expect(first != nil)
            let refused = fileError { () throws(FileError) in _ = try DirectoryLock(directory: run) }
            #expect(refused == FileError(path: run, reason:
                "is in use by another run (pid \(getpid())); wait for it to finish or choose another folder"))
            first = nil
            #expect(throws: Never.self) { _ = try DirectoryLock(directory: run) }
        }
    }

    // util-linux's flock(1) takes the same kind of lock as another run would.
    @Test("a lock held by a process that is killed with -9 is free again",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock"), "skipped: /usr/bin/flock is not installed"))
    func killedHolder() throws {
        try withTemporaryDirectory { directory in
            let lockFile = directory + "/" + DirectoryLock.fileName
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
            holder.arguments = ["--close", "-x", lockFile, "sleep", "20"]  // the lock stays with flock(1), not sleep
            try holder.run()
            defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
            var locked = false
            for _ in 0..<200 where !locked {  // up to 10 s for flock(1) to start
                locked = fileError { () throws(FileError) in _ = try DirectoryLock(directory: directory) } != nil
                if !locked { usleep(50_000) }
            }
            #expect(locked)
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
            #expect(throws: Never.self) { _ = try DirectoryLock(directory: directory) }
        }
    }

    @Test("a file where a folder should be is named")
    func badFolders() throws {
        try withTemporaryDirectory { directory in
            _ = FileManager.default.createFile(atPath: directory + "/file", contents: Data([0]))
            let throughFile = fileError { () throws(FileError) in _ = try DirectoryLock(directory: directory + "/file/run") }
            #expect(throughFile == FileError(path: directory + "/file", reason: "is not a folder"))
            let onFile = fileError { () throws(FileError) in _ = try DirectoryLock(directory: directory + "/file") }
            #expect(onFile == FileError(path: directory + "/file", reason: "is not a folder"))
        }
    }
}
