import SafeFiles

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a TensorBoard event file: scalars, images and text, each tagged and stepped, in
/// the format `tensorboard --logdir` reads, with no TensorFlow or protobuf library.
///
/// ```swift
/// let events = try EventWriter(directory: "runs/mnist-ram")
/// try events.scalar("validation/error", 0.0112, step: 12)
/// try events.image("glimpses", png: bytes, width: 480, height: 240, step: 12)
/// ```
/// The file is a TFRecord file of `Event` protocol buffers: each record is its length (8
/// bytes, little-endian), the length's masked CRC-32C, the bytes, and their masked CRC-32C.
/// Every run start opens a new file, so a file a killed run left cut short is never appended
/// to; TensorBoard reads it up to its last whole record, and merges a run's files by step.
public final class EventWriter {
    /// The event file's path.
    public let path: String
    private let descriptor: Int32

    /// Creates `directory` if needed and starts a new event file in it.
    public init(directory: String) throws(FileError) {
        try DirectoryLock.createDirectories(directory)
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let hostName = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        // Seconds first, so TensorBoard's name order is time order; the nanoseconds keep two
        // writers of one process apart.
        path = directory + "/events.out.tfevents.\(now.tv_sec).\(hostName).\(getpid()).\(now.tv_nsec)"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FileError(path: path, reason: "cannot create the event file (\(AtomicFile.systemError()))")
        }
        descriptor = fd
        try write { $0.string(3, "brain.Event:2") }  // Event.file_version: first in every file
    }

    deinit { close(descriptor) }

    /// A number against `step`.
    public func scalar(_ tag: String, _ value: Double, step: Int) throws(FileError) {
        try summary(step: step) { entry in
            entry.string(1, tag)
            entry.float(2, Float(value))  // Summary.Value.simple_value
        }
    }

    /// A PNG picture against `step`.
    public func image(_ tag: String, png: [UInt8], width: Int, height: Int, step: Int) throws(FileError) {
        try summary(step: step) { entry in
            entry.string(1, tag)
            entry.message(4) { image in  // Summary.Value.image
                image.int(1, Int64(height))
                image.int(2, Int64(width))
                image.int(3, 3)  // colour space: RGB
                image.data(4, png)
            }
        }
    }

    /// Text (Markdown) against `step`: a string tensor marked for the text plugin.
    public func text(_ tag: String, _ text: String, step: Int) throws(FileError) {
        try summary(step: step) { entry in
            entry.string(1, tag)
            entry.message(9) { metadata in  // Summary.Value.metadata
                metadata.message(1) { plugin in plugin.string(1, "text") }  // plugin_data.plugin_name
            }
            entry.message(8) { tensor in  // Summary.Value.tensor
                tensor.int(1, 7)  // dtype: DT_STRING
                tensor.message(2) { _ in }  // a scalar: a shape with no dimensions
                tensor.string(8, text)  // string_val
            }
        }
    }

    private func summary(step: Int, _ value: (inout ProtobufWriter) -> Void) throws(FileError) {
        try write { event in
            event.int(2, Int64(step))
            event.message(5) { summary in summary.message(1, value) }  // Event.summary.value
        }
    }

    /// Writes one Event record: wall time, then the fields `build` adds.
    private func write(_ build: (inout ProtobufWriter) -> Void) throws(FileError) {
        var event = ProtobufWriter()
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        event.double(1, Double(now.tv_sec) + Double(now.tv_nsec) / 1e9)
        build(&event)
        let data = event.bytes
        var record: [UInt8] = []
        record.reserveCapacity(data.count + 16)
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian) { Array($0) }
        record += length
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { record += $0 }
        record += data
        withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { record += $0 }
        // One write per record: a kill leaves whole records and at most one partial last one.
        if let problem = AtomicFile.writeAll(record, to: descriptor) {
            throw FileError(path: path, reason: "cannot write the event file (\(problem))")
        }
    }
}
