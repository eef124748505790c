/// A grayscale image with 8 bits per pixel, row-major (0 black, 255 white).
public struct GrayImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `width * height` bytes, row after row.
    public var pixels: [UInt8]

    /// An image from its bytes; `pixels.count` must be `width * height`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(
            width > 0 && height > 0 && pixels.count == width * height,
            "GrayImage: \(pixels.count) bytes do not make a \(width)x\(height) image")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image from intensities in [0, 1] (values outside are clipped), row-major.
    public init(width: Int, height: Int, intensities: some Collection<Float>) {
        precondition(
            intensities.count == width * height,
            "GrayImage: \(intensities.count) values do not make a \(width)x\(height) image")
        self.init(width: width, height: height, pixels: intensities.map(GrayImage.byte(fromIntensity:)))
    }

    /// The byte for an intensity in [0, 1], rounded and clipped.
    @inlinable
    public static func byte(fromIntensity value: Float) -> UInt8 {
        UInt8(max(0, min(255, (value * 255).rounded())))
    }
}
