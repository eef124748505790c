// Matrix product: forward rule and VJP side by side.

extension Variable {
    /// The matrix product `op(self) · op(other)`, where `op` transposes when its flag is set
    /// (`transposeA` for this operand, `transposeB` for `other`).
    ///
    /// ```
    /// C = op(A) op(B)        dop(A) = G op(B)^T        dop(B) = op(A)^T G
    /// ```
    /// The VJP never materialises a transpose: each case is one `gemm` call with flags.
    /// - Precondition: both operands have rank 2 and matching inner dimensions.
    @inlinable
    public func matmul(_ other: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
        tape.matmul(self, other, transposeA: transposeA, transposeB: transposeB)
    }
}

@available(*, deprecated, renamed: "Variable.matmul(_:transposeA:transposeB:)", message: "use a.matmul(b)")
@inlinable
public func matmul<Scalar>(
    _ a: Variable<Scalar>, _ b: Variable<Scalar>,
    transposeA: Bool = false, transposeB: Bool = false
) -> Variable<Scalar> {
    a.matmul(b, transposeA: transposeA, transposeB: transposeB)
}

extension Tape {
    @inlinable
    func matmul(_ a: Variable<Scalar>, _ b: Variable<Scalar>, transposeA: Bool, transposeB: Bool) -> Variable<Scalar> {
        let na = node(a)
        let nb = node(b)
        require(
            na.shape.rank == 2 && nb.shape.rank == 2,
            "matmul: operands must be matrices, got shapes \(na.shape) and \(nb.shape)")
        let (m, k) = transposeA ? (na.shape[1], na.shape[0]) : (na.shape[0], na.shape[1])
        let (k2, n) = transposeB ? (nb.shape[1], nb.shape[0]) : (nb.shape[0], nb.shape[1])
        require(
            k == k2,
            "matmul: inner dimensions differ: shapes \(na.shape) and \(nb.shape)"
                + " with transposeA: \(transposeA), transposeB: \(transposeB)")
        return record(.matmul(transposeA: transposeA, transposeB: transposeB), a, b, shape: [m, n]) { out in
            Scalar.kernels.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                alpha: 1, a: pointer(na.value), lda: na.shape[1],
                b: pointer(nb.value), ldb: nb.shape[1], beta: 0, c: out, ldc: n)
        }
    }

    @inlinable
    func matmulVJP(_ node: TapeNode, _ g: UnsafeMutablePointer<Scalar>, transposeA: Bool, transposeB: Bool) {
        let a = operand(node, 0)
        let b = operand(node, 1)
        let na = nodes[Int(a)]
        let nb = nodes[Int(b)]
        let (m, n) = (node.shape[0], node.shape[1])
        let k = transposeA ? na.shape[0] : na.shape[1]
        let (pa, pb) = (pointer(na.value), pointer(nb.value))
        let (lda, ldb) = (na.shape[1], nb.shape[1])
        if let da = gradientBuffer(a) {
            if transposeA {  // dA (k x m) = op(B) G^T
                Scalar.kernels.gemm(
                    transposeA: transposeB, transposeB: true, m: k, n: m, k: n,
                    alpha: 1, a: pb, lda: ldb, b: g, ldb: n, beta: 1, c: da, ldc: m)
            } else {  // dA (m x k) = G op(B)^T
                Scalar.kernels.gemm(
                    transposeA: false, transposeB: !transposeB, m: m, n: k, k: n,
                    alpha: 1, a: g, lda: n, b: pb, ldb: ldb, beta: 1, c: da, ldc: k)
            }
        }
        if let db = gradientBuffer(b) {
            if transposeB {  // dB (n x k) = G^T op(A)
                Scalar.kernels.gemm(
                    transposeA: true, transposeB: transposeA, m: n, n: k, k: m,
                    alpha: 1, a: g, lda: n, b: pa, ldb: lda, beta: 1, c: db, ldc: k)
            } else {  // dB (k x n) = op(A)^T G
                Scalar.kernels.gemm(
                    transposeA: !transposeA, transposeB: false, m: k, n: n, k: m,
                    alpha: 1, a: pa, lda: lda, b: g, ldb: n, beta: 1, c: db, ldc: n)
            }
        }
    }

    /// The same products, recorded: each is a `matmul` with flags, so it is differentiable
    /// again by the rules above.
    @inlinable
    func matmulRecordedVJP(_ c: RecordedVJP<Scalar>, transposeA: Bool, transposeB: Bool) -> [Variable<Scalar>?] {
        let (a, b, g) = (c.operand(0), c.operand(1), c.g)
        let da =
            !c.wants[0]
            ? nil
            : transposeA
                ? b.matmul(g, transposeA: transposeB, transposeB: true)  // op(B) G^T
                : g.matmul(b, transposeB: !transposeB)  // G op(B)^T
        let db =
            !c.wants[1]
            ? nil
            : transposeB
                ? g.matmul(a, transposeA: true, transposeB: transposeA)  // G^T op(A)
                : a.matmul(g, transposeA: !transposeA)  // op(A)^T G
        return [da, db]
    }
}
