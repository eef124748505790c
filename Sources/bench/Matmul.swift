// Matrix-product and vector-math throughput of CKernels.
//
// GFLOP/s are medians of several timed samples after a warm-up; the cores may be shared, so
// the median rather than the best is reported. Compare with reference/matmul_numpy.py (same
// shapes) or run reference/compare_matmul.sh for the ratio against OpenBLAS.
import Autograd
import CKernels
import Foundation

/// Seconds for one call of `body`, as the median over `samples` samples of `inner` calls.
private func medianSeconds(samples: Int = 7, minimumSampleTime: Double = 0.02, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
    body()  // warm-up: scratch buffers, pool threads, caches
    var inner = 1
    while true {
        let t = seconds(clock.measure { for _ in 0..<inner { body() } })
        if t >= minimumSampleTime || inner >= 1 << 20 { break }
        inner *= t > 0 ? max(2, min(16, Int(minimumSampleTime / t) + 1)) : 16
    }
    let times = (0..<samples).map { _ in seconds(clock.measure { for _ in 0..<inner { body() } }) / Double(inner) }
    return times.sorted()[samples / 2]
}

/// Runs body with the given level and thread count, restoring both afterwards.
private func withSettings<R>(level: ck_level, threads: Int, _ body: () -> R) -> R {
    let savedLevel = ck_active_level()
    let savedThreads = ck_thread_count()
    defer {
        ck_force_level(savedLevel)
        ck_set_thread_count(savedThreads)
    }
    ck_force_level(level)
    ck_set_thread_count(Int32(threads))
    return body()
}

/// GFLOP/s of ck_sgemm for op(A) m x k times op(B) k x n at the current settings.
private func sgemmGflops(_ m: Int, _ n: Int, _ k: Int, transA: Bool = false, transB: Bool = false) -> Double {
    var rng = SeededGenerator(seed: UInt64(m * 1_000_003 + n * 1_009 + k))
    let a = (0..<m * k).map { _ in Float.random(in: -1...1, using: &rng) }
    let b = (0..<k * n).map { _ in Float.random(in: -1...1, using: &rng) }
    var c = [Float](repeating: 0, count: m * n)
    let seconds = a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                medianSeconds {
                    ck_sgemm(
                        transA ? 1 : 0, transB ? 1 : 0, m, n, k, 1, pa.baseAddress!, transA ? m : k,
                        pb.baseAddress!, transB ? k : n, 0, pc.baseAddress!, n)
                }
            }
        }
    }
    return 2 * Double(m) * Double(n) * Double(k) / seconds / 1e9
}

private func format(_ value: Double, _ width: Int = 7) -> String {
    let s = String(format: "%.1f", value)
    return String(repeating: " ", count: max(0, width - s.count)) + s
}

func runMatmulBenchmark() {
    let detected = ck_detected_level()
    print("== Matmul (CKernels ck_sgemm, GFLOP/s, median) ==")
    print("detected level: \(detected == CK_LEVEL_AVX2_FMA ? "avx2+fma" : "portable")")
    // Headline shapes, then the RAM model's layers (batch x in -> out): retina 64/144/432 -> 128,
    // 128 -> 256 (glimpse), 256 -> 256 (core), 256 -> 10 (action); and the weight gradient
    // X^T dY of the core layer, whose contraction runs over the batch.
    var shapes: [(m: Int, n: Int, k: Int, transA: Bool, label: String)] = [
        (20, 256, 256, false, ""), (128, 256, 256, false, ""), (1024, 1024, 1024, false, ""),
    ]
    for batch in [20, 32, 128] {
        for (k, n) in [(64, 128), (144, 128), (432, 128), (128, 256), (256, 256), (256, 10)] {
            shapes.append((batch, n, k, false, "RAM"))
        }
        shapes.append((256, 256, batch, true, "RAM dW"))
    }
    // The first shapes used to read low: the core was still clocking up. Half a second of
    // products first, so every row is measured at the same speed.
    let warmUp = ContinuousClock.now
    while ContinuousClock.now - warmUp < .milliseconds(500) { _ = sgemmGflops(128, 256, 256) }
    print("shape (m x n x k)          1 thread  2 threads  portable")
    for s in shapes {
        let one = withSettings(level: detected, threads: 1) { sgemmGflops(s.m, s.n, s.k, transA: s.transA) }
        let two = withSettings(level: detected, threads: 2) { sgemmGflops(s.m, s.n, s.k, transA: s.transA) }
        let portable = withSettings(level: CK_LEVEL_PORTABLE, threads: 1) {
            sgemmGflops(s.m, s.n, s.k, transA: s.transA)
        }
        let name = "\(s.m)x\(s.n)x\(s.k) \(s.label)".padding(toLength: 26, withPad: " ", startingAt: 0)
        print("sgemm \(name)\(format(one, 8))\(format(two, 11))\(format(portable, 10))")
    }
    runIndependentProductsBenchmark()
    runVectorMathBenchmark()
}

/// The products of one backward step of a fused linear op, at batch 128: each split over two
/// threads in turn (ck_sgemm) against all at once (ck_sgemm_many), GFLOP/s.
private func runIndependentProductsBenchmark() {
    print("== Independent products on 2 threads: in turn (each split) vs at once (ck_sgemm_many), GFLOP/s ==")
    // (m, n, k, transA, transB): weight gradients dY^T X and input gradients dY W.
    typealias Product = (m: Int, n: Int, k: Int, transA: Bool, transB: Bool)
    let groups: [(String, [Product])] = [
        ("core 256->256: dW, dX", [(256, 256, 128, true, false), (128, 256, 256, false, false)]),
        (
            "glimpse 128+128->256: 2 dW, 2 dX",
            [
                (256, 128, 128, true, false), (128, 128, 256, false, false),
                (256, 128, 128, true, false), (128, 128, 256, false, false),
            ]
        ),
        (
            "core, both terms: 2 dW, 2 dX",
            [
                (256, 256, 128, true, false), (128, 256, 256, false, false),
                (256, 256, 128, true, false), (128, 256, 256, false, false),
            ]
        ),
        (
            "core, both terms, first step: 2 dW, 1 dX",
            [
                (256, 256, 128, true, false), (128, 256, 256, false, false),
                (256, 256, 128, true, false),
            ]
        ),
    ]
    var rng = SeededGenerator(seed: 5)
    for (name, products) in groups {
        // Operands in buffers of their own, freed after the measurement.
        func filled(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
            for i in 0..<count { p[i] = Float.random(in: -1...1, using: &rng) }
            return p
        }
        let arguments = products.map { p in
            ck_sgemm_args(
                transA: p.transA ? 1 : 0, transB: p.transB ? 1 : 0, m: p.m, n: p.n, k: p.k,
                alpha: 1, A: filled(p.m * p.k), lda: p.transA ? p.m : p.k, B: filled(p.k * p.n),
                ldb: p.transB ? p.k : p.n, beta: 0, C: filled(p.m * p.n), ldc: p.n)
        }
        defer {
            for p in arguments {
                UnsafeMutablePointer(mutating: p.A!).deallocate()
                UnsafeMutablePointer(mutating: p.B!).deallocate()
                p.C!.deallocate()
            }
        }
        let flops = products.reduce(0.0) { $0 + 2 * Double($1.m * $1.n * $1.k) }
        let (inTurn, atOnce) = withSettings(level: ck_detected_level(), threads: 2) {
            let inTurn = medianSeconds {
                for p in arguments {
                    ck_sgemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.A, p.lda, p.B, p.ldb, p.beta, p.C, p.ldc)
                }
            }
            let atOnce = medianSeconds { ck_sgemm_many(Int32(arguments.count), arguments) }
            return (inTurn, atOnce)
        }
        print(
            "\(name.padding(toLength: 42, withPad: " ", startingAt: 0))\(format(flops / inTurn / 1e9, 8))"
                + "\(format(flops / atOnce / 1e9, 8))   ratio \(String(format: "%.2f", inTurn / atOnce))")
    }
}

/// Elements per nanosecond of the vector functions against a per-element libm loop.
private func runVectorMathBenchmark() {
    print("== Vector math f32 (4096 elements; ratio = libm per-element time / ours) ==")
    let n = 4096
    let x = (0..<n).map { Float($0) / Float(n) * 20 - 10 }
    var y = [Float](repeating: 0, count: n)
    typealias Kernel = (Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    let cases: [(String, Kernel, (Float) -> Float)] = [
        ("exp", { ck_vexp_f32($0, $1, $2) }, { Foundation.exp($0) }),
        ("log", { ck_vlog_f32($0, $1, $2) }, { Foundation.log($0) }),
        ("tanh", { ck_vtanh_f32($0, $1, $2) }, { Foundation.tanh($0) }),
        ("sigmoid", { ck_vsigmoid_f32($0, $1, $2) }, { 1 / (1 + Foundation.exp(-$0)) }),
    ]
    let logInput = x.map { abs($0) + 1e-3 }
    for (name, kernel, scalar) in cases {
        let input = name == "log" ? logInput : x
        let (ours, portable, libm) = input.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                let ours = medianSeconds { kernel(n, px.baseAddress!, py.baseAddress!) }
                let portable = withSettings(level: CK_LEVEL_PORTABLE, threads: 1) {
                    medianSeconds { kernel(n, px.baseAddress!, py.baseAddress!) }
                }
                let libm = medianSeconds { for i in 0..<n { py[i] = scalar(px[i]) } }
                return (ours, portable, libm)
            }
        }
        let perNs = { (t: Double) in Double(n) / t / 1e9 }
        print(
            "v\(name)_f32: ours \(format(perNs(ours), 6)) elem/ns, portable \(format(perNs(portable), 6)), "
                + "libm loop \(format(perNs(libm), 6)); speedup \(format(libm / ours, 5))x")
    }
}
