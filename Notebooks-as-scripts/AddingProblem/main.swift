// # The adding problem: why gated cells exist
//
// Hochreiter and Schmidhuber (1997) posed it to show what a plain recurrent network cannot
// learn. Each input is a sequence of T steps of two numbers: a value drawn uniformly from
// [0, 1], and a marker that is 1 at exactly two steps (one in each half) and 0 elsewhere.
// The target is the sum of the two marked values.
//
//     value   0.31  0.87  0.05  0.62  ...  0.44  0.19     target = 0.87 + 0.44 = 1.31
//     marker  0     1     0     0     ...  1     0
//
// Always answering 1.0 (the mean of the sum) scores a mean squared error of
// Var(U + U') = 2/12 = 0.167. To beat it, a network must carry a value across up to T steps;
// in a plain RNN the gradient that would teach it to do so shrinks geometrically with the
// distance (Bengio, Simard and Frasconi 1994), while the LSTM's and GRU's additive,
// gated state lets it through. We train the three cells of the toolkit side by side at a
// short and a long T and draw their learning curves.
//
//     swift run -c release adding-problem [--small]

import Autograd
import Imaging
import NeuralNetworks
import NotebookSupport
import Training

let notebook = Notebook(
    name: "adding-problem", summary: "RNN, LSTM and GRU cells on the adding problem, short and long T.")

// ## The data
//
// A batch is stored time-major, ready to feed one step at a time: `inputs[t]` is `[batch, 2]`.

struct AddingBatch {
    var inputs: [Tensor<Float>]
    var targets: Tensor<Float>
}

func addingBatch(length: Int, count: Int, using generator: inout SeededGenerator) -> AddingBatch {
    var inputs = [Tensor<Float>](repeating: .zeros([count, 2]), count: length)
    var targets = [Float](repeating: 0, count: count)
    for b in 0..<count {
        let first = Int.random(in: 0..<(length / 2), using: &generator)
        let second = Int.random(in: (length / 2)..<length, using: &generator)
        for t in 0..<length {
            let value = generator.nextUniform(Float.self)
            inputs[t][b, 0] = value
            if t == first || t == second {
                inputs[t][b, 1] = 1
                targets[b] += value
            }
        }
    }
    return AddingBatch(inputs: inputs, targets: Tensor(shape: [count, 1], scalars: targets))
}

// ## The models
//
// One cell read over the sequence, and a linear read-out of the last hidden state. The three
// cells take the same inputs and give the same shape of state; only their insides differ.

enum CellKind: String, CaseIterable {
    case rnn = "RNN (tanh)"
    case lstm = "LSTM"
    case gru = "GRU"
    var color: Color {
        [Color.red, .green, Color(red: 90, green: 150, blue: 255)][CellKind.allCases.firstIndex(of: self)!]
    }
}

struct SequenceRegressor {
    enum Cell {
        case rnn(RNNCell<Float>)
        case lstm(LSTMCell<Float>)
        case gru(GRUCell<Float>)
    }
    let cell: Cell
    let readout: Linear<Float>
    let store = ParameterStore<Float>()

    init(_ kind: CellKind, hiddenSize: Int, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        switch kind {
        case .rnn:
            cell = .rnn(
                RNNCell(inputSize: 2, hiddenSize: hiddenSize, name: "cell", store: store, generator: &generator))
        case .lstm:
            cell = .lstm(
                LSTMCell(inputSize: 2, hiddenSize: hiddenSize, name: "cell", store: store, generator: &generator))
        case .gru:
            cell = .gru(
                GRUCell(inputSize: 2, hiddenSize: hiddenSize, name: "cell", store: store, generator: &generator))
        }
        readout = Linear(inputSize: hiddenSize, outputSize: 1, name: "readout", store: store, generator: &generator)
    }

    /// The prediction `[batch, 1]` after reading every step.
    func callAsFunction(_ inputs: [Tensor<Float>], on tape: Tape<Float>) -> Variable<Float> {
        let batch = inputs[0].shape[0]
        switch cell {
        case .rnn(let rnn):
            var h = rnn.zeroState(batchSize: batch, on: tape)
            for x in inputs { h = rnn(tape.constant(x), state: h) }
            return readout(h)
        case .lstm(let lstm):
            var state = lstm.zeroState(batchSize: batch, on: tape)
            for x in inputs { state = lstm(tape.constant(x), state: state) }
            return readout(state.hidden)
        case .gru(let gru):
            var h = gru.zeroState(batchSize: batch, on: tape)
            for x in inputs { h = gru(tape.constant(x), state: h) }
            return readout(h)
        }
    }
}

// ## Training
//
// Adam (Kingma and Ba 2015) on fresh batches every step, with the global gradient norm
// clipped to 1 (an exploding gradient is the other face of the same problem). Every
// `evaluationInterval` steps the mean squared error on a fixed test set is recorded.

struct Settings {
    var lengths: [Int]
    var steps: Int
    var hiddenSize = 64
    var batchSize = 50
    var learningRate = 1e-3
    var evaluationInterval: Int
    var testCount = 500
}

let settings =
    notebook.isSmall
    ? Settings(lengths: [10], steps: 1000, hiddenSize: 32, learningRate: 5e-3, evaluationInterval: 100)
    : Settings(lengths: [50, 100], steps: 4000, learningRate: 3e-3, evaluationInterval: 250)
let baselineError: Float = 2.0 / 12

func train(_ kind: CellKind, length: Int) -> (curve: [(x: Double, y: Double)], seconds: Double) {
    let model = SequenceRegressor(kind, hiddenSize: settings.hiddenSize, seed: 1)
    let takeStep = TrainingStep(optimizer: Adam(for: model.store, learningRate: settings.learningRate), gradientClip: 1)
    var data = SeededGenerator(seed: 2)
    var testGenerator = SeededGenerator(seed: 3)
    let test = addingBatch(length: length, count: settings.testCount, using: &testGenerator)
    let tape = Tape<Float>()
    func testError() -> Double {
        tape.reset()
        let error = meanSquaredError(predictions: model(test.inputs, on: tape), targets: tape.constant(test.targets))
        return Double(error.value.scalar)
    }
    var curve = [(x: 0.0, y: testError())]
    let events = notebook.events(run: "T\(length)-\(kind.rawValue)")
    let started = notebook.elapsed
    for step in 1...settings.steps {
        let batch = addingBatch(length: length, count: settings.batchSize, using: &data)
        must {
            try takeStep { tape in
                meanSquaredError(predictions: model(batch.inputs, on: tape), targets: tape.constant(batch.targets))
            }
        }
        if step % settings.evaluationInterval == 0 {
            curve.append((Double(step), testError()))
            try? events?.scalar("test_mse", curve.last!.y, step: step)
            say("  T = \(length), \(kind.rawValue), step \(step): test MSE \(format(curve.last!.y, 4))")
        }
    }
    return (curve, notebook.elapsed - started)
}

// ## Side by side

var charts: [Image] = []
var results: [(length: Int, kind: CellKind, error: Double, seconds: Double)] = []
for length in settings.lengths {
    var plot = LinePlot(xRange: 0...Double(settings.steps), yRange: 0...0.25)
    plot.references = [(Double(baselineError), .yellow)]
    plot.title = String(length)
    for kind in CellKind.allCases {
        let (curve, seconds) = train(kind, length: length)
        plot.series.append(.init(points: curve, color: kind.color, name: kind.rawValue))
        // The final error: the mean of the last three evaluations, to smooth out one lucky batch.
        let final = curve.suffix(3).map(\.y).reduce(0, +) / Double(min(3, curve.count))
        results.append((length, kind, final, seconds))
    }
    charts.append(plot.image())
}

say(
    "\n"
        + table(
            ["T", "cell", "test MSE (last 3 evaluations)", "vs answering 1.0", "training time"],
            results.map {
                [
                    String($0.length), $0.kind.rawValue, format($0.error, 4),
                    format($0.error / Double(baselineError), 2) + "x", format($0.seconds, 1) + " s",
                ]
            }))
notebook.write(LinePlot.sideBySide(charts), to: "learning-curves.png")
say(
    "learning curves: test MSE against training step, one panel per T "
        + "(\(settings.lengths.map(String.init).joined(separator: ", ")));"
)
say("red: plain RNN, green: LSTM, blue: GRU, dashed yellow: always answering 1.0 (0.167)\n")

// ## What the picture shows
//
// Gated cells beat the baseline by far, at both lengths. The plain RNN stays at the
// baseline at the long T: it never learns to find the marked values, because the error
// signal from the end of the sequence has vanished long before it reaches them.

for result in results where result.kind != .rnn {
    claim(
        result.error < 0.05,
        "\(result.kind.rawValue) at T = \(result.length) reaches MSE \(format(result.error, 4)), well under 0.167")
}
if !notebook.isSmall, let longest = settings.lengths.max(),
    let rnn = results.first(where: { $0.kind == .rnn && $0.length == longest })
{
    claim(
        rnn.error > 0.1, "the plain RNN at T = \(longest) stays near the baseline (MSE \(format(rnn.error, 4)) > 0.1)")
}
say("done in \(format(notebook.elapsed, 1)) s")
