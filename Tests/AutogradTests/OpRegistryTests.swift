import Autograd
import AutogradTesting
import Testing

/// Every registered op, checked from its description: forward values against a naive Double
/// reference, gradients against finite differences with PyTorch's default tolerances.
@Suite struct OpRegistryTests {
    @Test(arguments: OpCode.allCases)
    func forwardMatchesReference(op: OpCode) {
        for c in op.cases() {
            let tape = Tape<Double>()
            let output = c.apply(c.inputs.map { tape.variable($0) }).value
            let expected = c.reference(c.inputs)
            #expect(output.shape == expected.shape, "\(c): shape")
            let error = zip(output.scalars, expected.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(error < 1e-12, "\(c): largest relative error \(error)")
        }
    }

    @Test(arguments: OpCode.allCases)
    func gradientsMatchFiniteDifferences(op: OpCode) {
        for c in op.cases() {
            switch c.gradient {
            case .checked:
                let result = checkGradients(at: c.inputs, differentiable: c.differentiable) { _, v in c.apply(v) }
                #expect(result.passed, "\(c): \(result)")
            case .scoreFunction(let surrogate):
                let result = checkGradients(at: c.inputs, differentiable: c.differentiable) { _, v in surrogate(v) }
                #expect(result.passed, "\(c) surrogate: \(result)")
                let node = Tape<Double>()
                let reference = Tape<Double>()
                let a = c.inputs.map { node.variable($0) }
                let b = c.inputs.map { reference.variable($0) }
                node.backward(from: c.apply(a))
                reference.backward(from: surrogate(b))
                for (x, y) in zip(a, b) {
                    let (gx, gy) = (node.gradient(of: x)!.scalars, reference.gradient(of: y)!.scalars)
                    #expect(gx.contains { $0 != 0 }, "\(c): the stochastic node gave no gradient")
                    #expect(zip(gx, gy).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) }, "\(c): \(gx) vs \(gy)")
                }
            case .zero:
                let tape = Tape<Double>()
                let inputs = c.inputs.map { tape.variable($0) }
                tape.backward(from: c.apply(inputs).sum())
                for input in inputs {
                    #expect(tape.gradient(of: input).map { $0.scalars.allSatisfy { $0 == 0 } } ?? true, "\(c)")
                }
            }
        }
    }

    /// Second derivatives: the recorded VJPs give `backward`'s gradients, and their own
    /// gradients meet central differences of first derivatives (`gradgradcheck`).
    @Test(arguments: OpCode.allCases)
    func secondOrderGradientsMatchFiniteDifferences(op: OpCode) {
        for c in op.cases() {
            switch c.gradient {
            case .checked:
                let result = checkGradients(at: c.inputs, differentiable: c.differentiable, order: 2) { _, v in
                    c.apply(v)
                }
                #expect(result.passed, "\(c): \(result)")
            case .scoreFunction(let surrogate):
                // The node's recorded REINFORCE term and its derivative equal the surrogate's,
                // which is checked at order 2 by differences.
                let result = checkGradients(at: c.inputs, differentiable: c.differentiable, order: 2) { _, v in
                    surrogate(v)
                }
                #expect(result.passed, "\(c) surrogate: \(result)")
                var generator = SeededGenerator(seed: 2)
                let direction = Tensor<Double>.normal(c.inputs[0].shape, using: &generator)
                func secondOrder(_ f: ([Variable<Double>]) -> Variable<Double>) -> (first: [Double], second: [Double]) {
                    let tape = Tape<Double>()
                    let x = tape.variable(c.inputs[0])
                    let gradient = tape.gradients(of: f([x]), withRespectTo: [x])[0]
                    tape.backward(from: gradient, seed: direction, reinforce: false)
                    return (gradient.scalars, tape.gradient(of: x)?.scalars ?? [])
                }
                let (node, reference) = (secondOrder(c.apply), secondOrder(surrogate))
                #expect(node.second.contains { $0 != 0 }, "\(c): no second derivative")
                for (a, b) in zip(node.first + node.second, reference.first + reference.second) {
                    #expect(abs(a - b) <= 1e-12 * max(1, abs(b)), "\(c): \(node) vs \(reference)")
                }
            case .zero:
                let tape = Tape<Double>()
                let inputs = c.inputs.map { tape.variable($0) }
                let gradients = tape.gradients(of: c.apply(inputs).sum(), withRespectTo: inputs)
                #expect(gradients.allSatisfy { $0.scalars.allSatisfy { $0 == 0 } }, "\(c)")
            }
        }
    }

    @Test func everyOpHasAtLeastOneCase() {
        for op in OpCode.allCases { #expect(!op.cases().isEmpty, "\(op) has no test case") }
    }
}
