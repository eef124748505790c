import Autograd
import Distributed
import Foundation
import NeuralNetworks
import RecurrentAttention
import Training

/// RAM training steps shared by the processes of this run (`mpirun -np N bench --data-parallel`;
/// one process without mpirun): each process steps on its share of a global batch, sums the
/// gradients with one all-reduce, and updates. Rank 0 prints milliseconds per step and images
/// per second for the global batch, and what the all-reduce alone takes.
func runDataParallelBenchmark(steps: Int) {
    let reducer = worldReducer()
    func say(_ line: String) { if reducer.isLeader { print(line) } }
    say(
        "\ndata parallel: \(reducer.size) process(es), \(KernelSettings.threadCount) thread(s) each; "
            + "median of \(steps) steps, global batch")
    say("task         batch   ms/step    img/s")
    for (task, size, patch, scales) in [("MNIST", 28, 8, 1), ("translated", 60, 12, 3)] {
        for batch in [32, 128] {
            var configuration = RAMConfiguration(imageHeight: size, imageWidth: size)
            (configuration.patchSize, configuration.scales) = (patch, scales)
            let model = RecurrentAttentionModel(configuration, seed: 1)
            let shard = reducer.share(of: batch)
            let takeStep = TrainingStep(optimizer: Adam(for: model.store, learningRate: 3e-4), checksFinite: false)
            if reducer.size > 1 { takeStep.shareGradients(over: reducer) { Double(shard.rows.count) / Double(batch) } }
            var generator = SeededGenerator(seed: 2)
            let images = Tensor<Float>.uniform([shard.rows.count, size, size], in: 0...1, using: &generator)
            let labels = shard.rows.map { $0 % 10 }
            var times: [Double] = []
            let clock = ContinuousClock()
            for step in 0..<(steps + 5) {
                let start = clock.now
                try! takeStep { tape in
                    model.hybridLoss(
                        model.run(images, on: tape, policy: .sample, shard: shard, using: &generator), labels: labels
                    ).loss
                }
                if step >= 5 { times.append(seconds(clock.now - start)) }  // warm-up: the arenas size themselves
            }
            // Each process waits for the others in the all-reduce, so their step times agree: the mean.
            let perStep = reducer.sum([median(times)])[0] / Double(reducer.size)
            say(
                task.padding(toLength: 11, withPad: " ", startingAt: 0)
                    + String(format: " %6d  %8.2f  %7.0f", batch, perStep * 1000, Double(batch) / perStep))
        }
    }
    // The all-reduce alone, on a gradient arena the size of RAM's (translated).
    var gradients = [Float](repeating: 1, count: 289_421)
    var times: [Double] = []
    let clock = ContinuousClock()
    for round in 0..<205 {
        let start = clock.now
        gradients.withUnsafeMutableBufferPointer { reducer.sum($0) }
        if round >= 5 { times.append(seconds(clock.now - start)) }
    }
    say(
        String(
            format: "all-reduce of %d floats (%.2f MB): %.3f ms (median of 200)", gradients.count,
            Double(gradients.count * 4) / 1e6, median(times) * 1000))
}
