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

    /// Softmax along the last axis.
    @inlinable
    public func softmax() -> Variable { logSoftmax().exp() }
}
