import Autograd

/// A NaN or an infinity found in a model: which parameter, where, and the value.
public struct NonFiniteValue<Scalar: TensorScalar>: Sendable, Equatable, CustomStringConvertible {
    /// The parameter's name.
    public let name: String
    /// The element's position in the parameter, row-major.
    public let index: Int
    public let value: Scalar

    @usableFromInline init(name: String, index: Int, value: Scalar) {
        (self.name, self.index, self.value) = (name, index, value)
    }

    public var description: String { "\(name)[\(index)] = \(value)" }
}

extension ParameterStore {
    /// The first parameter value that is NaN or infinite, or nil when every value is finite.
    ///
    /// Training calls this every step to stop a diverging run before a bad number reaches a
    /// checkpoint; it reads each value once.
    @inlinable public func firstNonFiniteValue() -> NonFiniteValue<Scalar>? {
        firstNonFinite(in: UnsafeBufferPointer(values))
    }

    /// The first gradient element that is NaN or infinite, or nil when every one is finite.
    @inlinable public func firstNonFiniteGradient() -> NonFiniteValue<Scalar>? {
        firstNonFinite(in: UnsafeBufferPointer(gradients))
    }

    // Inlinable so the scan specialises for the caller's scalar type.
    @inlinable func firstNonFinite(in buffer: UnsafeBufferPointer<Scalar>) -> NonFiniteValue<Scalar>? {
        guard let position = firstNonFiniteIndex(in: buffer) else { return nil }
        let entry = entries.last { $0.offset <= position && $0.shape.count > 0 }!
        return NonFiniteValue(name: entry.name, index: position - entry.offset, value: buffer[position])
    }
}

/// The position of the first NaN or infinity in `buffer`. The fast path sums `x * 0`, which
/// is 0 for every finite `x` and NaN otherwise: one branch-free pass when all is well.
@inlinable func firstNonFiniteIndex<Scalar: TensorScalar>(in buffer: UnsafeBufferPointer<Scalar>) -> Int? {
    var probe: Scalar = 0
    for x in buffer { probe += x * 0 }
    guard !probe.isFinite else { return nil }
    return buffer.firstIndex { !$0.isFinite }
}
