import CKernels
import Foundation
import Testing

/// A float function under test, with its Double reference and the range where float results
/// are normal numbers (relative error is only meaningful there).
struct VectorFunction: Sendable, CustomStringConvertible {
    var name: String
    var kernel: @Sendable (Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    var reference: @Sendable (Double) -> Double
    var range: ClosedRange<Float>
    var description: String { name }

    static let all: [VectorFunction] = [
        VectorFunction(
            name: "exp", kernel: { ck_vexp_f32($0, $1, $2) }, reference: { Foundation.exp($0) },
            range: -87.3...88.7),
        VectorFunction(
            name: "log", kernel: { ck_vlog_f32($0, $1, $2) }, reference: { Foundation.log($0) },
            range: Float.leastNonzeroMagnitude...Float.greatestFiniteMagnitude),
        VectorFunction(
            name: "tanh", kernel: { ck_vtanh_f32($0, $1, $2) }, reference: { Foundation.tanh($0) },
            range: -12...12),
        VectorFunction(
            name: "sigmoid", kernel: { ck_vsigmoid_f32($0, $1, $2) },
            reference: { 1 / (1 + Foundation.exp(-$0)) }, range: -87...30),
    ]

    func apply(_ x: [Float]) -> [Float] {
        var y = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in kernel(x.count, px.baseAddress!, py.baseAddress!) }
        }
        return y
    }

    /// A dense sweep: evenly spaced points plus every float-magnitude decade, both signs.
    func sweep() -> [Float] {
        let count = 400_000
        let lo = Double(max(range.lowerBound, -1e6))
        let hi = Double(min(range.upperBound, 1e6))
        var x = (0..<count).map { Float(lo + (hi - lo) * Double($0) / Double(count - 1)) }
        var v = Float.leastNormalMagnitude
        while v < Float.greatestFiniteMagnitude / 1.01 {
            for s: Float in [v, -v, v * 1.37, -v * 1.37] where range.contains(s) { x.append(s) }
            v *= 1.7
        }
        return x
    }
}

extension KernelLevelTests {
    @Suite struct VectorMath {
        @Test(arguments: VectorFunction.all, KernelLevelTests.levels)
        func relativeErrorAgainstDoubleLibm(function: VectorFunction, level: UInt32) {
            KernelLevelTests.with(level: level) {
                let x = function.sweep()
                let y = function.apply(x)
                var worst = 0.0
                var worstAt: Float = 0
                for (xi, yi) in zip(x, y) {
                    let expected = function.reference(Double(xi))
                    guard abs(expected) >= Double(Float.leastNormalMagnitude),
                        abs(expected) <= Double(Float.greatestFiniteMagnitude)
                    else { continue }
                    let error = abs(Double(yi) - expected) / abs(expected)
                    if !(error <= worst) {
                        worst = error
                        worstAt = xi
                    }
                }
                #expect(worst < 3e-7, "\(function) max relative error \(worst) at \(worstAt)")
            }
        }

        @Test(arguments: KernelLevelTests.levels)
        func saturationAndSpecialValues(level: UInt32) {
            KernelLevelTests.with(level: level) {
                let f = Dictionary(uniqueKeysWithValues: VectorFunction.all.map { ($0.name, $0) })
                let inf = Float.infinity
                #expect(f["exp"]!.apply([0, 100, 89, -200, -104, inf, -inf]) == [1, inf, inf, 0, 0, inf, 0])
                #expect(f["exp"]!.apply([.nan])[0].isNaN)
                #expect(f["log"]!.apply([0, -0.0, 1, inf]) == [-inf, -inf, 0, inf])
                #expect(f["log"]!.apply([-1, -inf, .nan, -Float.leastNonzeroMagnitude]).allSatisfy { $0.isNaN })
                #expect(f["tanh"]!.apply([0, 20, -20, 1e4, -1e4, inf, -inf]) == [0, 1, -1, 1, -1, 1, -1])
                #expect(f["sigmoid"]!.apply([0, -200, -1e4, -inf, 200, inf]) == [0.5, 0, 0, 0, 1, 1])
                // Near-zero tanh keeps full relative accuracy (tanh x = x - x^3/3 + ...).
                for (x, y) in zip([Float(1e-30), -3e-8, 1e-4], f["tanh"]!.apply([1e-30, -3e-8, 1e-4])) {
                    #expect(abs(Double(y) - Foundation.tanh(Double(x))) <= 3e-7 * abs(Double(x)))
                }
            }
        }

        /// Lengths that leave every possible tail, computed in place and out of place.
        @Test(arguments: KernelLevelTests.levels)
        func tailsAndInPlace(level: UInt32) {
            KernelLevelTests.with(level: level) {
                for function in VectorFunction.all {
                    for n in 1...19 {
                        let x = (0..<n).map { Float($0) * 0.37 + 0.1 }
                        let out = function.apply(x)
                        var inPlace = x
                        inPlace.withUnsafeMutableBufferPointer { p in function.kernel(n, p.baseAddress!, p.baseAddress!)
                        }
                        #expect(out == inPlace)
                        for (xi, yi) in zip(x, out) {
                            let expected = function.reference(Double(xi))
                            #expect(abs(Double(yi) - expected) <= 3e-7 * abs(expected), "\(function)(\(xi)) n=\(n)")
                        }
                    }
                }
            }
        }
    }
}

@Test func doubleFunctionsMatchLibm() {
    let x: [Double] = [-800, -30, -1, -1e-9, 0, 1e-9, 0.5, 1, 3, 30, 800]
    var y = [Double](repeating: 0, count: x.count)
    ck_vexp_f64(x.count, x, &y)
    #expect(y == x.map { Foundation.exp($0) })
    ck_vtanh_f64(x.count, x, &y)
    #expect(y == x.map { Foundation.tanh($0) })
    ck_vsigmoid_f64(x.count, x, &y)
    #expect(y == x.map { 1 / (1 + Foundation.exp(-$0)) })
    let positive = x.filter { $0 > 0 }
    var logs = [Double](repeating: 0, count: positive.count)
    ck_vlog_f64(positive.count, positive, &logs)
    #expect(logs == positive.map { Foundation.log($0) })
}
