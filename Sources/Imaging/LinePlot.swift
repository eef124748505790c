/// A small line chart: curves over a shared x range, optional horizontal reference lines
/// (dashed), numbered ticks on both axes, axis labels, and a legend of the named curves.
public struct LinePlot {
    public struct Series {
        public var points: [(x: Double, y: Double)]
        public var color: Color
        /// The curve's name in the legend (none: not listed).
        public var name: String?
        public init(points: [(x: Double, y: Double)], color: Color, name: String? = nil) {
            self.points = points
            self.color = color
            self.name = name
        }
    }

    public var series: [Series] = []
    public var references: [(y: Double, color: Color)] = []
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    /// Drawn large at the top.
    public var title: String?
    /// Under the x axis, and above the y axis.
    public var xLabel: String?, yLabel: String?
    public var width = 480, height = 320

    public init(xRange: ClosedRange<Double>, yRange: ClosedRange<Double>) {
        self.xRange = xRange
        self.yRange = yRange
    }

    /// The chart on a dark background, values outside `yRange` clipped to its edges.
    public func image() -> Image {
        let left = 64
        let right = 16
        let top = yLabel == nil ? 16 : 28
        let bottom = xLabel == nil ? 30 : 46
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        var picture = Image(width: width, height: height, background: Color(gray: 24))
        func px(_ x: Double) -> Int {
            left
                + Int(((x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * Double(plotWidth)).rounded())
        }
        func py(_ y: Double) -> Int {
            let clipped = min(max(y, yRange.lowerBound), yRange.upperBound)
            return top + plotHeight
                - Int(
                    ((clipped - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * Double(plotHeight))
                        .rounded())
        }
        // Axes and ticks at round numbers inside the ranges, labelled with the bitmap font.
        let axis = Color(gray: 150)
        let grid = Color(gray: 48)
        for tick in Self.ticks(in: yRange) {
            picture.drawLine(fromX: left, y: py(tick.value), toX: left + plotWidth, y: py(tick.value), color: grid)
            _ = picture.draw(
                text: tick.label, atX: left - 6 - BitmapFont.width(of: tick.label, scale: 2),
                y: py(tick.value) - 5, scale: 2, color: axis)
        }
        for tick in Self.ticks(in: xRange) {
            picture.drawLine(fromX: px(tick.value), y: top, toX: px(tick.value), y: top + plotHeight, color: grid)
            _ = picture.draw(
                text: tick.label, atX: px(tick.value) - BitmapFont.width(of: tick.label, scale: 2) / 2,
                y: top + plotHeight + 8, scale: 2, color: axis)
        }
        picture.drawLine(fromX: left, y: top, toX: left, y: top + plotHeight, color: axis)
        picture.drawLine(fromX: left, y: top + plotHeight, toX: left + plotWidth, y: top + plotHeight, color: axis)
        for reference in references {
            let y = py(reference.y)
            var x = left
            while x < left + plotWidth {
                picture.drawLine(fromX: x, y: y, toX: min(x + 5, left + plotWidth), y: y, color: reference.color)
                x += 10
            }
        }
        for curve in series {
            for (a, b) in zip(curve.points, curve.points.dropFirst()) {
                // Two pixels thick, so curves stay visible when they overlap the grid.
                for dy in 0...1 {
                    picture.drawLine(fromX: px(a.x), y: py(a.y) + dy, toX: px(b.x), y: py(b.y) + dy, color: curve.color)
                }
            }
        }
        let labelColor = Color(gray: 200)
        if let xLabel {
            _ = picture.draw(
                text: xLabel, atX: left + (plotWidth - BitmapFont.width(of: xLabel, scale: 2)) / 2,
                y: top + plotHeight + 28, scale: 2, color: labelColor)
        }
        if let yLabel { _ = picture.draw(text: yLabel, atX: 8, y: 8, scale: 2, color: labelColor) }
        // The legend, top right inside the plot: a stroke of each named curve's colour, then its name.
        var legendY = top + 8
        for curve in series {
            guard let name = curve.name else { continue }
            let textWidth = BitmapFont.width(of: name, scale: 2)
            let x = left + plotWidth - textWidth - 30
            picture.fill(Rectangle(x: x - 4, y: legendY - 3, width: textWidth + 34, height: 16), color: Color(gray: 24))
            for dy in 0...1 {
                picture.drawLine(fromX: x, y: legendY + 4 + dy, toX: x + 18, y: legendY + 4 + dy, color: curve.color)
            }
            _ = picture.draw(text: name, atX: x + 24, y: legendY, scale: 2, color: labelColor)
            legendY += 16
        }
        if let title {
            _ = picture.draw(
                text: title, atX: left + (plotWidth - BitmapFont.width(of: title, scale: 3)) / 2, y: top + 6,
                scale: 3, color: .white)
        }
        return picture
    }

    /// Joins charts side by side into one picture.
    public static func sideBySide(_ charts: [Image]) -> Image {
        let width = charts.reduce(0) { $0 + $1.width }
        let height = charts.map(\.height).max() ?? 0
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        var originX = 0
        for chart in charts {
            for y in 0..<chart.height {
                let from = y * chart.width * 3
                let to = (y * width + originX) * 3
                pixels.replaceSubrange(to..<(to + chart.width * 3), with: chart.pixels[from..<(from + chart.width * 3)])
            }
            originX += chart.width
        }
        return Image(width: width, height: height, pixels: pixels)
    }

    /// A tick: where it goes, and its label.
    public struct Tick: Equatable {
        public var value: Double
        public var label: String
    }

    /// About `count` ticks at the multiples of one step inside `range`, the step 1, 2 or 5
    /// times a power of ten (Heckbert's "nice numbers"), so that labels read 0, 5, 10 and not
    /// 0, 4.501, 9.002. Each label has the step's decimals, so it shows no float noise.
    public static func ticks(in range: ClosedRange<Double>, count: Int = 5) -> [Tick] {
        let span = range.upperBound - range.lowerBound
        let ends = [range.lowerBound, range.upperBound].map { Tick(value: $0, label: label($0)) }
        guard span > 0, span.isFinite, count > 0 else { return Array(ends.prefix(1)) }
        let rough = span / Double(count)
        var power = 0  // rough = fraction * 10^power, fraction in [1, 10)
        while pow10(power + 1) <= rough { power += 1 }
        while pow10(power) > rough { power -= 1 }
        let fraction = rough / pow10(power)
        var multiple: Double = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        if multiple == 10 { (multiple, power) = (1, power + 1) }
        let step = multiple * pow10(power)
        let decimals = max(0, -power)
        // Far from zero for its width (1e20...1e20 + 1), the multiples would not fit an Int.
        guard max(abs(range.lowerBound), abs(range.upperBound)) / step < 1e15 else { return ends }
        // Integer multiples of the step, with a little slack so that a bound that is a multiple
        // (0.3 / 0.1 = 2.9999999999999996) is not lost.
        let first = Int((range.lowerBound / step - 1e-9).rounded(.up))
        let last = Int((range.upperBound / step + 1e-9).rounded(.down))
        guard first <= last else { return ends }
        return (first...last).map { k in
            let value = Double(k) * step
            return Tick(value: value, label: fixed(value, decimals: decimals))
        }
    }

    /// 10 to an integer power, as near as a Double gets (1 / 1000 rather than 0.1 * 0.1 * 0.1).
    static func pow10(_ power: Int) -> Double {
        let magnitude = (0..<abs(power)).reduce(1.0) { r, _ in r * 10 }
        return power >= 0 ? magnitude : 1 / magnitude
    }

    /// `value` with `decimals` digits after the point (none: no point), "-0" written "0".
    static func fixed(_ value: Double, decimals: Int) -> String {
        let scale = pow10(decimals)
        guard abs(value) * scale < 1e18 else { return "\(value)" }  // beyond Int; no axis here goes so far
        let units = Int((abs(value) * scale).rounded())
        guard units != 0 else { return "0" }
        let whole = String(units / Int(scale))
        let part = String(units % Int(scale))
        let sign = value < 0 ? "-" : ""
        guard decimals > 0 else { return sign + whole }
        return sign + whole + "." + String(repeating: "0", count: decimals - part.count) + part
    }

    /// A short label for a lone value: no trailing zeros, at most three decimals.
    static func label(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e9 { return String(Int(value)) }
        let thousandths = Int((abs(value) * 1000).rounded())
        let fraction = String(thousandths % 1000)
        var text =
            (value < 0 ? "-" : "") + String(thousandths / 1000) + "."
            + String(repeating: "0", count: 3 - fraction.count) + fraction
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
