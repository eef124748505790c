import Datasets
import Foundation
import NeuralNetworks

/// `ram evaluate`: the error of a trained checkpoint, in every mode worth quoting.
enum EvaluateCommand {
    /// Test placements (translated, cluttered) are fixed by this seed, the same for every run.
    static let testSeed: UInt64 = 2014

    static let command = Command(
        name: "evaluate",
        summary: "Report a checkpoint's error: policy mean, one sampled trajectory, a Monte-Carlo average, random glimpses.",
        options: [
            .string("checkpoint", valueName: "file", isRequired: true, help: "A checkpoint written by 'ram train'."),
            .choice("split", ["test", "validation"], default: "test", help: "Which images to score."),
            .integer("trajectories", default: 10, range: 1...1000,
                     help: "Sampled trajectories averaged for the Monte-Carlo number (reported separately)."),
            .integer("seed", default: 1, range: 0...Int.max, help: "Seed for the sampled trajectories and random glimpses."),
            .string("data-dir", valueName: "dir", help: "Folder with MNIST-format IDX files (default: the bundled MNIST)."),
        ],
        run: run)

    static func run(_ arguments: ParsedArguments) throws {
        let (run, model) = try loadModel(arguments.string("checkpoint")!)
        let task = DatasetTask(name: run.specification.task)!
        let data = try DataPreviewCommand.loadSplits(from: arguments.string("data-dir")
            ?? (task.usesFashionMNIST ? MNIST.debianFashionMNISTDirectory : nil))
        let split = arguments.string("split")!
        let images = split == "test"
            ? TaskGenerator(source: data.test, task: task, seed: testSeed, isFixed: true)
            : TaskGenerator(source: data.validation, task: task, seed: run.options.seed &+ 1, isFixed: true)
        let seed = UInt64(arguments.integer("seed"))
        let m = run.checkpoint.metadata
        CommandLineTool.say("\(run.specification.summary)")
        CommandLineTool.say("checkpoint: \(arguments.string("checkpoint")!), after \(m["completed_epochs"] ?? "?") epochs, "
            + "\(Int(Double(m["elapsed_seconds"] ?? "") ?? 0)) s of training")
        func report(_ label: String, _ error: Double) {
            CommandLineTool.say(String(format: "%@ error, %@: %.2f%% (%d images)", split, label, 100 * error, images.count))
        }
        guard run.specification.kind == .ram else {
            report("whole image", Evaluation.error(of: model, on: images, mode: .mean, seed: seed))
            return
        }
        report("policy mean", Evaluation.error(of: model, on: images, mode: .mean, seed: seed))
        report("one sampled trajectory", Evaluation.error(of: model, on: images, mode: .sample, seed: seed))
        let n = arguments.integer("trajectories")
        report("Monte-Carlo average of \(n) sampled trajectories (not comparable to the above)",
               Evaluation.error(of: model, on: images, mode: .sample, trajectories: n, seed: seed))
        report("random glimpses (ablation: the trained nets, uniformly random locations)",
               Evaluation.error(of: model, on: images, mode: .random, seed: seed))
    }

    /// The model a checkpoint describes, with its parameters loaded.
    static func loadModel(_ path: String) throws -> (SavedRun, any ImageClassifier) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure(description: "\(path): no such checkpoint")
        }
        let run = try SavedRun(path: URL(fileURLWithPath: path))
        let model = run.specification.makeModel()
        try run.checkpoint.load(into: model.store)
        return (run, model)
    }
}
