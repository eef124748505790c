import Foundation
import Testing

@testable import Imaging

@Suite struct PNGEncoderTests {
    /// A deterministic image with smooth areas, edges and noise, so every filter type gets chosen.
    static func testImage(width: Int, height: Int) -> Image {
        var state: UInt32 = 12345
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 1_103_515_245 &+ 12345
                let noise = UInt8(state >> 24)
                pixels += [UInt8((x * 7) & 0xFF), y < height / 2 ? UInt8((x + y) & 0xFF) : noise, x % 9 == 0 ? 255 : 3]
            }
        }
        return Image(width: width, height: height, pixels: pixels)
    }

    @Test(arguments: [(1, 1), (3, 2), (37, 23), (64, 64)])
    func rgbRoundTrip(width: Int, height: Int) {
        let image = Self.testImage(width: width, height: height)
        let decoded = PNGDecoder.decode(image.pngData())
        #expect(decoded.width == width && decoded.height == height && decoded.colorType == 2)
        #expect(decoded.pixels == image.pixels)
    }

    @Test func grayRoundTrip() {
        let pixels: [UInt8] = (0..<(29 * 17)).map { (i: Int) -> UInt8 in UInt8((i * 31 + i / 29 * 5) & 0xFF) }
        let image = GrayImage(width: 29, height: 17, pixels: pixels)
        let decoded = PNGDecoder.decode(image.pngData())
        #expect(decoded.width == 29 && decoded.height == 17 && decoded.colorType == 0)
        #expect(decoded.pixels == pixels)
    }

    @Test func chunkLayoutAndHeader() {
        let chunks = PNGDecoder.chunks(Image(width: 5, height: 4, background: .red).pngData())
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        #expect(chunks[0].data == [0, 0, 0, 5, 0, 0, 0, 4, 8, 2, 0, 0, 0])
        #expect(chunks[2].data.isEmpty)
    }

    @Test func allFiltersAreUsedAndInvertible() {
        let image = Self.testImage(width: 64, height: 64)
        let filtered = PNGFilter.filterRows(image.pixels, rowLength: 64 * 3, bytesPerPixel: 3)
        let types = Set(stride(from: 0, to: filtered.count, by: 64 * 3 + 1).map { filtered[$0] })
        #expect(types.count >= 2)
        #expect(PNGDecoder.unfilter(filtered, rowLength: 64 * 3, bytesPerPixel: 3) == image.pixels)
    }

    @Test func writesAFile() throws {
        let path = "/tmp/imaging-test-\(UInt64.random(in: 0...UInt64.max)).png"
        let image = Self.testImage(width: 10, height: 10)
        try image.writePNG(to: path)
        let contents = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        try FileManager.default.removeItem(atPath: path)
        #expect(PNGDecoder.decode(contents).pixels == image.pixels)
    }

    @Test func unwritablePathIsNamed() {
        #expect(throws: ImagingError.self) { try Image(width: 1, height: 1).writePNG(to: "/no/such/folder/x.png") }
        do {
            try Image(width: 1, height: 1).writePNG(to: "/no/such/folder/x.png")
        } catch {
            #expect(error.description.hasPrefix("/no/such/folder/x.png: cannot create /no/such/folder/.x.png.tmp-"))
            #expect(error.description.hasSuffix(": No such file or directory"))
        }
    }
}
