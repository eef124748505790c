import Autograd
import Imaging
import RecurrentAttention

/// Draws glimpse paths: each image scaled up, each glimpse's boxes (one per scale) in a colour
/// that runs from green (first) to red (last), centres joined in order, and the glimpse
/// number; under each image its label, and once every glimpse is drawn, the prediction (green
/// when right, red when wrong). `ram visualize`, the run logs and the notebooks draw with it.
public struct GlimpseDrawing {
    public let sensor: GlimpseSensor
    /// `[count, height, width]`, values in [0, 1].
    public let images: Tensor<Float>
    public let labels: [Int]
    /// Per glimpse, `[count * 2]` `(x, y)` pairs.
    public let locations: [[Float]]
    public let predictions: [Int]

    public init(sensor: GlimpseSensor, images: Tensor<Float>, labels: [Int], locations: [[Float]], predictions: [Int]) {
        (self.sensor, self.images, self.labels, self.locations, self.predictions) = (sensor, images, labels, locations, predictions)
    }

    var count: Int { images.shape[0] }
    var height: Int { images.shape[1] }
    var width: Int { images.shape[2] }
    /// Images are magnified to about 200 pixels.
    var scale: Int { max(1, 200 / max(height, width)) }

    /// Glimpse `t` of `count`'s colour: green to red.
    public static func color(_ t: Int, of count: Int) -> Color {
        let f = count > 1 ? Double(t) / Double(count - 1) : 0
        return Color(red: UInt8(40 + 200 * f), green: UInt8(220 - 180 * f), blue: 60)
    }

    /// The grid with the first `glimpses` glimpses drawn.
    public func frame(showing glimpses: Int) -> Image {
        let columns = max(1, Int(Double(count).squareRoot().rounded(.up)))
        let rows = (count + columns - 1) / columns
        let margin = 8, labelHeight = 20
        let cellWidth = width * scale + margin, cellHeight = height * scale + labelHeight + margin
        var picture = Image(width: columns * cellWidth + margin, height: rows * cellHeight + margin, background: Color(gray: 40))
        for b in 0..<count {
            let originX = margin + (b % columns) * cellWidth, originY = margin + (b / columns) * cellHeight
            var cell = Image(width: width, height: height)
            cell.paste(intensities: images.scalars[(b * height * width)..<((b + 1) * height * width)],
                       width: width, height: height, atX: 0, y: 0)
            var big = cell.scaled(by: scale)
            var previous: (Int, Int)?
            for t in 0..<min(glimpses, locations.count) {
                let (x, y) = (locations[t][2 * b], locations[t][2 * b + 1])
                let color = Self.color(t, of: locations.count)
                let thickness = t == glimpses - 1 ? 2 : 1
                big.strokeGlimpse(sensor, x: x, y: y, height: height, width: width, origin: (0, 0), scale: scale, clipped: false,
                                  color: { _ in color }, thickness: { _ in thickness })
                let centre = (Int((x + 1) / 2 * Float(width * scale)), Int((y + 1) / 2 * Float(height * scale)))
                if let previous { big.drawLine(fromX: previous.0, y: previous.1, toX: centre.0, y: centre.1, color: color) }
                _ = big.draw(text: String(t + 1), atX: centre.0 + 2, y: centre.1 + 2, scale: 2, color: color)
                previous = centre
            }
            picture.paste(big, atX: originX, y: originY)
            let label = labels[b], predicted = predictions[b]
            let done = glimpses == locations.count
            _ = picture.draw(text: done ? "\(label) \(predicted)" : "\(label)", atX: originX, y: originY + height * scale + 4,
                             scale: 3, color: !done ? .yellow : (label == predicted ? .green : .red))
        }
        return picture
    }
}
