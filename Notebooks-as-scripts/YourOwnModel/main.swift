// # Your own model: a bidirectional GRU with an op of your own, on the library's loop
//
// The toolkit ships RAM, cells and layers; this walk-through builds a model it does not ship,
// as a user would from another package: a bidirectional GRU that reads an MNIST digit row by
// row from the top and from the bottom, with an activation of our own (softsign, written as a
// custom op with its own gradient) before the classifier. Its layers are built in a
// `ParameterScope`, which names every parameter by the model's structure; the library's loop
// trains it with checkpoints, resume and a log TensorBoard reads.
//
//     swift run -c release your-own-model [--small]

import Autograd
import AutogradTesting
import Datasets
import Foundation
import NeuralNetworks
import NotebookSupport
import Training

let notebook = Notebook(name: "your-own-model", summary: "A bidirectional GRU of your own, on the library's loop.")
let (small, hiddenSize) = (notebook.isSmall, notebook.isSmall ? 32 : 64)

// ## The op: softsign
//
// `softsign(x) = x / (1 + |x|)`, a smooth squashing function the library does not have. Its
// forward rule saves `1 + |x|`, and its vector-Jacobian product uses it: `dx = g / (1 + |x|)^2`.

func softsign<Scalar: TensorScalar>() -> CustomOp<Scalar, [Scalar]> {
    CustomOp(
        name: "softsign", outputShapes: { $0 },
        forward: { inputs, outputs in
            let (x, denominators) = (inputs[0], (0..<inputs[0].count).map { 1 + abs(inputs[0][$0]) })
            for i in denominators.indices { outputs[0][i] = x[i] / denominators[i] }
            return denominators
        },
        vjp: { c in
            guard let dx = c.gradients[0] else { return }
            for i in c.saved.indices { dx[i] = c.cotangents[0][i] / (c.saved[i] * c.saved[i]) }
        })
}

// Checked as every op of the library is: central differences in Double against the VJP.
var generator = SeededGenerator(seed: 3)
let softsignDouble: CustomOp<Double, [Double]> = softsign()
let check = checkGradients(at: [.normal([4, 5], using: &generator)]) { _, v in softsignDouble(v[0])[0] }
claim(check.passed, "softsign's VJP agrees with central differences (\(check))")

// ## The model
//
// Two GRU cells read the rows, one from the top and one from the bottom; their last states,
// joined and squashed by softsign, give the class scores. The layers take their scope, and the
// names follow: `forward.weight_ih`, `backward.weight_hh`, `head.weight`, ...

final class BidirectionalGRU: ImageClassifier, Module {
    let store = ParameterStore<Float>()
    let forward: GRUCell<Float>, backward: GRUCell<Float>, head: Linear<Float>
    let squash: CustomOp<Float, [Float]> = softsign()

    init(hiddenSize: Int, seed: UInt64) {
        let root = ParameterScope(store: store, seed: seed)
        forward = GRUCell(inputSize: 28, hiddenSize: hiddenSize, in: root["forward"])
        backward = GRUCell(inputSize: 28, hiddenSize: hiddenSize, in: root["backward"])
        head = Linear(inputSize: 2 * hiddenSize, outputSize: 10, in: root["head"])
    }

    func logits(
        _ images: Tensor<Float>, on tape: Tape<Float>, using generator: inout SeededGenerator
    )
        -> Variable<Float>
    {
        let x = tape.constant(images)  // [batch, 28 rows, 28 pixels]
        let rows = (0..<28).map { x.slice(alongAxis: 1, start: $0, length: 1).reshaped(to: [images.shape[0], 28]) }
        var (down, up) = (
            forward.zeroState(batchSize: images.shape[0], on: tape),
            backward.zeroState(batchSize: images.shape[0], on: tape)
        )
        for t in 0..<28 { (down, up) = (forward(rows[t], state: down), backward(rows[27 - t], state: up)) }
        return head(squash(concatenate([down, up], alongAxis: 1))[0])
    }

    func trainingLoss(
        _ images: Tensor<Float>, labels: [Int], on tape: Tape<Float>,
        using generator: inout SeededGenerator
    )
        -> (loss: Variable<Float>, correct: Int, metrics: [String: Double])
    {
        let scores = logits(images, on: tape, using: &generator)
        let correct = zip(mostLikelyClasses(scores), labels).filter { $0 == $1 }.count
        return (softmaxCrossEntropy(logits: scores, labels: labels), correct, [:])
    }
}

let model = BidirectionalGRU(hiddenSize: hiddenSize, seed: 1)
say("parameters: " + model.parameterNames.joined(separator: ", "))
claim(
    model.parameterNames.first == "forward.weight_ih" && model.parameterNames.last == "head.bias",
    "the parameters are named by the model's structure")

// ## Training with the library's loop
//
// `ClassifierTraining.trainer` gives the loop: shuffled batches, a validation after each
// epoch, the best and last checkpoints, resume, and the log of every figure.

let (allTraining, allTest) = must { try MNIST.load() }
// The small setting (CI): 6,000 images to train on, 1,000 to validate and 1,000 to test.
let data =
    small
    ? DatasetSplits(
        training: allTraining.subset(Array(0..<7_000)), test: allTest.subset(Array(0..<1_000)),
        validationCount: 1_000)
    : DatasetSplits(training: allTraining, test: allTest)
let options = TrainingOptions(learningRate: 3e-3, batchSize: 64, epochs: small ? 2 : 3)
let folder = URL(fileURLWithPath: notebook.outputDirectory).appendingPathComponent("run")
try? FileManager.default.removeItem(at: folder)

func trainer(of model: BidirectionalGRU, in folder: URL) -> Trainer<ClassifierTraining> {
    let trainer = ClassifierTraining.trainer(for: model, options: options, data: data, task: .mnist, directory: folder)
    trainer.log = must { try EpochLog(directory: folder, for: trainer.model, tensorBoard: folder) }
    trainer.onEpoch = { record, _ in
        say("epoch \(record.epoch): validation error \(format(100 * record.validationError, 2)) %")
    }
    return trainer
}

// Stopped halfway through (as a kill or Ctrl-C would), then resumed from its checkpoint.
let steps = trainer(of: model, in: folder).model.stepsPerEpoch * options.epochs
must { try trainer(of: model, in: folder).run(stopStep: steps / 2) }
let resumed = trainer(of: BidirectionalGRU(hiddenSize: hiddenSize, seed: 99), in: folder)
must { try resumed.resume() }
must { try resumed.run() }

// ## What it learned, and what the run left

let best = BidirectionalGRU(hiddenSize: hiddenSize, seed: 7)
must { try best.load(from: folder.appendingPathComponent(RunCheckpoints.best)) }
let test = TaskGenerator(source: data.test, task: .mnist, seed: 0, isFixed: true)
let testError = best.error(on: test, seed: 0)
say("test error: \(format(100 * testError, 2)) % on \(test.count) images, \(format(notebook.elapsed, 0)) s in all")
claim(testError < (small ? 0.5 : 0.05), "the model learned the digits (test error \(format(100 * testError, 2)) %)")
claim(resumed.progress.step == steps, "the resumed run finished the \(steps) steps")
// The same run straight through, in another folder, ends at the same parameters to the last bit.
let straightFolder = folder.appendingPathExtension("straight")
try? FileManager.default.removeItem(at: straightFolder)
let straight = trainer(of: BidirectionalGRU(hiddenSize: hiddenSize, seed: 1), in: straightFolder)
must { try straight.run() }
claim(
    Array(straight.model.store.values) == Array(resumed.model.store.values),
    "the stopped and resumed run ends where a run straight through does, bit for bit")
let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
claim(
    files.contains("metrics.csv") && files.contains { $0.hasPrefix("events.out.tfevents.") },
    "the run left metrics.csv and a TensorBoard event file in \(folder.path)")
