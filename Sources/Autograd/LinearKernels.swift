import CKernels

/// One matrix product for `TensorKernels.gemm(_:)`: `c = alpha op(a) op(b) + beta c`,
/// row-major, with `gemm(transposeA:...)`'s meaning for every field.
@usableFromInline
package struct GemmProduct<Scalar: TensorScalar> {
    @usableFromInline package var transposeA: Bool, transposeB: Bool
    @usableFromInline package var m: Int, n: Int, k: Int
    @usableFromInline package var alpha: Scalar
    @usableFromInline package var a: UnsafePointer<Scalar>, lda: Int
    @usableFromInline package var b: UnsafePointer<Scalar>, ldb: Int
    @usableFromInline package var beta: Scalar
    @usableFromInline package var c: UnsafeMutablePointer<Scalar>, ldc: Int

    @inlinable
    package init(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Scalar = 1,
        a: UnsafePointer<Scalar>, lda: Int, b: UnsafePointer<Scalar>, ldb: Int, beta: Scalar,
        c: UnsafeMutablePointer<Scalar>, ldc: Int
    ) {
        (self.transposeA, self.transposeB, self.m, self.n, self.k) = (transposeA, transposeB, m, n, k)
        (self.alpha, self.a, self.lda, self.b, self.ldb) = (alpha, a, lda, b, ldb)
        (self.beta, self.c, self.ldc) = (beta, c, ldc)
    }
}

// The fused linear op's kernels, generic and specialised per element type like the others.
extension TensorKernels {
    /// In turn; the Float and Double kernels override this with the C kernels' parallel version.
    @inlinable
    package static func gemm(_ products: UnsafeBufferPointer<GemmProduct<Scalar>>) {
        for p in products {
            gemm(
                transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k, alpha: p.alpha,
                a: p.a, lda: p.lda, b: p.b, ldb: p.ldb, beta: p.beta, c: p.c, ldc: p.ldc)
        }
    }

    @inlinable
    package static func linearEpilogue(
        rows: Int, columns n: Int, activation: Activation,
        out: UnsafeMutablePointer<Scalar>, bias: UnsafePointer<Scalar>?,
        second: UnsafePointer<Scalar>?, secondBias: UnsafePointer<Scalar>?
    ) {
        // The same additions, in the same order, as the unfused `(x W^T + b) + (x2 W2^T + b2)`,
        // with ReLU applied to the sum before it is stored: an unconditional store vectorises,
        // where a separate in-place pass became a branch per element.
        @inline(__always)
        func run(_ f: (Scalar) -> Scalar) {
            for r in 0..<rows {
                let o = out + r * n
                let s = second.map { $0 + r * n }
                switch (bias, s, secondBias) {
                case (nil, nil, nil): for j in 0..<n { o[j] = f(o[j]) }
                case (let b?, nil, nil): for j in 0..<n { o[j] = f(o[j] + b[j]) }
                case (nil, nil, let c?): for j in 0..<n { o[j] = f(o[j] + c[j]) }
                case (let b?, nil, let c?): for j in 0..<n { o[j] = f((o[j] + b[j]) + c[j]) }
                case (nil, let s?, nil): for j in 0..<n { o[j] = f(o[j] + s[j]) }
                case (nil, let s?, let c?): for j in 0..<n { o[j] = f(o[j] + (s[j] + c[j])) }
                case (let b?, let s?, nil): for j in 0..<n { o[j] = f((o[j] + b[j]) + s[j]) }
                case (let b?, let s?, let c?): for j in 0..<n { o[j] = f((o[j] + b[j]) + (s[j] + c[j])) }
                }
            }
        }
        switch activation {
        case .relu: run { $0 > 0 ? $0 : 0 }
        case .identity, .tanh: if bias != nil || second != nil || secondBias != nil { run { $0 } }
        }
        if activation == .tanh { vectorTanh(rows * n, out, out) }
    }

    @inlinable
    package static func linearBackward(
        rows: Int, columns n: Int, activation: Activation, y: UnsafePointer<Scalar>,
        g: UnsafePointer<Scalar>, dz: UnsafeMutablePointer<Scalar>,
        biasGradient: UnsafeMutablePointer<Scalar>?,
        secondBiasGradient: UnsafeMutablePointer<Scalar>?
    ) {
        for r in 0..<rows {
            let (yr, gr, d) = (y + r * n, g + r * n, dz + r * n)
            switch activation {
            case .identity: break
            case .relu: for j in 0..<n { d[j] = yr[j] > 0 ? gr[j] : 0 }
            case .tanh: for j in 0..<n { d[j] = gr[j] * (1 - yr[j] * yr[j]) }
            }
            let row = activation == .identity ? gr : UnsafePointer(d)
            if let db = biasGradient { for j in 0..<n { db[j] += row[j] } }
            if let db = secondBiasGradient { for j in 0..<n { db[j] += row[j] } }
        }
    }
}

extension FloatKernels {
    @usableFromInline
    package static func linearEpilogue(
        rows: Int, columns: Int, activation: Activation, out: UnsafeMutablePointer<Float>,
        bias: UnsafePointer<Float>?, second: UnsafePointer<Float>?,
        secondBias: UnsafePointer<Float>?
    ) {
        if activation == .relu || bias != nil || second != nil || secondBias != nil {
            ck_linear_epilogue_f32(rows, columns, activation == .relu ? 1 : 0, out, bias, second, secondBias)
        }
        if activation == .tanh { vectorTanh(rows * columns, out, out) }
    }

    @usableFromInline
    package static func linearBackward(
        rows: Int, columns: Int, activation: Activation, y: UnsafePointer<Float>,
        g: UnsafePointer<Float>, dz: UnsafeMutablePointer<Float>,
        biasGradient: UnsafeMutablePointer<Float>?,
        secondBiasGradient: UnsafeMutablePointer<Float>?
    ) {
        ck_linear_backward_f32(rows, columns, Int32(activation.rawValue), y, g, dz, biasGradient, secondBiasGradient)
    }

    @usableFromInline
    package static func gemm(_ products: UnsafeBufferPointer<GemmProduct<Float>>) {
        withUnsafeTemporaryAllocation(of: ck_sgemm_args.self, capacity: products.count) { arguments in
            for (i, p) in products.enumerated() {
                arguments[i] = ck_sgemm_args(
                    transA: p.transposeA ? 1 : 0, transB: p.transposeB ? 1 : 0,
                    m: p.m, n: p.n, k: p.k, alpha: p.alpha, A: p.a, lda: p.lda,
                    B: p.b, ldb: p.ldb, beta: p.beta, C: p.c, ldc: p.ldc)
            }
            ck_sgemm_many(Int32(products.count), arguments.baseAddress)
        }
    }
}

extension DoubleKernels {
    @usableFromInline
    package static func gemm(_ products: UnsafeBufferPointer<GemmProduct<Double>>) {
        withUnsafeTemporaryAllocation(of: ck_dgemm_args.self, capacity: products.count) { arguments in
            for (i, p) in products.enumerated() {
                arguments[i] = ck_dgemm_args(
                    transA: p.transposeA ? 1 : 0, transB: p.transposeB ? 1 : 0,
                    m: p.m, n: p.n, k: p.k, alpha: p.alpha, A: p.a, lda: p.lda,
                    B: p.b, ldb: p.ldb, beta: p.beta, C: p.c, ldc: p.ldc)
            }
            ck_dgemm_many(Int32(products.count), arguments.baseAddress)
        }
    }
}
