/// The dimensions of a tensor, stored inline so that recording an op never allocates.
///
/// Ranks 0 through 4 are supported, which covers everything RAM and its baselines need
/// (a convolution's weight is the deepest: output channels, input channels, height, width).
/// The dimensions are kept right-aligned in four slots with leading ones, which is exactly
/// the rank-4 view every kernel iterates over, so kernels get it for free.
public struct Shape: Sendable {
    /// The largest rank a shape can have.
    public static let maximumRank = 4

    /// The dimensions, right-aligned, with ones in the leading unused slots.
    @usableFromInline var padded: Index4
    /// The number of dimensions.
    public let rank: Int

    /// Creates a shape from its dimensions; each must be non-negative.
    public init(_ dimensions: [Int]) {
        require(
            dimensions.count <= Shape.maximumRank,
            "Shape: rank \(dimensions.count) exceeds the maximum rank \(Shape.maximumRank) (\(dimensions))")
        require(dimensions.allSatisfy { $0 >= 0 }, "Shape: dimensions must be non-negative, got \(dimensions)")
        var padded = Index4(1, 1, 1, 1)
        let offset = Shape.maximumRank - dimensions.count
        for (i, n) in dimensions.enumerated() { padded[offset + i] = n }
        self.padded = padded
        self.rank = dimensions.count
    }

    /// A `[rows, columns]` matrix shape, built without the array an array literal makes.
    @inlinable
    public init(rows: Int, columns: Int) {
        require(rows >= 0 && columns >= 0, "Shape: dimensions must be non-negative, got [\(rows), \(columns)]")
        padded = Index4(1, 1, rows, columns)
        rank = 2
    }

    /// A shape from its padded slots; no checks (the callers derive it from valid shapes).
    @inlinable
    init(padded: Index4, rank: Int) {
        self.padded = padded
        self.rank = rank
    }

    /// This shape with the axes in `mask` (bit i for axis i) removed, or kept as 1s when
    /// `keepingRank`: the shape of a sum along those axes, built without an array.
    @inlinable
    func reducing(_ mask: UInt8, keepingRank: Bool) -> Shape {
        var padded = Index4(1, 1, 1, 1)
        var slot = Shape.maximumRank - 1
        var kept = 0
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            let reduced = mask & (1 << axis) != 0
            if reduced && !keepingRank { continue }
            padded[slot] = reduced ? 1 : self[axis]
            slot -= 1
            kept += 1
        }
        return Shape(padded: padded, rank: kept)
    }

    /// The shape of a scalar: rank 0, one element.
    public static let scalar = Shape([])

    /// The size of dimension `axis`.
    @inlinable
    public subscript(axis: Int) -> Int {
        get {
            require(axis >= 0 && axis < rank, "Shape: axis \(axis) is out of range for \(self)")
            return padded[Shape.maximumRank - rank + axis]
        }
        set {
            require(axis >= 0 && axis < rank, "Shape: axis \(axis) is out of range for \(self)")
            padded[Shape.maximumRank - rank + axis] = newValue
        }
    }

    /// The dimensions as an array.
    public var dimensions: [Int] { (0..<rank).map { self[$0] } }

    /// The number of elements: the product of the dimensions (1 for a scalar).
    @inlinable
    public var count: Int { padded.product }

    /// Row-major strides in elements.
    public var strides: [Int] {
        let s = strides4
        return (0..<rank).map { s[Shape.maximumRank - rank + $0] }
    }
}

extension Shape: Hashable {
    public static func == (lhs: Shape, rhs: Shape) -> Bool { lhs.rank == rhs.rank && lhs.padded == rhs.padded }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rank)
        for axis in 0..<Shape.maximumRank { hasher.combine(padded[axis]) }
    }
}

extension Shape: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Int...) { self.init(elements) }
}

extension Shape: CustomStringConvertible {
    public var description: String { "[" + dimensions.map(String.init).joined(separator: ", ") + "]" }
}
