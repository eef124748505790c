import Datasets
import Imaging

/// A labelled grid of sample images: each image scaled up, its class printed beneath it.
enum SampleGrid {
    /// Renders `count` samples of a batch-like list of images into one picture.
    ///
    /// - Parameters:
    ///   - images: each image's intensities in [0, 1], row-major, `height * width` values.
    ///   - labels: the class shown under each image.
    ///   - targetBoxes: optionally, where each image's target lies (drawn as a green outline).
    static func render(
        images: [ArraySlice<Float>], labels: [Int32], height: Int, width: Int,
        targetBoxes: [Rectangle?] = []
    ) -> Image {
        let columns = max(1, Int(Double(images.count).squareRoot().rounded(.up)))
        let rows = (images.count + columns - 1) / columns
        // About 112 pixels per cell: 4x for 28x28 digits, 2x for 60x60 canvases, 1x for 100x100.
        let scale = max(1, Int((112 / Double(max(height, width))).rounded()))
        let fontScale = 3
        let margin = 6
        let labelHeight = BitmapFont.glyphHeight * fontScale + 4
        let cellWidth = width * scale + margin
        let cellHeight = height * scale + labelHeight + margin
        var picture = Image(
            width: columns * cellWidth + margin, height: rows * cellHeight + margin,
            background: Color(gray: 40))
        for (index, image) in images.enumerated() {
            let x = margin + (index % columns) * cellWidth
            let y = margin + (index / columns) * cellHeight
            var cell = Image(width: width, height: height)
            cell.paste(intensities: image, width: width, height: height, atX: 0, y: 0)
            if index < targetBoxes.count, let box = targetBoxes[index] {
                cell.stroke(box, color: .green)
            }
            let scaled = cell.scaled(by: scale)
            picture.paste(scaled, atX: x, y: y)
            picture.draw(
                text: String(labels[index]), atX: x, y: y + height * scale + 3,
                scale: fontScale, color: .yellow)
        }
        return picture
    }
}
