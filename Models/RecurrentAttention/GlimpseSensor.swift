import Autograd

/// The retina of RAM (Mnih et al. 2014): `scales` square patches centred on one location,
/// the first `patchSize` wide and each next one twice as wide as the last, every patch
/// shrunk to `patchSize` x `patchSize` by averaging and the results concatenated.
///
/// Locations are `(x, y)` in [-1, 1]^2: `(0, 0)` is the image centre, `(-1, -1)` its top-left
/// corner, `x` runs along columns and `y` along rows. Pixels outside the image read as zero.
/// The whole batch is extracted in one call, from raw buffers, with no allocation.
public struct GlimpseSensor: Sendable, Equatable {
    public let patchSize: Int
    public let scales: Int

    public init(patchSize: Int, scales: Int) {
        require(patchSize >= 1 && scales >= 1, "GlimpseSensor: patch size \(patchSize) and scales \(scales) must be positive")
        self.patchSize = patchSize
        self.scales = scales
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
        // The centre in continuous pixel coordinates, where pixel i spans [i, i + 1).
        let centreX = (x + 1) / 2 * Float(width), centreY = (y + 1) / 2 * Float(height)
        return Window(row: Int((centreY - Float(size) / 2).rounded(.toNearestOrAwayFromZero)),
                      column: Int((centreX - Float(size) / 2).rounded(.toNearestOrAwayFromZero)),
                      size: size)
    }

    /// Extracts the glimpses of a batch.
    /// - Parameters:
    ///   - images: `[batch, height, width]`, row-major.
    ///   - locations: `[batch, 2]` as `(x, y)` pairs.
    ///   - glimpses: room for `[batch, featureCount]`: for each sample, scale 0's patch, then scale 1's, ...
    public func extract(images: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                        locations: UnsafePointer<Float>, into glimpses: UnsafeMutablePointer<Float>) {
        let g = patchSize
        for b in 0..<batch {
            let image = images + b * height * width
            var out = glimpses + b * featureCount
            for scale in 0..<scales {
                let w = window(x: locations[2 * b], y: locations[2 * b + 1], scale: scale, height: height, width: width)
                let factor = 1 << scale
                let norm = 1 / Float(factor * factor)
                for i in 0..<g {
                    // The block's rows and columns clipped to the image; empty when outside it.
                    let top = w.row + i * factor
                    let (rowStart, rowEnd) = (max(top, 0), min(top + factor, height))
                    for j in 0..<g {
                        let left = w.column + j * factor
                        let (columnStart, columnEnd) = (max(left, 0), min(left + factor, width))
                        var sum: Float = 0
                        var r = rowStart
                        while r < rowEnd {
                            let line = image + r * width
                            var c = columnStart
                            while c < columnEnd { sum += line[c]; c += 1 }
                            r += 1
                        }
                        out[i * g + j] = sum * norm
                    }
                }
                out += g * g
            }
        }
    }
}
