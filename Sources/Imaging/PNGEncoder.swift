import CZlib

/// Encodes images as PNG: 8-bit gray or RGB, filtered rows, deflated by the system zlib.
public enum PNGEncoder {
    /// The layout of the bytes handed to the encoder.
    public enum ColorType: UInt8, Sendable {
        case gray = 0
        case rgb = 2

        var bytesPerPixel: Int { self == .gray ? 1 : 3 }
    }

    /// A PNG file holding `pixels` (row-major, `bytesPerPixel` bytes per pixel).
    public static func encode(width: Int, height: Int, colorType: ColorType, pixels: [UInt8]) -> [UInt8] {
        var png = PNGChunkWriter()
        png.append("IHDR", header(width: width, height: height, colorType: colorType))
        png.append("IDAT", imageData(width: width, height: height, colorType: colorType, pixels: pixels))
        png.append("IEND", [])
        return png.bytes
    }

    /// The 13 bytes of IHDR: size, bit depth 8, colour type, deflate, adaptive filtering, no interlace.
    static func header(width: Int, height: Int, colorType: ColorType) -> [UInt8] {
        precondition(
            width > 0 && height > 0 && width <= Int(Int32.max) && height <= Int(Int32.max),
            "PNG: size \(width)x\(height) is out of range")
        var data = [UInt8]()
        data.appendBigEndian(UInt32(width))
        data.appendBigEndian(UInt32(height))
        data += [8, colorType.rawValue, 0, 0, 0]
        return data
    }

    /// The zlib stream of the filtered rows: what IDAT (and APNG's fdAT) carry.
    static func imageData(width: Int, height: Int, colorType: ColorType, pixels: [UInt8]) -> [UInt8] {
        let rowLength = width * colorType.bytesPerPixel
        precondition(
            pixels.count == rowLength * height,
            "PNG: \(pixels.count) bytes do not make a \(width)x\(height) image of \(colorType)")
        let filtered = PNGFilter.filterRows(pixels, rowLength: rowLength, bytesPerPixel: colorType.bytesPerPixel)
        return deflate(filtered)
    }

    /// `bytes` compressed into one zlib stream (zlib wrapper, as PNG requires).
    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &capacity, input.baseAddress, uLong(input.count), 6)
            }
        }
        // compressBound guarantees room, so only running out of memory can fail here.
        precondition(status == Z_OK, "PNG: zlib compress2 failed with status \(status)")
        output.removeSubrange(Int(capacity)...)
        return output
    }
}

extension Image {
    /// The image as a PNG file.
    public func pngData() -> [UInt8] {
        PNGEncoder.encode(width: width, height: height, colorType: .rgb, pixels: pixels)
    }

    /// Writes the image as a PNG file at `path`.
    public func writePNG(to path: String) throws(ImagingError) {
        try FileWriter.write(pngData(), to: path)
    }
}

extension GrayImage {
    /// The image as a grayscale PNG file.
    public func pngData() -> [UInt8] {
        PNGEncoder.encode(width: width, height: height, colorType: .gray, pixels: pixels)
    }

    /// Writes the image as a grayscale PNG file at `path`.
    public func writePNG(to path: String) throws(ImagingError) {
        try FileWriter.write(pngData(), to: path)
    }
}
