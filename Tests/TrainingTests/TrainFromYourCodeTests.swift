import Autograd
import Datasets
import Foundation
import NeuralNetworks
import RecurrentAttention
import Testing
import Training

// The README's "Train RAM from your code", through the public API only, as another package
// would write it. The lines between the markers must be the README's, word for word.

// README: train RAM from your code
/// Trains RAM with the recipe `ram train --task mnist` uses (stopping after `stopStep` steps if
/// given, as `--stop-at-step` does) and returns the test error of its best model by validation
/// error, with the policy's mean.
func trainRAM(on data: DatasetSplits, checkpoints: URL, stopStep: Int? = nil) throws -> Double {
    let (configuration, options) = (RAMRecipe(for: .mnist).configuration, RAMRecipe(for: .mnist).options)
    let ram = RAMClassifier(RecurrentAttentionModel(configuration, seed: options.seed))
    let trainer = ClassifierTraining.trainer(
        for: ram, options: options, data: data, task: .mnist, directory: checkpoints)
    trainer.onEpoch = { record, _ in print("epoch \(record.epoch): validation error \(record.validationError)") }
    try trainer.run(stopStep: stopStep)
    try Checkpoint(contentsOf: checkpoints.appendingPathComponent(RunCheckpoints.best)).load(into: ram.store)
    let test = TaskGenerator(source: data.test, task: .mnist, seed: 0, isFixed: true)
    return ram.error(on: test, seed: 2)
}
// README: end

struct TrainFromYourCodeTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("train-from-your-code-\(getpid())")

    @Test func theReadmeSnippetTrainsRAMOnASubsetAndItsFiguresCheckOut() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let (training, test) = try MNIST.load()
        let data = DatasetSplits(
            training: training.subset(Array(0..<1_156)), test: test.subset(Array(0..<300)),
            validationCount: 132)
        let error = try trainRAM(on: data, checkpoints: directory, stopStep: 3 * 8)

        // The best checkpoint records the best epoch of the three, with its validation error.
        let best = try Checkpoint(contentsOf: directory.appendingPathComponent(RunCheckpoints.best))
        let last = try Checkpoint(contentsOf: directory.appendingPathComponent(RunCheckpoints.last))
        let history = try #require(TrainingProgress(of: last)?.history)
        #expect(history.map(\.epoch) == [1, 2, 3])
        #expect(TrainingProgress(of: best)?.best == history.map(\.validationError).min())
        #expect(TrainingProgress(of: last)?.step == 3 * (1_024 / 128))

        // The returned error, recounted by hand: a fresh model with the best parameters, the
        // policy's mean, one image at a time.
        let model = RecurrentAttentionModel(RAMRecipe(for: .mnist).configuration, seed: 99)
        try best.load(into: model.store)
        var generator = SeededGenerator(seed: 0)
        var wrong = 0
        for i in 0..<data.test.count {
            let pixels = data.test.image(at: i).map { Float($0) / 255 }
            let logits = model.run(
                Tensor(shape: [1, 28, 28], scalars: pixels), on: Tape<Float>(), policy: .mean,
                using: &generator
            ).logits.scalars
            if logits.indices.max(by: { logits[$0] < logits[$1] }) != Int(data.test.labels[i]) { wrong += 1 }
        }
        #expect(error == Double(wrong) / Double(data.test.count))
    }

    @Test func theReadmeShowsTheseLinesWordForWord() throws {
        let here = URL(fileURLWithPath: #filePath)
        let source = try String(contentsOf: here, encoding: .utf8)
        let readme = try String(
            contentsOf: here.deletingLastPathComponent().appendingPathComponent("../../README.md"),
            encoding: .utf8)
        let start = try #require(source.range(of: "// README: train RAM from your code\n"))
        let end = try #require(source.range(of: "// README: end\n"))
        let snippet = source[start.upperBound..<end.lowerBound]
        #expect(snippet.split(separator: "\n").count >= 10)
        #expect(readme.contains(snippet), "README.md's 'Train RAM from your code' differs from this test's trainRAM")
    }
}

struct TrainingProgressTests {
    func reread(_ writer: CheckpointWriter) throws -> Checkpoint {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "progress-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try writer.write(to: url)
        return try Checkpoint(contentsOf: url)
    }

    @Test func theRecordRoundTripsAndOlderCheckpointsKeysAreRead() throws {
        var progress = TrainingProgress()
        (progress.completedEpochs, progress.step, progress.elapsedSeconds, progress.best) = (3, 1170, 61.5, 0.25)
        progress.history = [
            EpochRecord(
                epoch: 1, step: 390, samples: 49_920, seconds: 20,
                values: ["training_error": 0.5, "validation_error": 0.25])
        ]
        progress.partialEpoch = PartialEpoch()
        progress.partialEpoch!.steps = 7
        var writer = CheckpointWriter()
        writer.setJSON(progress, forKey: TrainingProgress.metadataKey)
        let saved = try #require(TrainingProgress(of: try reread(writer)))
        #expect((saved.completedEpochs, saved.step, saved.elapsedSeconds, saved.best) == (3, 1170, 61.5, 0.25))
        #expect(saved.history == progress.history && saved.partialEpoch?.steps == 7)

        // How checkpoints stored it before the record existed: a key per field, "inf" before a best.
        var legacy = CheckpointWriter()
        legacy.metadata = [
            "completed_epochs": "2", "step": "780", "elapsed_seconds": "40.5", "best_validation_error": "inf",
            "partial_epoch": #"{"steps":4,"seen":512,"correct":500,"seconds":1.5,"lossSum":2,"#
                + #""crossEntropySum":1,"baselineErrorSum":0,"rewardSum":0,"hasPolicyTerms":false}"#,
            "history": #"[{"epoch":1,"trainingError":0.5,"validationError":0.25,"seconds":20}]"#,
        ]
        let old = try #require(TrainingProgress(of: try reread(legacy)))
        #expect((old.completedEpochs, old.step, old.elapsedSeconds) == (2, 780, 40.5))
        #expect(old.best == nil && old.history.map(\.validationError) == [0.25] && old.partialEpoch?.samples == 512)
        // The earlier partial epoch's sums become the metrics' (zero sums were figures the model had not).
        #expect(old.partialEpoch?.sums == ["training_error": 4 * (1 - 500.0 / 512), "loss": 2, "cross_entropy": 1])
        #expect(TrainingProgress(of: try reread(CheckpointWriter())) == nil)
    }

    @Test func recordsWrittenBeforeThereWasOneLoopReadAsMetrics() throws {
        // A classifier's record (as the committed models hold it) and a Catch run's.
        let classifier =
            #"{"completedEpochs":1,"step":390,"elapsedSeconds":9,"bestValidationError":0.3,"history":"#
            + #"[{"epoch":1,"trainingError":0.5,"validationError":0.3,"seconds":8,"glimpseInk":0.9,"#
            + #""imagesPerSecond":6000}]}"#
        let ram = try JSONDecoder().decode(TrainingProgress.self, from: Data(classifier.utf8))
        #expect((ram.completedEpochs, ram.step, ram.best) == (1, 390, 0.3))
        #expect(
            ram.history.first?.values == [
                "training_error": 0.5, "validation_error": 0.3, "glimpse_ink": 0.9,
                "images_per_second": 6000,
            ])
        let game =
            #"{"step":680,"frames":1000960,"elapsedSeconds":50,"bestValidationCatchRate":0.8,"history":"#
            + #"[{"frames":500480,"trainingCatchRate":0.5,"validationCatchRate":0.8,"seconds":25}]}"#
        let catchRun = try JSONDecoder().decode(TrainingProgress.self, from: Data(game.utf8))
        #expect((catchRun.completedEpochs, catchRun.step, catchRun.samples, catchRun.best) == (1, 680, 1_000_960, 0.8))
        #expect(catchRun.history.first?.samples == 500_480)
        #expect(catchRun.history.first?.values == ["training_catch_rate": 0.5, "validation_catch_rate": 0.8])

        // Older still, a Catch run's key per field, as the committed agent's checkpoint holds them.
        var legacy = CheckpointWriter()
        legacy.metadata = [
            "step": "5096", "frames": "7501312", "elapsed_seconds": "1614.5",
            "best_validation_catch_rate": "1.0",
            "history": #"[{"frames":500480,"seconds":108,"trainingCatchRate":0.09,"validationCatchRate":0.094}]"#,
        ]
        let agent = try #require(TrainingProgress(of: try reread(legacy)))
        #expect(
            (agent.step, agent.samples, agent.elapsedSeconds, agent.best, agent.completedEpochs)
                == (5096, 7_501_312, 1614.5, 1.0, 1))
    }
}
