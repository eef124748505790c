import Autograd
import CKernels
import Testing

/// The fused `linear` op promises the numbers of the ops it replaces, bit for bit, in Float
/// (where its passes are C kernels) on both kernel levels and on one or two threads: the
/// trained checkpoints then evaluate exactly as before, and `--threads` changes no result.
@Suite(.serialized) struct FusedLinearTests {
    /// x [130, 70], W [90, 70], b [90], x2 [130, 40], W2 [90, 40], b2 [90]: large enough for the
    /// products to go to the pool on two threads, with ragged tiles.
    static func inputs() -> [Tensor<Float>] {
        var generator = SeededGenerator(seed: 11)
        return [[130, 70], [90, 70], [90], [130, 40], [90, 40], [90]].map { shape in
            Tensor<Float>.normal(Shape(shape), using: &generator)
        }
    }

    /// The value and every input's gradient (of the output weighted by a fixed cotangent).
    static func run(_ inputs: [Tensor<Float>], _ f: ([Variable<Float>]) -> Variable<Float>) -> [[Float]] {
        let tape = Tape<Float>()
        let v = inputs.map { tape.variable($0) }
        let y = f(v)
        var generator = SeededGenerator(seed: 12)
        let cotangent = Tensor<Float>.normal(y.shape, using: &generator)
        tape.backward(from: y, seed: cotangent)
        return [Array(y.scalars)] + v.map { (tape.gradient(of: $0) ?? .zeros($0.shape)).scalars }
    }

    static func unfused(_ activation: Activation, _ z: Variable<Float>) -> Variable<Float> {
        switch activation {
        case .identity: z
        case .relu: z.relu()
        case .tanh: z.tanh()
        }
    }

    @Test(arguments: [CK_LEVEL_PORTABLE, ck_detected_level()])
    func fusedEqualsUnfusedBitForBit(level: ck_level) {
        let saved = ck_active_level()
        defer {
            ck_force_level(saved)
            ck_set_thread_count(1)
        }
        ck_force_level(level)
        let inputs = Self.inputs()
        for activation in Activation.allCases {
            let oneTerm = Self.run(inputs) { v in
                Self.unfused(activation, v[0].matmul(v[1], transposeB: true) + v[2])
            }
            let twoTerms = Self.run(inputs) { v in
                Self.unfused(
                    activation,
                    (v[0].matmul(v[1], transposeB: true) + v[2])
                        + (v[3].matmul(v[4], transposeB: true) + v[5]))
            }
            let zeroState = Self.run(inputs) { v in
                let zeros = v[0].tape.constant(0, shape: [130, 40])
                return Self.unfused(
                    activation,
                    (v[0].matmul(v[1], transposeB: true) + v[2])
                        + (zeros.matmul(v[4], transposeB: true) + v[5]))
            }
            let sharedBias = Self.run(inputs) { v in
                Self.unfused(
                    activation,
                    (v[0].matmul(v[1], transposeB: true) + v[2])
                        + (v[3].matmul(v[4], transposeB: true) + v[2]))
            }
            let noBias = Self.run(inputs) { v in
                Self.unfused(activation, v[0].matmul(v[1], transposeB: true) + v[3].matmul(v[4], transposeB: true))
            }
            for threads in [1, 2] {
                ck_set_thread_count(Int32(threads))
                let fusedOne = Self.run(inputs) { v in v[0].linear(weight: v[1], bias: v[2], activation: activation) }
                let fusedTwo = Self.run(inputs) { v in
                    v[0].linear(weight: v[1], bias: v[2], plus: v[3], weight: v[4], bias: v[5], activation: activation)
                }
                let fusedZeroState = Self.run(inputs) { v in
                    v[0].linear(
                        weight: v[1], bias: v[2], plus: v[0].tape.constant(0, shape: [130, 40]), weight: v[4],
                        bias: v[5], activation: activation)
                }
                let fusedSharedBias = Self.run(inputs) { v in
                    v[0].linear(weight: v[1], bias: v[2], plus: v[3], weight: v[4], bias: v[2], activation: activation)
                }
                let fusedNoBias = Self.run(inputs) { v in
                    v[0].linear(weight: v[1], bias: nil, plus: v[3], weight: v[4], bias: nil, activation: activation)
                }
                let context = "\(activation), level \(level.rawValue), \(threads) thread(s)"
                #expect(
                    fusedOne.map { $0.map(\.bitPattern) } == oneTerm.map { $0.map(\.bitPattern) },
                    "one term, \(context)")
                #expect(
                    fusedTwo.map { $0.map(\.bitPattern) } == twoTerms.map { $0.map(\.bitPattern) },
                    "two terms, \(context)")
                #expect(
                    fusedZeroState.map { $0.map(\.bitPattern) } == zeroState.map { $0.map(\.bitPattern) },
                    "zero state, \(context)")
                #expect(
                    fusedSharedBias.map { $0.map(\.bitPattern) } == sharedBias.map { $0.map(\.bitPattern) },
                    "shared bias, \(context)")
                #expect(
                    fusedNoBias.map { $0.map(\.bitPattern) } == noBias.map { $0.map(\.bitPattern) },
                    "no bias, \(context)")
            }
            ck_set_thread_count(1)
        }
    }
}
