import Datasets
import Foundation
import NeuralNetworks
import RecurrentAttention
import SafeFiles
import Testing
import Training

@testable import ram

/// What a user gives the tool never crashes it, and nothing a user saved is lost: each class
/// of bad input gets one line naming the file, field or flag.
@Suite struct RobustnessTests {
    let directory = NSTemporaryDirectory() + "robustness-" + UUID().uuidString

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// The one-line message `body` fails with, or "no error".
    func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch { return CommandLineTool.oneLine(error) }
    }

    func parse(_ words: [String]) throws -> ParsedArguments { try RootCommand.command.parse(words).1 }

    static let mnistRAM = ModelSpecification(
        kind: .ram, task: "mnist", ram: RAMConfiguration(imageHeight: 28, imageWidth: 28),
        hiddenSize: 256, filters: 8, seed: 1)

    /// Saves a fresh MNIST RAM as 'ram train' would, after `edit` changes its values, with
    /// `specification` (which may be out of range) as its metadata.
    func saveModel(
        _ name: String, _ specification: ModelSpecification = mnistRAM, options: TrainingOptions = TrainingOptions(),
        edit: (ParameterStore<Float>) -> Void = { _ in }
    ) throws -> String {
        let store = Self.mnistRAM.makeModel().store
        edit(store)
        var writer = CheckpointWriter()
        writer.addParameters(of: store)
        writer.setJSON(specification, forKey: "specification")
        writer.setJSON(options, forKey: "options")
        try RunCheckpoints.write(writer, named: name, in: URL(fileURLWithPath: directory))
        return directory + "/" + name
    }

    @Test func aDivergingRunStopsNamingTheStepAndWritesNothing() throws {
        let run = directory + "/diverging"
        let arguments = try parse([
            "train", "--task", "mnist", "--learning-rate", "10", "--epochs", "1",
            "--checkpoint-dir", run,
        ])
        let failure = message { try TrainCommand.run(arguments) }
        #expect(failure.hasPrefix("training diverged at step "), "\(failure)")
        #expect(failure.contains("(epoch 1)") && failure.contains("the last good checkpoint is kept"), "\(failure)")
        #expect(!FileManager.default.fileExists(atPath: run + "/last.safetensors"))
        #expect(!FileManager.default.fileExists(atPath: run + "/best.safetensors"))
    }

    @Test func aCheckpointWithANaNIsRefusedByEveryCommand() throws {
        let path = try saveModel("nan.safetensors") { store in store.values[store.count / 2] = .nan }
        let failure = message { _ = try EvaluateCommand.loadModel(path) }
        #expect(failure.hasPrefix("checkpoint \(path): tensor "), "\(failure)")
        #expect(
            failure.contains("holds nan at element") && failure.contains("non-finite numbers cannot be used"),
            "\(failure)")
    }

    @Test func metadataOutOfRangeNamesTheFileAndEveryField() throws {
        var bad = Self.mnistRAM
        (bad.ram.glimpses, bad.ram.patchSize, bad.ram.locationStandardDeviation) = (0, 0, -0.1)
        let path = try saveModel("bad.safetensors", bad)
        let failure = message { _ = try SavedRun(path: URL(fileURLWithPath: path)) }
        #expect(
            failure == "\(path): metadata out of range: specification.ram.glimpses is 0, outside 1...64; "
                + "specification.ram.patchSize is 0, outside 1...128; "
                + "specification.ram.locationStandardDeviation is -0.1, outside 0.0001...2.0")

        var task = Self.mnistRAM
        task.task = "imagenet"
        let unknown = try saveModel("task.safetensors", task)
        #expect(
            message { _ = try SavedRun(path: URL(fileURLWithPath: unknown)) }
                == "\(unknown): metadata out of range: specification.task 'imagenet' is not one of mnist, "
                + "translated, cluttered60, cluttered100, fashion-mnist"
        )

        var size = Self.mnistRAM
        (size.task, size.ram.imageHeight, size.ram.imageWidth) = ("translated", 100, 100)
        let wrongSize = try saveModel("size.safetensors", size)
        #expect(
            message { _ = try SavedRun(path: URL(fileURLWithPath: wrongSize)) }
                == "\(wrongSize): metadata out of range: specification.ram.imageHeight is 100, outside 60...60; "
                + "specification.ram.imageWidth is 100, outside 60...60")

        let decayed = try saveModel("decay.safetensors", options: TrainingOptions(weightDecay: 2))
        #expect(
            message { _ = try SavedRun(path: URL(fileURLWithPath: decayed)) }
                == "\(decayed): metadata out of range: options.weightDecay is 2.0, outside 0.0...1.0")
    }

    /// Writes an MNIST-format folder of `train` and `test` images of `size`x`size`.
    func dataSet(_ name: String, train: Int, test: Int, size: Int) -> String {
        let folder = directory + "/" + name
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func idx(_ file: String, _ dimensions: [Int]) {
            var bytes: [UInt8] = [0, 0, 8, UInt8(dimensions.count)]
            for d in dimensions {
                bytes += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)]
            }
            let count = dimensions.reduce(1, *)
            _ = FileManager.default.createFile(
                atPath: folder + "/" + file, contents: Data(bytes + (0..<count).map { UInt8($0 % 10) }))
        }
        idx("train-images-idx3-ubyte", [train, size, size])
        idx("train-labels-idx1-ubyte", [train])
        idx("t10k-images-idx3-ubyte", [test, size, size])
        idx("t10k-labels-idx1-ubyte", [test])
        return folder
    }

    @Test func dataThatLoadsButDoesNotFitIsNamed() throws {
        let few = dataSet("few", train: 500, test: 10, size: 28)
        #expect(
            message { _ = try TaskData.load(.mnist, from: few) }
                == "\(few): 500 training images; training holds out 10000 for validation, so it needs more")
        let noTest = dataSet("no-test", train: 10_001, test: 0, size: 8)
        #expect(message { _ = try TaskData.load(.mnist, from: noTest) } == "\(noTest): the test set holds no images")
        let large = dataSet("large", train: 10_001, test: 1, size: 64)
        #expect(
            message { _ = try TaskData.load(.translated, from: large) }
                == "\(large): 64x64 images do not fit task translated (a 60x60 canvas)")
        let tiny = dataSet("tiny", train: 10_001, test: 1, size: 4)
        #expect(
            message { _ = try TaskData.load(.cluttered60, from: tiny) }
                == "\(tiny): 4x4 images do not fit task cluttered60 (a 60x60 canvas with 8x8 distractor crops)")
        // A model trained on 8x8 images, evaluated on the bundled 28x28 MNIST.
        var small = Self.mnistRAM
        (small.ram.imageHeight, small.ram.imageWidth) = (8, 8)
        #expect(
            message { _ = try TaskData.load(.mnist, from: nil, for: small) }
                == "the bundled MNIST: task mnist makes 28x28 images of these, but the model takes 8x8; pass the "
                + "--data-dir it was trained with"
        )
    }

    @Test func tooFewTrainingImagesIsOneLineInEveryCommandThatLoadsData() async throws {
        let few = dataSet("five-thousand", train: 5000, test: 10, size: 28)
        let line = "\(few): 5000 training images; training holds out 10000 for validation, so it needs more"
        // In a process of its own: before, 'ram data info' stopped here with a trap and a backtrace.
        let words = ["data", "info", "--data-dir", few]
        let info = await #expect(processExitsWith: .exitCode(1), observing: [\.standardErrorContent]) {
            [words = words as [String]] in CommandLineTool.run(RootCommand.command, arguments: words)
        }
        #expect(String(decoding: info?.standardErrorContent ?? [], as: UTF8.self) == "error: \(line)\n")

        let model = try saveModel("model.safetensors")
        let search = directory + "/search"
        for words in [
            ["data", "preview", "--task", "mnist", "--data-dir", few, "--output", directory + "/preview.png"],
            ["evaluate", "--checkpoint", model, "--data-dir", few],
            ["visualize", "--checkpoint", model, "--data-dir", few, "--output", directory + "/glimpses.png"],
            ["search", "--directory", search, "--train-flags=--task mnist --epochs 1 --data-dir \(few)"],
        ] {
            let failure = message {
                let (command, arguments) = try RootCommand.command.parse(words)
                try command.run!(arguments)
            }
            #expect(failure == line, "\(words[0])")
        }
        #expect(!FileManager.default.fileExists(atPath: search))  // refused before any trial began
    }

    @Test func aSecondRunIntoTheSameFolderIsRefused() throws {
        let run = URL(fileURLWithPath: directory + "/shared")
        let first = try RunFolder.claim(run)
        let failure = message { _ = try RunFolder.claim(run) }
        #expect(
            failure == "--checkpoint-dir \(run.path) is in use by another run (pid \(getpid())); "
                + "wait for it to finish or choose another folder")
        withExtendedLifetime(first) {}
        // One after the other: a new run would overwrite a run that --resume can continue.
        _ = FileManager.default.createFile(atPath: run.path + "/last.safetensors", contents: Data([1]))
        #expect(
            message { try RunFolder.checkFresh(run, resuming: false) }
                == "--checkpoint-dir \(run.path) already holds a run (last.safetensors); pass --resume to continue "
                + "it, or choose another folder"
        )
        #expect(message { try RunFolder.checkFresh(run, resuming: true) } == "no error")
        let file = directory + "/a-file"
        _ = FileManager.default.createFile(atPath: file, contents: Data([1]))
        #expect(
            message { _ = try RunFolder.claim(URL(fileURLWithPath: file)) }
                == "--checkpoint-dir \(file) is not a folder")
    }

    @Test func resumeTrustsTheBestFileNotLastAfterAKillBetweenTheWrites() throws {
        // `best` is written before `last`: a kill between them leaves `last` claiming the
        // previous best (0.5) while `best` already holds a better model (0.3).
        let run = URL(fileURLWithPath: directory + "/killed")
        let data = try DatasetSplits.load()
        var options = RAMRecipe(for: .mnist).options
        options.epochs = 2
        let trainer = ClassifierTraining.trainer(
            for: Self.mnistRAM.makeModel(), options: options, data: data,
            task: .mnist, directory: run)
        func write(_ name: String, best: Double, withOptimizer: Bool) throws {
            var writer = CheckpointWriter()
            writer.addParameters(of: trainer.model.store)
            if withOptimizer { writer.addState(of: trainer.optimizer) }
            writer.setJSON(Self.mnistRAM, forKey: "specification")
            writer.setJSON(options, forKey: "options")
            var progress = TrainingProgress()
            (progress.completedEpochs, progress.step, progress.best) = (1, 390, best)
            writer.setJSON(progress, forKey: TrainingProgress.metadataKey)
            try RunCheckpoints.write(writer, named: name, in: run)
        }
        try write(RunCheckpoints.last, best: 0.5, withOptimizer: true)
        try write(RunCheckpoints.best, best: 0.3, withOptimizer: false)
        try trainer.resume()
        #expect(trainer.progress.best == 0.3)
        #expect((trainer.progress.completedEpochs, trainer.progress.step) == (1, 390))
    }

    @Test func aTrainerRefusesAStopStepItHasAlreadyReached() throws {
        // The library's own guard, which `ram train` pre-empts with a message naming its flag:
        // a stop at or before the current step would never be met and the run would go on.
        var options = RAMRecipe(for: .mnist).options
        options.epochs = 1
        let trainer = ClassifierTraining.trainer(
            for: Self.mnistRAM.makeModel(), options: options,
            data: try DatasetSplits.load(), task: .mnist, directory: nil)
        #expect(message { _ = try trainer.run(stopStep: 0) } == "cannot stop at step 0: the run is already at step 0")
        #expect(trainer.progress.step == 0)
    }

    @Test func resumeRefusesFlagsThatWouldChangeTheRun() throws {
        let run = directory + "/resumed"
        var options = RAMRecipe(for: .mnist).options
        options.epochs = 2
        var writer = CheckpointWriter()
        writer.setJSON(Self.mnistRAM, forKey: "specification")
        writer.setJSON(options, forKey: "options")
        try RunCheckpoints.write(writer, named: RunCheckpoints.last, in: URL(fileURLWithPath: run))
        let arguments = try parse([
            "train", "--resume", "--checkpoint-dir", run, "--learning-rate", "0.01",
            "--glimpses", "6", "--random-glimpses", "--epochs", "9", "--weight-decay", "0.001",
        ])
        #expect(
            message { try TrainCommand.run(arguments) }
                == "--resume continues the run in \(run) with its saved settings, which --random-glimpses on (the "
                + "run has off), "
                + "--learning-rate 0.01 (the run has 0.0003), --weight-decay 0.001 (the run has 0.0) would change; "
                + "drop those flags, or train into another --checkpoint-dir")
    }
}
