import Imaging
import RecurrentAttention

extension Image {
    /// Outlines the boxes of a glimpse at `(x, y)` (in [-1, 1]^2) that `sensor` reads from a
    /// `height` x `width` image drawn here at `origin`, magnified `scale` times: one box per
    /// scale, finest last. With `clipped`, boxes are cut to the drawn image and outlined
    /// along the cut (for pictures whose images sit side by side); without, whatever leaves
    /// the image is not drawn.
    public mutating func strokeGlimpse(
        _ sensor: GlimpseSensor, x: Float, y: Float, height: Int, width: Int,
        origin: (x: Int, y: Int), scale: Int, clipped: Bool,
        color: (_ scale: Int) -> Color, thickness: (_ scale: Int) -> Int
    ) {
        let frame = Rectangle(x: origin.x, y: origin.y, width: width * scale, height: height * scale)
        for k in (0..<sensor.scales).reversed() {
            let w = sensor.window(x: x, y: y, scale: k, height: height, width: width)
            let box = Rectangle(
                x: origin.x + w.column * scale, y: origin.y + w.row * scale, width: w.size * scale,
                height: w.size * scale)
            stroke(clipped ? box.clipped(to: frame) : box, color: color(k), thickness: thickness(k))
        }
    }
}
