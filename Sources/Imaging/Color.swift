/// An 8-bit RGB colour.
public struct Color: Hashable, Sendable {
    public var red: UInt8, green: UInt8, blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A gray of the given level (0 black, 255 white).
    public init(gray: UInt8) { self.init(red: gray, green: gray, blue: gray) }

    public static let black = Color(gray: 0)
    public static let white = Color(gray: 255)
    public static let gray = Color(gray: 128)
    public static let red = Color(red: 230, green: 40, blue: 40)
    public static let green = Color(red: 40, green: 190, blue: 60)
    public static let blue = Color(red: 50, green: 100, blue: 230)
    public static let yellow = Color(red: 240, green: 210, blue: 40)
}
