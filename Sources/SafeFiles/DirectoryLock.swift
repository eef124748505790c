#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive claim on a folder for as long as this value lives: a second claim, from
/// this process or another, is refused with the holder's pid.
///
/// The claim is an `flock` on `<folder>/.lock`, which the kernel drops when its holder exits
/// in any way (kill -9 included), so a killed run never leaves a stale lock behind. The file
/// itself stays; it holds the last holder's pid, for the message.
public final class DirectoryLock: Sendable {
    public static let fileName = ".lock"

    /// The locked folder.
    public let directory: String
    private let descriptor: Int32

    /// Creates `directory` (and its parents) if needed, then locks it.
    ///
    /// - Throws: `FileError` naming the folder when it cannot be created, is not a folder,
    ///   cannot be written, or is locked by another holder.
    public init(directory: String) throws(FileError) {
        try Self.createDirectories(directory)
        let path = directory + "/" + Self.fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FileError(path: directory, reason: "cannot be written (\(AtomicFile.systemError()))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.recordedPID(fd).map { " (pid \($0))" } ?? ""
            close(fd)
            throw FileError(
                path: directory,
                reason: "is in use by another run\(holder); wait for it to finish or choose another folder")
        }
        let pid = Array("\(getpid())\n".utf8)
        guard ftruncate(fd, 0) == 0, pwrite(fd, pid, pid.count, 0) == pid.count else {
            let reason = AtomicFile.systemError()
            close(fd)
            throw FileError(path: directory, reason: "cannot be written (\(reason))")
        }
        self.directory = directory
        descriptor = fd
    }

    deinit { close(descriptor) }  // closing the descriptor releases the lock

    private static func recordedPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[..<n], as: UTF8.self).filter(\.isNumber))
    }

    /// `mkdir -p`, with the first component that is not a folder named in the error.
    public static func createDirectories(_ path: String) throws(FileError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw FileError(path: prefix, reason: "cannot create the folder (\(AtomicFile.systemError()))")
            }
            var info = stat()
            guard stat(prefix, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
                throw FileError(path: prefix, reason: "is not a folder")
            }
            prefix += "/"
        }
    }
}
