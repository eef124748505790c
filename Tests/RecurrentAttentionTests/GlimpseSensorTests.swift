import Autograd
import CKernels
import RecurrentAttention
import Testing

@Suite struct GlimpseSensorTests {
    /// The retina from its definition, one sample and one output pixel at a time.
    func naiveGlimpse(
        _ image: [Float], height: Int, width: Int, x: Float, y: Float,
        patch: Int, scales: Int
    ) -> [Float] {
        var out: [Float] = []
        for k in 0..<scales {
            let size = patch * (1 << k)
            let factor = 1 << k
            let centreColumn = (Double(x) + 1) / 2 * Double(width)
            let centreRow = (Double(y) + 1) / 2 * Double(height)
            let top = Int((centreRow - Double(size) / 2).rounded())
            let left = Int((centreColumn - Double(size) / 2).rounded())
            for i in 0..<patch {
                for j in 0..<patch {
                    var sum = 0.0
                    for a in 0..<factor {
                        for b in 0..<factor {
                            let (r, c) = (top + i * factor + a, left + j * factor + b)
                            if r >= 0 && r < height && c >= 0 && c < width { sum += Double(image[r * width + c]) }
                        }
                    }
                    out.append(Float(sum / Double(factor * factor)))
                }
            }
        }
        return out
    }

    /// The documented order of additions, in Float: each cell summed row by row, left to right,
    /// from zero, then scaled. The sensor must give exactly these bits (so results stay
    /// reproducible across implementations).
    func floatGlimpse(
        _ image: [Float], height: Int, width: Int, x: Float, y: Float,
        sensor: GlimpseSensor
    ) -> [Float] {
        var out: [Float] = []
        for k in 0..<sensor.scales {
            let w = sensor.window(x: x, y: y, scale: k, height: height, width: width)
            let factor = 1 << k
            for i in 0..<sensor.patchSize {
                for j in 0..<sensor.patchSize {
                    var sum: Float = 0
                    for r in (w.row + i * factor)..<(w.row + (i + 1) * factor) where r >= 0 && r < height {
                        for c in (w.column + j * factor)..<(w.column + (j + 1) * factor) where c >= 0 && c < width {
                            sum += image[r * width + c]
                        }
                    }
                    out.append(sensor.pooling == .average ? sum * (1 / Float(factor * factor)) : sum)
                }
            }
        }
        return out
    }

    @Test(arguments: [
        (8, 1, 28, GlimpseSensor.Pooling.average), (12, 3, 60, .average), (6, 3, 24, .average),
        (6, 3, 24, .sum),
    ])
    func theSumsAreAddedInTheDocumentedOrder(patch: Int, scales: Int, size: Int, pooling: GlimpseSensor.Pooling) {
        var generator = SeededGenerator(seed: UInt64(patch + scales))
        let batch = 7
        let images = (0..<(batch * size * size)).map { _ in generator.nextUniform(Float.self) }
        var locations = (0..<(batch * 2)).map { _ in generator.nextUniform(Float.self) * 2.4 - 1.2 }
        locations[0] = -1
        locations[1] = 1
        let sensor = GlimpseSensor(patchSize: patch, scales: scales, pooling: pooling)
        var out = [Float](repeating: .nan, count: batch * sensor.featureCount)
        sensor.extract(images: images, batch: batch, height: size, width: size, locations: locations, into: &out)
        for b in 0..<batch {
            let expected = floatGlimpse(
                Array(images[(b * size * size)..<((b + 1) * size * size)]), height: size,
                width: size, x: locations[2 * b], y: locations[2 * b + 1], sensor: sensor)
            #expect(Array(out[(b * sensor.featureCount)..<((b + 1) * sensor.featureCount)]) == expected)
        }
    }

    /// A batch large enough to be split over two threads: every sample still gets exactly
    /// the reference's numbers (the test sets the global thread count, which changes no
    /// result anywhere, so tests running beside it are unaffected).
    @Test func aBatchSplitOverTwoThreadsKeepsEverySamplesNumbers() {
        let (patch, scales, size, batch) = (12, 3, 60, 41)
        var generator = SeededGenerator(seed: 9)
        let images = (0..<(batch * size * size)).map { _ in generator.nextUniform(Float.self) }
        let locations = (0..<(batch * 2)).map { _ in generator.nextUniform(Float.self) * 2.4 - 1.2 }
        let sensor = GlimpseSensor(patchSize: patch, scales: scales)
        var out = [Float](repeating: .nan, count: batch * sensor.featureCount)
        ck_set_thread_count(2)
        defer { ck_set_thread_count(1) }
        sensor.extract(images: images, batch: batch, height: size, width: size, locations: locations, into: &out)
        for b in 0..<batch {
            let expected = floatGlimpse(
                Array(images[(b * size * size)..<((b + 1) * size * size)]), height: size,
                width: size, x: locations[2 * b], y: locations[2 * b + 1], sensor: sensor)
            #expect(Array(out[(b * sensor.featureCount)..<((b + 1) * sensor.featureCount)]) == expected, "sample \(b)")
        }
    }

    @Test func aHandWorkedGlimpse() {
        // A 4x4 image 0...15; centre location; 2x2 patches at 2 scales.
        let image = (0..<16).map(Float.init)
        let sensor = GlimpseSensor(patchSize: 2, scales: 2)
        var out = [Float](repeating: -1, count: sensor.featureCount)
        sensor.extract(images: image, batch: 1, height: 4, width: 4, locations: [0, 0], into: &out)
        // Scale 0: the middle 2x2 (5 6 / 9 10). Scale 1: the whole image in 2x2 blocks averaged.
        #expect(out == [5, 6, 9, 10, 2.5, 4.5, 10.5, 12.5])
    }

    @Test func bordersAreZeroPadded() {
        let image = [Float](repeating: 1, count: 16)
        let sensor = GlimpseSensor(patchSize: 2, scales: 1)
        var out = [Float](repeating: -1, count: 4)
        // The top-left corner: the 2x2 window is centred on pixel corner (0, 0).
        sensor.extract(images: image, batch: 1, height: 4, width: 4, locations: [-1, -1], into: &out)
        #expect(out == [0, 0, 0, 1])
    }

    @Test(arguments: [(8, 1, 28), (12, 3, 60), (12, 4, 100), (6, 3, 24)])
    func batchExtractionMatchesTheNaivePerSampleReference(patch: Int, scales: Int, size: Int) {
        var generator = SeededGenerator(seed: UInt64(patch * 100 + scales))
        let batch = 5
        let images = (0..<(batch * size * size)).map { _ in generator.nextUniform(Float.self) }
        // Locations everywhere, including the corners and beyond-centre values.
        var locations = (0..<(batch * 2)).map { _ in generator.nextUniform(Float.self) * 2 - 1 }
        locations[0] = -1
        locations[1] = 1
        locations[2] = 1
        locations[3] = 1
        let sensor = GlimpseSensor(patchSize: patch, scales: scales)
        var out = [Float](repeating: .nan, count: batch * sensor.featureCount)
        sensor.extract(images: images, batch: batch, height: size, width: size, locations: locations, into: &out)
        for b in 0..<batch {
            let expected = naiveGlimpse(
                Array(images[(b * size * size)..<((b + 1) * size * size)]), height: size, width: size,
                x: locations[2 * b], y: locations[2 * b + 1], patch: patch, scales: scales)
            let got = Array(out[(b * sensor.featureCount)..<((b + 1) * sensor.featureCount)])
            let worst = zip(got, expected).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-5, "sample \(b): largest difference \(worst)")
        }
    }
}
