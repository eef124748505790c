import Autograd
import Testing

/// Misuse stops the program with a message that names the op and the problem: a shape
/// mismatch names both shapes.
@Suite struct TrapTests {
    static func stderr(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test func broadcastMismatchNamesTheOpAndShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let tape = Tape<Double>()
            _ = tape.constant(.zeros([2, 3])) + tape.constant(.zeros([4]))
        }
        #expect(Self.stderr(result).contains("add: shapes [2, 3] and [4] cannot be broadcast together"))
    }

    @Test func matmulMismatchNamesTheOpAndShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let tape = Tape<Double>()
            _ = tape.constant(.zeros([2, 3])).matmul(tape.constant(.zeros([4, 5])))
        }
        #expect(Self.stderr(result).contains("matmul: inner dimensions differ: shapes [2, 3] and [4, 5]"))
    }

    @Test func linearMismatchNamesTheShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let tape = Tape<Float>()
            _ = tape.constant(.zeros([2, 3])).linear(weight: tape.constant(.zeros([4, 5])))
        }
        #expect(Self.stderr(result).contains("linear: input [2, 3] and weight [4, 5] do not fit"))
    }

    @Test func anIntermediateGradientIsNotKeptWhenRecycling() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let tape = Tape<Float>()
            tape.keepsIntermediateGradients = false
            let x = tape.variable(Tensor([1, 2]))
            let y = x.exp()
            tape.backward(from: y.sum())
            _ = tape.gradient(of: y)
        }
        #expect(Self.stderr(result).contains("the gradient of an op's result (exp) is not kept"))
    }

    @Test func concatenateMismatchNamesTheShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let tape = Tape<Double>()
            _ = concatenate([tape.constant(.zeros([2, 3])), tape.constant(.zeros([3, 3]))], alongAxis: 1)
        }
        #expect(Self.stderr(result).contains("concatenate: shapes [2, 3] and [3, 3] differ outside axis 1"))
    }

    @Test func aVariableFromBeforeResetIsCaught() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let tape = Tape<Double>()
            let stale = tape.constant(.zeros([2]))
            tape.reset()
            _ = stale.exp()
        }
        #expect(Self.stderr(result).contains("recorded before reset() was used"))
    }

    @Test func backwardBeforeTheAdvantageIsSetTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let tape = Tape<Double>()
            var generator = SeededGenerator(seed: 1)
            let mean = tape.variable(.zeros([2, 2]))
            let sample = mean.sampleNormal(standardDeviation: 0.1, using: &generator)
            tape.backward(from: (sample * mean).sum())
        }
        #expect(Self.stderr(result).contains("advantage was never set"))
    }
}
