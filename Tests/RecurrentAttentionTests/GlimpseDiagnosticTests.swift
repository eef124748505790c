import RecurrentAttention
import Testing

/// The policy diagnostic on cases worked by hand.
@Suite struct GlimpseDiagnosticTests {
    /// A 10x10 canvas, a 2x2 finest patch, three glimpses (the first is never counted).
    ///
    /// Image 0: one full pixel at row 2, column 7, so the centre of mass is (2.5, 7.5), which
    /// location (x, y) = (0.5, -0.5) hits exactly; the centre (0, 0) is at (5, 5), 3.5355 px away.
    /// Image 1: pixel (0, 0) at 1.0 and pixel (0, 2) at 0.25 (too dim to count as ink): the
    /// centre of mass is column (0.5 * 1 + 2.5 * 0.25) / 1.25 = 0.9, row 0.5.
    @Test func aHandWorkedBatch() {
        var targets = [Float](repeating: 0, count: 200)
        targets[2 * 10 + 7] = 1
        targets[100 + 0] = 1
        targets[100 + 2] = 0.25
        let locations: [[Float]] = [
            [0.9, 0.9, 0.9, 0.9],  // glimpse 1: ignored
            [0.5, -0.5, 0, 0],  // glimpse 2: on image 0's ink; image 1 at the centre
            [0, 0, -0.6, -0.9],  // glimpse 3: image 0 at the centre; image 1 at (2, 0.5)
        ]
        var d = GlimpseDiagnostic(glimpses: 3)
        d.record(
            locations: locations, targets: targets, height: 10, width: 10,
            sensor: GlimpseSensor(patchSize: 2, scales: 1))
        #expect(d.imageCount == 2)
        let image1AtCentre = ((5 - 0.9) * (5 - 0.9) + 4.5 * 4.5).squareRoot()  // 6.0877
        let image1AtGlimpse3 = ((2 - 0.9) * (2 - 0.9) + 0.0).squareRoot()  // 1.1
        #expect(abs(d.meanDistance(ofGlimpse: 1) - (0 + image1AtCentre) / 2) < 1e-6)
        #expect(abs(d.meanDistance(ofGlimpse: 2) - (50.0.squareRoot() / 2 + image1AtGlimpse3) / 2) < 1e-6)
        #expect(d.meanDistance(ofGlimpse: 0) == 0)
        // Glimpse 2 on image 0: rows 2-3, columns 7-8 hold the pixel. Glimpse 3 on image 1:
        // rows -1...0, columns 1...2 hold pixel (0, 2), but it is below 0.5, so no ink.
        #expect(d.inkFraction(ofGlimpse: 1) == 0.5 && d.inkFraction(ofGlimpse: 2) == 0)
        #expect(abs(d.meanDistance - (0 + image1AtCentre + 50.0.squareRoot() / 2 + image1AtGlimpse3) / 4) < 1e-6)
        #expect(d.inkFraction == 0.25)
    }
}
