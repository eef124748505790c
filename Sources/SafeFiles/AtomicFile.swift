#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe whole-file writes, with POSIX calls so that every failure
/// carries the system's reason.
public enum AtomicFile {
    /// The contents of the regular file at `path`.
    public static func contents(of path: String) throws(FileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, reason: systemError()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError(path: path, reason: systemError()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw FileError(path: path, reason: "not a regular file") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, reason: systemError())
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// Replaces the file at `path` with `bytes` so that a crash leaves either the old file or
    /// the complete new one under that name, never a partial file.
    ///
    /// ```
    /// write to ".<name>.tmp-<pid>-<random>" in the same directory -> fsync -> rename -> fsync dir
    /// ```
    /// The temporary file lives in the target's directory because `rename` is atomic only
    /// within one file system. On any failure it is removed and the old file is untouched; a
    /// process killed mid-write leaves it behind for `removeStaleTemporaries(in:)`.
    /// `beforeRename` lets tests simulate a failure at the last moment.
    public static func replace(_ path: String, with bytes: [UInt8],
                               beforeRename: () throws(FileError) -> Void = {}) throws(FileError) {
        func failure(_ reason: String) -> FileError { FileError(path: path, reason: reason) }
        let (directory, name) = split(path)
        let temporary = directory + "/." + name + temporaryMarker + "\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create \(temporary): \(systemError())") }
        var fdOpen = true
        var renamed = false
        defer {
            if fdOpen { close(fd) }
            if !renamed { unlink(temporary) }
        }

        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write \(temporary): \(systemError())")
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw failure("cannot flush \(temporary): \(systemError())") }
        fdOpen = false
        guard close(fd) == 0 else { throw failure("cannot close \(temporary): \(systemError())") }
        try beforeRename()
        guard rename(temporary, path) == 0 else {
            throw failure("cannot rename \(temporary) to \(path): \(systemError())")
        }
        renamed = true
        // Make the rename itself durable. Some file systems cannot sync a directory; the new
        // file is complete either way, so that failure is ignored.
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Deletes the temporary files that `replace` calls killed mid-write left in `directory`:
    /// those whose writing process no longer runs. Returns their names.
    @discardableResult
    public static func removeStaleTemporaries(in directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            names.append(name)
        }
        closedir(stream)
        return names.filter { name in
            guard name.hasPrefix("."), let marker = name.firstRange(of: temporaryMarker),
                  let pid = Int32(name[marker.upperBound...].prefix { $0 != "-" }) else { return false }
            let writerRuns = kill(pid, 0) == 0 || errno == EPERM
            return !writerRuns && unlink(directory + "/" + name) == 0
        }
    }

    /// What separates a temporary file's target name from its writer's pid.
    static let temporaryMarker = ".tmp-"

    /// The directory (`.` when none) and the last component of a path.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// The text of the current `errno`.
    public static func systemError() -> String { String(cString: strerror(errno)) }
}
