import Foundation
import Testing

@testable import Imaging

/// Axis ticks at round numbers: steps of 1, 2 or 5 times a power of ten, labels without
/// float noise, and the grid drawn where the ticks are.
@Suite struct LinePlotTests {
    func labels(_ range: ClosedRange<Double>) -> [String] { LinePlot.ticks(in: range).map(\.label) }

    @Test func ticksLandOnRoundNumbers() {
        // The committed cluttered 100x100 curves ticked these at 0, 4.501, 9.002 and 0, 116, 232.
        #expect(labels(0...22.506) == ["0", "5", "10", "15", "20"])
        #expect(labels(0...580) == ["0", "100", "200", "300", "400", "500"])
        #expect(labels(0...0.865) == ["0", "0.2", "0.4", "0.6", "0.8"])
        #expect(labels(0...100) == ["0", "20", "40", "60", "80", "100"])
        #expect(labels(-0.3...0.9) == ["-0.2", "0", "0.2", "0.4", "0.6", "0.8"])
        // 3.7 + 0.1 is 3.8000000000000003 in a Double; the label says 3.8.
        #expect(labels(3.7...4.2) == ["3.7", "3.8", "3.9", "4.0", "4.1", "4.2"])
        #expect(labels(0...0.001) == ["0", "0.0002", "0.0004", "0.0006", "0.0008", "0.0010"])
        #expect(labels(0...2) == ["0", "0.5", "1.0", "1.5", "2.0"])
        #expect(labels(0...2_500_000) == ["0", "500000", "1000000", "1500000", "2000000", "2500000"])
        #expect(labels(5...5) == ["5"])
    }

    @Test(arguments: [
        0...22.506, 0...580, 0...0.865, -0.3...0.9, 3.7...4.2, 0...0.001, 0...2, 0.1...0.1001,
        -1234.5...(-17.25), 0...7, 0...13, 0...33, 0...1.05, 0...0.1, 1e-7...3e-7,
    ])
    func ticksAreRoundStepsInsideTheRange(range: ClosedRange<Double>) throws {
        let ticks = LinePlot.ticks(in: range)
        #expect((3...11).contains(ticks.count), "\(ticks.map(\.label))")
        let step = try #require(ticks.count > 1 ? ticks[1].value - ticks[0].value : nil)
        let mantissa = step / pow(10, log10(step).rounded(.down))
        #expect([1.0, 2.0, 5.0].contains { abs(mantissa - $0) < 1e-6 }, "step \(step)")
        for (tick, next) in zip(ticks, ticks.dropFirst()) { #expect(abs(next.value - tick.value - step) < step * 1e-6) }
        let slack = step * 1e-6
        #expect(ticks.allSatisfy { $0.value >= range.lowerBound - slack && $0.value <= range.upperBound + slack })
        // No tick left out at either end: one step further lies outside.
        #expect(ticks.first!.value - step < range.lowerBound - slack)
        #expect(ticks.last!.value + step > range.upperBound + slack)
        // Each label reads back as its value, and none carries float noise like 3.8000000000000003.
        for tick in ticks {
            #expect(abs(Double(tick.label)! - tick.value) < slack && tick.label.count <= 10, "\(tick.label)")
        }
    }

    @Test func theGridIsDrawnAtTheTicks() {
        var plot = LinePlot(xRange: 0...580, yRange: 0...22.506)
        (plot.width, plot.height) = (480, 320)
        let image = plot.image()
        // The layout image() uses with no axis labels: 64 px left, 16 right, 16 top, 30 bottom.
        let (left, top, plotWidth, plotHeight) = (64, 16, 480 - 64 - 16, 320 - 16 - 30)
        let grid = Color(gray: 48)
        let rowAt20 = top + plotHeight - Int((20 / 22.506 * Double(plotHeight)).rounded())
        let columnAt100 = left + Int((100 / 580 * Double(plotWidth)).rounded())
        // Away from the other lines: a quarter of the way across, and a little below the top.
        #expect(image[left + plotWidth / 4 + 3, rowAt20] == grid)
        #expect(image[columnAt100, top + 10] == grid)
        // Where the old ticks were (a fifth of the range: 4.501, 116) there is no grid line.
        let rowAtAFifth = top + plotHeight - Int((Double(plotHeight) / 5).rounded())
        #expect(image[left + plotWidth / 4 + 3, rowAtAFifth] == Color(gray: 24))
    }
}
