/// The classification tasks of the paper, and canvases of your own.
///
/// (Not named `Task`, which would shadow Swift concurrency's `Task` in every importing file.)
public enum DatasetTask: Hashable, Sendable {
    /// The 28x28 MNIST digits as they are.
    case mnist
    /// A digit at a uniformly random position on a 60x60 canvas.
    case translated
    /// A digit among 4 random 8x8 crops of other digits on a 60x60 canvas.
    case cluttered60
    /// A digit among 8 random 8x8 crops of other digits on a 100x100 canvas.
    case cluttered100
    /// The 28x28 Fashion-MNIST images as they are (Xiao, Rasul and Vollgraf 2017).
    case fashionMNIST
    /// Any canvas: size, distractor count and distractor size chosen by the caller.
    case custom(CanvasLayout)

    /// The named tasks, in the order a help text lists them.
    public static let named: [DatasetTask] = [.mnist, .translated, .cluttered60, .cluttered100, .fashionMNIST]

    /// The canvas the source images are placed on; `nil` when the images are used unchanged.
    public var layout: CanvasLayout? {
        switch self {
        case .mnist, .fashionMNIST: return nil
        case .translated: return CanvasLayout(size: 60)
        case .cluttered60: return CanvasLayout(size: 60, distractorCount: 4, distractorSize: 8)
        case .cluttered100: return CanvasLayout(size: 100, distractorCount: 8, distractorSize: 8)
        case .custom(let layout): return layout
        }
    }

    /// Whether the task's images come from Fashion-MNIST rather than MNIST by default.
    public var usesFashionMNIST: Bool { self == .fashionMNIST }

    /// The task's name on the command line.
    public var name: String {
        switch self {
        case .mnist: return "mnist"
        case .translated: return "translated"
        case .cluttered60: return "cluttered60"
        case .cluttered100: return "cluttered100"
        case .fashionMNIST: return "fashion-mnist"
        case .custom(let layout):
            return "custom-\(layout.size)x\(layout.size)-\(layout.distractorCount)x\(layout.distractorSize)"
        }
    }

    /// The named task called `name` on the command line, if any.
    public init?(name: String) {
        guard let task = DatasetTask.named.first(where: { $0.name == name }) else { return nil }
        self = task
    }
}
