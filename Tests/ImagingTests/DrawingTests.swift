import Testing

@testable import Imaging

@Suite struct DrawingTests {
    func count(_ image: Image, _ color: Color) -> Int {
        var n = 0
        for y in 0..<image.height { for x in 0..<image.width where image[x, y] == color { n += 1 } }
        return n
    }

    @Test func fillIsClipped() {
        var image = Image(width: 10, height: 8)
        image.fill(Rectangle(x: -3, y: 6, width: 5, height: 10), color: .blue)
        #expect(count(image, .blue) == 2 * 2)
        image.fill(Rectangle(x: 20, y: 20, width: 3, height: 3), color: .red)
        #expect(count(image, .red) == 0)
    }

    @Test func strokeDrawsTheOutlineOnly() {
        var image = Image(width: 10, height: 10)
        image.stroke(Rectangle(x: 1, y: 1, width: 6, height: 5), color: .green)
        #expect(count(image, .green) == 2 * 6 + 2 * 3)
        #expect(image[3, 3] == .black && image[1, 1] == .green && image[6, 5] == .green)
    }

    @Test func lineHitsBothEnds() {
        var image = Image(width: 20, height: 20)
        image.drawLine(fromX: 2, y: 3, toX: 17, y: 11, color: .white)
        #expect(image[2, 3] == .white && image[17, 11] == .white)
        #expect(count(image, .white) == 16)
        image.drawLine(fromX: -5, y: -5, toX: 30, y: 30, color: .red)  // clipped, no trap
        #expect(count(image, .red) == 20)
    }

    @Test func scalingRepeatsPixels() {
        var image = Image(width: 2, height: 1)
        image[1, 0] = .yellow
        let big = image.scaled(by: 3)
        #expect(big.width == 6 && big.height == 3)
        #expect(big[2, 2] == .black && big[3, 0] == .yellow && big[5, 2] == .yellow)
    }

    @Test func pastingIntensities() {
        var image = Image(width: 4, height: 4, background: .blue)
        image.paste(intensities: [0, 1, 0.5, 2] as [Float], width: 2, height: 2, atX: 3, y: 3)
        #expect(image[3, 3] == .black)
        #expect(image[2, 2] == .blue)
        var gray = Image(width: 2, height: 2)
        gray.paste(intensities: [0, 1, 0.5, -1] as [Float], width: 2, height: 2, atX: 0, y: 0)
        #expect(gray[1, 0] == .white && gray[0, 1] == Color(gray: 128) && gray[1, 1] == .black)
    }

    @Test func digitsAreDrawn() {
        var image = Image(width: 40, height: 10)
        let end = image.draw(text: "1", atX: 0, y: 0, scale: 2, color: .white)
        #expect(end == 8)
        #expect(count(image, .white) == 8 * 4)  // the 1 glyph has 8 pixels, each 2x2
        #expect(BitmapFont.width(of: "123", scale: 2) == 22)
        for digit in "0123456789" { #expect(BitmapFont.glyphs[digit] != nil) }
    }
}
