import Datasets
import Foundation
import NeuralNetworks
import Testing
import Training

@testable import ram

/// The README's library example and `ram train --task mnist` train the same model: the same
/// recipe, seed and data give the same tensors, parameters and Adam's moments alike.
struct LibraryMatchesCommandLineTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("library-vs-cli-\(getpid())")

    /// `images` written as an MNIST-format IDX pair named `prefix`.
    func write(_ images: LabeledImages, prefix: String, in folder: URL) throws {
        func header(_ magic: UInt8, _ dimensions: [Int]) -> [UInt8] {
            [0, 0, 8, magic] + dimensions.flatMap { withUnsafeBytes(of: UInt32($0).bigEndian, Array.init) }
        }
        let pixels = (0..<images.count).flatMap { images.image(at: $0) }
        try Data(header(3, [images.count, images.height, images.width]) + pixels)
            .write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
        try Data(header(1, [images.count]) + images.labels)
            .write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
    }

    @Test func theReadmeExampleAndRamTrainFindTheSameParameters() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // 11,024 training images: the 10,000 held out for validation leave 1,024, 8 steps of 128.
        let (training, test) = try MNIST.load()
        let data = (training: training.subset(Array(0..<11_024)), test: test.subset(Array(0..<200)))
        let folder = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try write(data.training, prefix: "train", in: folder)
        try write(data.test, prefix: "t10k", in: folder)

        let library = directory.appendingPathComponent("library")
        _ = try trainRAM(
            on: DatasetSplits(training: data.training, test: data.test), checkpoints: library, stopStep: 12)
        let commandLine = directory.appendingPathComponent("cli")
        let (command, arguments) = try RootCommand.command.parse(
            [
                "train", "--task", "mnist", "--data-dir", folder.path, "--stop-at-step", "12", "--checkpoint-dir",
                commandLine.path, "--no-tensorboard",
            ])
        try command.run!(arguments)

        let mine = try Checkpoint(contentsOf: library.appendingPathComponent(RunCheckpoints.last))
        let theirs = try Checkpoint(contentsOf: commandLine.appendingPathComponent(RunCheckpoints.last))
        #expect(TrainingProgress(of: mine)?.step == 12 && TrainingProgress(of: theirs)?.step == 12)
        #expect(mine.names == theirs.names && mine.names.count > 20)
        for name in mine.names {
            let (a, b) = (try mine.tensor(named: name, as: Float.self), try theirs.tensor(named: name, as: Float.self))
            #expect(a.shape == b.shape && a.scalars == b.scalars, "\(name) differs")
        }
    }
}
