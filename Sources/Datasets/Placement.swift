/// Where one sample's digit and distractors go on its canvas.
///
/// Origins are the top-left corners, in canvas pixels (row, column).
public struct Placement: Equatable, Sendable {
    /// One distractor: a crop of another image pasted somewhere on the canvas.
    public struct Distractor: Equatable, Sendable {
        /// The image the crop is taken from (an index into the same set, never the target's).
        public var sourceIndex: Int
        /// The crop's top-left corner inside the source image.
        public var cropRow: Int, cropColumn: Int
        /// The crop's top-left corner on the canvas.
        public var row: Int, column: Int
    }

    /// The target image's top-left corner on the canvas.
    public var row: Int, column: Int
    /// The distractors, in the order they are added (before the target).
    public var distractors: [Distractor]
}
