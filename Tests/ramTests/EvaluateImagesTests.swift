import Datasets
import Foundation
import NeuralNetworks
import RecurrentAttention
import Testing
import Training

@testable import ram

/// `ram evaluate --images FILE --labels FILE`: a ready-made IDX set, used exactly as it is.
@Suite struct EvaluateImagesTests {
    let directory = NSTemporaryDirectory() + "evaluate-images-" + UUID().uuidString

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// A freshly initialised RAM for 28x28 images, saved as 'ram train' saves it.
    func checkpoint() throws -> String {
        let specification = ModelSpecification(
            kind: .ram, task: "mnist", ram: RAMConfiguration(imageHeight: 28, imageWidth: 28),
            hiddenSize: 256, filters: 8, seed: 1)
        var writer = CheckpointWriter()
        writer.addParameters(of: specification.makeModel().store)
        writer.setJSON(specification, forKey: "specification")
        writer.setJSON(TrainingOptions(), forKey: "options")
        try RunCheckpoints.write(writer, named: "model.safetensors", in: URL(fileURLWithPath: directory))
        return directory + "/model.safetensors"
    }

    /// Writes an IDX file of bytes (3 dimensions for images, 1 for labels) and returns its path.
    func idx(_ name: String, dimensions: [Int], bytes: [UInt8]) -> String {
        var data: [UInt8] = [0, 0, 8, UInt8(dimensions.count)]
        for d in dimensions {
            data += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)]
        }
        let path = directory + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(data + bytes))
        return path
    }

    func images(count: Int, size: Int) -> String {
        idx(
            "images-\(count)-\(size)", dimensions: [count, size, size],
            bytes: (0..<(count * size * size)).map { UInt8($0 % 251) })
    }

    func labels(count: Int) -> String {
        idx("labels-\(count)", dimensions: [count], bytes: (0..<count).map { UInt8($0 % 10) })
    }

    func evaluate(_ extra: [String]) throws -> (TaskGenerator, String) {
        let words = ["evaluate", "--checkpoint", try checkpoint()] + extra
        let parsed = try RootCommand.command.parse(words).1
        return try EvaluateCommand.imagesToScore(parsed, run: try SavedRun(path: URL(fileURLWithPath: words[2])))
    }

    func failure(_ extra: [String]) -> String {
        do {
            _ = try evaluate(extra)
            return "no error"
        } catch {
            return CommandLineTool.oneLine(error)
        }
    }

    @Test func theImagesAreScoredExactlyAsTheyAre() throws {
        let (set, name) = try evaluate(["--images", images(count: 3, size: 28), "--labels", labels(count: 3)])
        #expect(set.count == 3 && set.height == 28 && set.width == 28 && name == "images-3-28")
        let second = set.image(1, epoch: 5)
        #expect(second == (784..<1568).map { Float($0 % 251) / 255 })
        #expect(set.source.labels == [0, 1, 2])
        // The whole command runs on them.
        let words = [
            "evaluate", "--checkpoint", directory + "/model.safetensors", "--trajectories", "2",
            "--images", images(count: 3, size: 28), "--labels", labels(count: 3),
        ]
        let (command, parsed) = try RootCommand.command.parse(words)
        try command.run!(parsed)
    }

    @Test func imagesOfAnotherSizeAreRefusedByName() {
        let path = images(count: 2, size: 60)
        let message = failure(["--images", path, "--labels", labels(count: 2)])
        #expect(message.contains(path) && message.contains("60x60") && message.contains("28x28"), "\(message)")
    }

    @Test func aCountMismatchNamesBothFiles() {
        let imagesPath = images(count: 3, size: 28)
        let labelsPath = labels(count: 2)
        let message = failure(["--images", imagesPath, "--labels", labelsPath])
        #expect(
            message.contains(imagesPath) && message.contains(labelsPath) && message.contains("3")
                && message.contains("2"),
            "\(message)")
    }

    @Test func aMissingFileIsNamed() {
        let message = failure(["--images", directory + "/nothing-here", "--labels", labels(count: 2)])
        #expect(message.contains(directory + "/nothing-here"), "\(message)")
    }

    @Test func imagesAndLabelsComeTogether() {
        #expect(failure(["--images", images(count: 1, size: 28)]).contains("--images needs --labels"))
        #expect(failure(["--labels", labels(count: 1)]).contains("--labels needs --images"))
    }
}
