// # Sequential MNIST: reading a digit row by row
//
// A recurrent cell reads each 28x28 MNIST image as a sequence of 28 steps, one row of 28
// pixels per step, and a linear layer classifies the digit from the last hidden state. The
// network never sees the image whole: whatever it needs from the top rows it must carry in
// its state to the end. We train an LSTM and a GRU cell this way and compare them.
//
//     swift run -c release sequential-mnist [--small]
//
// Built with the `MPI` trait it also trains data-parallel: `mpirun -np 2 sequential-mnist`
// (see "Training on many processes" in the README).

import Autograd
import Datasets
import Distributed
import Foundation
import Imaging
import NeuralNetworks
import NotebookSupport
import Training

let notebook = Notebook(name: "sequential-mnist", summary: "LSTM and GRU cells classifying MNIST read row by row.")

// Under `mpirun` every process runs this script: each computes its share of every batch, the
// gradients are summed before each update, evaluation images are split between the processes,
// and only rank 0 prints and writes. Alone, `reducer` is a world of one and changes nothing.
let reducer = worldReducer()
Notebook.speaks = reducer.isLeader

// ## Settings
//
// The full setting trains each cell for 12 epochs of the 50,000 training images (stopping
// early if 30 minutes of training pass), checking the 10,000 validation images after each
// epoch; the 10,000 test images are scored once, at the end. The small setting (CI)
// trains a smaller cell for two epochs of 12,000 images and checks on 1,000.

struct Settings {
    var trainingCount: Int?  // nil: all 50,000
    var evaluationCount: Int?  // nil: all 10,000
    var epochs: Int
    var evaluationsPerEpoch: Int
    var timeBudget: Double  // seconds per cell
    var hiddenSize = 128
    var batchSize = 64
    var learningRate = 1e-3
}

let settings =
    notebook.isSmall
    ? Settings(
        trainingCount: 12_000, evaluationCount: 1_000, epochs: 2, evaluationsPerEpoch: 2, timeBudget: 60,
        hiddenSize: 64, learningRate: 3e-3)
    : Settings(trainingCount: nil, evaluationCount: nil, epochs: 12, evaluationsPerEpoch: 1, timeBudget: 30 * 60)

// ## The data
//
// The bundled MNIST, split by a fixed seed into 50,000 training and 10,000 validation images.

let data: DatasetSplits
do { data = try DatasetSplits.load() } catch { fail("cannot load MNIST: \(error)") }
func first(_ images: LabeledImages, _ count: Int?) -> LabeledImages {
    count.map { images.subset(Array(0..<min($0, images.count))) } ?? images
}
let training = TaskGenerator(source: first(data.train, settings.trainingCount), task: .mnist, seed: 1, isFixed: false)
let validation = TaskGenerator(
    source: first(data.validation, settings.evaluationCount), task: .mnist, seed: 2, isFixed: true)
let test = TaskGenerator(source: first(data.test, settings.evaluationCount), task: .mnist, seed: 3, isFixed: true)
say("training on \(training.count) images, validating on \(validation.count), testing on \(test.count)\n")

/// The rows of a batch of images `[batch, 28, 28]` as 28 inputs of `[batch, 28]`.
func rows(of images: Tensor<Float>) -> [Tensor<Float>] {
    let (batch, height, width) = (images.shape[0], images.shape[1], images.shape[2])
    return (0..<height).map { r in
        var row = [Float]()
        row.reserveCapacity(batch * width)
        for b in 0..<batch {
            let start = (b * height + r) * width
            row.append(contentsOf: images.scalars[start..<(start + width)])
        }
        return Tensor(shape: [batch, width], scalars: row)
    }
}

// ## The model
//
// An `LSTMCell` (or a `GRUCell`) of 128 units reads the rows; `Linear` maps its last hidden
// state to 10 class scores.

enum CellKind: String, CaseIterable {
    case lstm = "LSTM"
    case gru = "GRU"
}

struct RowReader {
    enum Cell {
        case lstm(LSTMCell<Float>)
        case gru(GRUCell<Float>)
    }
    let cell: Cell
    let classifier: Linear<Float>
    let store = ParameterStore<Float>()

    init(_ kind: CellKind, hiddenSize: Int, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        switch kind {
        case .lstm:
            cell = .lstm(
                LSTMCell(inputSize: 28, hiddenSize: hiddenSize, name: "cell", store: store, generator: &generator))
        case .gru:
            cell = .gru(
                GRUCell(inputSize: 28, hiddenSize: hiddenSize, name: "cell", store: store, generator: &generator))
        }
        classifier = Linear(
            inputSize: hiddenSize, outputSize: 10, name: "classifier", store: store, generator: &generator)
    }

    /// Class scores `[batch, 10]` after reading every row.
    func callAsFunction(_ images: Tensor<Float>, on tape: Tape<Float>) -> Variable<Float> {
        let inputs = rows(of: images).map { tape.constant($0) }
        switch cell {
        case .lstm(let lstm):
            var state = lstm.zeroState(batchSize: images.shape[0], on: tape)
            for x in inputs { state = lstm(x, state: state) }
            return classifier(state.hidden)
        case .gru(let gru):
            var h = gru.zeroState(batchSize: images.shape[0], on: tape)
            for x in inputs { h = gru(x, state: h) }
            return classifier(h)
        }
    }
}

func accuracy(of model: RowReader, on images: TaskGenerator, sharedWith reducer: any Reducer) -> Double {
    let tape = Tape<Float>()
    let batcher = Batcher(generator: images, batchSize: 500, shuffles: false)
    let mine = reducer.share(of: images.count).rows
    var correct = 0.0
    for start in stride(from: mine.lowerBound, to: mine.upperBound, by: 500) {
        let batch = batcher.batch(of: Array(start..<min(start + 500, mine.upperBound)), epoch: 0)
        tape.reset()
        let predicted = Categorical(logits: model(batch.images, on: tape)).mode()
        correct += Double(zip(predicted, batch.labels).filter { $0 == Int($1) }.count)
    }
    return reducer.sum([correct])[0] / Double(images.count)
}

// ## Training
//
// Cross-entropy, Adam (Kingma and Ba 2015), global gradient norm clipped to 1: standard for
// recurrent nets, whose gradients occasionally spike. The learning rate drops tenfold for the
// last quarter of the epochs, which settles the last few tenths of a percent.

struct Run {
    var kind: CellKind
    var curve: [(x: Double, y: Double)] = []  // (epochs done, validation accuracy)
    var minutesTo98: Double?
    var seconds = 0.0
    var testAccuracy = 0.0
}

func train(_ kind: CellKind, sharedWith reducer: any Reducer) -> Run {
    let model = RowReader(kind, hiddenSize: settings.hiddenSize, seed: 1)
    let takeStep = TrainingStep(optimizer: Adam(for: model.store, learningRate: settings.learningRate), gradientClip: 1)
    let batcher = Batcher(generator: training, batchSize: settings.batchSize, shuffles: true, dropsLast: true)
    // This process's rows of each batch, and the gradients weighted by their share and summed.
    let part = reducer.size > 1 ? (rank: reducer.rank, size: reducer.size) : nil
    var share = 1.0
    if part != nil { takeStep.shareGradients(over: reducer) { share } }
    // Evaluate at evenly spaced batches, the last one included.
    let evaluationPoints = Set(
        (1...settings.evaluationsPerEpoch).map { $0 * batcher.batchCount / settings.evaluationsPerEpoch })
    var run = Run(kind: kind)
    let events = notebook.events(run: kind.rawValue)
    var trainingTime = 0.0  // excludes evaluations
    say("## \(kind.rawValue), \(model.store.count) parameters")
    training: for epoch in 0..<settings.epochs {
        var lossSum = 0.0
        var seen = 0
        takeStep.optimizer.learningRate = settings.learningRate * (epoch >= settings.epochs * 3 / 4 ? 0.1 : 1)
        for (i, batch) in batcher.batches(epoch: epoch, part: part).enumerated() {
            let stepStarted = Date()
            share = Double(batch.count) / Double(settings.batchSize)
            let loss = must {
                try takeStep { tape in
                    softmaxCrossEntropy(logits: model(batch.images, on: tape), labels: batch.labels.map(Int.init))
                }
            }
            trainingTime += Date().timeIntervalSince(stepStarted)
            lossSum += Double(loss) * share  // summed over the processes when printed
            seen += 1
            if !notebook.isSmall && (i + 1) % 200 == 0 {
                say(
                    String(
                        format: "  epoch %d, batch %d/%d: training loss %.4f, %.1f ms per batch", epoch + 1, i + 1,
                        batcher.batchCount, reducer.sum([lossSum])[0] / Double(seen),
                        1000 * trainingTime / Double(epoch * batcher.batchCount + i + 1)))
            }
            if evaluationPoints.contains(i + 1) {
                let progress = Double(epoch) + Double(i + 1) / Double(batcher.batchCount)
                let validationAccuracy = accuracy(of: model, on: validation, sharedWith: reducer)
                // The loss over all processes; every one stops when any one's budget ran out.
                let totals = reducer.sum([lossSum, trainingTime > settings.timeBudget ? 1 : 0])
                run.curve.append((progress, validationAccuracy))
                try? events?.scalar("validation_accuracy", validationAccuracy, step: epoch * batcher.batchCount + i + 1)
                if validationAccuracy >= 0.98 && run.minutesTo98 == nil { run.minutesTo98 = trainingTime / 60 }
                say(
                    String(
                        format:
                            "  epoch %.2f: training loss %.4f, validation accuracy %.2f%%, %.0f s of training (%.1f "
                            + "ms per batch)",
                        progress, totals[0] / Double(seen), 100 * validationAccuracy, trainingTime,
                        1000 * trainingTime / (Double(epoch * batcher.batchCount + i + 1))))
                (lossSum, seen) = (0, 0)
                if totals[1] > 0 { break training }
            }
        }
    }
    run.seconds = trainingTime
    run.testAccuracy = accuracy(of: model, on: test, sharedWith: reducer)
    say("  test accuracy \(format(100 * run.testAccuracy, 2)) % after \(format(trainingTime, 0)) s of training\n")
    return run
}

let runs = CellKind.allCases.map { train($0, sharedWith: reducer) }

// ## Results

say(
    table(
        ["cell", "test accuracy", "training time", "time to 98 % validation accuracy"],
        runs.map {
            [
                $0.kind.rawValue, format(100 * $0.testAccuracy, 2) + " %", format($0.seconds / 60, 1) + " min",
                $0.minutesTo98.map { format($0, 1) + " min" } ?? "not reached",
            ]
        }))

var plot = LinePlot(
    xRange: 0...Double(max(1, runs.flatMap { $0.curve.map(\.x) }.max() ?? 1).rounded(.up)),
    yRange: notebook.isSmall ? 0...1 : 0.9...1)
plot.references = [(0.98, .yellow)]
plot.series = runs.map {
    .init(
        points: $0.curve, color: $0.kind == .lstm ? .green : Color(red: 90, green: 150, blue: 255),
        name: $0.kind.rawValue)
}
notebook.write(plot.image(), to: "validation-accuracy.png")
say("validation accuracy against epochs: green LSTM, blue GRU, dashed yellow 98 %\n")

// ## What should hold
//
// Full setting: the LSTM reaches 98 % test accuracy within the 30-minute budget. Small
// setting: after two passes over 12,000 images both cells read most digits.

let lstm = runs.first { $0.kind == .lstm }!
let gru = runs.first { $0.kind == .gru }!
if notebook.isSmall {
    for run in runs {
        claim(
            run.testAccuracy > 0.8,
            "\(run.kind.rawValue) reaches \(format(100 * run.testAccuracy, 1)) % on 1,000 test images in the small "
                + "setting (> 80 %)"
        )
    }
} else {
    claim(
        lstm.testAccuracy >= 0.98,
        "the LSTM reaches \(format(100 * lstm.testAccuracy, 2)) % test accuracy (>= 98 %) in "
            + "\(format(lstm.seconds / 60, 1)) minutes"
    )
    say("the GRU reached \(format(100 * gru.testAccuracy, 2)) % in \(format(gru.seconds / 60, 1)) minutes")
}
say("done in \(format(notebook.elapsed / 60, 1)) minutes")
