import Autograd
import Foundation
import NeuralNetworks
import RecurrentAttention
import Training

/// RAM training-step throughput: forward (glimpses, networks, hybrid loss), backward, and
/// the Adam update timed separately, for the configurations the performance issue compares.
func runRAMTrainingBenchmark(steps: Int, threads: Int = 1) {
    // One thread is the default and prints the header as it always did.
    let threading = threads == 1 ? "" : ", \(threads) threads for matrix products and the retina"
    print("\nRAM training step (6 glimpses, glimpse net 128/128 -> 256, ReLU core 256, Adam, Float\(threading))")
    print("config                               batch  forward  backward   update   total ms   steps/s  samples/s")
    let configs: [(String, Int, Int, Int)] = [
        ("MNIST 28x28, 8x8, 1 scale", 28, 8, 1),
        ("translated 60x60, 12x12, 3 scales", 60, 12, 3),
    ]
    for (name, size, patch, scales) in configs {
        for batch in [20, 32, 128] {
            let t = ramStepTimes(size: size, patch: patch, scales: scales, batch: batch, steps: steps)
            let total = t.forward + t.backward + t.update
            print(
                name.padding(toLength: 36, withPad: " ", startingAt: 0)
                    + " \(pad(batch, 5)) \(ms(t.forward)) \(ms(t.backward)) \(ms(t.update))   \(ms(total))"
                    + "  \(pad(Int(1 / total), 8))  \(pad(Int(Double(batch) / total), 9))")
        }
    }
}

/// Where a RAM training step's time goes, op by op, at batch 128: one table per configuration,
/// summed over `steps` steps after the warm-up (the tape's clock reads are included, tens of
/// nanoseconds per op).
func runRAMProfile(steps: Int) {
    for (name, size, patch, scales) in [
        ("MNIST 28x28, 8x8, 1 scale", 28, 8, 1),
        ("translated 60x60, 12x12, 3 scales", 60, 12, 3),
    ] {
        let profile = TapeProfile()
        let t = ramStepTimes(size: size, patch: patch, scales: scales, batch: 128, steps: steps, profile: profile)
        print(
            "\nprofile: \(name), batch 128, summed over \(steps) steps (median step: "
                + String(format: "forward %.2f ms, backward %.2f ms)", t.forward * 1000, t.backward * 1000))
        print(profile)
        // What the tape saw against the step: the rest is work outside the tape. The glimpse
        // sensor writes its patches straight into the tape, so it counts among the inputs.
        let forward = profile.entries.reduce(0) { $0 + $1.forwardSeconds } / Double(steps)
        let backward = profile.entries.reduce(0) { $0 + $1.backwardSeconds } / Double(steps)
        print(
            String(
                format: "per step, ops on the tape: forward %.2f ms of %.2f, backward %.2f ms of %.2f",
                forward * 1000, t.forward * 1000, backward * 1000, t.backward * 1000))
        print(
            String(
                format:
                    "per step, the glimpse sensor alone (6 glimpses of 128 images; part of the inputs above): %.2f ms",
                sensorSecondsPerStep(size: size, patch: patch, scales: scales, batch: 128) * 1000))
    }
}

/// The median time of the sensor's work in one step: 6 extractions at random locations.
func sensorSecondsPerStep(size: Int, patch: Int, scales: Int, batch: Int) -> Double {
    let sensor = GlimpseSensor(patchSize: patch, scales: scales)
    var generator = SeededGenerator(seed: 3)
    let images = Tensor<Float>.uniform([batch, size, size], in: 0...1, using: &generator)
    let locations = Tensor<Float>.uniform([batch, 2], in: -1...1, using: &generator)
    var out = [Float](repeating: 0, count: batch * sensor.featureCount)
    var samples: [Double] = []
    for _ in 0..<25 {
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<6 {
            images.withUnsafeBufferPointer { pixels in
                locations.withUnsafeBufferPointer { where_ in
                    out.withUnsafeMutableBufferPointer {
                        sensor.extract(
                            images: pixels.baseAddress!, batch: batch,
                            height: size, width: size, locations: where_.baseAddress!, into: $0.baseAddress!)
                    }
                }
            }
        }
        samples.append(seconds(clock.now - start))
    }
    return median(samples)
}

/// Median seconds per phase of one training step. A profile, when given, is attached to the
/// tape after the warm-up, so it covers exactly the timed steps.
func ramStepTimes(
    size: Int, patch: Int, scales: Int, batch: Int, steps: Int, profile: TapeProfile? = nil
)
    -> (forward: Double, backward: Double, update: Double)
{
    var configuration = RAMConfiguration(imageHeight: size, imageWidth: size)
    (configuration.patchSize, configuration.scales) = (patch, scales)
    let model = RecurrentAttentionModel(configuration, seed: 1)
    // The trainers' step, without their finite check (a read of every parameter).
    let takeStep = TrainingStep(optimizer: Adam(for: model.store, learningRate: 3e-4), checksFinite: false)
    var generator = SeededGenerator(seed: 2)
    let images = Tensor<Float>.uniform([batch, size, size], in: 0...1, using: &generator)
    let labels = (0..<batch).map { $0 % 10 }
    let clock = ContinuousClock()
    var marks: [ContinuousClock.Instant] = []
    takeStep.onPhaseEnd = { _ in marks.append(clock.now) }
    var forward: [Double] = []
    var backward: [Double] = []
    var update: [Double] = []
    for step in 0..<(steps + 5) {
        if step == 5 { takeStep.tape.profile = profile }
        marks = [clock.now]
        try! takeStep { tape in
            model.hybridLoss(model.run(images, on: tape, policy: .sample, using: &generator), labels: labels).loss
        }
        guard step >= 5 else { continue }  // warm-up: the arenas size themselves
        forward.append(seconds(marks[1] - marks[0]))
        backward.append(seconds(marks[2] - marks[1]))
        update.append(seconds(marks[3] - marks[2]))
    }
    return (median(forward), median(backward), median(update))
}

/// Forward plus backward time per recorded op on tiny tensors: the tape's own cost, for the
/// built-in ops and for an op declared outside the library (`CustomOp`).
func runTapeOverheadBenchmark() {
    let opsPerPass = 1000
    /// Median seconds per node of `chain` (which records `opsPerPass` nodes) plus its backward pass.
    func perNode(_ chain: (Tape<Float>, Variable<Float>) -> Variable<Float>) -> Double {
        let tape = Tape<Float>()
        var samples: [Double] = []
        for pass in 0..<205 {
            let clock = ContinuousClock()
            let start = clock.now
            tape.reset()
            let x = tape.variable(Tensor([1, 2]))
            tape.backward(from: chain(tape, x).sum())
            if pass >= 5 { samples.append(seconds(clock.now - start) / Double(opsPerPass)) }
        }
        return median(samples)
    }
    let mixed = perNode { _, x in
        var y = x
        for i in 0..<(opsPerPass / 2) { y = i % 2 == 0 ? (y * x).tanh() : (y + x).relu() }
        return y
    }
    print(
        "\ntape overhead: \(Int(mixed * 1e9)) ns per op (tiny tensors, forward + backward, median of 200 passes of "
            + "\(opsPerPass) ops)"
    )

    // The same tanh, built in and as a user's op with its VJP (1 - y^2) written beside it.
    let userTanh = CustomOp<Float, Void>(
        name: "tanh",
        forward: { inputs, outputs in
            for i in 0..<inputs[0].count { outputs[0][i] = Foundation.tanh(inputs[0][i]) }
        },
        vjp: { c in
            guard let dx = c.gradients[0] else { return }
            for i in 0..<dx.count { dx[i] = c.cotangents[0][i] * (1 - c.outputs[0][i] * c.outputs[0][i]) }
        })
    let builtIn = perNode { _, x in (0..<opsPerPass).reduce(x) { y, _ in y.tanh() } }
    let custom = perNode { _, x in (0..<opsPerPass).reduce(x) { y, _ in userTanh(y)[0] } }
    print(
        "per node, tanh on 2 elements: built in \(Int(builtIn * 1e9)) ns, CustomOp \(Int(custom * 1e9)) ns "
            + String(format: "(%.1fx the built-in op's)", custom / builtIn))
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

private func ms(_ s: Double) -> String { pad(String(format: "%.2f", s * 1000), 8) }
private func pad(_ n: Int, _ width: Int) -> String { pad(String(n), width) }
private func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
