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

    /// Writes `bytes` to `path` in the way what is there calls for, never replacing what is not a
    /// file:
    ///
    /// - a regular file, or nothing: replaced atomically (below);
    /// - a symbolic link: followed, and its final target replaced atomically, the link kept;
    ///   refused when the target's folder is missing or cannot be written;
    /// - a character device, a FIFO, or standard output or error (`/dev/stdout`, `/dev/fd/1`):
    ///   written to as it is, with no rename (renaming over `/dev/null` would delete it);
    /// - a folder, a block device or a socket: refused.
    ///
    /// A file is replaced so that a crash leaves either the old file or the complete new one
    /// under that name, never a partial file:
    /// ```
    /// write to ".<name>.tmp-<pid>-<random>" in the same directory -> fsync -> rename -> fsync dir
    /// ```
    /// The temporary file lives in the target's directory because `rename` is atomic only
    /// within one file system. On any failure it is removed and the old file is untouched; a
    /// process killed mid-write leaves it behind for `removeStaleTemporaries(in:)`.
    /// `beforeRename` lets tests simulate a failure at the last moment.
    public static func replace(
        _ path: String, with bytes: [UInt8],
        beforeRename: () throws(FileError) -> Void = {}
    ) throws(FileError) {
        switch try destination(of: path) {
        case .stream(let descriptor):
            try beforeRename()
            try writeToStream(path, descriptor: descriptor, bytes)
        case .file(let target):
            try replaceFile(target, named: path, with: bytes, beforeRename: beforeRename)
        }
    }

    /// Whether `replace` writes to `path` in place: a device, a FIFO or a standard stream
    /// (through any links), where no file of its own goes and no file can sit beside it.
    public static func writesInPlace(_ path: String) -> Bool {
        if case .stream = try? destination(of: path) { return true }
        return false
    }

    /// Where a write to a path goes.
    enum Destination: Equatable {
        /// Written to as it is: an open descriptor of this process (standard output or error),
        /// or nil to open the path.
        case stream(descriptor: Int32?)
        /// Replaced by rename: the path itself, or a symbolic link's final target.
        case file(String)
    }

    static func destination(of path: String) throws(FileError) -> Destination {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let error = errno
            var link = stat()
            guard lstat(path, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK else { return .file(path) }
            if error == ELOOP { throw FileError(path: path, reason: "is a loop of symbolic links") }
            // A link to nothing yet: the file is made where it points, if that folder is there.
            let target = try linkTarget(path)
            let folder = split(target).directory
            var folderInfo = stat()
            guard stat(folder, &folderInfo) == 0 else {
                throw FileError(path: path, reason: "links to \(target), whose folder \(folder) does not exist")
            }
            guard (folderInfo.st_mode & S_IFMT) == S_IFDIR else {
                throw FileError(path: path, reason: "links to \(target), but \(folder) is not a folder")
            }
            return .file(target)
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            if let descriptor = standardDescriptor(path) { return .stream(descriptor: descriptor) }
            var link = stat()
            guard lstat(path, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK else { return .file(path) }
            return .file(try linkTarget(path))
        case S_IFCHR, S_IFIFO: return .stream(descriptor: standardDescriptor(path))
        case S_IFDIR: throw FileError(path: path, reason: "is a folder, not a file")
        case S_IFBLK: throw FileError(path: path, reason: "is a block device, not a file")
        default: throw FileError(path: path, reason: "is a socket, not a file")
        }
    }

    /// The descriptor a path names when it is this process's standard output or error, which
    /// is written through that descriptor so that its offset moves past what was written.
    static func standardDescriptor(_ path: String) -> Int32? {
        switch path {
        case "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                if let n = Int32(path.dropFirst(prefix.count)), n == 1 || n == 2 { return n }
            }
            return nil
        }
    }

    /// Where the symbolic link at `path` finally points, followed link by link (the last may
    /// name nothing yet), as the kernel would, up to its limit of 40 links.
    static func linkTarget(_ path: String) throws(FileError) -> String {
        var current = path
        for _ in 0..<40 {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            if n < 0 {
                if errno == EINVAL || errno == ENOENT { return current }  // not a link, or nothing there
                throw FileError(path: path, reason: "cannot follow the link at \(current) (\(systemError()))")
            }
            let next = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = next.hasPrefix("/") ? next : split(current).directory + "/" + next
        }
        throw FileError(path: path, reason: "is a loop of symbolic links")
    }

    /// Writes to a device, a FIFO or a standard stream in place: no temporary, no rename.
    /// Opening a FIFO waits, as a shell's `>` does, for a reader.
    static func writeToStream(_ path: String, descriptor: Int32?, _ bytes: [UInt8]) throws(FileError) {
        let fd = descriptor ?? open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, reason: "cannot be opened for writing (\(systemError()))") }
        defer { if descriptor == nil { close(fd) } }
        if let problem = writeAll(bytes, to: fd) {
            throw FileError(path: path, reason: "cannot be written (\(problem))")
        }
    }

    /// Writes all of `bytes` to `fd`, however many calls it takes (retrying an interrupted
    /// one); nil, or the system's reason for the failure.
    public static func writeAll(_ bytes: [UInt8], to fd: Int32) -> String? {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                return systemError()
            }
            written += n
        }
        return nil
    }

    /// Replaces the regular file (or nothing) at `path`, which the caller named `name`
    /// (a link to it), by a rename.
    static func replaceFile(
        _ path: String, named name: String, with bytes: [UInt8],
        beforeRename: () throws(FileError) -> Void
    ) throws(FileError) {
        func failure(_ reason: String) -> FileError { FileError(path: name, reason: reason) }
        let (directory, fileName) = split(path)
        let temporary = directory + "/." + fileName + temporaryMarker + "\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            if path != name {
                throw failure("links to \(path), whose folder \(directory) cannot be written (\(systemError()))")
            }
            throw failure("cannot create \(temporary): \(systemError())")
        }
        var fdOpen = true
        var renamed = false
        defer {
            if fdOpen { close(fd) }
            if !renamed { unlink(temporary) }
        }

        if let problem = writeAll(bytes, to: fd) { throw failure("cannot write \(temporary): \(problem)") }
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
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            names.append(name)
        }
        closedir(stream)
        return names.filter { name in
            guard name.hasPrefix("."), let marker = name.firstRange(of: temporaryMarker),
                let pid = Int32(name[marker.upperBound...].prefix { $0 != "-" })
            else { return false }
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
