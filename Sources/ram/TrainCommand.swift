import Datasets
import Distributed
import Foundation
import NeuralNetworks
import RecurrentAttention
import Training

/// `ram train`: trains RAM (or a baseline) on a task, with checkpoints and resume.
enum TrainCommand {
    static let command = Command(
        name: "train",
        summary: "Train RAM or a comparison net on a task, keeping the best checkpoint by validation error.",
        options: [
            .choice("task", DatasetTask.named.map(\.name), default: "mnist", help: "The data set."),
            .choice(
                "model", ModelSpecification.Kind.allCases.map(\.rawValue), default: "ram",
                help: "RAM, or the paper's fully connected or convolutional comparison net."),
        ] + RAMConfiguration.settings.compactMap { $0.option(helpPrefix: "RAM: ") } + [
            .flag(
                "random-glimpses",
                help: "RAM: look at uniformly random places instead of learning where (the ablation)."),
            .integer(
                "hidden", default: 256, range: 1...4096, help: "FC and conv: hidden units (the paper: 64 or 256)."),
            .integer(
                "filters", default: 8, range: 1...256,
                help: "Conv: number of 10x10 stride-5 filters (the paper: 8 or 16)."),
            .choice(
                "optimizer", TrainingOptions.OptimizerKind.allCases.map(\.rawValue), default: "adam",
                help: "The optimizer."),
            .number(
                "learning-rate", range: 1e-8...10,
                help:
                    "The initial learning rate (RAM's recipe: 3e-4 for 28x28 tasks, 1e-3 otherwise; "
                    + "\(Defaults.comparison.learningRate) for FC and conv)."
            ),
            .number("momentum", default: 0.9, range: 0...0.999, help: "SGD momentum."),
            .choice(
                "schedule", LearningRateSchedule.allCases.map(\.rawValue), default: "linear",
                help: "Learning-rate schedule (linear: decay to zero, as in the paper)."),
            .number("gradient-clip", default: 0, range: 0...1e6, help: "Clip the global gradient norm (0: off)."),
            .number(
                "weight-decay", default: 0, range: 0...1,
                help:
                    "An L2 penalty on every parameter, added to its gradient as x times the parameter (PyTorch's "
                    + "weight_decay; 0: off)."
            ),
            .integer(
                "batch-size", range: 1...4096,
                help:
                    "Images per step (RAM's recipe: 128; \(Defaults.comparison.batchSize) for FC and conv; the "
                    + "paper: 20)."
            ),
            .integer(
                "epochs", range: 1...100_000,
                help:
                    "Passes over the 50,000 training images (RAM's recipe: 200 for 28x28 tasks, 1200 for 60x60, 580 "
                    + "for 100x100; \(Defaults.comparison.epochs) for FC and conv)."
            ),
            .number(
                "target-error", range: 0...100,
                help:
                    "A validation error in percent to watch for: the wall time, epoch and images seen when the run "
                    + "first reaches it are printed and kept (metrics.csv's elapsed_seconds has every epoch's)."
            ),
            .flag(
                "stop-at-target", help: "Stop once validation reaches --target-error (--resume continues the schedule)."
            ),
            .integer(
                "seed", default: 1, range: 0...Int.max, help: "Seed for parameters, batches, placements and samples."),
            .string("checkpoint-dir", valueName: "dir", help: "Where checkpoints go (default: runs/<task>-<model>)."),
            .flag(
                "resume",
                help:
                    "Continue the run in --checkpoint-dir from its last checkpoint (its settings are kept; --epochs "
                    + "may lengthen or shorten it, and the learning-rate schedule follows)."
            ),
            .string(
                "data-dir", valueName: "dir", help: "Folder with MNIST-format IDX files (default: the bundled MNIST)."),
            Threads.option,
        ] + RunStops.options(step: "step") + RunLog.options(pictures: "glimpses"),
        run: run)

    /// Under `mpirun`, every process runs this; rank 0 prints, logs and writes checkpoints.
    static func run(_ arguments: ParsedArguments) throws {
        try EveryProcess.run { try train(arguments, reducer: $0) }
    }

    static func train(_ arguments: ParsedArguments, reducer: any Reducer) throws {
        Threads.apply(arguments)
        let directory = checkpointDirectory(arguments)
        let lock = reducer.isLeader ? try RunFolder.claim(directory) : nil
        try RunFolder.checkFresh(directory, resuming: arguments.flag("resume"))
        let saved = arguments.flag("resume") ? try SavedRun(directory: directory) : nil
        let task =
            saved.map { DatasetTask(name: $0.specification.task)! } ?? DatasetTask(name: arguments.string("task")!)!
        let dataDirectory = arguments.string("data-dir") ?? saved?.options.dataDirectory
        let data = try TaskData.load(task, from: dataDirectory, for: saved?.specification)

        var specification = specification(arguments, task: task, data: data)
        if specification.kind == .conv && min(specification.ram.imageHeight, specification.ram.imageWidth) < 10 {
            throw CommandFailure(
                description: "--model conv needs images of at least 10x10 for its 10x10 filters; task "
                    + "\(task.name) makes \(specification.ram.imageHeight)x\(specification.ram.imageWidth) ones of "
                    + "this data"
            )
        }
        var options = trainingOptions(arguments, task: task)
        if let saved {
            // A resumed run keeps its model and settings; only --epochs may extend (or shorten) it.
            try ResumeCheck.refuseChanges(
                settings(arguments, fresh: (specification, options), saved: saved), arguments,
                directory: directory.path)
            specification = saved.specification
            let epochs = arguments.isGiven("epochs") ? options.epochs : saved.options.epochs
            options = saved.options
            options.epochs = epochs
        }
        options.dataDirectory = dataDirectory
        let log = reducer.isLeader ? RunLog(directory: directory, arguments: arguments) : nil
        StopRequest.install()
        let (budget, stopStep) = RunStops.read(arguments)
        if arguments.flag("stop-at-target") && !arguments.isGiven("target-error") && saved?.progress?.target == nil {
            throw CommandFailure(description: "--stop-at-target needs a --target-error to stop at")
        }
        let target = (
            target: arguments.isGiven("target-error") ? arguments.number("target-error") / 100 : nil,
            stops: arguments.flag("stop-at-target")
        )
        try withExtendedLifetime(lock) {
            try TrainRun.run(
                specification, options: options, data: data, task: task, directory: directory,
                resuming: saved != nil, log: log, timeBudget: budget, stopStep: stopStep,
                target: target, reducer: reducer)
        }
    }

    /// What each flag that sets the model or its training gives, against the saved run.
    static func settings(
        _ arguments: ParsedArguments, fresh: (ModelSpecification, TrainingOptions),
        saved: SavedRun
    ) -> [ResumeCheck.Setting] {
        let (s, o, r, savedRAM) = (fresh.0, fresh.1, fresh.0.ram, saved.specification.ram)
        let (t, p) = (saved.specification, saved.options)
        return RAMConfiguration.settings.compactMap { $0.comparison(fresh: r, saved: savedRAM) } + [
            ("task", arguments.string("task")!, t.task), ("model", s.kind.rawValue, t.kind.rawValue),
            ("random-glimpses", "on", ResumeCheck.onOff(t.randomGlimpses)),
            ("hidden", "\(s.hiddenSize)", "\(t.hiddenSize)"), ("filters", "\(s.filters)", "\(t.filters)"),
            ("optimizer", o.optimizer.rawValue, p.optimizer.rawValue),
            ("learning-rate", "\(o.learningRate)", "\(p.learningRate)"),
            ("momentum", "\(o.momentum)", "\(p.momentum)"), ("schedule", o.schedule.rawValue, p.schedule.rawValue),
            ("gradient-clip", "\(o.gradientClip)", "\(p.gradientClip)"),
            ("weight-decay", "\(o.weightDecay)", "\(p.weightDecay)"),
            ("batch-size", "\(o.batchSize)", "\(p.batchSize)"),
            ("seed", "\(o.seed)", "\(p.seed)"),
        ]
    }

    /// `--checkpoint-dir`, or `runs/<task>-<model>`.
    static func checkpointDirectory(_ arguments: ParsedArguments) -> URL {
        URL(
            fileURLWithPath: arguments.string("checkpoint-dir")
                ?? "runs/\(arguments.string("task")!)-\(arguments.string("model")!)")
    }

    static func specification(
        _ arguments: ParsedArguments, task: DatasetTask, data: DatasetSplits
    ) -> ModelSpecification {
        let kind = ModelSpecification.Kind(rawValue: arguments.string("model")!)!
        let generator = TaskGenerator(source: data.test, task: task, seed: 0, isFixed: true)
        var ram = RAMRecipe(imageHeight: generator.height, imageWidth: generator.width).configuration
        for setting in RAMConfiguration.settings { setting.apply(arguments, to: &ram) }
        // The recipe's weight goes with its route into the core; without it, REINFORCE is weighted 1.
        if !ram.locationTrainsCore && !arguments.isGiven("policy-gradient-weight") { ram.policyGradientWeight = 1 }
        return ModelSpecification(
            kind: kind, task: task.name, ram: ram, hiddenSize: arguments.integer("hidden"),
            filters: arguments.integer("filters"), seed: UInt64(arguments.integer("seed")),
            randomGlimpses: arguments.flag("random-glimpses"))
    }

    static func trainingOptions(_ arguments: ParsedArguments, task: DatasetTask) -> TrainingOptions {
        var options =
            arguments.string("model") == ModelSpecification.Kind.ram.rawValue
            ? RAMRecipe(for: task).options : Defaults.comparison
        options.optimizer = .init(rawValue: arguments.string("optimizer")!)!
        if arguments.isGiven("learning-rate") { options.learningRate = arguments.number("learning-rate") }
        options.momentum = arguments.number("momentum")
        options.schedule = .init(rawValue: arguments.string("schedule")!)!
        options.gradientClip = arguments.number("gradient-clip")
        options.weightDecay = arguments.number("weight-decay")
        if arguments.isGiven("batch-size") { options.batchSize = arguments.integer("batch-size") }
        if arguments.isGiven("epochs") { options.epochs = arguments.integer("epochs") }
        options.seed = UInt64(arguments.integer("seed"))
        return options
    }
}

/// The comparison nets' settings where no flag is given, chosen on the validation split; RAM's
/// are its recipe (`RAMRecipe`).
enum Defaults {
    /// Adam 1e-3 at batch 32, decayed linearly to zero over 30 epochs.
    static let comparison: TrainingOptions = {
        var o = TrainingOptions()
        (o.learningRate, o.batchSize, o.epochs) = (1e-3, 32, 30)
        return o
    }()
}
/// What a checkpoint says about the run that wrote it.
struct SavedRun {
    let specification: ModelSpecification
    let options: TrainingOptions
    let checkpoint: Checkpoint
    /// Where the run stood when it wrote the checkpoint.
    var progress: TrainingProgress? { TrainingProgress(of: checkpoint) }

    init(directory: URL, file: String = RunCheckpoints.last) throws {
        try self.init(path: directory.appendingPathComponent(file))
    }

    init(path: URL) throws {
        checkpoint = try Checkpoint(contentsOf: path)
        guard let specification = checkpoint.json("specification", as: ModelSpecification.self),
            let options = checkpoint.json("options", as: TrainingOptions.self)
        else {
            throw CommandFailure(
                description:
                    "\(path.path): not a checkpoint written by 'ram train' (no model specification in its metadata)")
        }
        var checks = SettingChecks()
        specification.check(&checks)
        options.check(&checks)
        try checks.throwIfAny(in: path.path)
        self.specification = specification
        self.options = options
    }
}
