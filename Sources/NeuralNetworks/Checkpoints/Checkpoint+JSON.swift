#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Structured values in a checkpoint's string metadata, as JSON: how training runs store their
// settings and progress beside the tensors.

extension CheckpointWriter {
    /// Stores `value` under `key` as JSON with sorted keys.
    public mutating func setJSON(_ value: some Encodable, forKey key: String) {
        metadata[key] = Self.json(value)
    }

    /// `value` as JSON with sorted keys (empty if it cannot be encoded, such as an infinity).
    public static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }
}

extension Checkpoint {
    /// The JSON value stored under `key`, or nil when it is missing or does not decode.
    public func json<T: Decodable>(_ key: String, as _: T.Type = T.self) -> T? {
        metadata[key].flatMap { try? JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }
}
