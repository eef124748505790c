import Foundation
import NeuralNetworks

// The JSON in a training run's checkpoint metadata, and where the checkpoint goes: shared by
// `Trainer` and `CatchTrainer`, and read back by `SavedRun` and `SavedCatchRun`.

extension CheckpointWriter {
    /// Stores `value` under `key` as JSON with sorted keys.
    mutating func setJSON(_ value: some Encodable, forKey key: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        metadata[key] = String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    /// Writes the checkpoint atomically as `name` in `directory`, creating the directory.
    func write(named name: String, in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try write(to: directory.appendingPathComponent(name))
    }
}

extension Checkpoint {
    /// The JSON value stored under `key`, or nil when it is missing or does not decode.
    func json<T: Decodable>(_ key: String, as _: T.Type = T.self) -> T? {
        metadata[key]?.data(using: .utf8).flatMap { try? JSONDecoder().decode(T.self, from: $0) }
    }
}
