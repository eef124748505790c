/// The per-element loops of every op, for one element type.
///
/// Each requirement has a generic default implementation below. A conforming type such as
/// `FloatKernels` gets a copy specialised for its element type through its witness table,
/// so the generic tape, which calls these once per op, never runs a generic inner loop
/// (an unspecialised generic loop measured about 100 times slower).
/// Pointers are row-major and shapes were checked by the op that calls the kernel.
///
/// The kernels are the package's own: ops reach them as `Scalar.kernels` (see
/// `TensorScalar.kernels`), and users of the toolkit never name them.
@usableFromInline
package protocol TensorKernels<Scalar> {
    associatedtype Scalar: TensorScalar

    /// C = alpha * op(A) * op(B) + beta * C, row-major; beta == 0 overwrites C.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Scalar, a: UnsafePointer<Scalar>, lda: Int,
        b: UnsafePointer<Scalar>, ldb: Int,
        beta: Scalar, c: UnsafeMutablePointer<Scalar>, ldc: Int)
    /// Independent products at once, with the results `gemm` gives on each in turn, spread
    /// over the threads. No product's C may overlap another product's operands or C.
    static func gemm(_ products: UnsafeBufferPointer<GemmProduct<Scalar>>)
    /// The fused linear op's epilogue over a `rows x columns` output:
    /// `out = activation((out + bias) + (second + secondBias))`, each nil term left out (with
    /// no second product, `(out + bias) + secondBias`); the biases are rows broadcast down.
    static func linearEpilogue(
        rows: Int, columns: Int, activation: Activation, out: UnsafeMutablePointer<Scalar>,
        bias: UnsafePointer<Scalar>?, second: UnsafePointer<Scalar>?,
        secondBias: UnsafePointer<Scalar>?)
    /// The fused linear op's first backward pass: `dz = g * activation'(y)` (not written for
    /// the identity, where dz is g), and each non-nil bias gradient `+= ` the column sums of
    /// dz, added row by row.
    static func linearBackward(
        rows: Int, columns: Int, activation: Activation, y: UnsafePointer<Scalar>,
        g: UnsafePointer<Scalar>, dz: UnsafeMutablePointer<Scalar>,
        biasGradient: UnsafeMutablePointer<Scalar>?,
        secondBiasGradient: UnsafeMutablePointer<Scalar>?)
    static func vectorExp(_ count: Int, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>)
    static func vectorLog(_ count: Int, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>)
    static func vectorTanh(_ count: Int, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>)
    static func vectorSigmoid(_ count: Int, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>)

    /// `out[i] = lhs[i] op rhs[i]` over a rank-4 extent, operands read through strides
    /// (stride 0 broadcasts); `out` is contiguous.
    static func binary(
        _ op: BinaryOperator, extent: Index4,
        lhs: UnsafePointer<Scalar>, lhsStrides: Index4,
        rhs: UnsafePointer<Scalar>, rhsStrides: Index4,
        out: UnsafeMutablePointer<Scalar>)
    /// The VJP of `y = a op b` when `a`, `b` and `y` have one shape: `da (+)= g * dy/da` and
    /// `db (+)= g * dy/db`, each skipped when nil and stored rather than added when its
    /// `overwrite` flag is set (a gradient's first contribution). `da` is done before `db`,
    /// so `a` and `b` may be the same variable. The arithmetic is the broadcasting path's.
    static func binaryBackward(
        _ op: BinaryOperator, count: Int, a: UnsafePointer<Scalar>, b: UnsafePointer<Scalar>,
        y: UnsafePointer<Scalar>, g: UnsafePointer<Scalar>,
        da: UnsafeMutablePointer<Scalar>?, overwriteA: Bool,
        db: UnsafeMutablePointer<Scalar>?, overwriteB: Bool)
    /// `target[t(i)] (+)= alpha * source[s(i)]` over a rank-4 extent: copies, broadcasts,
    /// reductions (target stride 0), transposes, slices and concatenation all use it.
    static func stridedAccumulate(
        extent: Index4, alpha: Scalar, overwrite: Bool,
        source: UnsafePointer<Scalar>, sourceStrides: Index4,
        target: UnsafeMutablePointer<Scalar>, targetStrides: Index4)
    /// `y = f(x)` elementwise.
    static func unary(
        _ op: UnaryOperator, count: Int, x: UnsafePointer<Scalar>,
        y: UnsafeMutablePointer<Scalar>, lower: Scalar, upper: Scalar)
    /// `dx += g * f'(x)`, given x, y = f(x) and the cotangent g; `overwrite` stores
    /// `g * f'(x)` instead (a gradient's first contribution, into uninitialized memory).
    static func unaryBackward(
        _ op: UnaryOperator, count: Int, x: UnsafePointer<Scalar>,
        y: UnsafePointer<Scalar>, g: UnsafePointer<Scalar>,
        dx: UnsafeMutablePointer<Scalar>, lower: Scalar, upper: Scalar, overwrite: Bool)
    /// Row-wise log-softmax of a `rows x columns` matrix.
    static func logSoftmax(rows: Int, columns: Int, x: UnsafePointer<Scalar>, y: UnsafeMutablePointer<Scalar>)
    /// `dx += g - exp(y) * rowSum(g)`; `scratch` holds one row.
    static func logSoftmaxBackward(
        rows: Int, columns: Int, y: UnsafePointer<Scalar>,
        g: UnsafePointer<Scalar>, dx: UnsafeMutablePointer<Scalar>,
        scratch: UnsafeMutablePointer<Scalar>)
    /// Maximum over the middle axis of an `outer x axis x inner` view, with the winning index.
    static func maximum(
        outer: Int, axis: Int, inner: Int, x: UnsafePointer<Scalar>,
        y: UnsafeMutablePointer<Scalar>, argmax: UnsafeMutablePointer<Int32>)
    /// Picks `x[o, index[o, i], i]` from an `outer x axis x inner` view (`scatter` adds back).
    static func gather(
        outer: Int, axis: Int, inner: Int, x: UnsafePointer<Scalar>,
        indices: UnsafePointer<Int32>, y: UnsafeMutablePointer<Scalar>)
    /// `dx[o, index[o, i], i] += g[o, i]`: the VJP of `gather` and of `maximum`.
    static func scatterAdd(
        outer: Int, axis: Int, inner: Int, g: UnsafePointer<Scalar>,
        indices: UnsafePointer<Int32>, dx: UnsafeMutablePointer<Scalar>)
    /// Unfolds one image `[channels, height, width]` into columns
    /// `[channels * kernel * kernel, outHeight * outWidth]`, zero outside the image.
    static func imageToColumns(
        _ image: UnsafePointer<Scalar>, _ geometry: ConvolutionGeometry,
        _ columns: UnsafeMutablePointer<Scalar>)
    /// The adjoint of `imageToColumns`: adds the columns back into the image's positions.
    static func columnsToImage(
        _ columns: UnsafePointer<Scalar>, _ geometry: ConvolutionGeometry,
        _ image: UnsafeMutablePointer<Scalar>)
    /// `y = log N(sample; mean, sd^2)` elementwise, for a fixed standard deviation.
    static func normalLogProbability(
        count: Int, mean: UnsafePointer<Scalar>, sample: UnsafePointer<Scalar>,
        standardDeviation: Scalar, y: UnsafeMutablePointer<Scalar>)
    /// `dmean += g * (sample - mean) / sd^2`.
    static func normalLogProbabilityBackward(
        count: Int, mean: UnsafePointer<Scalar>, sample: UnsafePointer<Scalar>,
        standardDeviation: Scalar, g: UnsafePointer<Scalar>,
        dmean: UnsafeMutablePointer<Scalar>)
    /// Fills `out` with `lower + (upper - lower) * u`, `u` uniform in [0, 1), in order.
    static func fillUniform(
        _ out: UnsafeMutableBufferPointer<Scalar>, lower: Scalar, upper: Scalar,
        using generator: inout SeededGenerator)
    /// Fills `out` with `mean + standardDeviation * z`, `z` standard normal, in order.
    static func fillNormal(
        _ out: UnsafeMutableBufferPointer<Scalar>, mean: Scalar, standardDeviation: Scalar,
        using generator: inout SeededGenerator)
}

/// The sizes of a square-kernel 2-D convolution over one image.
@usableFromInline
package struct ConvolutionGeometry: Sendable, Equatable {
    @usableFromInline package var channels, height, width, kernel, stride, padding: Int
    @inlinable package var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    @inlinable package var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    /// Rows of the unfolded matrix: one per (channel, kernel row, kernel column).
    @inlinable package var patchSize: Int { channels * kernel * kernel }
    /// Columns of the unfolded matrix: one per output position.
    @inlinable package var positions: Int { outHeight * outWidth }

    @inlinable
    package init(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int) {
        (self.channels, self.height, self.width) = (channels, height, width)
        (self.kernel, self.stride, self.padding) = (kernel, stride, padding)
    }
}

extension TensorKernels {
    @inlinable
    package static func binary(
        _ op: BinaryOperator, extent e: Index4,
        lhs: UnsafePointer<Scalar>, lhsStrides a: Index4,
        rhs: UnsafePointer<Scalar>, rhsStrides b: Index4,
        out: UnsafeMutablePointer<Scalar>
    ) {
        // Operands laid out exactly like the output (the common case) take a small separate
        // function: the strided loops' register saves and setup would cost more than the
        // arithmetic on the tiny tensors of a recurrent step.
        let contiguous = e.contiguousStrides
        if a == contiguous && b == contiguous {
            flatBinary(op, count: e.product, lhs: lhs, rhs: rhs, out: out)
        } else {
            stridedBinary(op, extent: e, lhs: lhs, lhsStrides: a, rhs: rhs, rhsStrides: b, out: out)
        }
    }

    /// `out[j] = lhs[j] op rhs[j]`: one flat loop, no index arithmetic.
    @inlinable @inline(never)
    static func flatBinary(
        _ op: BinaryOperator, count n: Int, lhs: UnsafePointer<Scalar>,
        rhs: UnsafePointer<Scalar>, out: UnsafeMutablePointer<Scalar>
    ) {
        @inline(__always)
        func flat(_ f: (Scalar, Scalar) -> Scalar) {
            for j in 0..<n { out[j] = f(lhs[j], rhs[j]) }
        }
        switch op {
        case .add: flat(+)
        case .subtract: flat(-)
        case .multiply: flat(*)
        case .divide: flat(/)
        }
    }

    @inlinable @inline(never)
    static func stridedBinary(
        _ op: BinaryOperator, extent e: Index4,
        lhs: UnsafePointer<Scalar>, lhsStrides a: Index4,
        rhs: UnsafePointer<Scalar>, rhsStrides b: Index4,
        out: UnsafeMutablePointer<Scalar>
    ) {
        // One loop per operator and stride pattern, so the innermost loop vectorises.
        @inline(__always)
        func run(_ f: (Scalar, Scalar) -> Scalar) {
            var o = out
            for i0 in 0..<e.i0 {
                for i1 in 0..<e.i1 {
                    for i2 in 0..<e.i2 {
                        let l = lhs + (i0 * a.i0 + i1 * a.i1 + i2 * a.i2)
                        let r = rhs + (i0 * b.i0 + i1 * b.i1 + i2 * b.i2)
                        let n = e.i3
                        switch (a.i3, b.i3) {
                        case (1, 1): for j in 0..<n { o[j] = f(l[j], r[j]) }
                        case (1, 0):
                            let rv = r[0]
                            for j in 0..<n { o[j] = f(l[j], rv) }
                        case (0, 1):
                            let lv = l[0]
                            for j in 0..<n { o[j] = f(lv, r[j]) }
                        default: for j in 0..<n { o[j] = f(l[j * a.i3], r[j * b.i3]) }
                        }
                        o += n
                    }
                }
            }
        }
        switch op {
        case .add: run(+)
        case .subtract: run(-)
        case .multiply: run(*)
        case .divide: run(/)
        }
    }

    @inlinable
    package static func stridedAccumulate(
        extent e: Index4, alpha: Scalar, overwrite: Bool,
        source: UnsafePointer<Scalar>, sourceStrides s: Index4,
        target: UnsafeMutablePointer<Scalar>, targetStrides t: Index4
    ) {
        let contiguous = e.contiguousStrides
        if s == contiguous && t == contiguous {
            // Both sides laid out like the extent: one flat pass (reshape, same-shape gradients).
            let n = e.product
            switch (overwrite, alpha == 1) {
            case (true, true): target.update(from: source, count: n)
            case (true, false): for j in 0..<n { target[j] = alpha * source[j] }
            case (false, true): for j in 0..<n { target[j] += source[j] }
            case (false, false): for j in 0..<n { target[j] += alpha * source[j] }
            }
            return
        }
        for i0 in 0..<e.i0 {
            for i1 in 0..<e.i1 {
                for i2 in 0..<e.i2 {
                    let src = source + (i0 * s.i0 + i1 * s.i1 + i2 * s.i2)
                    let dst = target + (i0 * t.i0 + i1 * t.i1 + i2 * t.i2)
                    let n = e.i3
                    if s.i3 == 1 && t.i3 == 1 {
                        switch (overwrite, alpha == 1) {
                        case (true, true): dst.update(from: src, count: n)
                        case (true, false): for j in 0..<n { dst[j] = alpha * src[j] }
                        case (false, true): for j in 0..<n { dst[j] += src[j] }
                        case (false, false): for j in 0..<n { dst[j] += alpha * src[j] }
                        }
                    } else if t.i3 == 0 {
                        // A reduction along the innermost axis: sum first, then add once.
                        var sum: Scalar = 0
                        for j in 0..<n { sum += src[j * s.i3] }
                        if overwrite { dst[0] = alpha * sum } else { dst[0] += alpha * sum }
                    } else if overwrite {
                        for j in 0..<n { dst[j * t.i3] = alpha * src[j * s.i3] }
                    } else {
                        for j in 0..<n { dst[j * t.i3] += alpha * src[j * s.i3] }
                    }
                }
            }
        }
    }

    @inlinable
    package static func maximum(
        outer: Int, axis: Int, inner: Int, x: UnsafePointer<Scalar>,
        y: UnsafeMutablePointer<Scalar>, argmax: UnsafeMutablePointer<Int32>
    ) {
        for o in 0..<outer {
            for i in 0..<inner {
                let base = x + o * axis * inner + i
                // Ties go to the first maximum, as in PyTorch; NaN wins so it propagates.
                var best = base[0]
                var bestIndex: Int32 = 0
                for a in 1..<Swift.max(axis, 1) where base[a * inner] > best || (base[a * inner].isNaN && !best.isNaN) {
                    best = base[a * inner]
                    bestIndex = Int32(a)
                }
                y[o * inner + i] = best
                argmax[o * inner + i] = bestIndex
            }
        }
    }

    @inlinable
    package static func gather(
        outer: Int, axis: Int, inner: Int, x: UnsafePointer<Scalar>,
        indices: UnsafePointer<Int32>, y: UnsafeMutablePointer<Scalar>
    ) {
        for o in 0..<outer {
            for i in 0..<inner {
                y[o * inner + i] = x[(o * axis + Int(indices[o * inner + i])) * inner + i]
            }
        }
    }

    @inlinable
    package static func scatterAdd(
        outer: Int, axis: Int, inner: Int, g: UnsafePointer<Scalar>,
        indices: UnsafePointer<Int32>, dx: UnsafeMutablePointer<Scalar>
    ) {
        for o in 0..<outer {
            for i in 0..<inner {
                dx[(o * axis + Int(indices[o * inner + i])) * inner + i] += g[o * inner + i]
            }
        }
    }

    @inlinable
    package static func imageToColumns(
        _ image: UnsafePointer<Scalar>, _ g: ConvolutionGeometry,
        _ columns: UnsafeMutablePointer<Scalar>
    ) {
        var row = columns
        for c in 0..<g.channels {
            for ky in 0..<g.kernel {
                for kx in 0..<g.kernel {
                    for oy in 0..<g.outHeight {
                        let y = oy * g.stride - g.padding + ky
                        for ox in 0..<g.outWidth {
                            let x = ox * g.stride - g.padding + kx
                            let inside = y >= 0 && y < g.height && x >= 0 && x < g.width
                            row[oy * g.outWidth + ox] = inside ? image[(c * g.height + y) * g.width + x] : 0
                        }
                    }
                    row += g.positions
                }
            }
        }
    }

    @inlinable
    package static func columnsToImage(
        _ columns: UnsafePointer<Scalar>, _ g: ConvolutionGeometry,
        _ image: UnsafeMutablePointer<Scalar>
    ) {
        var row = columns
        for c in 0..<g.channels {
            for ky in 0..<g.kernel {
                for kx in 0..<g.kernel {
                    for oy in 0..<g.outHeight {
                        let y = oy * g.stride - g.padding + ky
                        guard y >= 0 && y < g.height else { continue }
                        for ox in 0..<g.outWidth {
                            let x = ox * g.stride - g.padding + kx
                            if x >= 0 && x < g.width {
                                image[(c * g.height + y) * g.width + x] += row[oy * g.outWidth + ox]
                            }
                        }
                    }
                    row += g.positions
                }
            }
        }
    }
}
