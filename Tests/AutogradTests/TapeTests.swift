import Autograd
import Foundation
import Testing

@Suite struct TapeTests {
    @Test func gradientOfSumOfSquares() {
        let tape = Tape<Double>()
        let x = tape.variable(Tensor([1, 2, 3]))
        let y = (x * x).sum()
        #expect(y.value.scalar == 14)
        tape.backward(from: y)
        #expect(tape.gradient(of: x)!.scalars == [2, 4, 6])
    }

    @Test func hand_derivedChainRule() {
        // y = tanh(w x + b), dy/dw = (1 - y^2) x, dy/db = 1 - y^2.
        let tape = Tape<Double>()
        let w = tape.variable(Tensor(0.5))
        let x = tape.constant(Tensor(2.0))
        let b = tape.variable(Tensor(-0.25))
        let y = (w * x + b).tanh()
        tape.backward(from: y)
        let t = Foundation.tanh(0.75)
        #expect(abs(tape.gradient(of: w)!.scalar - (1 - t * t) * 2) < 1e-15)
        #expect(abs(tape.gradient(of: b)!.scalar - (1 - t * t)) < 1e-15)
    }

    @Test func unreachedVariablesHaveNoGradient() {
        let tape = Tape<Double>()
        let x = tape.variable(Tensor([1, 2]))
        let unused = tape.variable(Tensor([3]))
        let blocked = tape.variable(Tensor([4]))
        let constant = tape.constant(Tensor([5]))
        tape.backward(from: x.sum() + (blocked.stoppingGradient() * constant).sum())
        #expect(tape.gradient(of: unused) == nil, "no path from the loss")
        #expect(tape.gradient(of: blocked) == nil, "only a path through stopGradient")
        #expect(tape.gradient(of: constant) == nil, "a constant")
        // Reached with a zero derivative is not the same: zeros, not nil.
        let dead = tape.variable(Tensor([-1, -2]))
        tape.backward(from: dead.relu().sum())
        #expect(tape.gradient(of: dead) == Tensor([0, 0]))
    }

    @Test func boundGradientsAccumulateAcrossPasses() {
        var value: [Double] = [1, 2]
        var gradient: [Double] = [0, 0]
        let tape = Tape<Double>()
        value.withUnsafeMutableBufferPointer { v in
            gradient.withUnsafeMutableBufferPointer { g in
                for _ in 0..<2 {
                    tape.reset()
                    let p = tape.bind(v.baseAddress!, gradient: g.baseAddress!, shape: [2])
                    tape.backward(from: (p * 3).sum())
                }
            }
        }
        #expect(gradient == [6, 6])
    }

    @Test func aRepeatedStepReusesTheTapesMemory() {
        let tape = Tape<Float>()
        var g = SeededGenerator(seed: 9)
        let w = Tensor<Float>.normal([64, 32], using: &g)
        let x = Tensor<Float>.normal([16, 64], using: &g)
        func step() {
            tape.reset()
            let y = tape.constant(x).matmul(tape.variable(w)).relu().logSoftmax()
            tape.backward(from: y.mean())
        }
        step()
        let reserved = tape.reservedBytes
        for _ in 0..<5 { step() }
        #expect(tape.reservedBytes == reserved)
        #expect(reserved > 0)
    }

    /// A constant written in place holds what the closure wrote and takes no gradient.
    @Test func aConstantWrittenInPlace() {
        let tape = Tape<Double>()
        let c = tape.constant(shape: [2, 3]) { out in
            for i in out.indices { out[i] = Double(i * i) }
        }
        let w = tape.variable(Tensor([1, 2, 3]))
        tape.backward(from: (c * w).sum())
        #expect(c.value == Tensor(shape: [2, 3], scalars: [0, 1, 4, 9, 16, 25]))
        #expect(tape.gradient(of: w) == Tensor([9, 17, 29]))
    }

    /// Recycling op results' gradient buffers during backward changes no number: an RNN
    /// unrolled over five steps (fused linear ops, elementwise ops, broadcasting, a reduction)
    /// gives the same gradients bit for bit, and the second backward pass, reusing recycled
    /// buffers, still does.
    @Test func recyclingIntermediateGradientsChangesNoResult() {
        var generator = SeededGenerator(seed: 21)
        let inputs = [
            Tensor<Float>.normal([6, 5], using: &generator), .normal([8, 5], using: &generator),
            .normal([8], using: &generator), .normal([8, 8], using: &generator), .normal([8], using: &generator),
        ]
        func gradients(keeping: Bool) -> [[UInt32]] {
            let tape = Tape<Float>()
            tape.keepsIntermediateGradients = keeping
            var results: [[UInt32]] = []
            for _ in 0..<2 {
                tape.reset()
                let v = inputs.map { tape.variable($0) }
                var h = tape.constant(0, shape: [6, 8])
                var total = h.sum()
                for step in 0..<5 {
                    h = v[0].linear(
                        weight: v[1], bias: v[2], plus: h, weight: v[3], bias: nil,
                        activation: step % 2 == 0 ? .relu : .tanh)
                    total = total + ((h * h) + v[4]).sum()
                }
                tape.backward(from: total)
                results += v.map { tape.gradient(of: $0)!.scalars.map(\.bitPattern) }
            }
            return results
        }
        #expect(gradients(keeping: false) == gradients(keeping: true))
    }
}
