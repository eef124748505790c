import Datasets
import Foundation
import NeuralNetworks
import RecurrentAttention
import Testing
import Training

@testable import ram

/// `ram train` with no flags trains the recipe the README reports; the comparison nets keep theirs.
@Suite struct TrainDefaultsTests {
    static func options(_ words: [String]) throws -> TrainingOptions {
        let arguments = try RootCommand.command.parse(["train"] + words).1
        return TrainCommand.trainingOptions(arguments, task: DatasetTask(name: arguments.string("task")!)!)
    }

    @Test func ramAndTheComparisonNetsHaveTheirOwnDefaults() throws {
        let ram = try Self.options([])
        #expect(
            (ram.optimizer, ram.learningRate, ram.batchSize, ram.epochs, ram.schedule) == (
                .adam, 3e-4, 128, 200, .linear
            ))
        let fc = try Self.options(["--model", "fc"])
        #expect((fc.learningRate, fc.batchSize, fc.epochs) == (1e-3, 32, 30))
        let given = try Self.options(["--learning-rate", "0.01", "--batch-size", "20", "--epochs", "3"])
        #expect((given.learningRate, given.batchSize, given.epochs) == (0.01, 20, 3))
        // The wider canvases' recipes: Adam 1e-3 over more epochs.
        let translated = try Self.options(["--task", "translated"])
        let wide = try Self.options(["--task", "cluttered100"])
        #expect((translated.learningRate, translated.epochs, wide.learningRate, wide.epochs) == (1e-3, 1200, 1e-3, 580))
        #expect(translated == RAMRecipe(for: .translated).options && wide == RAMRecipe(for: .cluttered100).options)
    }

    @Test func weightDecayIsOffByDefaultAndReachesTheOptimizer() throws {
        #expect(try Self.options([]).weightDecay == 0)
        let decayed = try Self.options(["--weight-decay", "1e-4"])
        let adam = try #require(decayed.makeOptimizer(for: ParameterStore<Float>()) as? Adam<Float>)
        #expect(decayed.weightDecay == 1e-4 && adam.weightDecay == 1e-4)
        var sgd = decayed
        sgd.optimizer = .sgd
        #expect((sgd.makeOptimizer(for: ParameterStore<Float>()) as? SGD<Float>)?.weightDecay == 1e-4)
        #expect(decayed.summary == "adam lr 0.0003 (linear), weight decay 0.0001, batch 128, 200 epochs, seed 1")
        let refused = #expect(throws: UsageError.self) { try Self.options(["--weight-decay", "2"]) }
        #expect(refused?.message == "option --weight-decay must be in 0.0...1.0, got 2.0")
    }

    /// Checkpoints written before `--weight-decay` existed hold options without it: they trained without decay.
    @Test func optionsSavedBeforeWeightDecayReadBackWithoutIt() throws {
        let older =
            #"{"optimizer":"adam","learningRate":0.001,"momentum":0.9,"schedule":"linear","batchSize":128,"#
            + #""epochs":640,"gradientClip":0,"seed":1}"#
        let options = try JSONDecoder().decode(TrainingOptions.self, from: Data(older.utf8))
        #expect(options == TrainingOptions(learningRate: 1e-3, batchSize: 128, epochs: 640))
        var decayed = options
        decayed.weightDecay = 5e-5
        #expect(try JSONDecoder().decode(TrainingOptions.self, from: JSONEncoder().encode(decayed)) == decayed)
    }

    @Test func theModelDefaultsFollowTheTask() throws {
        let data = try DatasetSplits.load()
        func configuration(_ words: [String]) throws -> ModelSpecification {
            let arguments = try RootCommand.command.parse(["train"] + words).1
            return TrainCommand.specification(
                arguments, task: DatasetTask(name: arguments.string("task")!)!, data: data)
        }
        let mnist = try configuration([]).ram
        #expect(
            mnist.locationStandardDeviation == 0.05 && mnist.locationNetworkHidden == 128 && mnist.randomFirstGlimpse)
        #expect((mnist.patchSize, mnist.scales, mnist.glimpses) == (8, 1, 6))
        #expect(
            mnist == RAMRecipe(for: .mnist).configuration && !mnist.locationTrainsCore
                && mnist.policyGradientWeight == 1)
        let translated = try configuration(["--task", "translated"]).ram
        #expect(translated.locationStandardDeviation == 0.2 && (translated.patchSize, translated.scales) == (12, 3))
        #expect(translated.locationTrainsCore && translated.policyGradientWeight == 0.3)
        #expect(translated == RAMRecipe(for: .translated).configuration)
        #expect(try configuration(["--task", "cluttered100"]).ram.scales == 4)
        // --no-policy-gradient-to-core turns the recipe's route off, and REINFORCE's weight with it.
        let detached = try configuration(["--task", "translated", "--no-policy-gradient-to-core"]).ram
        #expect(!detached.locationTrainsCore && detached.policyGradientWeight == 1)
        let refused = #expect(throws: UsageError.self) {
            try RootCommand.command.parse(["train", "--no-policy-gradient-to-core", "--policy-gradient-to-core"])
        }
        #expect(refused?.message == "option --policy-gradient-to-core is given more than once")
        let paper = try configuration(["--location-std", "0.2", "--location-hidden", "0", "--first-glimpse", "centre"])
            .ram
        #expect(paper.locationStandardDeviation == 0.2 && paper.locationNetworkHidden == 0 && !paper.randomFirstGlimpse)
    }

    @Test func stopAtTargetNeedsATarget() throws {
        let directory = NSTemporaryDirectory() + "target-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (command, arguments) = try RootCommand.command.parse([
            "train", "--stop-at-target", "--checkpoint-dir", directory,
        ])
        let refused = #expect(throws: CommandFailure.self) { try command.run!(arguments) }
        #expect(refused?.description == "--stop-at-target needs a --target-error to stop at")
        #expect(try RootCommand.command.parse(["train", "--target-error", "1.12"]).1.number("target-error") == 1.12)
    }
}
