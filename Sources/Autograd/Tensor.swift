/// An n-dimensional array with value semantics: a shape and contiguous row-major scalars.
///
/// `Tensor` is what goes into and comes out of a tape: inputs, parameters, results and
/// gradients. Copies are cheap until one of them is mutated (copy-on-write storage).
public struct Tensor<Scalar: TensorScalar>: Sendable {
    /// The dimensions.
    public let shape: Shape
    /// The elements in row-major order; `scalars.count == shape.count`.
    public internal(set) var scalars: [Scalar]

    /// Creates a tensor from its elements in row-major order.
    public init(shape: Shape, scalars: [Scalar]) {
        require(
            scalars.count == shape.count,
            "Tensor: shape \(shape) needs \(shape.count) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape filled with `value`.
    public init(repeating value: Scalar, shape: Shape) {
        self.init(shape: shape, scalars: [Scalar](repeating: value, count: shape.count))
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: Shape) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// A rank-0 tensor holding one value.
    public init(_ value: Scalar) { self.init(shape: .scalar, scalars: [value]) }

    /// A rank-1 tensor of the given values.
    public init(_ values: [Scalar]) { self.init(shape: [values.count], scalars: values) }

    /// A tensor of the given shape with independent uniform draws in `range`.
    public static func uniform(
        _ shape: Shape, in range: ClosedRange<Scalar>,
        using generator: inout SeededGenerator
    ) -> Tensor {
        let scalars = [Scalar](unsafeUninitializedCapacity: shape.count) { out, initialized in
            Scalar.kernels.fillUniform(out, lower: range.lowerBound, upper: range.upperBound, using: &generator)
            initialized = shape.count
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// A tensor of the given shape with independent normal draws.
    public static func normal(
        _ shape: Shape, mean: Scalar = 0, standardDeviation: Scalar = 1,
        using generator: inout SeededGenerator
    ) -> Tensor {
        let scalars = [Scalar](unsafeUninitializedCapacity: shape.count) { out, initialized in
            Scalar.kernels.fillNormal(out, mean: mean, standardDeviation: standardDeviation, using: &generator)
            initialized = shape.count
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(to newShape: Shape) -> Tensor {
        require(
            newShape.count == shape.count,
            "Tensor.reshaped: cannot reshape \(shape) to \(newShape)")
        return Tensor(shape: newShape, scalars: scalars)
    }

    /// The element at a multi-dimensional index.
    public subscript(index: Int...) -> Scalar {
        get { scalars[offset(of: index)] }
        set { scalars[offset(of: index)] = newValue }
    }

    /// The single element of a tensor with one element.
    public var scalar: Scalar {
        require(shape.count == 1, "Tensor.scalar: tensor of shape \(shape) has \(shape.count) elements")
        return scalars[0]
    }

    private func offset(of index: [Int]) -> Int {
        require(index.count == shape.rank, "Tensor: index \(index) has the wrong rank for shape \(shape)")
        var offset = 0
        for (axis, i) in index.enumerated() {
            require(i >= 0 && i < shape[axis], "Tensor: index \(index) is out of bounds for shape \(shape)")
            offset = offset * shape[axis] + i
        }
        return offset
    }

    /// Converts the elements to another scalar type.
    public func converted<Other: TensorScalar>(to _: Other.Type) -> Tensor<Other> {
        Tensor<Other>(shape: shape, scalars: scalars.map { Other($0) })
    }

    /// Calls `body` with a pointer to the elements.
    @usableFromInline
    package func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with a mutable pointer to the elements.
    @usableFromInline
    package mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }
}

extension Tensor: Equatable {}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor\(shape)(\(preview)\(scalars.count > 8 ? ", ..." : ""))"
    }
}
