import Testing

@testable import Imaging

@Suite struct APNGEncoderTests {
    let frames: [Image] = (0..<4).map { n in
        var image = Image(width: 12, height: 9, background: Color(gray: UInt8(n * 60)))
        image.fill(Rectangle(x: n * 2, y: 1, width: 3, height: 3), color: .red)
        return image
    }

    @Test func chunkOrderAndSequenceNumbers() {
        let chunks = PNGDecoder.chunks(APNGEncoder.encode(frames: frames, delayMilliseconds: [100], loopCount: 0))
        #expect(
            chunks.map(\.type) == [
                "IHDR", "acTL", "fcTL", "IDAT", "fcTL", "fdAT", "fcTL", "fdAT", "fcTL", "fdAT", "IEND",
            ])
        let actl = chunks[1].data
        #expect(PNGDecoder.uint32(actl, at: 0) == 4 && PNGDecoder.uint32(actl, at: 4) == 0)
        let sequence = chunks.filter { $0.type == "fcTL" || $0.type == "fdAT" }.map {
            PNGDecoder.uint32($0.data, at: 0)
        }
        #expect(sequence == Array(0..<7))
    }

    @Test func frameControlFields() {
        let chunks = PNGDecoder.chunks(APNGEncoder.encode(frames: frames, delayMilliseconds: [50, 60, 70, 80]))
        let controls = chunks.filter { $0.type == "fcTL" }.map(\.data)
        for (n, fctl) in controls.enumerated() {
            #expect(fctl.count == 26)
            #expect(PNGDecoder.uint32(fctl, at: 4) == 12 && PNGDecoder.uint32(fctl, at: 8) == 9)
            #expect(PNGDecoder.uint32(fctl, at: 12) == 0 && PNGDecoder.uint32(fctl, at: 16) == 0)
            #expect(Int(fctl[20]) << 8 | Int(fctl[21]) == 50 + 10 * n)
            #expect(Int(fctl[22]) << 8 | Int(fctl[23]) == 1000)
        }
    }

    @Test func everyFrameDecodesToItsPixels() {
        let chunks = PNGDecoder.chunks(APNGEncoder.encode(frames: frames, delayMilliseconds: [100]))
        let frameData = chunks.filter { $0.type == "IDAT" || $0.type == "fdAT" }
            .map { $0.type == "IDAT" ? $0.data : Array($0.data.dropFirst(4)) }
        #expect(frameData.count == frames.count)
        for (data, frame) in zip(frameData, frames) {
            let filtered = PNGDecoder.inflate(data, expectedSize: 9 * (12 * 3 + 1))
            #expect(PNGDecoder.unfilter(filtered, rowLength: 36, bytesPerPixel: 3) == frame.pixels)
        }
    }
}
