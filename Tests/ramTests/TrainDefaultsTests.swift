import Datasets
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
