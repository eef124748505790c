import Autograd
import Testing

/// Where a derivative is undefined, the toolkit picks a convention; these tests pin it.
@Suite struct ConventionTests {
    func gradient(_ input: [Double], _ f: (Variable<Double>) -> Variable<Double>) -> [Double] {
        let tape = Tape<Double>()
        let x = tape.variable(Tensor(input))
        tape.backward(from: f(x).sum())
        return tape.gradient(of: x)!.scalars
    }

    @Test func reluHasZeroDerivativeAtZero() {
        #expect(gradient([-1, 0, 2]) { $0.relu() } == [0, 0, 1])
    }

    @Test func clampPassesGradientAtItsBoundsAndNotOutside() {
        #expect(gradient([-2, -1, 0, 1, 2]) { $0.clamped(to: -1...1) } == [0, 1, 1, 1, 0])
    }

    @Test func maxSendsTheGradientToTheFirstOfTiedElements() {
        let tape = Tape<Double>()
        let x = tape.variable(Tensor(shape: [2, 3], scalars: [1, 5, 5, 7, 7, 7]))
        let m = x.max(alongAxis: 1)
        #expect(m.value.scalars == [5, 7])
        tape.backward(from: m.sum())
        #expect(tape.gradient(of: x)!.scalars == [0, 1, 0, 1, 0, 0])
    }
}
