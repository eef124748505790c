import CKernels
import Testing

/// The two element types ck_*gemm serves, so one test body checks both.
protocol GemmElement: BinaryFloatingPoint, Sendable {
    static var tolerance: Double { get }
    static func gemm(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Self,
        _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int,
        _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
    /// ck_*gemm_many over products given as (transA, transB, m, n, k, A, B, C), alpha 0.75,
    /// beta 1, tight leading dimensions.
    static func gemmMany(
        _ products: [(
            Bool, Bool, Int, Int, Int, UnsafePointer<Self>, UnsafePointer<Self>,
            UnsafeMutablePointer<Self>
        )])
}

extension Float: GemmElement {
    static var tolerance: Double { Double(Float.ulpOfOne) }
    static func gemm(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        ck_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
    static func gemmMany(
        _ products: [(
            Bool, Bool, Int, Int, Int, UnsafePointer<Float>, UnsafePointer<Float>,
            UnsafeMutablePointer<Float>
        )]
    ) {
        let arguments = products.map { tA, tB, m, n, k, a, b, c in
            ck_sgemm_args(
                transA: tA ? 1 : 0, transB: tB ? 1 : 0, m: m, n: n, k: k, alpha: 0.75, A: a,
                lda: tA ? m : k, B: b, ldb: tB ? k : n, beta: 1, C: c, ldc: n)
        }
        ck_sgemm_many(Int32(arguments.count), arguments)
    }
}

extension Double: GemmElement {
    static var tolerance: Double { Double.ulpOfOne }
    static func gemm(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
        _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int,
        _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int
    ) {
        ck_dgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
    static func gemmMany(
        _ products: [(
            Bool, Bool, Int, Int, Int, UnsafePointer<Double>, UnsafePointer<Double>,
            UnsafeMutablePointer<Double>
        )]
    ) {
        let arguments = products.map { tA, tB, m, n, k, a, b, c in
            ck_dgemm_args(
                transA: tA ? 1 : 0, transB: tB ? 1 : 0, m: m, n: n, k: k, alpha: 0.75, A: a,
                lda: tA ? m : k, B: b, ldb: tB ? k : n, beta: 1, C: c, ldc: n)
        }
        ck_dgemm_many(Int32(arguments.count), arguments)
    }
}

/// One product to check: op(A) is m x k, op(B) is k x n; the leading dimensions get padding.
struct GemmCase: Sendable, CustomStringConvertible {
    var m: Int, n: Int, k: Int
    var transA = false, transB = false
    var alpha = 1.0, beta = 0.0
    var pad = 0
    var description: String { "\(m)x\(n)x\(k) tA=\(transA) tB=\(transB) alpha=\(alpha) beta=\(beta) pad=\(pad)" }

    /// Runs the kernel and compares it with a naive Double loop, element by element, within
    /// a bound proportional to k and to the sum of the absolute terms.
    func check<T: GemmElement>(_: T.Type, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let (aRows, aCols) = transA ? (k, m) : (m, k)
        let (bRows, bCols) = transB ? (n, k) : (k, n)
        let lda = aCols + pad
        let ldb = bCols + pad
        let ldc = n + pad
        func random(_ count: Int) -> [T] { (0..<count).map { _ in T(Double.random(in: -1...1, using: &rng)) } }
        let a = random(max(aRows * lda, 1))
        let b = random(max(bRows * ldb, 1))
        // beta == 0 must ignore C entirely, NaNs included.
        var c: [T] = beta == 0 ? Array(repeating: .nan, count: max(m * ldc, 1)) : random(max(m * ldc, 1))
        let original = c

        func opA(_ i: Int, _ p: Int) -> Double { Double(transA ? a[p * lda + i] : a[i * lda + p]) }
        func opB(_ p: Int, _ j: Int) -> Double { Double(transB ? b[j * ldb + p] : b[p * ldb + j]) }

        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    T.gemm(
                        transA, transB, m, n, k, T(alpha), pa.baseAddress!, lda, pb.baseAddress!, ldb,
                        T(beta), pc.baseAddress!, ldc)
                }
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                var magnitude = 0.0
                for p in 0..<k {
                    sum += opA(i, p) * opB(p, j)
                    magnitude += abs(opA(i, p) * opB(p, j))
                }
                let old = beta == 0 ? 0 : Double(original[i * ldc + j])
                let expected = alpha * sum + beta * old
                let bound = T.tolerance * Double(k + 4) * (abs(alpha) * magnitude + abs(beta * old)) + 1e-300
                worst = max(worst, abs(Double(c[i * ldc + j]) - expected) / bound)
            }
            // Padding columns of C are never written.
            for j in n..<ldc where !(c[i * ldc + j].isNaN && original[i * ldc + j].isNaN) {
                #expect(c[i * ldc + j] == original[i * ldc + j], "padding written at \(i),\(j) in \(self)")
            }
        }
        #expect(worst <= 1, "error \(worst)x the bound in \(T.self) \(self)")
    }
}

extension KernelLevelTests {
    @Suite struct Gemm {
        /// Shapes around the direct-loop threshold (256 multiply-adds), the tile (6 x 16), the
        /// blocks (KC = 256, MC = 144, NC = 3072), B read in place (m <= 64) and the two-thread
        /// threshold (2^20), split by columns (m < n) and by rows.
        static let shapes: [(Int, Int, Int)] = [
            (1, 1, 1), (2, 3, 4), (5, 6, 7), (3, 7, 13), (13, 17, 0), (17, 33, 7), (7, 3, 257),
            (33, 257, 17), (257, 13, 33), (20, 64, 144), (32, 432, 10), (130, 300, 600),
            (300, 40, 100), (40, 600, 100), (7, 3100, 5),
        ]

        @Test(arguments: KernelLevelTests.levels, [1, 2])
        func allTransposesAndShapes(level: UInt32, threads: Int) {
            KernelLevelTests.with(level: level, threads: threads) {
                var seed: UInt64 = 1
                for (m, n, k) in Self.shapes {
                    for transA in [false, true] {
                        for transB in [false, true] {
                            for beta in [0.0, 1.0, 0.5] {
                                seed += 1
                                let c = GemmCase(
                                    m: m, n: n, k: k, transA: transA, transB: transB,
                                    alpha: seed % 2 == 0 ? 1 : -1.5, beta: beta, pad: Int(seed % 3) * 5)
                                c.check(Float.self, seed: seed)
                                c.check(Double.self, seed: seed)
                            }
                        }
                    }
                }
            }
        }

        @Test(arguments: KernelLevelTests.levels)
        func alphaZeroOnlyScalesC(level: UInt32) {
            KernelLevelTests.with(level: level) {
                GemmCase(m: 5, n: 9, k: 4, alpha: 0, beta: 0.5).check(Float.self, seed: 9)
                GemmCase(m: 40, n: 40, k: 40, alpha: 0, beta: 0).check(Double.self, seed: 9)
            }
        }

        /// Products issued from several threads at once while the pool is enabled: callers
        /// that find the pool busy must fall back to computing alone, correctly.
        @Test func concurrentCallersShareThePool() async {
            let saved = ck_thread_count()
            defer { ck_set_thread_count(saved) }
            ck_set_thread_count(2)
            await withTaskGroup(of: Void.self) { group in
                for t in 0..<4 {
                    group.addTask {
                        for r in 0..<3 {
                            GemmCase(m: 96, n: 128, k: 200, transB: r % 2 == 1, beta: 0.5)
                                .check(Float.self, seed: UInt64(100 + 10 * t + r))
                        }
                    }
                }
            }
        }
    }
}

extension KernelLevelTests {
    /// A product split over threads must equal the single-threaded one bit for bit, so a
    /// training run's results do not depend on `--threads`: each thread computes whole tiles
    /// of C with the same k-blocking, in the same order, as one thread would.
    @Suite struct GemmThreadsAreBitwiseIdentical {
        /// Above the two-thread threshold (2^20 multiply-adds), split by columns (m < n) and by
        /// rows, with ragged edges, k spanning several KC blocks, and RAM's weight gradient.
        static let shapes: [(Int, Int, Int)] = [
            (130, 300, 600), (300, 40, 100), (40, 600, 100), (128, 256, 256), (256, 256, 128),
            (97, 1031, 65), (1031, 97, 65), (64, 4100, 8),
        ]

        func product<T: GemmElement>(
            _: T.Type, _ m: Int, _ n: Int, _ k: Int, transA: Bool, transB: Bool,
            beta: Double, threads: Int
        ) -> [T] {
            var rng = SplitMix64(seed: UInt64(m * 7 + n * 13 + k))
            func random(_ count: Int) -> [T] { (0..<count).map { _ in T(Double.random(in: -1...1, using: &rng)) } }
            let a = random(m * k)
            let b = random(k * n)
            var c = random(m * n)
            ck_set_thread_count(Int32(threads))
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        T.gemm(
                            transA, transB, m, n, k, T(0.75), pa.baseAddress!, transA ? m : k,
                            pb.baseAddress!, transB ? k : n, T(beta), pc.baseAddress!, n)
                    }
                }
            }
            return c
        }

        /// Groups of independent products: two equal (each whole on a thread), three equal
        /// (cut to balance), unequal with tiny direct ones and an empty one, and twenty (more
        /// than one group of sixteen).
        static let groups: [[(m: Int, n: Int, k: Int)]] = [
            [(128, 256, 256), (256, 256, 128)],
            [(128, 256, 256), (128, 256, 256), (128, 256, 256)],
            [(300, 40, 100), (3, 4, 5), (130, 300, 600), (0, 7, 7), (2, 2, 2)],
            (0..<20).map { i in (40 + i, 96 + 8 * i, 64 + i) },
        ]

        /// ck_*gemm_many on 1 and 2 threads must equal ck_*gemm on each product in turn, bit
        /// for bit, so the fused linear op's results do not depend on the thread count either.
        func manyAgreesWithInTurn<T: GemmElement>(_: T.Type) {
            for (g, group) in Self.groups.enumerated() {
                var rng = SplitMix64(seed: UInt64(g + 1))
                func random(_ count: Int) -> [T] { (0..<count).map { _ in T(Double.random(in: -1...1, using: &rng)) } }
                for (transA, transB) in [(false, false), (true, false), (false, true)] {
                    let a = group.map { random($0.m * $0.k) }
                    let b = group.map { random($0.k * $0.n) }
                    let c = group.map { random($0.m * $0.n) }
                    var inTurn = c
                    ck_set_thread_count(1)
                    for i in group.indices {
                        let (m, n, k) = group[i]
                        inTurn[i].withUnsafeMutableBufferPointer { pc in
                            T.gemm(
                                transA, transB, m, n, k, T(0.75), a[i], transA ? m : k, b[i], transB ? k : n,
                                T(1), pc.baseAddress!, n)
                        }
                    }
                    for threads in [1, 2] {
                        ck_set_thread_count(Int32(threads))
                        let pa = a.map { UnsafeMutablePointer<T>.allocate(capacity: max($0.count, 1)) }
                        let pb = b.map { UnsafeMutablePointer<T>.allocate(capacity: max($0.count, 1)) }
                        let pc = c.map { UnsafeMutablePointer<T>.allocate(capacity: max($0.count, 1)) }
                        defer { (pa + pb + pc).forEach { $0.deallocate() } }
                        for i in group.indices {
                            pa[i].initialize(from: a[i], count: a[i].count)
                            pb[i].initialize(from: b[i], count: b[i].count)
                            pc[i].initialize(from: c[i], count: c[i].count)
                        }
                        T.gemmMany(
                            group.indices.map { i in
                                (
                                    transA, transB, group[i].m, group[i].n, group[i].k, UnsafePointer(pa[i]),
                                    UnsafePointer(pb[i]), pc[i]
                                )
                            })
                        for i in group.indices {
                            let many = Array(UnsafeBufferPointer(start: pc[i], count: c[i].count))
                            #expect(
                                many == inTurn[i] && many.count == c[i].count,
                                "\(T.self) group \(g) product \(i) tA=\(transA) tB=\(transB) threads \(threads)")
                        }
                    }
                    ck_set_thread_count(1)
                }
            }
        }

        @Test(arguments: KernelLevelTests.levels)
        func manyProductsAgreeWithProductsInTurn(level: UInt32) {
            KernelLevelTests.with(level: level) {
                manyAgreesWithInTurn(Float.self)
                manyAgreesWithInTurn(Double.self)
            }
        }

        @Test(arguments: KernelLevelTests.levels)
        func oneAndTwoThreadsAgree(level: UInt32) {
            KernelLevelTests.with(level: level) {
                for (m, n, k) in Self.shapes {
                    for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
                        for beta in [0.0, 1.0] {
                            let one = product(
                                Float.self, m, n, k, transA: transA, transB: transB, beta: beta, threads: 1)
                            let two = product(
                                Float.self, m, n, k, transA: transA, transB: transB, beta: beta, threads: 2)
                            #expect(
                                one.map(\.bitPattern) == two.map(\.bitPattern),
                                "sgemm \(m)x\(n)x\(k) tA=\(transA) tB=\(transB) beta=\(beta)")
                            let oneD = product(
                                Double.self, m, n, k, transA: transA, transB: transB, beta: beta, threads: 1)
                            let twoD = product(
                                Double.self, m, n, k, transA: transA, transB: transB, beta: beta, threads: 2)
                            #expect(
                                oneD.map(\.bitPattern) == twoD.map(\.bitPattern),
                                "dgemm \(m)x\(n)x\(k) tA=\(transA) tB=\(transB) beta=\(beta)")
                        }
                    }
                }
            }
        }
    }
}
