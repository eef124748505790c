import Autograd

/// Grayscale images and their class labels, kept as bytes so a data set stays small in memory.
///
/// Image `i` occupies `pixels[i * height * width ..< (i + 1) * height * width]`, row-major,
/// 0 for background and 255 for full ink (MNIST's convention).
public struct LabeledImages: Sendable {
    /// All pixels of all images, image after image.
    public let pixels: [UInt8]
    /// One label per image.
    public let labels: [UInt8]
    /// Rows per image.
    public let height: Int
    /// Columns per image.
    public let width: Int

    /// The number of images.
    public var count: Int { labels.count }
    /// Pixels per image.
    public var pixelsPerImage: Int { height * width }

    /// Creates a set from its pixels and labels; `pixels.count` must be `labels.count * height * width`.
    public init(pixels: [UInt8], labels: [UInt8], height: Int, width: Int) {
        require(
            pixels.count == labels.count * height * width,
            "LabeledImages: \(pixels.count) pixels do not make \(labels.count) images of \(height)x\(width)")
        self.pixels = pixels
        self.labels = labels
        self.height = height
        self.width = width
    }

    /// Reads an IDX images file and its IDX labels file, checking that they belong together.
    ///
    /// - Throws: `DatasetError` naming the file at fault: missing, unreadable, corrupt,
    ///   truncated, of the wrong kind, or with a different number of images than labels.
    public init(imagesPath: String, labelsPath: String) throws(DatasetError) {
        let images = try IDXFile(contentsOf: imagesPath, expectedDimensionCount: 3)
        let labels = try IDXFile(contentsOf: labelsPath, expectedDimensionCount: 1)
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DatasetError(
                path: imagesPath,
                problem: .countMismatch(
                    imageCount: images.dimensions[0], labelCount: labels.dimensions[0], labelsPath: labelsPath))
        }
        if let bad = labels.bytes.firstIndex(where: { $0 > 9 }) {
            throw DatasetError(path: labelsPath, problem: .invalidLabel(value: labels.bytes[bad], index: bad))
        }
        self.init(
            pixels: images.bytes, labels: labels.bytes,
            height: images.dimensions[1], width: images.dimensions[2])
    }

    /// The pixels of image `index`.
    public func image(at index: Int) -> ArraySlice<UInt8> {
        pixels[index * pixelsPerImage..<(index + 1) * pixelsPerImage]
    }

    /// A new set holding the images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledImages {
        let size = pixelsPerImage
        var subsetPixels = [UInt8](repeating: 0, count: indices.count * size)
        subsetPixels.withUnsafeMutableBufferPointer { destination in
            pixels.withUnsafeBufferPointer { source in
                for (row, index) in indices.enumerated() {
                    require(
                        index >= 0 && index < count, "LabeledImages.subset: index \(index) out of range 0..<\(count)")
                    (destination.baseAddress! + row * size)
                        .update(from: source.baseAddress! + index * size, count: size)
                }
            }
        }
        return LabeledImages(pixels: subsetPixels, labels: indices.map { labels[$0] }, height: height, width: width)
    }
}
