import Autograd

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A parsed and validated safetensors header: where each tensor's bytes are, and the metadata.
struct SafeTensorsHeader {
    /// One tensor's description, checked against the data section.
    struct Record: Equatable {
        var dtype: String
        var shape: Shape
        /// The byte range within the data section.
        var range: Range<Int>
    }

    var records: [String: Record]
    var metadata: [String: String]
    /// Where the data section starts in the file.
    var dataStart: Int

    /// Parses the file's bytes; every inconsistency throws with `path` named.
    init(parsing bytes: [UInt8], path: String) throws(CheckpointError) {
        func fail(_ problem: CheckpointError.Problem) -> CheckpointError {
            CheckpointError(path: path, problem: problem)
        }

        guard bytes.count >= 8 else {
            throw fail(.truncated("\(bytes.count) bytes, fewer than the 8-byte header length"))
        }
        var declared: UInt64 = 0
        for i in (0..<8).reversed() { declared = declared << 8 | UInt64(bytes[i]) }
        let available = bytes.count - 8
        guard declared <= UInt64(available), declared <= UInt64(SafeTensorsFormat.maximumHeaderLength) else {
            throw fail(.headerTooLarge(declared: declared, available: available))
        }
        let headerEnd = 8 + Int(declared)
        let json = bytes[8..<headerEnd]
        guard json.first == UInt8(ascii: "{") else {
            throw fail(.invalidHeader("the header does not start with a JSON object"))
        }
        // Before decoding, which keeps one of two equal keys (or fails without saying why).
        if let key = JSONDuplicateKeys.first(in: json) {
            throw fail(.invalidHeader("the key \(key) appears twice in one object"))
        }
        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: Data(json))
        } catch let error as DecodingError {
            throw fail(.invalidHeader(Self.summary(of: error)))
        } catch {
            throw fail(.invalidHeader("\(error)"))
        }

        dataStart = headerEnd
        metadata = raw.metadata
        let dataCount = bytes.count - headerEnd
        records = [:]
        for (name, entry) in raw.tensors {
            records[name] = try Self.validate(entry, name: name, dataCount: dataCount, path: path)
        }
        // Sorted by start, the non-empty ranges must tile the data section: no overlap, no gap,
        // nothing after the last (as safetensors' own reader requires).
        let ordered = records.filter { !$0.value.range.isEmpty }.sorted {
            $0.value.range.lowerBound < $1.value.range.lowerBound
        }
        var end = 0
        for (index, (name, record)) in ordered.enumerated() {
            if record.range.lowerBound < end { throw fail(.overlappingTensors(ordered[index - 1].key, name)) }
            if record.range.lowerBound > end {
                throw fail(
                    .invalidTensor(
                        name: name,
                        reason: "its data starts at byte \(record.range.lowerBound), "
                            + "leaving bytes \(end)..<\(record.range.lowerBound) of the data section unused"))
            }
            end = record.range.upperBound
        }
        guard end == dataCount else {
            throw fail(.invalidHeader("\(dataCount - end) bytes follow the last tensor's data"))
        }
    }

    private static func validate(
        _ entry: RawHeader.Entry, name: String, dataCount: Int,
        path: String
    ) throws(CheckpointError) -> Record {
        func invalid(_ reason: String) -> CheckpointError {
            CheckpointError(path: path, problem: .invalidTensor(name: name, reason: reason))
        }
        guard let elementSize = SafeTensorsFormat.elementSize(ofDType: entry.dtype) else {
            throw CheckpointError(path: path, problem: .unsupportedDType(name: name, dtype: entry.dtype))
        }
        guard entry.shape.count <= Shape.maximumRank else {
            throw invalid("rank \(entry.shape.count) exceeds the supported maximum of \(Shape.maximumRank)")
        }
        guard entry.shape.allSatisfy({ $0 >= 0 && $0 <= Int(Int32.max) }) else {
            throw invalid("shape \(entry.shape) has a negative or oversized dimension")
        }
        var byteCount = elementSize
        for dimension in entry.shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw invalid("shape \(entry.shape) is too large") }
            byteCount = product
        }
        guard entry.offsets.count == 2 else {
            throw invalid("data_offsets must be [begin, end], got \(entry.offsets)")
        }
        let (begin, end) = (entry.offsets[0], entry.offsets[1])
        guard begin >= 0, begin <= end else {
            throw invalid("data_offsets [\(begin), \(end)] are not an increasing range")
        }
        guard end - begin == byteCount else {
            throw invalid(
                "shape \(entry.shape) of \(entry.dtype) needs \(byteCount) bytes, data_offsets [\(begin), \(end)] "
                    + "hold \(end - begin)"
            )
        }
        guard end <= dataCount else {
            throw CheckpointError(
                path: path,
                problem: .truncated(
                    "tensor \(name) ends at byte \(end) of the data, which holds only \(dataCount) bytes"))
        }
        return Record(dtype: entry.dtype, shape: Shape(entry.shape), range: begin..<end)
    }

    private static func summary(of error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context): return "not valid JSON (\(context.debugDescription))"
        case .keyNotFound(let key, let context):
            return "missing field \(key.stringValue) at \(pathString(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "unexpected value at \(pathString(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    private static func pathString(_ path: [any CodingKey]) -> String {
        path.isEmpty ? "the top level" : path.map(\.stringValue).joined(separator: ".")
    }
}

/// The header exactly as JSON: tensor entries under any key, metadata under `__metadata__`.
private struct RawHeader: Decodable {
    struct Entry: Decodable {
        var dtype: String
        var shape: [Int]
        var offsets: [Int]
        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case offsets = "data_offsets"
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var tensors: [String: Entry] = [:]
    var metadata: [String: String] = [:]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == SafeTensorsFormat.metadataKey {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                tensors[key.stringValue] = try container.decode(Entry.self, forKey: key)
            }
        }
    }
}
