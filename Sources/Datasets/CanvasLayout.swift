import Autograd

/// Where a digit goes: a square canvas, and how much clutter surrounds the digit.
///
/// Translated MNIST is `CanvasLayout(size: 60)`; cluttered MNIST adds `distractorCount`
/// random `distractorSize` x `distractorSize` crops of other digits (Mnih et al. 2014).
public struct CanvasLayout: Hashable, Sendable {
    /// The side of the square canvas in pixels; at least the side of the source images.
    public var size: Int
    /// How many distractor crops are added before the target digit.
    public var distractorCount: Int
    /// The side of each square distractor crop; at most the side of the source images.
    public var distractorSize: Int

    public init(size: Int, distractorCount: Int = 0, distractorSize: Int = 8) {
        require(
            size > 0 && distractorCount >= 0 && distractorSize > 0,
            "CanvasLayout: size \(size), distractors \(distractorCount) and distractor size \(distractorSize) must "
                + "be positive"
        )
        self.size = size
        self.distractorCount = distractorCount
        self.distractorSize = distractorSize
    }
}
