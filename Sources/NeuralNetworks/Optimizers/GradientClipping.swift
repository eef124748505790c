import Autograd

/// Rescales all gradients of `store` together so their global norm is at most `maxNorm`,
/// and returns the norm before clipping.
///
/// ```
/// norm = sqrt(sum over every gradient scalar of g^2)
/// g   *= maxNorm / (norm + 1e-6)       only when that factor is below 1
/// ```
/// As PyTorch's `clip_grad_norm_`: one norm over every parameter, so the update keeps its
/// direction. The sum runs in Double, so a million Float squares neither overflow nor lose
/// the small terms. When the norm is not finite the gradients are left untouched and the
/// infinite or NaN norm is returned, so the caller can skip the step.
///
/// - Precondition: `maxNorm > 0`.
/// - Complexity: two passes over the gradients (one when no clipping is needed).
@discardableResult
public func clipGradientNorm<Scalar: TensorScalar>(_ store: ParameterStore<Scalar>, maxNorm: Double) -> Double {
    require(maxNorm > 0, "clipGradientNorm: maxNorm must be positive, got \(maxNorm)")
    let count = store.count
    guard count > 0, let g = store.gradients.baseAddress else { return 0 }
    var norm = 0.0
    withSpecializedScalar(
        Scalar.self,
        float: { norm = squaredNorm(count, g.typed(as: Float.self)).squareRoot() },
        double: { norm = squaredNorm(count, g.typed(as: Double.self)).squareRoot() },
        generic: { norm = squaredNorm(count, g).squareRoot() })
    let factor = maxNorm / (norm + 1e-6)
    guard norm.isFinite, factor < 1 else { return norm }
    withSpecializedScalar(
        Scalar.self,
        float: { scale(count, g.typed(as: Float.self), by: factor) },
        double: { scale(count, g.typed(as: Double.self), by: factor) },
        generic: { scale(count, g, by: factor) })
    return norm
}

/// The sum of squares in Double, over four partial sums so the loop vectorises.
@inline(__always)
private func squaredNorm<T: TensorScalar>(_ count: Int, _ x: UnsafeMutablePointer<T>) -> Double {
    var s0 = 0.0
    var s1 = 0.0
    var s2 = 0.0
    var s3 = 0.0
    var i = 0
    while i + 4 <= count {
        let a = Double(x[i])
        let b = Double(x[i + 1])
        let c = Double(x[i + 2])
        let d = Double(x[i + 3])
        s0 += a * a
        s1 += b * b
        s2 += c * c
        s3 += d * d
        i += 4
    }
    while i < count {
        let a = Double(x[i])
        s0 += a * a
        i += 1
    }
    return (s0 + s1) + (s2 + s3)
}

@inline(__always)
private func scale<T: TensorScalar>(_ count: Int, _ x: UnsafeMutablePointer<T>, by factor: Double) {
    let f = T(factor)
    for i in 0..<count { x[i] *= f }
}
