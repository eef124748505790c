// # RAM in a page
//
// The recurrent attention model (Mnih, Heess, Graves and Kavukcuoglu, NIPS 2014) assembled
// from the toolkit's parts: a glimpse sensor, `Linear` layers, an `RNNCell` core, a
// `Normal` location policy trained by REINFORCE and a baseline. It is the same model the
// `ram` command trains (the script proves it: same parameters, same numbers), trained here
// for a few minutes on MNIST, with its glimpse paths drawn.
//
//     swift run -c release ram-in-a-page [--small]

import Autograd
import Datasets
import Foundation
import GlimpsePictures
import Imaging
import NeuralNetworks
import NotebookSupport
import RecurrentAttention
import Training

let notebook = Notebook(
    name: "ram-in-a-page",
    summary: "The recurrent attention model built from parts, trained briefly, its glimpses drawn.")

// ## The model
//
// At each of 6 steps the model sees one 8x8 patch of the image around location l_t, in
// [-1, 1]^2 with (0, 0) the centre:
//
//     glimpse   g_t = ReLU(Linear(ReLU(Linear(patch))) + Linear(ReLU(Linear(l_t))))
//     core      h_t = ReLU(Linear(h_{t-1}) + Linear(g_t))
//     location  l_{t+1} ~ N(tanh(Linear(h_t)), 0.17^2)   (REINFORCE: Williams 1992)
//     baseline  b_t = Linear(h_t)                         (reduces REINFORCE's variance)
//     action    p(y) = softmax(Linear(h_T))
//
// The first glimpse looks at the centre; the tanh keeps the policy's mean inside the image
// (the configuration's default; `locationMean = .linear` is the paper's plain form). Parameters are registered in the
// order and under
// the names the library's `RecurrentAttentionModel` uses, so the same seed gives the same model.

let configuration = RAMConfiguration(imageHeight: 28, imageWidth: 28)

struct PageRAM {
    let store = ParameterStore<Float>()
    let sensor: GlimpseSensor
    let patch, place, what, where_: Linear<Float>
    let core: RNNCell<Float>
    let location, baseline, action: Linear<Float>
    let c: RAMConfiguration

    init(_ c: RAMConfiguration, seed: UInt64) {
        self.c = c
        var g = SeededGenerator(seed: seed)
        sensor = c.sensor
        patch = Linear(
            inputSize: sensor.featureCount, outputSize: c.glimpseHidden, name: "glimpse.image", store: store,
            generator: &g)
        place = Linear(
            inputSize: 2, outputSize: c.locationHidden, name: "glimpse.location", store: store, generator: &g)
        what = Linear(
            inputSize: c.glimpseHidden, outputSize: c.glimpseSize, name: "glimpse.what", store: store, generator: &g)
        where_ = Linear(
            inputSize: c.locationHidden, outputSize: c.glimpseSize, name: "glimpse.where", store: store, generator: &g)
        core = RNNCell(
            inputSize: c.glimpseSize, hiddenSize: c.coreSize, nonlinearity: .relu, name: "core", store: store,
            generator: &g)
        location = Linear(inputSize: c.coreSize, outputSize: 2, name: "location", store: store, generator: &g)
        baseline = Linear(inputSize: c.coreSize, outputSize: 1, name: "baseline", store: store, generator: &g)
        action = Linear(inputSize: c.coreSize, outputSize: c.classes, name: "action", store: store, generator: &g)
    }

    /// One episode over a batch `[batch, 28, 28]`: the class scores, and for training the
    /// baselines and the stochastic location samples; `locations` records where it looked.
    func callAsFunction(
        _ images: Tensor<Float>, on tape: Tape<Float>, sampling: Bool, using generator: inout SeededGenerator
    )
        -> (logits: Variable<Float>, baselines: [Variable<Float>], samples: [Variable<Float>], locations: [[Float]])
    {
        let batch = images.shape[0]
        var h = core.zeroState(batchSize: batch, on: tape)
        var l = [Float](repeating: 0, count: batch * 2)
        var baselines: [Variable<Float>] = []
        var samples: [Variable<Float>] = []
        var locations: [[Float]] = []
        for t in 0..<c.glimpses {
            locations.append(l)
            var patches = [Float](repeating: 0, count: batch * sensor.featureCount)
            images.scalars.withUnsafeBufferPointer { pixels in
                sensor.extract(
                    images: pixels.baseAddress!, batch: batch, height: c.imageHeight, width: c.imageWidth,
                    locations: l, into: &patches)
            }
            let rho = tape.constant(Tensor(shape: [batch, sensor.featureCount], scalars: patches))
            let lt = tape.constant(Tensor(shape: [batch, 2], scalars: l))
            let g = (what(patch(rho).relu()) + where_(place(lt).relu())).relu()
            h = core(g, state: h)
            if t == c.glimpses - 1 { break }
            // The policy and the baseline read the state but do not train it (the classifier does).
            let state = h.stoppingGradient()
            let mean = c.locationMean == .tanh ? location(state).tanh() : location(state)
            if sampling {
                baselines.append(baseline(state))
                let sample = Normal(mean: mean, standardDeviation: c.locationStandardDeviation).sample(
                    using: &generator)
                samples.append(sample)
                l = sample.scalars.map { min(max($0, -1), 1) }  // the sensor sees the clamped sample
            } else {
                l = mean.scalars.map { min(max($0, -1), 1) }
            }
        }
        return (action(h), baselines, samples, locations)
    }
}

// ## The hybrid loss
//
// Cross-entropy trains the classifier, core and glimpse networks. The reward is 1 for a
// correct answer; each location sample gets the advantage (R - b_t) / batch through
// `setAdvantage`, and backward then adds REINFORCE's gradient to the location network. The
// baselines learn R by squared error.

func hybridLoss(
    _ episode: (
        logits: Variable<Float>, baselines: [Variable<Float>], samples: [Variable<Float>], locations: [[Float]]
    ),
    labels: [Int]
) -> (loss: Variable<Float>, correct: Int) {
    let tape = episode.logits.tape
    let batch = labels.count
    let rewards = zip(Categorical(logits: episode.logits).mode(), labels).map { $0 == $1 ? Float(1) : 0 }
    let reward = tape.constant(Tensor(shape: [batch, 1], scalars: rewards))
    var baselineLoss: Variable<Float>?
    for (b, sample) in zip(episode.baselines, episode.samples) {
        sample.setAdvantage(
            Tensor(shape: [batch, 1], scalars: zip(rewards, b.scalars).map { ($0 - $1) / Float(batch) }))
        let term = meanSquaredError(predictions: b, targets: reward)
        baselineLoss = baselineLoss.map { $0 + term } ?? term
    }
    let loss =
        softmaxCrossEntropy(logits: episode.logits, labels: labels)
        + baselineLoss! * (1 / Float(episode.baselines.count))
    return (loss, Int(rewards.reduce(0, +)))
}

// ## Data

let data: DatasetSplits
do { data = try DatasetSplits.load() } catch { fail("cannot load MNIST: \(error)") }
let training = Batcher(
    generator: TaskGenerator(source: data.train, task: .mnist, seed: 1, isFixed: false),
    batchSize: 32, shuffles: true, dropsLast: true)
let testImages = notebook.isSmall ? data.test.subset(Array(0..<1_000)) : data.test
let test = Batcher(
    generator: TaskGenerator(source: testImages, task: .mnist, seed: 3, isFixed: true),
    batchSize: 500, shuffles: false)

// ## The page's model is the library's model
//
// Same seed, same batch, same random draws: the two give the same loss and the same gradient.

let model = PageRAM(configuration, seed: 1)
let library = RecurrentAttentionModel(configuration, seed: 1)
let firstBatch = training.batch(of: Array(0..<32), epoch: 0)
let labels = firstBatch.labels.map(Int.init)
let tape = Tape<Float>()
var draws = SeededGenerator(seed: 9)
model.store.zeroGradients()
let pageLoss = hybridLoss(model(firstBatch.images, on: tape, sampling: true, using: &draws), labels: labels).loss
tape.backward(from: pageLoss)
let pageValues = (pageLoss.value.scalar, model.store.parameters.map(model.store.gradient))
tape.reset()
draws = SeededGenerator(seed: 9)
library.store.zeroGradients()
let libraryLoss = library.hybridLoss(
    library.run(firstBatch.images, on: tape, policy: .sample, using: &draws), labels: labels
).loss
tape.backward(from: libraryLoss)
say(
    "page's model: \(model.store.count) parameters, loss \(pageValues.0); library's: \(library.store.count) "
        + "parameters, loss \(libraryLoss.value.scalar)"
)
claim(
    model.store.entries.map(\.name) == library.store.entries.map(\.name) && model.store.tensors == library.store.tensors
        && pageValues.0 == libraryLoss.value.scalar
        && pageValues.1 == library.store.parameters.map(library.store.gradient),
    "the page's RAM has the library's parameters, loss and gradients, bit for bit")

// ## Training
//
// Adam on batches of 32, the learning rate falling linearly from 1e-3 to zero (the paper's
// schedule), for 20,000 steps, about 13 epochs and a few minutes (the small setting: 1,000).
// A step count rather than a time budget keeps the run the same on every machine.

let takeStep = TrainingStep(optimizer: Adam(for: model.store, learningRate: 1e-3))
let totalSteps = notebook.isSmall ? 1_000 : 20_000
let schedule = LinearDecay(from: 1e-3, overSteps: totalSteps)
let trainingStarted = Date()
var step = 0
var correct = 0
var seen = 0
var rows: [[String]] = []
training: for epoch in 0... {
    for batch in training.batches(epoch: epoch) {
        takeStep.optimizer.learningRate = schedule.learningRate(at: step)
        let (loss, right) = must {
            try takeStep { tape in
                var generator = SeededGenerator(seed: 1).derived(UInt64(step))
                return hybridLoss(
                    model(batch.images, on: tape, sampling: true, using: &generator), labels: batch.labels.map(Int.init)
                )
            }
        }
        step += 1
        correct += right
        seen += batch.count
        let elapsed = Date().timeIntervalSince(trainingStarted)
        let done = step >= totalSteps
        if step % (notebook.isSmall ? 100 : 1000) == 0 || done {
            rows.append([
                String(step), String(format: "%.2f", Double(step * 32) / Double(training.generator.count)),
                format(Double(loss), 3), format(100 * Double(correct) / Double(seen), 1) + " %",
                format(elapsed, 0) + " s",
            ])
            say("  step \(step): \(rows.last!.dropFirst(2).joined(separator: ", "))")
            correct = 0
            seen = 0
        }
        if done { break training }
    }
}
say("\n" + table(["step", "epochs", "loss", "training accuracy (since last row)", "time"], rows))

// ## Evaluation: glimpses at the policy's mean

var right = 0
for batch in test.batches(epoch: 0) {
    tape.reset()
    var unused = SeededGenerator(seed: 0)
    let predicted = Categorical(logits: model(batch.images, on: tape, sampling: false, using: &unused).logits).mode()
    right += zip(predicted, batch.labels).filter { $0 == Int($1) }.count
}
let accuracy = Double(right) / Double(testImages.count)
say(
    "\ntest accuracy \(format(100 * accuracy, 2)) % on \(testImages.count) test images after \(step) steps "
        + "(\(format(Date().timeIntervalSince(trainingStarted), 0)) s)")

// ## The glimpse path
//
// Nine test digits, magnified; each glimpse's 8x8 window in a colour running from green
// (first) to red (last), centres joined in order and numbered. Under each digit: label and
// prediction. (`GlimpseDrawing` is the library's picture, which `ram visualize` draws too.)

tape.reset()
let shown = test.batch(of: Array(0..<9), epoch: 0)
var unused = SeededGenerator(seed: 0)
let episode = model(shown.images, on: tape, sampling: false, using: &unused)
let predictions = Categorical(logits: episode.logits).mode()
let picture = GlimpseDrawing(
    sensor: configuration.sensor, images: shown.images, labels: shown.labels.map(Int.init),
    locations: episode.locations, predictions: predictions
).frame(showing: episode.locations.count)
notebook.write(picture, to: "glimpses.png")

// ## What should hold
//
// A few minutes of training already classify most digits from six 8x8 glimpses: the full
// setting expects more than 95 %; the small one (1,000 steps), more than 60 %.

claim(
    accuracy > (notebook.isSmall ? 0.6 : 0.95),
    "RAM classifies \(format(100 * accuracy, 1)) % of the test images (> \(notebook.isSmall ? 60 : 95) %)")
say("done in \(format(notebook.elapsed, 1)) s")
