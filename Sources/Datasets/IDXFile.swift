/// An IDX file of unsigned bytes (LeCun's MNIST format): a list of dimensions and the bytes.
///
/// The format, all integers big-endian:
/// ```
/// 00 00 08 n            magic: two zero bytes, element type 0x08 (unsigned byte), n dimensions
/// d_1 ... d_n           n UInt32 sizes
/// d_1 * ... * d_n bytes the elements, row-major
/// ```
/// Plain and gzip'd files read the same; every inconsistency is a `DatasetError` naming the file.
public struct IDXFile: Sendable {
    /// The sizes of the dimensions, outermost first: `[60000, 28, 28]` for MNIST's training images.
    public let dimensions: [Int]
    /// The elements in row-major order; `bytes.count` is the product of `dimensions`.
    public let bytes: [UInt8]

    /// Reads and validates the IDX file at `path`, which may be gzip'd.
    ///
    /// - Parameter expectedDimensionCount: if given, a file with another number of dimensions
    ///   is rejected (3 for images, 1 for labels).
    public init(contentsOf path: String, expectedDimensionCount: Int? = nil) throws(DatasetError) {
        try self.init(
            parsing: try FileBytes.read(path: path), path: path, expectedDimensionCount: expectedDimensionCount)
    }

    /// Parses a file's bytes as read from disk, gzip'd or not; `path` only names it in errors.
    public init(fileBytes: [UInt8], path: String, expectedDimensionCount: Int? = nil) throws(DatasetError) {
        try self.init(
            parsing: try FileBytes.decoded(fileBytes, path: path), path: path,
            expectedDimensionCount: expectedDimensionCount)
    }

    /// Parses the contents of an IDX file; `path` only names the file in errors.
    public init(
        parsing contents: consuming [UInt8], path: String, expectedDimensionCount: Int? = nil
    ) throws(DatasetError) {
        func fail(_ problem: DatasetError.Problem) -> DatasetError { DatasetError(path: path, problem: problem) }

        guard !contents.isEmpty else { throw fail(.emptyFile) }
        guard contents.count >= 4 else { throw fail(.truncatedHeader(found: contents.count, needed: 4)) }
        guard contents[0] == 0, contents[1] == 0 else { throw fail(.badMagic(found: Array(contents[0..<4]))) }
        guard contents[2] == 0x08 else {
            // 0x09...0x0E are valid IDX types this reader does not need; anything else is no IDX file.
            if (0x09...0x0E).contains(contents[2]) { throw fail(.unsupportedElementType(code: contents[2])) }
            throw fail(.badMagic(found: Array(contents[0..<4])))
        }
        let dimensionCount = Int(contents[3])
        guard dimensionCount >= 1 else {
            throw fail(.wrongDimensionCount(found: 0, expected: expectedDimensionCount ?? 1))
        }
        if let expected = expectedDimensionCount, expected != dimensionCount {
            throw fail(.wrongDimensionCount(found: dimensionCount, expected: expected))
        }
        let headerSize = 4 + 4 * dimensionCount
        guard contents.count >= headerSize else {
            throw fail(.truncatedHeader(found: contents.count, needed: headerSize))
        }

        var dimensions: [Int] = []
        var elementCount = 1
        for axis in 0..<dimensionCount {
            let at = 4 + 4 * axis
            let size =
                Int(contents[at]) << 24 | Int(contents[at + 1]) << 16
                | Int(contents[at + 2]) << 8 | Int(contents[at + 3])
            dimensions.append(size)
            // Sizes are at most 2^32 - 1 each, so the product can only overflow Int after a few axes.
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            elementCount = overflow ? Int.max : product
        }
        let available = contents.count - headerSize
        guard available >= elementCount else { throw fail(.truncatedData(expected: elementCount, found: available)) }
        guard available == elementCount else { throw fail(.trailingData(byteCount: available - elementCount)) }

        self.dimensions = dimensions
        // Shifting in place avoids a second 47 MB allocation for MNIST's training images.
        var elements = consume contents
        elements.removeSubrange(0..<headerSize)
        self.bytes = elements
    }
}
