import Foundation
import SafeFiles
import Testing

/// A fresh folder under the system's temporary folder, removed afterwards.
private func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("safe-files-\(UUID().uuidString)")
        .path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    return try body(directory)
}

private func fileError(_ body: () throws(FileError) -> Void) -> FileError? {
    do {
        try body()
        return nil
    } catch { return error }
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
                try AtomicFile.replace(path, with: [9]) { () throws(FileError) in
                    throw FileError(path: path, reason: "simulated")
                }
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
            #expect(
                refused
                    == FileError(
                        path: run,
                        reason:
                            "is in use by another run (pid \(getpid())); wait for it to finish or choose another folder"
                    ))
            first = nil
            #expect(throws: Never.self) { _ = try DirectoryLock(directory: run) }
        }
    }

    // util-linux's flock(1) takes the same kind of lock as another run would.
    @Test(
        "a lock held by a process that is killed with -9 is free again",
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock"),
            "skipped: /usr/bin/flock is not installed"))
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
            let throughFile = fileError { () throws(FileError) in
                _ = try DirectoryLock(directory: directory + "/file/run")
            }
            #expect(throughFile == FileError(path: directory + "/file", reason: "is not a folder"))
            let onFile = fileError { () throws(FileError) in _ = try DirectoryLock(directory: directory + "/file") }
            #expect(onFile == FileError(path: directory + "/file", reason: "is not a folder"))
        }
    }
}

/// What a file at a path is: its type bits and, for a device, its [major, minor] numbers
/// (Linux's encoding of numbers below 256, which is all these tests use).
private func kind(_ path: String) -> (type: mode_t, device: [UInt64])? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return (info.st_mode & S_IFMT, [UInt64(info.st_rdev) >> 8 & 0xfff, UInt64(info.st_rdev) & 0xff])
}

/// Makes a character device node with the numbers of /dev/null (1, 3) or /dev/full (1, 7); the
/// tests run as root, and never write to the system's own nodes.
private func makeDevice(_ path: String, minor: UInt32) throws {
    guard mknod(path, S_IFCHR | 0o666, dev_t(1 << 8 | minor)) == 0 else {
        throw FileError(path: path, reason: "mknod: \(AtomicFile.systemError())")
    }
}

/// `chattr +i` works on the temporary folder's file system (as root, only an immutable
/// folder refuses new files).
private let canMakeImmutable: Bool = {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chattr") else { return false }
    return
        (try? withTemporaryDirectory { directory in
            let folder = directory + "/probe"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            defer { _ = chattr("-i", folder) }
            return chattr("+i", folder) && !FileManager.default.createFile(atPath: folder + "/x", contents: nil)
        }) ?? false
}()

@discardableResult
private func chattr(_ flag: String, _ path: String) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
    process.arguments = [flag, path]
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}

/// Bytes a reader thread took from a FIFO.
private final class Received: @unchecked Sendable {
    var bytes: [UInt8] = []
}

@Suite("Writes respect what is at the path")
struct WriteDestinationTests {
    let payload: [UInt8] = (0..<1000).map { UInt8($0 % 251) }

    @Test("a character device is written to in place, not renamed over")
    func device() throws {
        try withTemporaryDirectory { directory in
            let null = directory + "/null"
            try makeDevice(null, minor: 3)
            try AtomicFile.replace(null, with: payload)
            #expect(kind(null)?.type == S_IFCHR && kind(null)?.device == [1, 3])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["null"])
        }
    }

    @Test("a device's write error (ENOSPC from a node like /dev/full) is one FileError; the node stays")
    func fullDevice() throws {
        try withTemporaryDirectory { directory in
            let full = directory + "/full"
            try makeDevice(full, minor: 7)
            let failure = fileError { () throws(FileError) in try AtomicFile.replace(full, with: payload) }
            #expect(failure == FileError(path: full, reason: "cannot be written (No space left on device)"))
            #expect(kind(full)?.type == S_IFCHR && kind(full)?.device == [1, 7])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["full"])
        }
    }

    @Test("a FIFO is written to in place: its reader gets every byte, more than a pipe holds at once")
    func fifo() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/fifo"
            #expect(mkfifo(path, 0o644) == 0)
            // Opened without waiting for a writer, so a failing write leaves the test no hang.
            let reader = open(path, O_RDONLY | O_NONBLOCK)
            #expect(reader >= 0)
            defer { close(reader) }
            let large = (0..<300_000).map { UInt8($0 % 253) }
            let received = Received()
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                var chunk = [UInt8](repeating: 0, count: 65_536)
                let deadline = Date().addingTimeInterval(10)
                while received.bytes.count < large.count && Date() < deadline {
                    let n = read(reader, &chunk, chunk.count)
                    if n > 0 { received.bytes += chunk[..<n] } else { usleep(1000) }  // no writer yet, or empty
                }
                done.signal()
            }
            try AtomicFile.replace(path, with: large)
            done.wait()
            // Counted and compared as a Bool: a failing == of 300,000 bytes takes minutes to diff.
            #expect(received.bytes.count == large.count && received.bytes.elementsEqual(large))
            #expect(kind(path)?.type == S_IFIFO)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["fifo"])
        }
    }

    @Test("standard output named as a path is written through its descriptor")
    func standardOutput() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            do { try AtomicFile.replace("/proc/self/fd/1", with: Array("picture bytes".utf8)) } catch { exit(1) }
        }
        #expect(result?.standardOutputContent == Array("picture bytes".utf8))
    }

    @Test("a symbolic link is followed: its target is replaced, the link kept")
    func link() throws {
        try withTemporaryDirectory { directory in
            for folder in ["/elsewhere", "/run"] {
                try FileManager.default.createDirectory(atPath: directory + folder, withIntermediateDirectories: false)
            }
            let target = directory + "/elsewhere/real.csv"
            let link = directory + "/run/metrics.csv"
            try AtomicFile.replace(target, with: [1, 2, 3])
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "../elsewhere/real.csv")
            try AtomicFile.replace(link, with: payload)
            #expect(kind(link)?.type == S_IFLNK)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "../elsewhere/real.csv")
            #expect(try AtomicFile.contents(of: target) == payload)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/elsewhere") == ["real.csv"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/run") == ["metrics.csv"])
        }
    }

    @Test("a link to nothing yet makes its target; one into a missing folder is refused, the link kept")
    func danglingLinks() throws {
        try withTemporaryDirectory { directory in
            let made = directory + "/last.safetensors"
            try FileManager.default.createSymbolicLink(atPath: made, withDestinationPath: "kept.safetensors")
            try AtomicFile.replace(made, with: payload)
            #expect(kind(made)?.type == S_IFLNK)
            #expect(try AtomicFile.contents(of: directory + "/kept.safetensors") == payload)

            let missing = directory + "/best.safetensors"
            let gone = directory + "/gone/best.safetensors"
            try FileManager.default.createSymbolicLink(atPath: missing, withDestinationPath: gone)
            let failure = fileError { () throws(FileError) in try AtomicFile.replace(missing, with: payload) }
            #expect(
                failure
                    == FileError(
                        path: missing,
                        reason:
                            "links to \(gone), whose folder \(directory)/gone does not exist"))
            #expect(kind(missing)?.type == S_IFLNK)
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
                    == ["best.safetensors", "kept.safetensors", "last.safetensors"])
        }
    }

    @Test(
        "a link whose target's folder cannot be written is refused; the target keeps its bytes",
        .enabled(if: canMakeImmutable, "skipped: chattr +i is not available here"))
    func linkIntoReadOnlyFolder() throws {
        try withTemporaryDirectory { directory in
            let folder = directory + "/locked"
            let target = folder + "/curves.png"
            let link = directory + "/curves.png"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            try AtomicFile.replace(target, with: [7])
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
            #expect(chattr("+i", folder))
            defer { chattr("-i", folder) }
            let failure = fileError { () throws(FileError) in try AtomicFile.replace(link, with: payload) }
            #expect(
                failure
                    == FileError(
                        path: link,
                        reason:
                            "links to \(target), whose folder \(folder) cannot be written (Operation not permitted)"))
            #expect(try AtomicFile.contents(of: target) == [7])
            #expect(kind(link)?.type == S_IFLNK)
        }
    }

    @Test("a folder at the path is refused, and left as it was")
    func folder() throws {
        try withTemporaryDirectory { directory in
            let folder = directory + "/out.png"
            try FileManager.default.createDirectory(atPath: folder + "/inside", withIntermediateDirectories: true)
            let failure = fileError { () throws(FileError) in try AtomicFile.replace(folder, with: payload) }
            #expect(failure == FileError(path: folder, reason: "is a folder, not a file"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["inside"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["out.png"])
        }
    }
}
