import Datasets
import Testing

/// Invariants of the translated and cluttered generators, on real MNIST digits.
@Suite struct TaskGeneratorTests {
    static let canvasTasks: [DatasetTask] = [
        .translated, .cluttered60, .cluttered100,
        .custom(CanvasLayout(size: 40, distractorCount: 6, distractorSize: 5)),
    ]

    func generator(_ task: DatasetTask, seed: UInt64 = 7, fixed: Bool = false) -> TaskGenerator {
        TaskGenerator(source: bundledSplits.train, task: task, seed: seed, isFixed: fixed)
    }

    @Test func layoutsOfThePaper() {
        #expect(DatasetTask.translated.layout == CanvasLayout(size: 60, distractorCount: 0))
        #expect(DatasetTask.cluttered60.layout == CanvasLayout(size: 60, distractorCount: 4, distractorSize: 8))
        #expect(DatasetTask.cluttered100.layout == CanvasLayout(size: 100, distractorCount: 8, distractorSize: 8))
        #expect(DatasetTask.mnist.layout == nil && DatasetTask.fashionMNIST.layout == nil)
        for task in DatasetTask.named { #expect(DatasetTask(name: task.name) == task) }
    }

    @Test(arguments: canvasTasks)
    func wholeDigitLiesInsideTheCanvas(task: DatasetTask) {
        let g = generator(task)
        let layout = task.layout!
        for index in 0..<300 {
            let p = g.placement(of: index, epoch: 2)!
            #expect(p.row >= 0 && p.column >= 0 && p.row + 28 <= layout.size && p.column + 28 <= layout.size)
            for d in p.distractors {
                #expect(d.row >= 0 && d.column >= 0)
                #expect(d.row + layout.distractorSize <= layout.size && d.column + layout.distractorSize <= layout.size)
                #expect(d.cropRow + layout.distractorSize <= 28 && d.cropColumn + layout.distractorSize <= 28)
            }
        }
    }

    @Test func translatedCanvasHoldsExactlyTheDigit() {
        let g = generator(.translated)
        for index in [0, 1, 999, 49_999] {
            let canvas = g.image(index, epoch: 0)
            let p = g.placement(of: index, epoch: 0)!
            let digit = g.source.image(at: index).map { Float($0) / 255 }
            var expected = [Float](repeating: 0, count: 60 * 60)
            for r in 0..<28 { for c in 0..<28 { expected[(p.row + r) * 60 + p.column + c] = digit[r * 28 + c] } }
            #expect(canvas == expected)
        }
    }

    @Test(arguments: canvasTasks + [.mnist])
    func pixelsLieInZeroOne(task: DatasetTask) {
        let g = generator(task)
        for index in 0..<200 {
            let image = g.image(index, epoch: 1)
            #expect(image.count == g.height * g.width)
            #expect(image.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }

    @Test(arguments: [
        DatasetTask.cluttered60, .cluttered100, .custom(CanvasLayout(size: 50, distractorCount: 3, distractorSize: 6)),
    ])
    func distractorCountAndSources(task: DatasetTask) {
        let g = generator(task)
        for index in 0..<200 {
            let p = g.placement(of: index, epoch: 0)!
            #expect(p.distractors.count == task.layout!.distractorCount)
            #expect(p.distractors.allSatisfy { $0.sourceIndex != index && $0.sourceIndex < g.count })
        }
    }

    /// A deliberately naive reference: distractors added then clipped, then the digit added and clipped.
    @Test(arguments: [DatasetTask.cluttered60, .cluttered100])
    func clutterMatchesTheReferenceRecipe(task: DatasetTask) {
        let g = generator(task)
        let layout = task.layout!
        for index in [3, 77, 4_242] {
            let p = g.placement(of: index, epoch: 5)!
            var expected = [Double](repeating: 0, count: layout.size * layout.size)
            for d in p.distractors {
                let other = Array(g.source.image(at: d.sourceIndex))
                for r in 0..<layout.distractorSize {
                    for c in 0..<layout.distractorSize {
                        let i = (d.row + r) * layout.size + d.column + c
                        expected[i] = min(1, expected[i] + Double(other[(d.cropRow + r) * 28 + d.cropColumn + c]) / 255)
                    }
                }
            }
            let digit = Array(g.source.image(at: index))
            for r in 0..<28 {
                for c in 0..<28 {
                    let i = (p.row + r) * layout.size + p.column + c
                    expected[i] = min(1, max(0, expected[i] + Double(digit[r * 28 + c]) / 255))
                }
            }
            let canvas = g.image(index, epoch: 5)
            #expect(zip(canvas, expected).allSatisfy { abs(Double($0) - $1) < 1e-6 })
            // Clutter is really there: more ink than the digit alone.
            let canvasInk: Float = canvas.reduce(0, +)
            let digitInk: Float = digit.reduce(0) { $0 + Float($1) / 255 }
            #expect(canvasInk >= digitInk - 1e-3)
        }
    }

    @Test(arguments: canvasTasks)
    func sameSeedSameImages(task: DatasetTask) {
        let a = generator(task, seed: 11)
        let b = generator(task, seed: 11)
        let c = generator(task, seed: 12)
        for index in [0, 5, 123] {
            #expect(a.image(index, epoch: 3) == b.image(index, epoch: 3))
            #expect(a.placement(of: index, epoch: 3) == b.placement(of: index, epoch: 3))
        }
        #expect((0..<20).contains { a.placement(of: $0, epoch: 3) != c.placement(of: $0, epoch: 3) })
    }

    @Test(arguments: canvasTasks)
    func newEpochNewPlacementsForTraining(task: DatasetTask) {
        let g = generator(task)
        let changed = (0..<50).filter { g.placement(of: $0, epoch: 0) != g.placement(of: $0, epoch: 1) }.count
        #expect(changed >= 45, "placements should differ between epochs, \(changed) of 50 did")
        #expect(g.image(0, epoch: 0) != g.image(0, epoch: 1) || g.image(1, epoch: 0) != g.image(1, epoch: 1))
    }

    @Test(arguments: canvasTasks)
    func fixedSetsIgnoreTheEpoch(task: DatasetTask) {
        let g = TaskGenerator(source: bundledSplits.test, task: task, seed: 7, isFixed: true)
        for index in [0, 9_999] {
            #expect(g.placement(of: index, epoch: 0) == g.placement(of: index, epoch: 17))
            #expect(g.image(index, epoch: 0) == g.image(index, epoch: 17))
        }
    }

    @Test func positionsAreSpreadOverTheWholeRange() {
        let g = generator(.translated)
        let rows = Set((0..<2_000).map { g.placement(of: $0, epoch: 0)!.row })
        #expect(rows == Set(0...32), "every row offset 0...32 occurs")
    }

    @Test func plainTaskIsTheImageScaled() {
        let g = generator(.mnist)
        #expect(g.height == 28 && g.width == 28 && g.placement(of: 0, epoch: 0) == nil)
        #expect(g.image(4, epoch: 0) == g.source.image(at: 4).map { Float($0) / 255 })
    }
}
