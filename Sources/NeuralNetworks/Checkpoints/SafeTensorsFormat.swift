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

    /// The size in bytes of one element of a readable dtype, nil for any other dtype. Models
    /// hold F32 or F64; the others (PyTorch's half precision, bfloat16, integer and boolean
    /// tensors) are read and converted on request.
    static func elementSize(ofDType dtype: String) -> Int? {
        switch dtype {
        case "F64", "I64": 8
        case "F32", "I32": 4
        case "F16", "BF16", "I16": 2
        case "I8", "U8", "BOOL": 1
        default: nil
        }
    }

    /// Element `index` of little-endian `bytes` in `dtype` (one `elementSize(ofDType:)`
    /// accepts), as a Double: exact for every dtype but the largest I64 values.
    static func element(_ bytes: UnsafeRawBufferPointer, at index: Int, dtype: String) -> Double {
        func load<T: FixedWidthInteger>(_: T.Type) -> T {
            T(littleEndian: bytes.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
        }
        switch dtype {
        case "F64": return Double(bitPattern: load(UInt64.self))
        case "F32": return Double(Float(bitPattern: load(UInt32.self)))
        case "F16": return halfToDouble(load(UInt16.self))
        case "BF16": return Double(Float(bitPattern: UInt32(load(UInt16.self)) << 16))  // the top half of a Float
        case "I64": return Double(load(Int64.self))
        case "I32": return Double(load(Int32.self))
        case "I16": return Double(load(Int16.self))
        case "I8": return Double(load(Int8.self))
        case "U8": return Double(load(UInt8.self))
        default: return load(UInt8.self) == 0 ? 0 : 1  // BOOL
        }
    }

    /// IEEE 754 half precision: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
    static func halfToDouble(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int(bits >> 10 & 0x1F), fraction = Double(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24                        // zero and subnormals
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
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
