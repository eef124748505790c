extension Image {
    /// The whole image as a rectangle.
    public var bounds: Rectangle { Rectangle(x: 0, y: 0, width: width, height: height) }

    /// Paints every pixel of `rectangle` (clipped to the image) with `color`.
    public mutating func fill(_ rectangle: Rectangle, color: Color) {
        let area = rectangle.clipped(to: bounds)
        guard area.width > 0 && area.height > 0 else { return }
        pixels.withUnsafeMutableBufferPointer { p in
            for y in area.y..<area.y + area.height {
                var i = (y * width + area.x) * 3
                for _ in 0..<area.width {
                    p[i] = color.red
                    p[i + 1] = color.green
                    p[i + 2] = color.blue
                    i += 3
                }
            }
        }
    }

    /// Draws the outline of `rectangle`, `thickness` pixels wide on its inside, clipped to the image.
    public mutating func stroke(_ rectangle: Rectangle, color: Color, thickness: Int = 1) {
        let t = min(thickness, rectangle.width, rectangle.height)
        guard t > 0 else { return }
        let r = rectangle
        fill(Rectangle(x: r.x, y: r.y, width: r.width, height: t), color: color)
        fill(Rectangle(x: r.x, y: r.y + r.height - t, width: r.width, height: t), color: color)
        fill(Rectangle(x: r.x, y: r.y + t, width: t, height: r.height - 2 * t), color: color)
        fill(Rectangle(x: r.x + r.width - t, y: r.y + t, width: t, height: r.height - 2 * t), color: color)
    }

    /// Draws a one-pixel line from `(x0, y0)` to `(x1, y1)`, both ends included (Bresenham).
    public mutating func drawLine(fromX x0: Int, y y0: Int, toX x1: Int, y y1: Int, color: Color) {
        let dx = abs(x1 - x0)
        let dy = -abs(y1 - y0)
        let stepX = x0 < x1 ? 1 : -1
        let stepY = y0 < y1 ? 1 : -1
        var x = x0
        var y = y0
        var error = dx + dy
        while true {
            plot(x: x, y: y, color: color)
            if x == x1 && y == y1 { return }
            let doubled = 2 * error
            if doubled >= dy {
                error += dy
                x += stepX
            }
            if doubled <= dx {
                error += dx
                y += stepY
            }
        }
    }

    /// The image with every pixel repeated `factor` x `factor` times (nearest neighbour).
    public func scaled(by factor: Int) -> Image {
        precondition(factor >= 1, "Image.scaled(by:): factor must be at least 1, got \(factor)")
        guard factor > 1 else { return self }
        var result = Image(width: width * factor, height: height * factor)
        result.pixels.withUnsafeMutableBufferPointer { out in
            pixels.withUnsafeBufferPointer { source in
                for y in 0..<result.height {
                    let sourceRow = (y / factor) * width
                    for x in 0..<result.width {
                        let from = (sourceRow + x / factor) * 3
                        let to = (y * result.width + x) * 3
                        out[to] = source[from]
                        out[to + 1] = source[from + 1]
                        out[to + 2] = source[from + 2]
                    }
                }
            }
        }
        return result
    }

    /// Paints a grayscale image of intensities in [0, 1] with its top-left corner at `(x, y)`,
    /// clipped to this image.
    ///
    /// Intensity 0 paints `background` and 1 paints `foreground`, blending linearly between.
    public mutating func paste(
        intensities: some Collection<Float>, width sourceWidth: Int, height sourceHeight: Int,
        atX x: Int, y: Int, foreground: Color = .white, background: Color = .black
    ) {
        precondition(
            intensities.count == sourceWidth * sourceHeight,
            "Image.paste: \(intensities.count) values do not make a \(sourceWidth)x\(sourceHeight) image")
        func mix(_ a: UInt8, _ b: UInt8, _ t: Float) -> UInt8 {
            GrayImage.byte(fromIntensity: (Float(a) + (Float(b) - Float(a)) * max(0, min(1, t))) / 255)
        }
        var i = intensities.startIndex
        for row in 0..<sourceHeight {
            for column in 0..<sourceWidth {
                let t = intensities[i]
                i = intensities.index(after: i)
                guard contains(x: x + column, y: y + row) else { continue }
                self[x + column, y + row] = Color(
                    red: mix(background.red, foreground.red, t),
                    green: mix(background.green, foreground.green, t),
                    blue: mix(background.blue, foreground.blue, t))
            }
        }
    }

    /// Copies `image` with its top-left corner at `(x, y)`, clipped to this image.
    public mutating func paste(_ image: Image, atX x: Int, y: Int) {
        for row in 0..<image.height {
            for column in 0..<image.width {
                plot(x: x + column, y: y + row, color: image[column, row])
            }
        }
    }

    /// Paints a grayscale image with its top-left corner at `(x, y)`, clipped to this image.
    public mutating func paste(_ image: GrayImage, atX x: Int, y: Int) {
        let area = Rectangle(x: x, y: y, width: image.width, height: image.height).clipped(to: bounds)
        guard area.width > 0 && area.height > 0 else { return }
        for row in area.y..<area.y + area.height {
            for column in area.x..<area.x + area.width {
                self[column, row] = Color(gray: image.pixels[(row - y) * image.width + (column - x)])
            }
        }
    }
}
