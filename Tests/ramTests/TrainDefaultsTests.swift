import Datasets
import Foundation
import NeuralNetworks
import Testing
import Training
@testable import ram

/// `ram train` with no flags trains the recipe the README reports; the comparison nets keep theirs.
@Suite struct TrainDefaultsTests {
    static func options(_ words: [String]) throws -> TrainingOptions {
        TrainCommand.trainingOptions(try RootCommand.command.parse(["train"] + words).1)
    }

    @Test func ramAndTheComparisonNetsHaveTheirOwnDefaults() throws {
        let ram = try Self.options([])
        #expect((ram.optimizer, ram.learningRate, ram.batchSize, ram.epochs, ram.schedule) == (.adam, 3e-4, 128, 200, .linear))
        let fc = try Self.options(["--model", "fc"])
        #expect((fc.learningRate, fc.batchSize, fc.epochs) == (1e-3, 32, 30))
        let given = try Self.options(["--learning-rate", "0.01", "--batch-size", "20", "--epochs", "3"])
        #expect((given.learningRate, given.batchSize, given.epochs) == (0.01, 20, 3))
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
        let older = #"{"optimizer":"adam","learningRate":0.001,"momentum":0.9,"schedule":"linear","batchSize":128,"epochs":640,"gradientClip":0,"seed":1}"#
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
            return TrainCommand.specification(arguments, task: DatasetTask(name: arguments.string("task")!)!, data: data)
        }
        let mnist = try configuration([]).ram
        #expect(mnist.locationStandardDeviation == 0.05 && mnist.locationNetworkHidden == 128 && mnist.randomFirstGlimpse)
        #expect((mnist.patchSize, mnist.scales, mnist.glimpses) == (8, 1, 6))
        let translated = try configuration(["--task", "translated"]).ram
        #expect(translated.locationStandardDeviation == Float(Defaults.locationStandardDeviation(imageSize: 60)))
        #expect((translated.patchSize, translated.scales) == (12, 3))
        let paper = try configuration(["--location-std", "0.2", "--location-hidden", "0", "--first-glimpse", "centre"]).ram
        #expect(paper.locationStandardDeviation == 0.2 && paper.locationNetworkHidden == 0 && !paper.randomFirstGlimpse)
    }
}
