import CZlib

/// Gzip decompression through the system zlib.
enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The decompressed contents of a gzip file; concatenated members are joined, as gunzip does.
    ///
    /// - Throws: `DatasetError` naming `path` when the stream is corrupt, ends early, or is
    ///   followed by bytes that are not another gzip member.
    static func inflate(_ compressed: [UInt8], path: String) throws(DatasetError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: initialCapacity(for: compressed))
        var produced = 0
        var consumed = 0

        var stream = z_stream()
        // 15 + 16: a gzip wrapper only (a zlib or raw stream here would be a corrupt file).
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DatasetError(path: path, problem: .corruptGzip(reason: "zlib could not start inflating"))
        }
        defer { inflateEnd(&stream) }

        while true {
            let status: Int32 = compressed.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                    stream.avail_in = UInt32(input.count - consumed)
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(out.count - produced)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    consumed = input.count - Int(stream.avail_in)
                    produced = out.count - Int(stream.avail_out)
                    return status
                }
            }
            switch status {
            case Z_STREAM_END:
                let remaining = compressed.count - consumed
                if remaining == 0 {
                    output.removeSubrange(produced...)
                    return output
                }
                if remaining >= 2 && compressed[consumed] == 0x1F && compressed[consumed + 1] == 0x8B {
                    inflateReset(&stream)
                    continue
                }
                throw DatasetError(path: path, problem: .trailingGarbageAfterGzip(byteCount: remaining))
            case Z_OK, Z_BUF_ERROR:
                if produced == output.count {
                    // More data than the first guess (a file over 4 GiB, or compressed over 8:1): double.
                    output.append(contentsOf: repeatElement(0, count: max(output.count, 1 << 16)))
                } else if consumed == compressed.count {
                    throw DatasetError(path: path, problem: .truncatedGzip)
                } else if status == Z_BUF_ERROR {
                    throw DatasetError(path: path, problem: .corruptGzip(reason: "no progress possible"))
                }
            case Z_DATA_ERROR:
                let reason = stream.msg.map { String(cString: $0) } ?? "invalid data"
                throw DatasetError(path: path, problem: .corruptGzip(reason: reason))
            case Z_MEM_ERROR:
                throw DatasetError(path: path, problem: .unreadable(reason: "out of memory while inflating"))
            default:
                throw DatasetError(path: path, problem: .corruptGzip(reason: "zlib status \(status)"))
            }
        }
    }

    /// The buffer to start inflating into: the uncompressed size stored in the gzip trailer
    /// (modulo 2^32), but never more than 8 times the compressed size. A truncated or corrupt
    /// file's last four bytes can claim 4 GB; the buffer then grows by doubling only as data
    /// really comes out, so memory stays within a small multiple of what the file holds.
    static func initialCapacity(for compressed: [UInt8]) -> Int {
        guard compressed.count >= 18 else { return 1 << 16 }
        let n = compressed.count
        let size =
            Int(compressed[n - 4]) | Int(compressed[n - 3]) << 8
            | Int(compressed[n - 2]) << 16 | Int(compressed[n - 1]) << 24
        return max(1 << 16, min(size, compressed.count * 8))
    }
}
