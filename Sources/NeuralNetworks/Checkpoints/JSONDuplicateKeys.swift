/// Finds a key that appears twice in one JSON object, anywhere in a document.
///
/// Foundation's decoder keeps one of the two values silently; a strict safetensors reader
/// refuses such a header instead, since the other tensor or metadata value is lost.
enum JSONDuplicateKeys {
    /// The first repeated key (compared after decoding escapes), or nil. This only tracks
    /// objects, arrays and strings; malformed JSON is left for the decoder to report (this
    /// never traps on it).
    static func first(in json: ArraySlice<UInt8>) -> String? {
        // One entry per open container: the keys of an object (nil for an array), and whether
        // the next string in it is a key.
        var open: [(keys: Set<String>?, expectsKey: Bool)] = []
        var i = json.startIndex
        while i < json.endIndex {
            switch json[i] {
            case UInt8(ascii: "{"): open.append((keys: [], expectsKey: true))
            case UInt8(ascii: "["): open.append((keys: nil, expectsKey: false))
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = open.popLast()
            case UInt8(ascii: ","): if open.last?.keys != nil { open[open.count - 1].expectsKey = true }
            case UInt8(ascii: "\""):
                let (string, end) = decodeString(json, from: i)
                i = end
                if let top = open.last, top.keys != nil, top.expectsKey {
                    if open[open.count - 1].keys!.insert(string).inserted == false { return string }
                    open[open.count - 1].expectsKey = false
                }
                continue
            default: break
            }
            i += 1
        }
        return nil
    }

    /// The string whose opening quote is at `start`, decoded, and the index after its closing quote.
    private static func decodeString(_ json: ArraySlice<UInt8>, from start: Int) -> (String, Int) {
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []  // unescaped UTF-8 bytes not yet decoded
        func flush() {
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw.removeAll()
        }
        func hex(_ at: Int) -> UInt32 {
            guard at + 4 <= json.endIndex else { return 0xFFFD }
            return UInt32(String(decoding: json[at..<(at + 4)], as: UTF8.self), radix: 16) ?? 0xFFFD
        }
        var i = start + 1
        while i < json.endIndex && json[i] != UInt8(ascii: "\"") {
            guard json[i] == UInt8(ascii: "\\"), i + 1 < json.endIndex else {
                raw.append(json[i])
                i += 1
                continue
            }
            let escaped = json[i + 1]
            i += 2
            switch escaped {
            case UInt8(ascii: "b"): raw.append(0x08)
            case UInt8(ascii: "f"): raw.append(0x0C)
            case UInt8(ascii: "n"): raw.append(0x0A)
            case UInt8(ascii: "r"): raw.append(0x0D)
            case UInt8(ascii: "t"): raw.append(0x09)
            case UInt8(ascii: "u"):
                flush()
                var code = hex(i)
                i += 4
                // A surrogate pair: \uD8xx\uDCxx.
                if (0xD800..<0xDC00).contains(code), i + 6 <= json.endIndex, json[i] == UInt8(ascii: "\\"),
                    json[i + 1] == UInt8(ascii: "u")
                {
                    let low = hex(i + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
                        i += 6
                    }
                }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: raw.append(escaped)  // \" \\ \/
            }
        }
        flush()
        return (String(scalars), i + 1)
    }
}
