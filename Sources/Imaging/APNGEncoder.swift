/// Encodes a sequence of equally sized images as an animated PNG (APNG) that browsers play.
///
/// Layout: IHDR, acTL (frame count, loop count), then per frame an fcTL (frame control)
/// followed by its data: IDAT for the first frame, so viewers without APNG support show
/// it as a still image, and fdAT (a sequence number plus IDAT-style data) for the rest.
/// fcTL and fdAT share one sequence counter, starting at 0.
public enum APNGEncoder {
    /// An APNG file showing `frames` in order, each for `delayMilliseconds` (per frame,
    /// or one value for all), repeating `loopCount` times (0: forever).
    public static func encode(frames: [Image], delayMilliseconds: [Int], loopCount: Int = 0) -> [UInt8] {
        precondition(!frames.isEmpty, "APNG: needs at least one frame")
        precondition(
            delayMilliseconds.count == 1 || delayMilliseconds.count == frames.count,
            "APNG: give one delay or one per frame (\(frames.count)), got \(delayMilliseconds.count)")
        precondition(
            delayMilliseconds.allSatisfy { (0...65_535).contains($0) },
            "APNG: delays must be 0...65535 ms, got \(delayMilliseconds)")
        let width = frames[0].width
        let height = frames[0].height
        precondition(
            frames.allSatisfy { $0.width == width && $0.height == height },
            "APNG: all frames must be \(width)x\(height)")

        var png = PNGChunkWriter()
        png.append("IHDR", PNGEncoder.header(width: width, height: height, colorType: .rgb))
        var animationControl = [UInt8]()
        animationControl.appendBigEndian(UInt32(frames.count))
        animationControl.appendBigEndian(UInt32(loopCount))
        png.append("acTL", animationControl)

        var sequence: UInt32 = 0
        for (index, frame) in frames.enumerated() {
            let delay = delayMilliseconds.count == 1 ? delayMilliseconds[0] : delayMilliseconds[index]
            png.append("fcTL", frameControl(sequence: sequence, width: width, height: height, delayMilliseconds: delay))
            sequence += 1
            let data = PNGEncoder.imageData(width: width, height: height, colorType: .rgb, pixels: frame.pixels)
            if index == 0 {
                png.append("IDAT", data)
            } else {
                var frameData = [UInt8]()
                frameData.reserveCapacity(data.count + 4)
                frameData.appendBigEndian(sequence)
                frameData += data
                png.append("fdAT", frameData)
                sequence += 1
            }
        }
        png.append("IEND", [])
        return png.bytes
    }

    /// Writes the animation to `path`.
    public static func write(
        frames: [Image], delayMilliseconds: [Int], loopCount: Int = 0,
        to path: String
    ) throws(ImagingError) {
        try FileWriter.write(
            encode(frames: frames, delayMilliseconds: delayMilliseconds, loopCount: loopCount), to: path)
    }

    /// The 26 bytes of fcTL for a full-canvas frame that replaces the previous one.
    static func frameControl(sequence: UInt32, width: Int, height: Int, delayMilliseconds: Int) -> [UInt8] {
        var data = [UInt8]()
        data.appendBigEndian(sequence)
        data.appendBigEndian(UInt32(width))
        data.appendBigEndian(UInt32(height))
        data.appendBigEndian(UInt32(0))  // x offset
        data.appendBigEndian(UInt32(0))  // y offset
        data.appendBigEndian(UInt16(delayMilliseconds))
        data.appendBigEndian(UInt16(1000))  // delay denominator: milliseconds
        data += [0, 0]  // dispose: none; blend: source (each frame covers the whole canvas)
        return data
    }
}
