import CKernels

/// The element types a tensor can hold: `Float` for training, `Double` for gradient checks.
///
/// The toolkit computes with these two only: every op's kernels exist for `Float` and
/// `Double`, and a tape of any other conforming type stops at its first op with a message.
public protocol TensorScalar: BinaryFloatingPoint, Sendable where RawSignificand: FixedWidthInteger {
    /// The element's name in checkpoints (safetensors' dtype).
    static var dtypeName: String { get }
}

extension Float: TensorScalar {
    public static var dtypeName: String { "F32" }
}

extension Double: TensorScalar {
    public static var dtypeName: String { "F64" }
}

extension TensorScalar {
    /// The kernels that compute with this element type: `FloatKernels` or `DoubleKernels`.
    ///
    /// Chosen by comparing types, which the compiler folds away wherever the element type is
    /// known (every `@inlinable` op called on a `Tape<Float>`): the call then goes straight to
    /// the kernel, specialised for the element type. Generic code that is not specialised
    /// reaches the same specialised kernel through the conformance's witness table, so no
    /// inner loop ever runs generic (an unspecialised generic loop measured about 100 times
    /// slower).
    @inlinable @inline(__always)
    package static var kernels: any TensorKernels<Self>.Type {
        // The bit casts only restate the type just compared: `Self` is `Float` (or `Double`).
        if Self.self == Float.self {
            return unsafeBitCast(
                FloatKernels.self as any TensorKernels<Float>.Type, to: (any TensorKernels<Self>.Type).self)
        }
        if Self.self == Double.self {
            return unsafeBitCast(
                DoubleKernels.self as any TensorKernels<Double>.Type, to: (any TensorKernels<Self>.Type).self)
        }
        fatalError("Autograd computes with Float and Double only, not \(Self.self)")
    }
}

// The fills are kernel requirements, not generic code, so each element type runs them
// specialised: generic callers (a layer's initialiser) otherwise paid over a thousand
// instructions a draw.
extension TensorKernels {
    @inlinable
    package static func fillUniform(
        _ out: UnsafeMutableBufferPointer<Scalar>, lower: Scalar, upper: Scalar,
        using generator: inout SeededGenerator
    ) {
        for i in out.indices { out[i] = lower + (upper - lower) * generator.nextUniform(Scalar.self) }
    }

    @inlinable
    package static func fillNormal(
        _ out: UnsafeMutableBufferPointer<Scalar>, mean: Scalar, standardDeviation: Scalar,
        using generator: inout SeededGenerator
    ) {
        for i in out.indices { out[i] = mean + standardDeviation * Scalar(generator.nextNormal()) }
    }
}

/// Float kernels: matrix products and transcendental functions from the C kernels, the rest
/// from the generic implementations in `TensorKernels`, specialised for Float.
@usableFromInline
package enum FloatKernels: TensorKernels {
    @usableFromInline package typealias Scalar = Float

    @usableFromInline
    package static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        ck_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    @usableFromInline package static func vectorExp(
        _ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>
    ) { ck_vexp_f32(n, x, y) }
    @usableFromInline package static func vectorLog(
        _ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>
    ) { ck_vlog_f32(n, x, y) }
    @usableFromInline package static func vectorTanh(
        _ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>
    ) { ck_vtanh_f32(n, x, y) }
    @usableFromInline package static func vectorSigmoid(
        _ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>
    ) { ck_vsigmoid_f32(n, x, y) }
}

/// Double kernels, for gradient checks and references.
@usableFromInline
package enum DoubleKernels: TensorKernels {
    @usableFromInline package typealias Scalar = Double

    @usableFromInline
    package static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        ck_dgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    @usableFromInline package static func vectorExp(
        _ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>
    ) { ck_vexp_f64(n, x, y) }
    @usableFromInline package static func vectorLog(
        _ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>
    ) { ck_vlog_f64(n, x, y) }
    @usableFromInline package static func vectorTanh(
        _ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>
    ) { ck_vtanh_f64(n, x, y) }
    @usableFromInline package static func vectorSigmoid(
        _ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>
    ) { ck_vsigmoid_f64(n, x, y) }
}
