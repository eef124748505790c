import Autograd

/// The retina of RAM (Mnih et al. 2014): `scales` square patches centred on one location,
/// the first `patchSize` wide and each next one twice as wide as the last, every patch
/// shrunk to `patchSize` x `patchSize` by averaging (or summing) and the results concatenated.
///
/// Locations are `(x, y)` in [-1, 1]^2: `(0, 0)` is the image centre, `(-1, -1)` its top-left
/// corner, `x` runs along columns and `y` along rows. Pixels outside the image read as zero.
/// The whole batch is extracted in one call, from raw buffers, with no allocation.
public struct GlimpseSensor: Sendable, Equatable {
    public let patchSize: Int
    public let scales: Int
    public let pooling: Pooling

    /// How a coarse patch's blocks of pixels become one value.
    public enum Pooling: Sendable {
        /// The mean, as the paper shrinks patches: images keep their intensity range.
        case average
        /// The sum: on an almost empty screen (Catch's one-pixel ball) a lit pixel reads 1 at
        /// every scale instead of fading to 1/4^scale.
        case sum
    }

    public init(patchSize: Int, scales: Int, pooling: Pooling = .average) {
        require(
            patchSize >= 1 && scales >= 1,
            "GlimpseSensor: patch size \(patchSize) and scales \(scales) must be positive")
        self.patchSize = patchSize
        self.scales = scales
        self.pooling = pooling
    }

    /// Features per location: `scales * patchSize^2`.
    public var featureCount: Int { scales * patchSize * patchSize }

    /// The square a scale covers, in pixels: top-left corner and side.
    public struct Window: Equatable, Sendable {
        public let row: Int, column: Int, size: Int
    }

    /// The window of `scale` (0 = finest) around location `(x, y)` in an image of the given size.
    public func window(x: Float, y: Float, scale: Int, height: Int, width: Int) -> Window {
        let size = patchSize << scale
        // The centre in continuous pixel coordinates, where pixel i spans [i, i + 1). A location
        // past +-1e6 is as far off the image as any; NaN looks at the centre. Neither traps: a
        // diverged model is caught by training's finite checks, not by a crash in here.
        func bounded(_ l: Float) -> Float { l.isNaN ? 0 : min(max(l, -1e6), 1e6) }
        let centreX = (bounded(x) + 1) / 2 * Float(width)
        let centreY = (bounded(y) + 1) / 2 * Float(height)
        return Window(
            row: Int((centreY - Float(size) / 2).rounded(.toNearestOrAwayFromZero)),
            column: Int((centreX - Float(size) / 2).rounded(.toNearestOrAwayFromZero)),
            size: size)
    }

    /// Extracts the glimpses of a batch.
    /// - Parameters:
    ///   - images: `[batch, height, width]`, row-major.
    ///   - locations: `[batch, 2]` as `(x, y)` pairs.
    ///   - glimpses: room for `[batch, featureCount]`: for each sample, scale 0's patch, then scale 1's, ...
    ///
    /// Large batches are split over the kernels' threads (`KernelSettings.threadCount`); every
    /// sample's numbers are the same either way.
    public func extract(
        images: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
        locations: UnsafePointer<Float>, into glimpses: UnsafeMutablePointer<Float>
    ) {
        // A slice of at least ~16k pixels read, so a slice outweighs the hand-off to a thread.
        let pixelsPerSample = patchSize * patchSize * ((1 << (2 * scales)) - 1) / 3
        forEachSlice(of: batch, minimumSlice: max(1, 16_384 / pixelsPerSample)) { samples in
            extractSerially(
                images: images + samples.lowerBound * height * width, batch: samples.count,
                height: height, width: width, locations: locations + 2 * samples.lowerBound,
                into: glimpses + samples.lowerBound * featureCount)
        }
    }

    private func extractSerially(
        images: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
        locations: UnsafePointer<Float>, into glimpses: UnsafeMutablePointer<Float>
    ) {
        let g = patchSize
        // Cells are summed a row of the window at a time, every cell of the row in one pass,
        // with each cell's columns clipped once per scale: the same additions in the same
        // order (row by row, left to right within a cell) as summing cell by cell, but the
        // per-cell bookkeeping no longer dominates (3x faster on 60x60 with 3 scales).
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * g) { columns in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: g) { sums in
                for b in 0..<batch {
                    let image = images + b * height * width
                    var out = glimpses + b * featureCount
                    if b + 1 < batch {  // the next sample's largest window, which holds the others
                        let next = window(
                            x: locations[2 * b + 2], y: locations[2 * b + 3], scale: scales - 1,
                            height: height, width: width)
                        prefetchWindow(
                            image + height * width, height: height, width: width, row: next.row, column: next.column,
                            size: next.size)
                    }
                    for scale in 0..<scales {
                        let w = window(
                            x: locations[2 * b], y: locations[2 * b + 1], scale: scale, height: height, width: width)
                        let factor = 1 << scale
                        let norm = pooling == .average ? 1 / Float(factor * factor) : 1
                        for j in 0..<g {  // cell j's columns, clipped to the image (empty when outside it)
                            let left = w.column + j * factor
                            columns[2 * j] = max(left, 0)
                            columns[2 * j + 1] = min(left + factor, width)
                        }
                        for i in 0..<g {
                            for j in 0..<g { sums[j] = 0 }
                            let top = w.row + i * factor
                            var r = max(top, 0)
                            while r < min(top + factor, height) {
                                let line = image + r * width
                                for j in 0..<g {
                                    var sum = sums[j]
                                    var c = columns[2 * j]
                                    while c < columns[2 * j + 1] {
                                        sum += line[c]
                                        c += 1
                                    }
                                    sums[j] = sum
                                }
                                r += 1
                            }
                            for j in 0..<g { out[i * g + j] = sums[j] * norm }
                        }
                        out += g * g
                    }
                }
            }
        }
    }
}
