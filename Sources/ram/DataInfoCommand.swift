import Datasets
import Foundation

/// `ram data info`: loads a data set, checks it, and tells its size, classes and load time.
enum DataInfoCommand {
    static let command = Command(
        name: "info",
        summary: "Load a data set's four IDX files, check them, and print counts, sizes and load time.",
        options: [
            .string(
                "data-dir", valueName: "dir",
                help: "Folder with the four MNIST-format IDX files, plain or .gz (default: bundled MNIST).")
        ],
        run: run)

    static func run(_ arguments: ParsedArguments) throws {
        let directory = arguments.string("data-dir")
        let start = ContinuousClock.now
        // The checks 'ram train' makes: too few images for the hold-out is one line, not a trap.
        let (training, test) = try TaskData.images(.mnist, from: directory)
        let loaded = ContinuousClock.now - start
        let splits = DatasetSplits(training: training, test: test, validationCount: TaskData.validationCount)
        let split = ContinuousClock.now - start - loaded

        print("data set:   \(directory ?? MNIST.bundledDirectory)")
        print(
            "images:     \(training.count) training + \(test.count) test, \(training.height)x\(training.width) bytes "
                + "each"
        )
        print(
            "split:      \(splits.train.count) train / \(splits.validation.count) validation / \(splits.test.count) "
                + "test"
        )
        for (name, set) in [("train", splits.train), ("validation", splits.validation), ("test", splits.test)] {
            var counts = [Int](repeating: 0, count: 10)
            for label in set.labels { counts[Int(label)] += 1 }
            print(
                "classes:    \(name.padding(toLength: 10, withPad: " ", startingAt: 0)) "
                    + counts.map(String.init).joined(separator: " "))
        }
        print(
            "load time:  \(milliseconds(loaded)) ms to read and check the four files, \(milliseconds(split)) ms to "
                + "split"
        )
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
