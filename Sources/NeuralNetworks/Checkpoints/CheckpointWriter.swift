import Autograd
import SafeFiles

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Collects tensors and metadata, then writes them as one safetensors file, atomically.
///
/// ```swift
/// var writer = CheckpointWriter()
/// writer.addParameters(of: store)                 // by entry name, in table order
/// writer.addState(of: optimizer)                   // "optimizer.adam.m.<name>", ...
/// writer.metadata["epoch"] = "12"
/// try writer.write(to: url)
/// ```
/// Tensors are laid out in the order they were added, back to back after the header, which
/// is padded with spaces to a multiple of 8 bytes. Scalars are stored little-endian, so the
/// bytes round-trip exactly (-0.0, infinities and NaN payloads included).
public struct CheckpointWriter: Sendable {
    private struct Pending: Sendable {
        var name: String
        var dtype: String
        var shape: Shape
        var bytes: [UInt8]
    }

    private var pending: [Pending] = []
    private var names = Set<String>()
    private var duplicates: [String] = []
    /// String metadata written under `__metadata__`.
    public var metadata: [String: String] = [:]

    public init() {}

    /// Adds one tensor; names must be unique within the file.
    public mutating func add<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>, named name: String) {
        tensor.withUnsafeBufferPointer { append(name, Scalar.self, shape: tensor.shape, UnsafeRawBufferPointer($0)) }
    }

    /// Adds every parameter of `store` under `prefix + entry.name`, copied from the arena.
    public mutating func addParameters<Scalar: TensorScalar>(of store: ParameterStore<Scalar>, prefix: String = "") {
        let values = UnsafeRawBufferPointer(store.values)
        let size = MemoryLayout<Scalar>.stride
        for entry in store.entries {
            let bytes = UnsafeRawBufferPointer(
                rebasing: values[(entry.offset * size)..<((entry.offset + entry.shape.count) * size)])
            append(prefix + entry.name, Scalar.self, shape: entry.shape, bytes)
        }
    }

    /// Adds an optimizer's state: its buffers as `optimizer.<kind>.<buffer>.<parameter>`,
    /// its kind and step count as the metadata `optimizer.kind` and `optimizer.step`.
    public mutating func addState<Scalar>(of optimizer: some Optimizer<Scalar>) {
        let state = optimizer.state
        let prefix = Checkpoint.optimizerPrefix + state.kind + "."
        for (key, tensor) in state.tensors.sorted(by: { $0.key < $1.key }) { add(tensor, named: prefix + key) }
        metadata["optimizer.kind"] = state.kind
        metadata["optimizer.step"] = String(state.step)
    }

    private mutating func append<Scalar: TensorScalar>(
        _ name: String, _: Scalar.Type, shape: Shape,
        _ source: UnsafeRawBufferPointer
    ) {
        if !names.insert(name).inserted { duplicates.append(name) }
        var bytes = Array(source)
        SafeTensorsFormat.convertLittleEndian(&bytes, elementSize: MemoryLayout<Scalar>.size)
        pending.append(Pending(name: name, dtype: Scalar.dtypeName, shape: shape, bytes: bytes))
    }

    /// Writes the file atomically: a crash or an error leaves any earlier file at `url`
    /// intact and no temporary file behind.
    public func write(to url: URL) throws(CheckpointError) {
        try write(to: url, failingBeforeRename: false)
    }

    /// As `write(to:)`, but fails just before the final rename, after the temporary file
    /// was fully written: for tests of the clean-up.
    @_spi(Testing)
    public func write(to url: URL, failingBeforeRename: Bool) throws(CheckpointError) {
        let path = url.path(percentEncoded: false)
        let bytes = try serialized(path: path)
        do {
            try AtomicFile.replace(path, with: bytes) { () throws(FileError) in
                if failingBeforeRename { throw FileError(path: path, reason: "simulated failure before rename") }
            }
        } catch {
            throw CheckpointError(path: path, problem: .writeFailed(error.reason))
        }
    }

    /// The complete file's bytes.
    func serialized(path: String) throws(CheckpointError) -> [UInt8] {
        guard duplicates.isEmpty else {
            throw CheckpointError(
                path: path,
                problem: .invalidContents(
                    "duplicate tensor names \(Set(duplicates).sorted().joined(separator: ", "))"))
        }
        guard !names.contains(SafeTensorsFormat.metadataKey) else {
            throw CheckpointError(path: path, problem: .invalidContents("\(SafeTensorsFormat.metadataKey) is reserved"))
        }
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }
                .map { SafeTensorsFormat.jsonString($0.key) + ":" + SafeTensorsFormat.jsonString($0.value) }
            fields.append(
                SafeTensorsFormat.jsonString(SafeTensorsFormat.metadataKey) + ":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for tensor in pending {
            let shape = tensor.shape.dimensions.map(String.init).joined(separator: ",")
            fields.append(
                SafeTensorsFormat.jsonString(tensor.name)
                    + ":{\"dtype\":\"\(tensor.dtype)\",\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(offset),\(offset + tensor.bytes.count)]}"
            )
            offset += tensor.bytes.count
        }
        var header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        let alignment = SafeTensorsFormat.headerAlignment
        header.append(
            contentsOf: repeatElement(UInt8(ascii: " "), count: (alignment - header.count % alignment) % alignment))

        var file: [UInt8] = []
        file.reserveCapacity(8 + header.count + offset)
        var length = UInt64(header.count)
        for _ in 0..<8 {
            file.append(UInt8(truncatingIfNeeded: length))
            length >>= 8
        }
        file.append(contentsOf: header)
        for tensor in pending { file.append(contentsOf: tensor.bytes) }
        return file
    }
}

extension Checkpoint {
    /// Writes a checkpoint of `store`'s parameters, optionally with an optimizer's state,
    /// extra tensors and string metadata (epoch, step, model configuration), atomically.
    public static func write<Scalar: TensorScalar>(
        _ store: ParameterStore<Scalar>, optimizer: (any Optimizer<Scalar>)? = nil,
        extras: [String: Tensor<Scalar>] = [:], metadata: [String: String] = [:], to url: URL
    ) throws(CheckpointError) {
        var writer = CheckpointWriter()
        writer.addParameters(of: store)
        if let optimizer { writer.addState(of: optimizer) }
        for (name, tensor) in extras.sorted(by: { $0.key < $1.key }) { writer.add(tensor, named: name) }
        writer.metadata.merge(metadata) { _, given in given }
        try writer.write(to: url)
    }
}
