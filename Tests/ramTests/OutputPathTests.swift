import Foundation
import NeuralNetworks
import SafeFiles
import Testing
import Training

@testable import ram

/// What the commands write goes where the path leads: a device node is written to and kept,
/// a symbolic link is written through and kept, in `ram visualize --output` and in the files
/// `ram train` keeps in `--checkpoint-dir`. The nodes are made here, never the system's.
@Suite struct OutputPathTests {
    let directory = NSTemporaryDirectory() + "output-paths-" + UUID().uuidString

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func run(_ words: [String]) throws {
        let (command, parsed) = try RootCommand.command.parse(words)
        try command.run!(parsed)
    }

    /// A character device with /dev/null's numbers (1, 3): what is written there is dropped.
    func makeNull(_ path: String) throws {
        #expect(mknod(path, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0, "mknod \(path): \(AtomicFile.systemError())")
    }

    /// The type bits of what is at `path`, links not followed, and a device's numbers.
    func kind(_ path: String) -> (type: mode_t, device: dev_t)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (info.st_mode & S_IFMT, info.st_rdev)
    }

    /// A freshly initialised 28x28 RAM, saved as 'ram train' saves it, drawn on the bundled MNIST.
    func visualize(_ output: String) throws {
        var writer = CheckpointWriter()
        writer.addParameters(of: RobustnessTests.mnistRAM.makeModel().store)
        writer.setJSON(RobustnessTests.mnistRAM, forKey: "specification")
        writer.setJSON(TrainingOptions(), forKey: "options")
        try RunCheckpoints.write(writer, named: "model.safetensors", in: URL(fileURLWithPath: directory))
        try run(["visualize", "--checkpoint", directory + "/model.safetensors", "--count", "2", "--output", output])
    }

    @Test func visualizeWritesToADeviceNodeAndKeepsIt() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let null = directory + "/null"
        try makeNull(null)
        try visualize(null)
        #expect(kind(null)?.type == S_IFCHR && kind(null)?.device == dev_t(1 << 8 | 3))
        // No animation beside a device: there is no file to put it next to.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
                == ["model.safetensors", "null"])
    }

    @Test func visualizeWritesThroughASymbolicLink() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pictures = directory + "/pictures"
        let link = directory + "/glimpses.png"
        try FileManager.default.createDirectory(atPath: pictures, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "pictures/kept.png")
        try visualize(link)
        try visualize(directory + "/plain.png")
        #expect(kind(link)?.type == S_IFLNK)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "pictures/kept.png")
        let kept = try Data(contentsOf: URL(fileURLWithPath: pictures + "/kept.png"))
        let plain = try Data(contentsOf: URL(fileURLWithPath: directory + "/plain.png"))
        #expect(kept.count > 1000 && kept == plain)
        #expect(try FileManager.default.contentsOfDirectory(atPath: pictures) == ["kept.png"])
        #expect(FileManager.default.fileExists(atPath: directory + "/glimpses-animated.png"))
    }

    @Test func visualizeRefusesAFolderAndALinkIntoAMissingFolderInOneLine() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let folder = directory + "/out.png"
        let link = directory + "/link.png"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: directory + "/gone/x.png")
        func message(_ output: String) -> String {
            do {
                try visualize(output)
                return "no error"
            } catch { return CommandLineTool.oneLine(error) }
        }
        #expect(message(folder) == "\(folder): is a folder, not a file")
        #expect(
            message(link)
                == "\(link): links to \(directory)/gone/x.png, whose folder \(directory)/gone does not exist")
        #expect(kind(link)?.type == S_IFLNK)
    }

    @Test func trainWritesThroughLinksAndToDeviceNodesInItsFolder() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = TrainResumeTests(directory: directory).smallData()
        let folder = directory + "/run"
        let kept = directory + "/kept"
        for path in [folder, kept] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        // metrics.csv links to a file that is there, last.safetensors to one not yet written.
        _ = FileManager.default.createFile(atPath: kept + "/metrics.csv", contents: Data("old".utf8))
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/metrics.csv",
            withDestinationPath: kept + "/metrics.csv")
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/last.safetensors",
            withDestinationPath: "../kept/last.safetensors")
        try makeNull(folder + "/learning-curves.png")
        try run([
            "train", "--data-dir", data, "--glimpses", "3", "--patch-size", "4", "--epochs", "1",
            "--checkpoint-dir", folder, "--no-tensorboard",
        ])

        #expect(kind(folder + "/metrics.csv")?.type == S_IFLNK)
        #expect(kind(folder + "/last.safetensors")?.type == S_IFLNK)
        let csv = try String(contentsOfFile: kept + "/metrics.csv", encoding: .utf8)
        #expect(
            csv.hasPrefix("epoch,training_error,validation_error,") && csv.split(separator: "\n").count == 2, "\(csv)")
        let last = try Checkpoint(contentsOf: URL(fileURLWithPath: kept + "/last.safetensors"))
        #expect(TrainingProgress(of: last)?.completedEpochs == 1)
        #expect(kind(folder + "/learning-curves.png")?.type == S_IFCHR)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: kept).sorted()
                == ["last.safetensors", "metrics.csv"])
    }
}
