import Autograd

#if arch(x86_64) && canImport(_Builtin_intrinsics)
import _Builtin_intrinsics.intel
#endif

/// The per-update constants of Adam, computed once in Double.
struct AdamCoefficients {
    var beta1, beta2, epsilon, weightDecay: Double
    /// `learningRate / (1 - beta1^t)`.
    var stepSize: Double
    /// `1 / sqrt(1 - beta2^t)`: a multiplication in the loop instead of a second division.
    var inverseRootCorrection: Double
}

/// The Adam loop over `count` scalars; called with a concrete `T` so it is specialised.
@inline(__always)
func adamStep<T: TensorScalar>(
    _ c: AdamCoefficients, _ count: Int,
    _ p: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
    _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>
) {
    // 1 - beta is taken in Double: in Float, 1 - Float(0.999) is off by 1.3e-5 relative.
    let b1 = T(c.beta1)
    let b2 = T(c.beta2)
    let a1 = T(1 - c.beta1)
    let a2 = T(1 - c.beta2)
    let stepSize = T(c.stepSize)
    let correction = T(c.inverseRootCorrection)
    let epsilon = T(c.epsilon)
    let decay = T(c.weightDecay)
    // Two loops rather than `g + 0 * p`, which would turn an infinite parameter into NaN.
    if decay == 0 {
        for i in 0..<count {
            let gi = g[i]
            let mi = b1 * m[i] + a1 * gi
            let vi = b2 * v[i] + a2 * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] -= stepSize * mi / (vi.squareRoot() * correction + epsilon)
        }
    } else {
        for i in 0..<count {
            let gi = g[i] + decay * p[i]
            let mi = b1 * m[i] + a1 * gi
            let vi = b2 * v[i] + a2 * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] -= stepSize * mi / (vi.squareRoot() * correction + epsilon)
        }
    }
}

/// The Adam loop for Float, four lanes at a time.
///
/// On Linux, Swift's `squareRoot()` calls the C library's `sqrtf` (which may set `errno`),
/// so LLVM cannot vectorise a loop containing it and each element pays a scalar square root
/// and division. SSE's `sqrtps` is part of every x86-64 CPU and is correctly rounded like the
/// scalar root; with lane-wise `+`, `*` and `/` in the same order as `adamStep`, both loops
/// give bit-identical results.
@inline(__always)
func adamStepFloat(
    _ c: AdamCoefficients, _ count: Int,
    _ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>,
    _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>
) {
    #if arch(x86_64) && canImport(_Builtin_intrinsics)
    typealias Lanes = SIMD4<Float>
    let b1 = Lanes(repeating: Float(c.beta1))
    let b2 = Lanes(repeating: Float(c.beta2))
    let a1 = Lanes(repeating: Float(1 - c.beta1))
    let a2 = Lanes(repeating: Float(1 - c.beta2))
    let stepSize = Lanes(repeating: Float(c.stepSize))
    let correction = Lanes(repeating: Float(c.inverseRootCorrection))
    let epsilon = Lanes(repeating: Float(c.epsilon))
    let decay = Lanes(repeating: Float(c.weightDecay))
    let pr = UnsafeMutableRawPointer(p)
    let gr = UnsafeMutableRawPointer(g)
    let mr = UnsafeMutableRawPointer(m)
    let vr = UnsafeMutableRawPointer(v)
    let vectorCount = count & ~3
    @inline(__always) func run(decayed: Bool) {
        var offset = 0
        let end = vectorCount * MemoryLayout<Float>.stride
        while offset < end {
            let pi = pr.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
            var gi = gr.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
            if decayed { gi = gi + decay * pi }
            let mi = b1 * mr.loadUnaligned(fromByteOffset: offset, as: Lanes.self) + a1 * gi
            let vi = b2 * vr.loadUnaligned(fromByteOffset: offset, as: Lanes.self) + a2 * gi * gi
            mr.storeBytes(of: mi, toByteOffset: offset, as: Lanes.self)
            vr.storeBytes(of: vi, toByteOffset: offset, as: Lanes.self)
            let denominator = _mm_sqrt_ps(vi) * correction + epsilon
            pr.storeBytes(of: pi - stepSize * mi / denominator, toByteOffset: offset, as: Lanes.self)
            offset += Lanes.scalarCount * MemoryLayout<Float>.stride
        }
    }
    if c.weightDecay == 0 { run(decayed: false) } else { run(decayed: true) }
    adamStep(c, count - vectorCount, p + vectorCount, g + vectorCount, m + vectorCount, v + vectorCount)
    #else
    adamStep(c, count, p, g, m, v)
    #endif
}
