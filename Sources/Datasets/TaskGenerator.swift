import Autograd

/// Turns stored byte images into the images of a task: placed on a canvas, with clutter.
///
/// Every random choice for sample `i` in epoch `e` comes from a generator derived from
/// `(seed, e, i)`, so any sample can be made again, in any order, with no stored state.
/// Training sets get new placements each epoch; fixed sets (validation, test) ignore the
/// epoch, so they are the same on every run with the same seed.
///
/// Cluttered images follow DeepMind's mnist-cluttered: the distractors are added first,
/// then the target digit, and the sum is clipped to [0, 1].
public struct TaskGenerator: Sendable {
    /// The images placed on the canvases.
    public let source: LabeledImages
    /// The task: which canvas, if any.
    public let task: DatasetTask
    /// The seed all placements derive from.
    public let seed: UInt64
    /// Whether placements stay the same every epoch (validation and test sets).
    public let isFixed: Bool

    /// Rows of a generated image.
    public var height: Int { task.layout?.size ?? source.height }
    /// Columns of a generated image.
    public var width: Int { task.layout?.size ?? source.width }
    /// The number of samples: one per source image.
    public var count: Int { source.count }

    public init(source: LabeledImages, task: DatasetTask, seed: UInt64, isFixed: Bool) {
        if let layout = task.layout {
            require(
                layout.size >= source.height && layout.size >= source.width,
                "TaskGenerator: a \(layout.size)x\(layout.size) canvas cannot hold \(source.height)x\(source.width) "
                    + "images"
            )
            require(
                layout.distractorCount == 0 || layout.distractorSize <= min(source.height, source.width),
                "TaskGenerator: \(layout.distractorSize)-pixel distractors do not fit in "
                    + "\(source.height)x\(source.width) images"
            )
        }
        self.source = source
        self.task = task
        self.seed = seed
        self.isFixed = isFixed
    }

    /// Where sample `index` goes in `epoch`; `nil` for tasks without a canvas.
    public func placement(of index: Int, epoch: Int) -> Placement? {
        guard let layout = task.layout else { return nil }
        let effectiveEpoch = isFixed ? 0 : epoch
        var generator = SeededGenerator(seed: seed).derived(UInt64(effectiveEpoch)).derived(UInt64(index))
        let row = generator.nextIndex(below: layout.size - source.height + 1)
        let column = generator.nextIndex(below: layout.size - source.width + 1)
        var distractors: [Placement.Distractor] = []
        distractors.reserveCapacity(layout.distractorCount)
        for _ in 0..<layout.distractorCount {
            // Any image but the target: draw from count - 1 and skip over the target's index.
            var other = source.count > 1 ? generator.nextIndex(below: source.count - 1) : index
            if source.count > 1 && other >= index { other += 1 }
            distractors.append(
                Placement.Distractor(
                    sourceIndex: other,
                    cropRow: generator.nextIndex(below: source.height - layout.distractorSize + 1),
                    cropColumn: generator.nextIndex(below: source.width - layout.distractorSize + 1),
                    row: generator.nextIndex(below: layout.size - layout.distractorSize + 1),
                    column: generator.nextIndex(below: layout.size - layout.distractorSize + 1)))
        }
        return Placement(row: row, column: column, distractors: distractors)
    }

    /// Writes sample `index` of `epoch` as `height * width` floats in [0, 1] to `destination`.
    public func render(_ index: Int, epoch: Int, into destination: UnsafeMutablePointer<Float>) {
        let table = ByteToUnit.table
        source.pixels.withUnsafeBufferPointer { pixels in
            let sourceWidth = source.width
            let imageSize = source.pixelsPerImage
            guard let layout = task.layout, let placement = placement(of: index, epoch: epoch) else {
                let image = pixels.baseAddress! + index * imageSize
                for i in 0..<imageSize { destination[i] = table[Int(image[i])] }
                return
            }
            let size = layout.size
            destination.update(repeating: 0, count: size * size)
            for d in placement.distractors {
                let image = pixels.baseAddress! + d.sourceIndex * imageSize
                for r in 0..<layout.distractorSize {
                    let from = image + (d.cropRow + r) * sourceWidth + d.cropColumn
                    let to = destination + (d.row + r) * size + d.column
                    for c in 0..<layout.distractorSize { to[c] = min(to[c] + table[Int(from[c])], 1) }
                }
            }
            let image = pixels.baseAddress! + index * imageSize
            for r in 0..<source.height {
                let from = image + r * sourceWidth
                let to = destination + (placement.row + r) * size + placement.column
                for c in 0..<sourceWidth { to[c] = min(to[c] + table[Int(from[c])], 1) }
            }
        }
    }

    /// The target digit of sample `index` alone on its canvas (no distractors), `height * width`
    /// floats in [0, 1]: where the digit's ink is, for measuring where a model looks.
    public func targetImage(_ index: Int, epoch: Int) -> [Float] {
        let table = ByteToUnit.table
        let (row, column) = placement(of: index, epoch: epoch).map { ($0.row, $0.column) } ?? (0, 0)
        var target = [Float](repeating: 0, count: height * width)
        for r in 0..<source.height {
            for c in 0..<source.width {
                target[(row + r) * width + column + c] =
                    table[Int(source.pixels[index * source.pixelsPerImage + r * source.width + c])]
            }
        }
        return target
    }

    /// Sample `index` of `epoch` as a `height * width` array of floats in [0, 1].
    public func image(_ index: Int, epoch: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: height * width) { buffer, initialized in
            render(index, epoch: epoch, into: buffer.baseAddress!)
            initialized = height * width
        }
    }
}

/// Byte intensities as floats in [0, 1]: exact quotients, so 255 becomes exactly 1.
enum ByteToUnit {
    static let table: [Float] = (0...255).map { Float($0) / 255 }
}
