// Ops built from the registered primitives: they need no gradient code of their own.

extension Variable {
    /// The mean over the given axes, which are removed from the shape.
    @inlinable
    public func mean(alongAxes axes: [Int]) -> Variable {
        let count = axes.reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes) * (1 / Scalar(count))
    }

    /// The mean of every element: a scalar.
    @inlinable
    public func mean() -> Variable { sum() * (1 / Scalar(shape.count)) }

    /// This variable broadcast to `shape`, like numpy: a sum with zeros of that shape (the
    /// adjoint, summing back, comes with the sum's VJP).
    @inlinable
    public func broadcasted(to target: Shape) -> Variable {
        if shape == target { return self }
        require(
            Shape.broadcast(shape, target) == target, "broadcasted(to:): shape \(shape) does not broadcast to \(target)"
        )
        return self + tape.constant(0, shape: target)
    }

    /// Softmax along the last axis.
    @inlinable
    public func softmax() -> Variable { logSoftmax().exp() }
}
