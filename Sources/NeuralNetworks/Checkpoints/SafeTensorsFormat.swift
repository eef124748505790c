import Autograd

/// The safetensors layout, shared by the reader and the writer.
///
/// ```
/// [8 bytes: header length N, little-endian UInt64]
/// [N bytes: JSON {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]},
///                 ..., "__metadata__": {"key": "value"}}, padded with spaces]
/// [data: each tensor's scalars, little-endian, row-major, at data_offsets from here]
/// ```
enum SafeTensorsFormat {
    /// The JSON key of the string-to-string metadata.
    static let metadataKey = "__metadata__"
    /// The largest header accepted, as in the reference implementation (guards against a
    /// corrupt length asking for gigabytes).
    static let maximumHeaderLength = 100_000_000
    /// The header is padded so the data starts 8-byte aligned.
    static let headerAlignment = 8

    /// The size in bytes of one element of a supported dtype, nil for any other dtype.
    static func elementSize(ofDType dtype: String) -> Int? {
        switch dtype {
        case Float.dtypeName: return MemoryLayout<Float>.size
        case Double.dtypeName: return MemoryLayout<Double>.size
        default: return nil
        }
    }

    /// Reverses each element's bytes on a big-endian host, so the file stays little-endian.
    static func convertLittleEndian(_ bytes: inout [UInt8], elementSize: Int) {
        #if _endian(big)
        for start in stride(from: 0, to: bytes.count, by: elementSize) {
            bytes[start..<(start + elementSize)].reverse()
        }
        #endif
    }

    /// `string` as a JSON string literal.
    static func jsonString(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
