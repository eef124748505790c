import CKernels

/// The element types a tensor can hold: `Float` for training, `Double` for gradient checks.
public protocol TensorScalar: BinaryFloatingPoint, Sendable where RawSignificand: FixedWidthInteger {
    /// The kernels that compute with this element type.
    associatedtype Kernels: TensorKernels where Kernels.Scalar == Self
    /// The element's name in checkpoints (safetensors' dtype).
    static var dtypeName: String { get }
    /// Fills `out` with `lower + (upper - lower) * u`, `u` uniform in [0, 1), in order.
    static func fillUniform(_ out: UnsafeMutableBufferPointer<Self>, lower: Self, upper: Self,
                            using generator: inout SeededGenerator)
    /// Fills `out` with `mean + standardDeviation * z`, `z` standard normal, in order.
    static func fillNormal(_ out: UnsafeMutableBufferPointer<Self>, mean: Self, standardDeviation: Self,
                           using generator: inout SeededGenerator)
}

// The fills are requirements, not generic code, so each conformance runs them specialised:
// generic callers (a layer's initialiser) otherwise paid over a thousand instructions a draw.
extension TensorScalar {
    @inlinable
    static func drawUniform(_ out: UnsafeMutableBufferPointer<Self>, lower: Self, upper: Self,
                            using generator: inout SeededGenerator) {
        for i in out.indices { out[i] = lower + (upper - lower) * generator.nextUniform(Self.self) }
    }

    @inlinable
    static func drawNormal(_ out: UnsafeMutableBufferPointer<Self>, mean: Self, standardDeviation: Self,
                           using generator: inout SeededGenerator) {
        for i in out.indices { out[i] = mean + standardDeviation * Self(generator.nextNormal()) }
    }
}

extension Float: TensorScalar {
    public typealias Kernels = FloatKernels
    public static var dtypeName: String { "F32" }
    public static func fillUniform(_ out: UnsafeMutableBufferPointer<Float>, lower: Float, upper: Float,
                                   using generator: inout SeededGenerator) {
        drawUniform(out, lower: lower, upper: upper, using: &generator)
    }
    public static func fillNormal(_ out: UnsafeMutableBufferPointer<Float>, mean: Float, standardDeviation: Float,
                                  using generator: inout SeededGenerator) {
        drawNormal(out, mean: mean, standardDeviation: standardDeviation, using: &generator)
    }
}

extension Double: TensorScalar {
    public typealias Kernels = DoubleKernels
    public static var dtypeName: String { "F64" }
    public static func fillUniform(_ out: UnsafeMutableBufferPointer<Double>, lower: Double, upper: Double,
                                   using generator: inout SeededGenerator) {
        drawUniform(out, lower: lower, upper: upper, using: &generator)
    }
    public static func fillNormal(_ out: UnsafeMutableBufferPointer<Double>, mean: Double, standardDeviation: Double,
                                  using generator: inout SeededGenerator) {
        drawNormal(out, mean: mean, standardDeviation: standardDeviation, using: &generator)
    }
}

/// Float kernels: matrix products and transcendental functions from the C kernels, the rest
/// from the generic implementations in `TensorKernels`, specialised for Float.
public enum FloatKernels: TensorKernels {
    public typealias Scalar = Float

    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                            alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        ck_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    public static func vectorExp(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) { ck_vexp_f32(n, x, y) }
    public static func vectorLog(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) { ck_vlog_f32(n, x, y) }
    public static func vectorTanh(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) { ck_vtanh_f32(n, x, y) }
    public static func vectorSigmoid(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) { ck_vsigmoid_f32(n, x, y) }
}

/// Double kernels, for gradient checks and references.
public enum DoubleKernels: TensorKernels {
    public typealias Scalar = Double

    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                            alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        ck_dgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    public static func vectorExp(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) { ck_vexp_f64(n, x, y) }
    public static func vectorLog(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) { ck_vlog_f64(n, x, y) }
    public static func vectorTanh(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) { ck_vtanh_f64(n, x, y) }
    public static func vectorSigmoid(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) { ck_vsigmoid_f64(n, x, y) }
}
