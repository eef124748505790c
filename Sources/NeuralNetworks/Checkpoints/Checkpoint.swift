import Autograd
import SafeFiles

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A checkpoint read from a safetensors file: named tensors and string metadata.
///
/// ```swift
/// let checkpoint = try Checkpoint(contentsOf: url)
/// try checkpoint.load(into: store)            // every parameter, checked by name, shape, dtype
/// try checkpoint.restore(optimizer)           // moments and step count, if saved
/// let epoch = checkpoint.metadata["epoch"]
/// ```
/// The whole file is read and validated on opening, so a malformed file fails there with a
/// `CheckpointError` naming it, and later reads only check names, dtypes and shapes.
public struct Checkpoint: Sendable {
    /// A stored tensor's element type and shape.
    public struct TensorInfo: Sendable, Equatable {
        /// The safetensors dtype: `"F32"` or `"F64"` for what this toolkit writes; also
        /// `"F16"`, `"BF16"`, `"I64"`, `"I32"`, `"I16"`, `"I8"`, `"U8"` or `"BOOL"` in files from elsewhere.
        public let dtype: String
        public let shape: Shape

        public init(dtype: String, shape: Shape) {
            self.dtype = dtype
            self.shape = shape
        }
    }

    /// The file's path.
    public let path: String
    /// The string metadata (`__metadata__`).
    public let metadata: [String: String]
    let records: [String: SafeTensorsHeader.Record]
    private let data: [UInt8]

    /// Reads and validates the checkpoint at `url`.
    public init(contentsOf url: URL) throws(CheckpointError) {
        let path = url.path(percentEncoded: false)
        let bytes: [UInt8]
        do { bytes = try AtomicFile.contents(of: path) } catch {
            throw CheckpointError(path: path, problem: .unreadable(error.reason))
        }
        try self.init(bytes: bytes, path: path)
    }

    /// Parses a checkpoint held in memory; `path` names it in errors.
    public init(bytes: [UInt8], path: String) throws(CheckpointError) {
        let header = try SafeTensorsHeader(parsing: bytes, path: path)
        self.path = path
        metadata = header.metadata
        records = header.records
        data = Array(bytes[header.dataStart...])
    }

    /// Every tensor name, sorted.
    public var names: [String] { records.keys.sorted() }

    /// The dtype and shape of the tensor called `name`, if present.
    public func info(_ name: String) -> TensorInfo? {
        records[name].map { TensorInfo(dtype: $0.dtype, shape: $0.shape) }
    }

    /// The tensor called `name`. It must hold `Scalar` elements unless `converting`, which
    /// reads any readable dtype (half precision, bfloat16, integers, booleans) as `Scalar`.
    public func tensor<Scalar: TensorScalar>(
        named name: String, as _: Scalar.Type = Scalar.self, converting: Bool = false
    )
        throws(CheckpointError) -> Tensor<Scalar>
    {
        guard converting else {
            let record = try checkedRecord(name, Scalar.self)
            return Tensor(shape: record.shape, scalars: scalars(record, Scalar.self))
        }
        guard let record = records[name] else { throw CheckpointError(path: path, problem: .missingTensor(name)) }
        let count = record.shape.count
        return Tensor(
            shape: record.shape,
            scalars: [Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 { convert(record, into: buffer.baseAddress!) }
                initialized = count
            })
    }

    func checkedRecord<Scalar: TensorScalar>(
        _ name: String, _: Scalar.Type
    ) throws(CheckpointError)
        -> SafeTensorsHeader.Record
    {
        guard let record = records[name] else { throw CheckpointError(path: path, problem: .missingTensor(name)) }
        guard record.dtype == Scalar.dtypeName else {
            throw CheckpointError(
                path: path,
                problem: .dtypeMismatch(
                    name: name, expected: Scalar.dtypeName,
                    found: record.dtype))
        }
        return record
    }

    /// Copies a record's bytes into `destination` (validated: its size matches the range).
    func copy<Scalar: TensorScalar>(_ record: SafeTensorsHeader.Record, into destination: UnsafeMutablePointer<Scalar>)
    {
        var bytes = Array(data[record.range])
        SafeTensorsFormat.convertLittleEndian(&bytes, elementSize: MemoryLayout<Scalar>.size)
        bytes.withUnsafeBytes {
            UnsafeMutableRawPointer(destination).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
        }
    }

    /// Reads a record of any readable dtype into `destination`, converting each element.
    func convert<Scalar: TensorScalar>(
        _ record: SafeTensorsHeader.Record, into destination: UnsafeMutablePointer<Scalar>
    ) {
        guard record.dtype != Scalar.dtypeName else { return copy(record, into: destination) }
        data[record.range].withUnsafeBytes { bytes in
            SafeTensorsFormat.decode(bytes, dtype: record.dtype) { destination[$0] = Scalar($1) }
        }
    }

    private func scalars<Scalar: TensorScalar>(_ record: SafeTensorsHeader.Record, _: Scalar.Type) -> [Scalar] {
        let count = record.shape.count
        return [Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { copy(record, into: buffer.baseAddress!) }
            initialized = count
        }
    }
}
