/// An RGB image with 8 bits per channel, a canvas to draw on and write as PNG.
///
/// Pixels are stored row-major, three bytes (red, green, blue) per pixel. Coordinates
/// are `(x, y)` with `x` the column and `y` the row, from the top-left corner.
/// Drawing outside the image is clipped silently, so callers need not check bounds.
public struct Image: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes: red, green, blue for each pixel, row after row.
    public internal(set) var pixels: [UInt8]

    /// An image filled with `background`.
    public init(width: Int, height: Int, background: Color = .black) {
        precondition(width > 0 && height > 0, "Image: size \(width)x\(height) must be positive")
        self.width = width
        self.height = height
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: pixels.count, by: 3) {
            pixels[i] = background.red
            pixels[i + 1] = background.green
            pixels[i + 2] = background.blue
        }
        self.pixels = pixels
    }

    /// An image from its bytes; `pixels.count` must be `width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(
            width > 0 && height > 0 && pixels.count == width * height * 3,
            "Image: \(pixels.count) bytes do not make a \(width)x\(height) RGB image")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Whether `(x, y)` lies inside the image.
    public func contains(x: Int, y: Int) -> Bool { x >= 0 && x < width && y >= 0 && y < height }

    /// The colour at `(x, y)`, which must lie inside the image.
    public subscript(x: Int, y: Int) -> Color {
        get {
            precondition(contains(x: x, y: y), "Image: (\(x), \(y)) is outside \(width)x\(height)")
            let i = (y * width + x) * 3
            return Color(red: pixels[i], green: pixels[i + 1], blue: pixels[i + 2])
        }
        set {
            precondition(contains(x: x, y: y), "Image: (\(x), \(y)) is outside \(width)x\(height)")
            let i = (y * width + x) * 3
            pixels[i] = newValue.red
            pixels[i + 1] = newValue.green
            pixels[i + 2] = newValue.blue
        }
    }

    /// Sets `(x, y)` to `color` if it lies inside the image; does nothing otherwise.
    public mutating func plot(x: Int, y: Int, color: Color) {
        guard contains(x: x, y: y) else { return }
        self[x, y] = color
    }
}
