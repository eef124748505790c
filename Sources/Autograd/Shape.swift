/// The dimensions of a tensor, stored inline so that recording an op never allocates.
///
/// Ranks 0 through 4 are supported, which covers everything RAM and its baselines need
/// (a convolution's weight is the deepest: output channels, input channels, height, width).
public struct Shape: Hashable, Sendable {
    /// The largest rank a shape can have.
    public static let maximumRank = 4

    @usableFromInline var dims: (Int32, Int32, Int32, Int32)
    /// The number of dimensions.
    public let rank: Int

    /// Creates a shape from its dimensions; each must be non-negative.
    @inlinable
    public init(_ dimensions: [Int]) {
        precondition(dimensions.count <= Shape.maximumRank,
                     "Shape: rank \(dimensions.count) exceeds the maximum rank \(Shape.maximumRank) (\(dimensions))")
        precondition(dimensions.allSatisfy { $0 >= 0 && $0 <= Int(Int32.max) },
                     "Shape: dimensions must be non-negative, got \(dimensions)")
        var dims: (Int32, Int32, Int32, Int32) = (1, 1, 1, 1)
        withUnsafeMutableBytes(of: &dims) { raw in
            let d = raw.bindMemory(to: Int32.self)
            for (i, n) in dimensions.enumerated() { d[i] = Int32(n) }
        }
        self.dims = dims
        self.rank = dimensions.count
    }

    /// The shape of a scalar: rank 0, one element.
    public static let scalar = Shape([])

    /// The size of dimension `axis`.
    @inlinable
    public subscript(axis: Int) -> Int {
        get {
            precondition(axis >= 0 && axis < rank, "Shape: axis \(axis) is out of range for \(self)")
            return withUnsafeBytes(of: dims) { Int($0.load(fromByteOffset: axis * 4, as: Int32.self)) }
        }
        set {
            precondition(axis >= 0 && axis < rank, "Shape: axis \(axis) is out of range for \(self)")
            withUnsafeMutableBytes(of: &dims) { $0.storeBytes(of: Int32(newValue), toByteOffset: axis * 4, as: Int32.self) }
        }
    }

    /// The dimensions as an array.
    public var dimensions: [Int] { (0..<rank).map { self[$0] } }

    /// The number of elements: the product of the dimensions (1 for a scalar).
    @inlinable
    public var count: Int {
        var n = 1
        for axis in 0..<rank { n *= self[axis] }
        return n
    }

    /// Row-major strides in elements.
    public var strides: [Int] {
        var strides = [Int](repeating: 1, count: rank)
        var step = 1
        for axis in (0..<rank).reversed() {
            strides[axis] = step
            step *= self[axis]
        }
        return strides
    }

    public static func == (lhs: Shape, rhs: Shape) -> Bool {
        guard lhs.rank == rhs.rank else { return false }
        for axis in 0..<lhs.rank where lhs[axis] != rhs[axis] { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rank)
        for axis in 0..<rank { hasher.combine(self[axis]) }
    }
}

extension Shape: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Int...) { self.init(elements) }
}

extension Shape: CustomStringConvertible {
    public var description: String { "[" + dimensions.map(String.init).joined(separator: ", ") + "]" }
}
