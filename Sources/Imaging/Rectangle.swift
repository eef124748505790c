/// An axis-aligned rectangle of pixels: `x ..< x + width` by `y ..< y + height`.
public struct Rectangle: Hashable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The part of this rectangle inside `other` (possibly empty: zero width or height).
    public func clipped(to other: Rectangle) -> Rectangle {
        let left = max(x, other.x)
        let top = max(y, other.y)
        let right = min(x + width, other.x + other.width)
        let bottom = min(y + height, other.y + other.height)
        return Rectangle(x: left, y: top, width: max(0, right - left), height: max(0, bottom - top))
    }
}
