import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading whole files, inflating them first when they are gzip'd.
enum FileBytes {
    /// The bytes of the file at `path`, decompressed if the file starts with the gzip magic.
    ///
    /// Detecting gzip by content rather than by the `.gz` suffix lets a renamed or
    /// already-decompressed file load all the same.
    static func read(path: String) throws(DatasetError) -> [UInt8] {
        try decoded(readRaw(path: path), path: path)
    }

    /// A file's bytes as read, inflated if they start with the gzip magic; `path` names it in errors.
    static func decoded(_ raw: [UInt8], path: String) throws(DatasetError) -> [UInt8] {
        Gzip.isGzip(raw) ? try Gzip.inflate(raw, path: path) : raw
    }

    /// The bytes of the file at `path`, as they are on disk.
    static func readRaw(path: String) throws(DatasetError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            let code = errno
            if code == ENOENT { throw DatasetError(path: path, problem: .missing) }
            throw DatasetError(path: path, problem: .unreadable(reason: String(cString: strerror(code))))
        }
        defer { fclose(file) }
        var status = stat()
        guard fstat(fileno(file), &status) == 0 else {
            throw DatasetError(path: path, problem: .unreadable(reason: String(cString: strerror(errno))))
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            throw DatasetError(path: path, problem: .unreadable(reason: "it is a directory"))
        }
        let size = Int(status.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        let readCount = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, size, file) }
        guard readCount == size else {
            throw DatasetError(path: path, problem: .unreadable(reason: "read \(readCount) of \(size) bytes"))
        }
        return bytes
    }
}
