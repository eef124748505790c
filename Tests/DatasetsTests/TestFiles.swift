import CZlib
import Foundation

/// Crafted IDX files in a fresh temporary folder, plain or gzip'd.
struct TestFiles {
    let directory: String

    init() {
        directory = NSTemporaryDirectory() + "datasets-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// The bytes of an IDX file of unsigned bytes with the given dimensions.
    static func idx(dimensions: [Int], elements: [UInt8]? = nil, typeCode: UInt8 = 0x08) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, typeCode, UInt8(dimensions.count)]
        for d in dimensions {
            bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)]
        }
        let count = dimensions.reduce(1, *)
        return bytes + (elements ?? (0..<count).map { UInt8($0 % 10) })
    }

    /// `bytes` compressed as a gzip file (zlib's deflate with a gzip wrapper).
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        precondition(
            deflateInit2_(
                &stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        var input = bytes
        let status = input.withUnsafeMutableBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = inp.baseAddress
                stream.avail_in = UInt32(inp.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        precondition(status == Z_STREAM_END)
        let produced = Int(stream.total_out)
        deflateEnd(&stream)
        return Array(output[..<produced])
    }

    /// Writes `bytes` to `name` in the folder and returns the path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = directory + "/" + name
        precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    /// Writes a complete, valid MNIST-format folder of `trainCount` and `testCount` tiny images.
    func writeDataSet(trainCount: Int = 6, testCount: Int = 3, size: Int = 4, gzipped: Bool = true) {
        let suffix = gzipped ? ".gz" : ""
        func wrap(_ bytes: [UInt8]) -> [UInt8] { gzipped ? TestFiles.gzip(bytes) : bytes }
        write("train-images-idx3-ubyte" + suffix, wrap(TestFiles.idx(dimensions: [trainCount, size, size])))
        write("train-labels-idx1-ubyte" + suffix, wrap(TestFiles.idx(dimensions: [trainCount])))
        write("t10k-images-idx3-ubyte" + suffix, wrap(TestFiles.idx(dimensions: [testCount, size, size])))
        write("t10k-labels-idx1-ubyte" + suffix, wrap(TestFiles.idx(dimensions: [testCount])))
    }
}
