import Autograd

/// Where glimpses land relative to the digit: the check that a learned policy looks at it.
///
/// For every glimpse after the first (the first is not chosen by the policy) it adds up
///
/// ```
/// distance   |c_glimpse - c_digit|, in pixels, c_digit the digit's ink-weighted centre of mass
/// ink        1 if the finest patch covers a pixel of the digit at least 0.5 bright, else 0
/// ```
/// Measured the same way for uniformly random glimpses on the same images, it shows at a glance
/// whether the policy beats chance (a broken policy often does not).
public struct GlimpseDiagnostic: Sendable, Equatable, Codable {
    /// Summed distances for each glimpse index (index 0, the first glimpse, stays zero).
    public private(set) var distanceSums: [Double]
    /// Finest patches holding ink, for each glimpse index.
    public private(set) var inkCounts: [Int]
    /// Images recorded.
    public private(set) var imageCount = 0

    /// The pixel value from which a pixel counts as ink.
    public static let inkThreshold: Float = 0.5

    public init(glimpses: Int) {
        distanceSums = Array(repeating: 0, count: glimpses)
        inkCounts = Array(repeating: 0, count: glimpses)
    }

    /// Records one batch.
    /// - Parameters:
    ///   - locations: one `[batch * 2]` array of `(x, y)` per glimpse, as `Episode.locations`.
    ///   - targets: the digit alone on its canvas, `[batch, height, width]` row-major.
    ///   - sensor: the retina whose finest patch is checked for ink.
    public mutating func record(
        locations: [[Float]], targets: [Float], height: Int, width: Int,
        sensor: GlimpseSensor
    ) {
        let pixels = height * width
        require(
            locations.count == distanceSums.count,
            "GlimpseDiagnostic: \(locations.count) glimpses recorded, \(distanceSums.count) expected")
        require(
            pixels > 0 && targets.count % pixels == 0,
            "GlimpseDiagnostic: \(targets.count) target pixels for \(height)x\(width) images")
        let batch = targets.count / pixels
        for b in 0..<batch {
            let target = targets[(b * pixels)..<((b + 1) * pixels)]
            var mass = 0.0
            var rowSum = 0.0
            var columnSum = 0.0
            for (i, v) in zip(0..., target) where v > 0 {
                mass += Double(v)
                rowSum += Double(v) * (Double(i / width) + 0.5)
                columnSum += Double(v) * (Double(i % width) + 0.5)
            }
            let centreRow = mass > 0 ? rowSum / mass : Double(height) / 2
            let centreColumn = mass > 0 ? columnSum / mass : Double(width) / 2
            for t in 1..<locations.count {
                let x = locations[t][2 * b]
                let y = locations[t][2 * b + 1]
                // Pixel i spans [i, i + 1): the same continuous coordinates as the sensor's.
                let dx = (Double(x) + 1) / 2 * Double(width) - centreColumn
                let dy = (Double(y) + 1) / 2 * Double(height) - centreRow
                distanceSums[t] += (dx * dx + dy * dy).squareRoot()
                let w = sensor.window(x: x, y: y, scale: 0, height: height, width: width)
                if Self.holdsInk(target, window: w, height: height, width: width) { inkCounts[t] += 1 }
            }
        }
        imageCount += batch
    }

    private static func holdsInk(
        _ target: ArraySlice<Float>, window w: GlimpseSensor.Window, height: Int, width: Int
    ) -> Bool {
        let base = target.startIndex
        for r in max(w.row, 0)..<min(w.row + w.size, height) {
            for c in max(w.column, 0)..<min(w.column + w.size, width) where target[base + r * width + c] >= inkThreshold
            {
                return true
            }
        }
        return false
    }

    /// The mean distance in pixels of glimpse `t` (0-based) from the digit's centre.
    public func meanDistance(ofGlimpse t: Int) -> Double { distanceSums[t] / Double(max(imageCount, 1)) }

    /// The fraction of glimpse `t`'s finest patches that hold ink.
    public func inkFraction(ofGlimpse t: Int) -> Double { Double(inkCounts[t]) / Double(max(imageCount, 1)) }

    /// The mean distance over glimpses 2...T.
    public var meanDistance: Double {
        distanceSums.dropFirst().reduce(0, +) / Double(max(imageCount * (distanceSums.count - 1), 1))
    }

    /// The fraction of finest patches holding ink over glimpses 2...T.
    public var inkFraction: Double {
        Double(inkCounts.dropFirst().reduce(0, +)) / Double(max(imageCount * (inkCounts.count - 1), 1))
    }
}
