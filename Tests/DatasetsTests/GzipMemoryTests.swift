import Testing

@testable import Datasets

/// A truncated download must not make the reader allocate what its last four bytes claim.
@Suite struct GzipMemoryTests {
    /// A gzip'd IDX file cut in the middle, whose last four bytes (where a whole file keeps
    /// its uncompressed size) happen to read 4 GiB - 1.
    static let truncated: [UInt8] = {
        var generator = SystemRandomNumberGenerator()
        // Random pixels barely compress, so the file is large and the cut far from the start.
        let pixels = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let whole = TestFiles.gzip(TestFiles.idx(dimensions: [300_000], elements: pixels))
        return Array(whole[..<(whole.count / 2)]) + [0xFF, 0xFF, 0xFF, 0xFF]
    }()

    @Test func initialBufferIsBoundedByTheFileNotItsTrailer() {
        #expect(Gzip.initialCapacity(for: Self.truncated) == 8 * Self.truncated.count)
        #expect(Gzip.initialCapacity(for: Self.truncated) < 2_000_000, "not the 4 GiB the trailer claims")
    }

    @Test func truncatedStreamStillFailsAsTruncated() {
        #expect(throws: DatasetError(path: "cut.gz", problem: .truncatedGzip)) {
            try Gzip.inflate(Self.truncated, path: "cut.gz")
        }
    }

    @Test func wholeFilesStillInflateExactly() throws {
        // 1 MB of zeros compresses about 1000:1, far past the first 8:1 guess: the buffer doubles.
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        #expect(try Gzip.inflate(TestFiles.gzip(zeros), path: "zeros.gz") == zeros)
    }
}
