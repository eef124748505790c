import Autograd
import Imaging
import RecurrentAttention

/// Draws glimpse paths: each image scaled up and, in a colour that runs from green (first
/// glimpse) to red (last), each glimpse's centre as a numbered dot, the dots joined in order,
/// and the finest patch's box; under each image its label, and once every glimpse is drawn, the
/// prediction (green when right, red when wrong). The coarser scales' boxes (18 to 24 on an
/// image, which hid the path) are drawn for the current glimpse of an animation only, or for
/// every glimpse with `scales: .all`. `ram visualize`, the run logs and the notebooks draw with it.
public struct GlimpseDrawing {
    /// Which boxes a picture outlines.
    public enum Scales: String, CaseIterable, Sendable {
        /// The path and each glimpse's finest patch; an animation adds the current glimpse's other scales.
        case path
        /// Every scale's box of every glimpse.
        case all
    }

    public let sensor: GlimpseSensor
    /// `[count, height, width]`, values in [0, 1].
    public let images: Tensor<Float>
    public let labels: [Int]
    /// Per glimpse, `[count * 2]` `(x, y)` pairs.
    public let locations: [[Float]]
    public let predictions: [Int]
    public var scales: Scales

    public init(
        sensor: GlimpseSensor, images: Tensor<Float>, labels: [Int], locations: [[Float]], predictions: [Int],
        scales: Scales = .path
    ) {
        (self.sensor, self.images, self.labels, self.locations, self.predictions) = (
            sensor, images, labels, locations, predictions
        )
        self.scales = scales
    }

    var count: Int { images.shape[0] }
    var height: Int { images.shape[1] }
    var width: Int { images.shape[2] }
    /// Images are magnified to about 200 pixels.
    var scale: Int { max(1, 200 / max(height, width)) }

    /// Glimpse `t` of `count`'s colour: green through yellow to red, bright all the way so that
    /// the middle glimpses stand out on black as well as the ends.
    public static func color(_ t: Int, of count: Int) -> Color {
        let f = count > 1 ? Double(t) / Double(count - 1) : 0
        return f < 0.5
            ? Color(red: UInt8(40 + 400 * f), green: 220, blue: 60)
            : Color(red: 240, green: UInt8(220 - 360 * (f - 0.5)), blue: UInt8(60 - 40 * (f - 0.5)))
    }

    /// The grid with the first `glimpses` glimpses drawn; with `scalesOfLast`, every scale's box
    /// of the last of them too (the animation's frames: the glimpse being taken, whole).
    public func frame(showing glimpses: Int, scalesOfLast: Bool = false) -> Image {
        let columns = max(1, Int(Double(count).squareRoot().rounded(.up)))
        let rows = (count + columns - 1) / columns
        let margin = 8
        let labelHeight = 20
        let cellWidth = width * scale + margin
        let cellHeight = height * scale + labelHeight + margin
        var picture = Image(
            width: columns * cellWidth + margin, height: rows * cellHeight + margin, background: Color(gray: 40))
        for b in 0..<count {
            let originX = margin + (b % columns) * cellWidth
            let originY = margin + (b / columns) * cellHeight
            var cell = Image(width: width, height: height)
            cell.paste(
                intensities: images.scalars[(b * height * width)..<((b + 1) * height * width)],
                width: width, height: height, atX: 0, y: 0)
            var big = cell.scaled(by: scale)
            let shown = min(glimpses, locations.count)
            switch scales {
            case .all: drawAllBoxes(on: &big, image: b, shown: shown)
            case .path: drawPath(on: &big, image: b, shown: shown, scalesOfLast: scalesOfLast)
            }
            picture.paste(big, atX: originX, y: originY)
            let label = labels[b]
            let predicted = predictions[b]
            let done = glimpses == locations.count
            _ = picture.draw(
                text: done ? "\(label) \(predicted)" : "\(label)", atX: originX, y: originY + height * scale + 4,
                scale: 3, color: !done ? .yellow : (label == predicted ? .green : .red))
        }
        return picture
    }

    /// The animated picture: one frame per glimpse, showing that glimpse's every scale, then the
    /// still picture held longer; the delays in milliseconds.
    public func animation() -> (frames: [Image], delays: [Int]) {
        var frames = (1...locations.count).map { frame(showing: $0, scalesOfLast: true) }
        if scales == .path { frames.append(frame(showing: locations.count)) }
        return (frames, frames.indices.map { $0 == frames.count - 1 ? 2000 : 700 })
    }

    /// Glimpse `t`'s centre in the magnified image of `b`.
    func centre(_ t: Int, image b: Int) -> (x: Int, y: Int) {
        let (x, y) = (locations[t][2 * b], locations[t][2 * b + 1])
        return (Int((x + 1) / 2 * Float(width * scale)), Int((y + 1) / 2 * Float(height * scale)))
    }

    /// The path: lines between centres, each glimpse's finest box (the last drawn twice as
    /// thick), with `scalesOfLast` the last one's coarser boxes, then numbered dots on top.
    func drawPath(on big: inout Image, image b: Int, shown: Int, scalesOfLast: Bool) {
        guard shown > 0 else { return }
        for t in 1..<max(1, shown) {
            let (from, to) = (centre(t - 1, image: b), centre(t, image: b))
            let color = Self.color(t, of: locations.count)
            // Two pixels wide, side by side across the line's main direction.
            let steep = abs(to.y - from.y) > abs(to.x - from.x)
            for d in 0...1 {
                big.drawLine(
                    fromX: from.x + (steep ? d : 0), y: from.y + (steep ? 0 : d),
                    toX: to.x + (steep ? d : 0), y: to.y + (steep ? 0 : d), color: color)
            }
        }
        for t in 0..<shown {
            let (x, y) = (locations[t][2 * b], locations[t][2 * b + 1])
            let color = Self.color(t, of: locations.count)
            let scales = scalesOfLast && t == shown - 1 ? sensor.scales : 1
            for k in 0..<scales {
                let w = sensor.window(x: x, y: y, scale: k, height: height, width: width)
                let side = w.size * scale
                big.stroke(
                    Rectangle(x: w.column * scale, y: w.row * scale, width: side, height: side), color: color,
                    thickness: k == 0 && t == shown - 1 ? 2 : 1)
            }
        }
        for t in 0..<shown {
            let c = centre(t, image: b)
            let color = Self.color(t, of: locations.count)
            // A dot with a dark rim, and its number with a dark shadow, readable on white strokes.
            big.fill(Rectangle(x: c.x - 3, y: c.y - 2, width: 7, height: 5), color: .black)
            big.fill(Rectangle(x: c.x - 2, y: c.y - 3, width: 5, height: 7), color: .black)
            big.fill(Rectangle(x: c.x - 2, y: c.y - 1, width: 5, height: 3), color: color)
            big.fill(Rectangle(x: c.x - 1, y: c.y - 2, width: 3, height: 5), color: color)
            _ = big.draw(text: String(t + 1), atX: c.x + 5, y: c.y + 4, scale: 2, color: .black)
            _ = big.draw(text: String(t + 1), atX: c.x + 4, y: c.y + 3, scale: 2, color: color)
        }
    }

    /// Every scale's box of every glimpse shown, centres joined and numbered (`scales: .all`).
    func drawAllBoxes(on big: inout Image, image b: Int, shown: Int) {
        var previous: (x: Int, y: Int)?
        for t in 0..<shown {
            let (x, y) = (locations[t][2 * b], locations[t][2 * b + 1])
            let color = Self.color(t, of: locations.count)
            let thickness = t == shown - 1 ? 2 : 1
            big.strokeGlimpse(
                sensor, x: x, y: y, height: height, width: width, origin: (0, 0), scale: scale,
                clipped: false, color: { _ in color }, thickness: { _ in thickness })
            let centre = centre(t, image: b)
            if let previous { big.drawLine(fromX: previous.x, y: previous.y, toX: centre.x, y: centre.y, color: color) }
            _ = big.draw(text: String(t + 1), atX: centre.x + 2, y: centre.y + 2, scale: 2, color: color)
            previous = centre
        }
    }
}
