import Datasets
import Foundation
import NeuralNetworks
import RecurrentAttention
import Training

/// `ram evaluate`: the error of a trained checkpoint, in every mode worth quoting.
enum EvaluateCommand {
    /// Test placements (translated, cluttered) are fixed by this seed, the same for every run.
    static let testSeed: UInt64 = 2014

    static let command = Command(
        name: "evaluate",
        summary:
            "Report a checkpoint's error: policy mean, one sampled trajectory, a Monte-Carlo average, random glimpses.",
        options: [
            .string("checkpoint", valueName: "file", isRequired: true, help: "A checkpoint written by 'ram train'."),
            .choice("split", ["test", "validation"], default: "test", help: "Which images to score."),
            .integer(
                "trajectories", default: 10, range: 1...1000,
                help: "Sampled trajectories averaged for the Monte-Carlo number (reported separately)."),
            .integer(
                "seed", default: 1, range: 0...Int.max, help: "Seed for the sampled trajectories and random glimpses."),
            .string(
                "data-dir", valueName: "dir", help: "Folder with MNIST-format IDX files (default: the bundled MNIST)."),
            .string(
                "images", valueName: "file",
                help:
                    "Score a ready-made IDX image set (plain or gzip), used as it is, instead of the task's test "
                    + "split; needs --labels."
            ),
            .string("labels", valueName: "file", help: "The IDX labels of --images."),
        ],
        run: run)

    static func run(_ arguments: ParsedArguments) throws {
        let (run, model) = try loadModel(arguments.string("checkpoint")!)
        let (images, split) = try imagesToScore(arguments, run: run)
        let seed = UInt64(arguments.integer("seed"))
        CommandLineTool.say("\(run.specification.summary)")
        CommandLineTool.say(
            "checkpoint: \(arguments.string("checkpoint")!), after "
                + "\(run.progress.map { "\($0.completedEpochs)" } ?? "?") epochs, "
                + "\(Int(run.progress?.elapsedSeconds ?? 0)) s of training")
        func report(_ label: String, _ error: Double) {
            CommandLineTool.say(
                String(format: "%@ error, %@: %.2f%% (%d images)", split, label, 100 * error, images.count))
        }
        guard run.specification.kind == .ram else {
            report("whole image", model.error(on: images, seed: seed))
            return
        }
        if run.specification.randomGlimpses {
            // Its location network was never trained: only random glimpses mean anything.
            report(
                "random glimpses (the model was trained with them)",
                model.error(on: images, seed: seed))
            return
        }
        guard let ram = model as? RAMClassifier else { return }
        report("policy mean", ram.evaluating(with: .mean).error(on: images, seed: seed))
        report("one sampled trajectory", ram.evaluating(with: .sample).error(on: images, seed: seed))
        let n = arguments.integer("trajectories")
        report(
            "Monte-Carlo average of \(n) sampled trajectories (not comparable to the above)",
            ram.evaluating(with: .sample).error(on: images, trajectories: n, seed: seed))
        report(
            "random glimpses (ablation: the trained nets, uniformly random locations)",
            ram.evaluating(with: .random).error(on: images, seed: seed))
        // A ready-made set does not say where its digits are, so the diagnostic needs the task's own.
        if !arguments.isGiven("images") {
            let diagnostic = ram.model.glimpseDiagnostic(on: images, count: images.count, seed: seed)
            CommandLineTool.say(Evaluation.describe(diagnostic))
            CommandLineTool.say(Evaluation.describeEachGlimpse(diagnostic.learned))
        }
    }

    /// The images to score and what to call them: `--images`/`--labels` as they are, or the
    /// task's test or validation split.
    static func imagesToScore(_ arguments: ParsedArguments, run: SavedRun) throws -> (TaskGenerator, String) {
        switch (arguments.string("images"), arguments.string("labels")) {
        case (let images?, let labels?):
            let set = try LabeledImages(imagesPath: images, labelsPath: labels)
            let ram = run.specification.ram
            guard set.height == ram.imageHeight && set.width == ram.imageWidth else {
                throw CommandFailure(
                    description: "\(images): images are \(set.height)x\(set.width), but the checkpoint's model "
                        + "takes \(ram.imageHeight)x\(ram.imageWidth) (task \(run.specification.task))")
            }
            guard set.count > 0 else { throw CommandFailure(description: "\(images): holds no images") }
            // No canvas: the images are used exactly as they are.
            return (
                TaskGenerator(source: set, task: .mnist, seed: testSeed, isFixed: true),
                (images as NSString).lastPathComponent
            )
        case (_?, nil): throw CommandFailure(description: "--images needs --labels (the IDX labels of those images)")
        case (nil, _?): throw CommandFailure(description: "--labels needs --images")
        case (nil, nil):
            let task = DatasetTask(name: run.specification.task)!
            let data = try TaskData.load(
                task, from: arguments.string("data-dir") ?? run.options.dataDirectory,
                for: run.specification)
            let split = arguments.string("split")!
            let images =
                split == "test"
                ? TaskGenerator(source: data.test, task: task, seed: testSeed, isFixed: true)
                : TaskGenerator(source: data.validation, task: task, seed: run.options.seed &+ 1, isFixed: true)
            return (images, split)
        }
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
