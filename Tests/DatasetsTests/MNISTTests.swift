import Datasets
import Foundation
import Testing

/// Known facts of the real MNIST files shipped with the package.
@Suite struct MNISTTests {
    @Test func countsAndImageSize() {
        #expect(bundledMNIST.training.count == 60_000)
        #expect(bundledMNIST.test.count == 10_000)
        for set in [bundledMNIST.training, bundledMNIST.test] {
            #expect(set.height == 28 && set.width == 28)
            #expect(set.pixels.count == set.count * 784)
        }
    }

    @Test func firstLabels() {
        #expect(Array(bundledMNIST.training.labels.prefix(10)) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
        #expect(Array(bundledMNIST.test.labels.prefix(10)) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
    }

    @Test func classCountsOfTheTestSet() {
        // Published per-class counts of the 10,000 MNIST test digits.
        var counts = [Int](repeating: 0, count: 10)
        for label in bundledMNIST.test.labels { counts[Int(label)] += 1 }
        #expect(counts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    }

    @Test func imagesHaveBlankBordersAndInk() {
        let first = Array(bundledMNIST.training.image(at: 0))
        #expect(first[0] == 0 && first[783] == 0)
        #expect(first.max() == 255)
    }

    @Test func loadingTimeIsReported() throws {
        let start = ContinuousClock.now
        let (training, test) = try MNIST.load()
        let elapsed = ContinuousClock.now - start
        print("Loading all of MNIST (60,000 + 10,000 images, gzip'd) took \(elapsed)")
        #expect(training.count + test.count == 70_000)
    }

    @Test func splitIs50000And10000AndFixedBySeed() {
        #expect(bundledSplits.train.count == 50_000)
        #expect(bundledSplits.validation.count == 10_000)
        #expect(bundledSplits.test.count == 10_000)
        let again = DatasetSplits(training: bundledMNIST.training, test: bundledMNIST.test)
        #expect(again.validation.labels == bundledSplits.validation.labels)
        #expect(again.validation.pixels == bundledSplits.validation.pixels)
        let other = DatasetSplits(training: bundledMNIST.training, test: bundledMNIST.test, seed: 99)
        #expect(other.validation.labels != bundledSplits.validation.labels)
    }

    static let fashionMNISTInstalled = FileManager.default.fileExists(atPath: MNIST.debianFashionMNISTDirectory)

    @Test(
        .enabled(
            if: fashionMNISTInstalled,
            "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist); skipping"))
    func fashionMNISTLoadsTheSameWay() throws {
        let (training, test) = try MNIST.load(from: MNIST.debianFashionMNISTDirectory)
        #expect(training.count == 60_000 && test.count == 10_000)
        #expect(training.height == 28 && training.width == 28)
        // Fashion-MNIST's first training item is an ankle boot (9), its first test item too.
        #expect(training.labels.first == 9)
        #expect(test.labels.first == 9)
    }
}
