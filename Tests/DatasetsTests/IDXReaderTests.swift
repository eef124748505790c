import Datasets
import Foundation
import Testing

/// Every bad file fails with a `DatasetError` that names the file and the problem.
@Suite struct IDXReaderTests {
    let files = TestFiles()

    /// Reads `path` as an IDX file and returns the error it must throw.
    func failure(_ path: String, dimensions: Int? = nil) -> DatasetError? {
        do {
            _ = try IDXFile(contentsOf: path, expectedDimensionCount: dimensions)
            return nil
        } catch {
            return error
        }
    }

    func expect(
        _ error: DatasetError?, path: String, problem: DatasetError.Problem, mentions phrase: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(error?.path == path, sourceLocation: sourceLocation)
        #expect(error?.problem == problem, sourceLocation: sourceLocation)
        let text = error?.description ?? ""
        #expect(text.hasPrefix(path + ": "), "names the file: \(text)", sourceLocation: sourceLocation)
        #expect(text.contains(phrase), "says what is wrong: \(text)", sourceLocation: sourceLocation)
        #expect(!text.contains("\n"), "one line: \(text)", sourceLocation: sourceLocation)
    }

    @Test(arguments: [false, true])
    func readsAValidFile(gzipped: Bool) throws {
        let bytes = TestFiles.idx(dimensions: [3, 2, 5])
        let path = files.write("images" + (gzipped ? ".gz" : ""), gzipped ? TestFiles.gzip(bytes) : bytes)
        let file = try IDXFile(contentsOf: path, expectedDimensionCount: 3)
        #expect(file.dimensions == [3, 2, 5])
        #expect(file.bytes == Array(bytes[16...]))
    }

    @Test func gzipIsDetectedByContentNotName() throws {
        let path = files.write("labels-without-suffix", TestFiles.gzip(TestFiles.idx(dimensions: [7])))
        #expect(try IDXFile(contentsOf: path).dimensions == [7])
    }

    @Test func concatenatedGzipMembersAreJoined() throws {
        let whole = TestFiles.idx(dimensions: [20])
        let path = files.write(
            "two-members.gz", TestFiles.gzip(Array(whole[..<10])) + TestFiles.gzip(Array(whole[10...])))
        #expect(try IDXFile(contentsOf: path).bytes == Array(whole[8...]))
    }

    @Test func missingFile() {
        let path = files.directory + "/nothing-here.gz"
        expect(failure(path), path: path, problem: .missing, mentions: "no such file")
    }

    @Test func emptyFile() {
        let path = files.write("empty", [])
        expect(failure(path), path: path, problem: .emptyFile, mentions: "empty file")
    }

    @Test(arguments: [false, true])
    func wrongMagic(gzipped: Bool) {
        var bytes = TestFiles.idx(dimensions: [4])
        bytes[0] = 0x50  // e.g. a PNG or text file handed over by mistake
        let path = files.write("bad-magic", gzipped ? TestFiles.gzip(bytes) : bytes)
        expect(
            failure(path), path: path, problem: .badMagic(found: [0x50, 0, 8, 1]),
            mentions: "bad magic number 50 00 08 01")
    }

    @Test func unsupportedElementType() {
        let path = files.write(
            "floats", TestFiles.idx(dimensions: [2], elements: [UInt8](repeating: 0, count: 2), typeCode: 0x0D))
        expect(
            failure(path), path: path, problem: .unsupportedElementType(code: 0x0D),
            mentions: "unsupported IDX element type 0xd")
    }

    @Test func wrongDimensionCount() {
        let path = files.write("labels-as-images", TestFiles.idx(dimensions: [5]))
        expect(
            failure(path, dimensions: 3), path: path, problem: .wrongDimensionCount(found: 1, expected: 3),
            mentions: "wrong dimension count: the file has 1 dimensions, expected 3")
    }

    @Test(arguments: [false, true])
    func truncatedHeader(gzipped: Bool) {
        let bytes = Array(TestFiles.idx(dimensions: [60, 28, 28])[..<10])
        let path = files.write("short-header", gzipped ? TestFiles.gzip(bytes) : bytes)
        expect(
            failure(path), path: path, problem: .truncatedHeader(found: 10, needed: 16),
            mentions: "truncated IDX header")
    }

    @Test(arguments: [false, true])
    func truncatedData(gzipped: Bool) {
        let bytes = Array(TestFiles.idx(dimensions: [10, 4, 4]).dropLast(5))
        let path = files.write("short-data", gzipped ? TestFiles.gzip(bytes) : bytes)
        expect(
            failure(path), path: path, problem: .truncatedData(expected: 160, found: 155),
            mentions: "truncated data: the header promises 160 bytes, the file holds 155")
    }

    @Test func trailingData() {
        let path = files.write("long", TestFiles.idx(dimensions: [3]) + [1, 2])
        expect(failure(path), path: path, problem: .trailingData(byteCount: 2), mentions: "trailing data: 2 bytes")
    }

    @Test func corruptGzipStream() {
        var gz = TestFiles.gzip(TestFiles.idx(dimensions: [50, 8, 8]))
        for i in 12..<min(40, gz.count - 8) { gz[i] ^= 0xA5 }
        let path = files.write("corrupt.gz", gz)
        let error = failure(path)
        #expect(error?.path == path)
        #expect(error?.description.contains("corrupt gzip data") == true, "\(String(describing: error))")
    }

    @Test func truncatedGzipStream() {
        let gz = TestFiles.gzip(TestFiles.idx(dimensions: [50, 8, 8]))
        let path = files.write("cut.gz", Array(gz[..<(gz.count / 2)]))
        expect(failure(path), path: path, problem: .truncatedGzip, mentions: "truncated gzip stream")
    }

    @Test func trailingGarbageAfterGzip() {
        let path = files.write("garbage.gz", TestFiles.gzip(TestFiles.idx(dimensions: [4])) + [0xDE, 0xAD, 0xBE])
        expect(
            failure(path), path: path, problem: .trailingGarbageAfterGzip(byteCount: 3),
            mentions: "trailing garbage: 3 bytes")
    }

    @Test func directoryInsteadOfFile() {
        let error = failure(files.directory)
        #expect(error?.description.contains("it is a directory") == true)
    }

    @Test func imageLabelCountMismatch() {
        let images = files.write("images.gz", TestFiles.gzip(TestFiles.idx(dimensions: [5, 4, 4])))
        let labels = files.write("labels.gz", TestFiles.gzip(TestFiles.idx(dimensions: [4])))
        #expect {
            try LabeledImages(imagesPath: images, labelsPath: labels)
        } throws: { error in
            let error = error as! DatasetError
            return error.path == images
                && error.problem == .countMismatch(imageCount: 5, labelCount: 4, labelsPath: labels)
                && error.description == "\(images): image/label count mismatch: 5 images here but 4 labels in \(labels)"
        }
    }

    @Test func labelsOutOfRange() {
        let images = files.write("images", TestFiles.idx(dimensions: [2, 2, 2]))
        let labels = files.write("labels", TestFiles.idx(dimensions: [2], elements: [3, 12]))
        #expect(throws: DatasetError(path: labels, problem: .invalidLabel(value: 12, index: 1))) {
            try LabeledImages(imagesPath: images, labelsPath: labels)
        }
    }

    @Test(arguments: [false, true])
    func loadsADataSetFolder(gzipped: Bool) throws {
        files.writeDataSet(gzipped: gzipped)
        let (training, test) = try MNIST.load(from: files.directory)
        #expect(training.count == 6 && test.count == 3)
        #expect(training.height == 4 && training.width == 4)
    }

    @Test func missingFileInAFolderIsNamed() throws {
        files.writeDataSet()
        let path = files.directory + "/t10k-labels-idx1-ubyte.gz"
        try FileManager.default.removeItem(atPath: path)
        #expect(throws: DatasetError(path: path, problem: .missing)) { try MNIST.load(from: files.directory) }
    }

    @Test func missingFolder() {
        let path = files.directory + "/no-such-folder"
        #expect(throws: DatasetError(path: path, problem: .missingDirectory)) { try MNIST.load(from: path) }
    }
}
