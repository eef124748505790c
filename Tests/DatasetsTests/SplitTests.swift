import Datasets
import Testing

@Suite struct SplitTests {
    /// 200 one-pixel images whose pixel is their own index, so every image is identifiable.
    let numbered = LabeledImages(
        pixels: (0..<200).map { UInt8($0) }, labels: (0..<200).map { UInt8($0 % 10) },
        height: 1, width: 1)

    @Test func partitionsTheTrainingSet() {
        let splits = DatasetSplits(training: numbered, test: numbered, validationCount: 40, seed: 3)
        #expect(splits.train.count == 160 && splits.validation.count == 40)
        #expect(Set(splits.train.pixels + splits.validation.pixels).count == 200)
        #expect(splits.train.pixels != Array(0..<160), "shuffled, not the first images")
        // Labels travel with their images.
        for (pixel, label) in zip(splits.validation.pixels, splits.validation.labels) {
            #expect(Int(pixel) % 10 == Int(label))
        }
    }

    @Test func sameSeedSameSplitOtherSeedOtherSplit() {
        let a = DatasetSplits(training: numbered, test: numbered, validationCount: 40, seed: 3)
        let b = DatasetSplits(training: numbered, test: numbered, validationCount: 40, seed: 3)
        let c = DatasetSplits(training: numbered, test: numbered, validationCount: 40, seed: 4)
        #expect(a.validation.pixels == b.validation.pixels)
        #expect(a.validation.pixels != c.validation.pixels)
    }
}
