/// A tiny 3x5 pixel font for digits, capital letters and a little punctuation: enough to
/// label images and charts. Lower-case letters are drawn as capitals.
///
/// Each glyph is five rows of three bits, the leftmost pixel in the highest bit. Characters
/// the font lacks are drawn as a hollow box so a missing glyph is visible, not silently blank.
public enum BitmapFont {
    /// Glyph width in font pixels.
    public static let glyphWidth = 3
    /// Glyph height in font pixels.
    public static let glyphHeight = 5

    static let glyphs: [Character: [UInt8]] = [
        "0": [0b111, 0b101, 0b101, 0b101, 0b111],
        "1": [0b010, 0b110, 0b010, 0b010, 0b111],
        "2": [0b111, 0b001, 0b111, 0b100, 0b111],
        "3": [0b111, 0b001, 0b111, 0b001, 0b111],
        "4": [0b101, 0b101, 0b111, 0b001, 0b001],
        "5": [0b111, 0b100, 0b111, 0b001, 0b111],
        "6": [0b111, 0b100, 0b111, 0b101, 0b111],
        "7": [0b111, 0b001, 0b010, 0b010, 0b010],
        "8": [0b111, 0b101, 0b111, 0b101, 0b111],
        "9": [0b111, 0b101, 0b111, 0b001, 0b111],
        " ": [0, 0, 0, 0, 0],
        "-": [0, 0, 0b111, 0, 0],
        "+": [0, 0b010, 0b111, 0b010, 0],
        ".": [0, 0, 0, 0, 0b010],
        ":": [0, 0b010, 0, 0b010, 0],
        "/": [0b001, 0b001, 0b010, 0b100, 0b100],
        "%": [0b101, 0b001, 0b010, 0b100, 0b101],
        "=": [0, 0b111, 0, 0b111, 0],
        "A": [0b010, 0b101, 0b111, 0b101, 0b101],
        "B": [0b110, 0b101, 0b110, 0b101, 0b110],
        "C": [0b011, 0b100, 0b100, 0b100, 0b011],
        "D": [0b110, 0b101, 0b101, 0b101, 0b110],
        "E": [0b111, 0b100, 0b110, 0b100, 0b111],
        "F": [0b111, 0b100, 0b110, 0b100, 0b100],
        "G": [0b011, 0b100, 0b101, 0b101, 0b011],
        "H": [0b101, 0b101, 0b111, 0b101, 0b101],
        "I": [0b111, 0b010, 0b010, 0b010, 0b111],
        "J": [0b001, 0b001, 0b001, 0b101, 0b010],
        "K": [0b101, 0b101, 0b110, 0b101, 0b101],
        "L": [0b100, 0b100, 0b100, 0b100, 0b111],
        "M": [0b101, 0b111, 0b111, 0b101, 0b101],
        "N": [0b110, 0b101, 0b101, 0b101, 0b101],
        "O": [0b010, 0b101, 0b101, 0b101, 0b010],
        "P": [0b110, 0b101, 0b110, 0b100, 0b100],
        "Q": [0b010, 0b101, 0b101, 0b110, 0b011],
        "R": [0b110, 0b101, 0b110, 0b101, 0b101],
        "S": [0b011, 0b100, 0b010, 0b001, 0b110],
        "T": [0b111, 0b010, 0b010, 0b010, 0b010],
        "U": [0b101, 0b101, 0b101, 0b101, 0b111],
        "V": [0b101, 0b101, 0b101, 0b101, 0b010],
        "W": [0b101, 0b101, 0b111, 0b111, 0b101],
        "X": [0b101, 0b101, 0b010, 0b101, 0b101],
        "Y": [0b101, 0b101, 0b010, 0b010, 0b010],
        "Z": [0b111, 0b001, 0b010, 0b100, 0b111],
        "(": [0b001, 0b010, 0b010, 0b010, 0b001],
        ")": [0b100, 0b010, 0b010, 0b010, 0b100],
        "_": [0, 0, 0, 0, 0b111],
        ",": [0, 0, 0, 0b010, 0b100],
    ]
    static let missingGlyph: [UInt8] = [0b111, 0b101, 0b101, 0b101, 0b111 ^ 0b010]

    /// The width in image pixels of `text` drawn at `scale` (one blank font pixel between glyphs).
    public static func width(of text: String, scale: Int = 1) -> Int {
        text.isEmpty ? 0 : (text.count * (glyphWidth + 1) - 1) * scale
    }
}

extension Image {
    /// Draws `text` with its top-left corner at `(x, y)`, each font pixel `scale` x `scale`
    /// image pixels, clipped to the image. Returns the x just past the text.
    @discardableResult
    public mutating func draw(text: String, atX x: Int, y: Int, scale: Int = 1, color: Color = .white) -> Int {
        var cursor = x
        for character in text {
            let upper = character.uppercased()
            let rows =
                BitmapFont.glyphs[character] ?? (upper.count == 1 ? BitmapFont.glyphs[Character(upper)] : nil)
                ?? BitmapFont.missingGlyph
            for (row, bits) in rows.enumerated() {
                for column in 0..<BitmapFont.glyphWidth where bits & (0b100 >> UInt8(column)) != 0 {
                    fill(
                        Rectangle(x: cursor + column * scale, y: y + row * scale, width: scale, height: scale),
                        color: color)
                }
            }
            cursor += (BitmapFont.glyphWidth + 1) * scale
        }
        return cursor
    }
}
