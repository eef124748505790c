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

    /// Calls `write(i, value)` for each element of little-endian `bytes` in `dtype` (one that
    /// `elementSize(ofDType:)` accepts), as a Double: exact for every dtype but the largest
    /// I64 values. The dtype is looked at once, not per element.
    static func decode(_ bytes: UnsafeRawBufferPointer, dtype: String, _ write: (Int, Double) -> Void) {
        func each<T: FixedWidthInteger>(_: T.Type, _ value: (T) -> Double) {
            let size = MemoryLayout<T>.size
            for i in 0..<bytes.count / size {
                write(i, value(T(littleEndian: bytes.loadUnaligned(fromByteOffset: i * size, as: T.self))))
            }
        }
        switch dtype {
        case "F64": each(UInt64.self) { Double(bitPattern: $0) }
        case "F32": each(UInt32.self) { Double(Float(bitPattern: $0)) }
        case "F16": each(UInt16.self, halfToDouble)
        case "BF16": each(UInt16.self) { Double(Float(bitPattern: UInt32($0) << 16)) }  // the top half of a Float
        case "I64": each(Int64.self) { Double($0) }
        case "I32": each(Int32.self) { Double($0) }
        case "I16": each(Int16.self) { Double($0) }
        case "I8": each(Int8.self) { Double($0) }
        case "U8": each(UInt8.self) { Double($0) }
        default: each(UInt8.self) { $0 == 0 ? 0 : 1 }  // BOOL
        }
    }

    /// IEEE 754 half precision: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
    static func halfToDouble(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int(bits >> 10 & 0x1F)
        let fraction = Double(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24  // zero and subnormals
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
