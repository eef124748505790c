import CZlib

/// Builds a PNG byte stream chunk by chunk: length, type, data, CRC-32 of type and data.
struct PNGChunkWriter {
    /// The eight bytes every PNG file starts with.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    private(set) var bytes: [UInt8] = PNGChunkWriter.signature

    /// Appends one chunk of type `type` (four ASCII letters) holding `data`.
    mutating func append(_ type: String, _ data: [UInt8]) {
        let typeBytes = Array(type.utf8)
        precondition(typeBytes.count == 4, "PNG chunk type must be four letters, got \(type)")
        bytes.appendBigEndian(UInt32(data.count))
        bytes += typeBytes
        bytes += data
        var crc = typeBytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) }
        crc = data.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, UInt32($0.count)) }
        bytes.appendBigEndian(UInt32(crc))
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` in network byte order, as PNG stores every integer.
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(value >> 24))
        append(UInt8((value >> 16) & 0xFF))
        append(UInt8((value >> 8) & 0xFF))
        append(UInt8(value & 0xFF))
    }

    /// Appends `value` in network byte order.
    mutating func appendBigEndian(_ value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(value & 0xFF))
    }
}
