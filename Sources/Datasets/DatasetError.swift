/// A problem with a data file: which file, and what is wrong with it.
///
/// `description` is one line that a command-line tool can print as it is, e.g.
/// `train-images-idx3-ubyte.gz: truncated data: expected 47040000 bytes of pixels, found 1200`.
public struct DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, independent of the file.
    public enum Problem: Equatable, Sendable {
        case missing
        case missingDirectory
        case unreadable(reason: String)
        case corruptGzip(reason: String)
        case truncatedGzip
        case trailingGarbageAfterGzip(byteCount: Int)
        case truncatedHeader(found: Int, needed: Int)
        case badMagic(found: [UInt8])
        case unsupportedElementType(code: UInt8)
        case wrongDimensionCount(found: Int, expected: Int)
        case truncatedData(expected: Int, found: Int)
        case trailingData(byteCount: Int)
        case countMismatch(imageCount: Int, labelCount: Int, labelsPath: String)
        case invalidLabel(value: UInt8, index: Int)
        case emptyFile
    }

    /// The file the problem is in.
    public let path: String
    /// What is wrong with it.
    public let problem: Problem

    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problemDescription)" }

    private var problemDescription: String {
        switch problem {
        case .missing:
            return "no such file"
        case .missingDirectory:
            return "no such directory"
        case .unreadable(let reason):
            return "cannot read the file (\(reason))"
        case .corruptGzip(let reason):
            return "corrupt gzip data (\(reason))"
        case .truncatedGzip:
            return "truncated gzip stream: the file ends before the compressed data does"
        case .trailingGarbageAfterGzip(let count):
            return "trailing garbage: \(count) bytes after the end of the gzip stream"
        case .emptyFile:
            return "empty file: not an IDX file"
        case .truncatedHeader(let found, let needed):
            return "truncated IDX header: found \(found) bytes, the header needs \(needed)"
        case .badMagic(let found):
            let hex = found.map { byte in
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined(separator: " ")
            return "bad magic number \(hex): not an IDX file (expected 00 00 08 then the dimension count)"
        case .unsupportedElementType(let code):
            return "unsupported IDX element type 0x\(String(code, radix: 16)): only unsigned bytes (0x08) are supported"
        case .wrongDimensionCount(let found, let expected):
            return "wrong dimension count: the file has \(found) dimensions, expected \(expected)"
                + (expected == 3 ? " (images: count, rows, columns)" : expected == 1 ? " (labels: count)" : "")
        case .truncatedData(let expected, let found):
            return "truncated data: the header promises \(expected) bytes, the file holds \(found)"
        case .trailingData(let count):
            return "trailing data: \(count) bytes after the last item the header promises"
        case .countMismatch(let imageCount, let labelCount, let labelsPath):
            return "image/label count mismatch: \(imageCount) images here but \(labelCount) labels in \(labelsPath)"
        case .invalidLabel(let value, let index):
            return "invalid label \(value) at index \(index): labels must be 0 through 9"
        }
    }
}
