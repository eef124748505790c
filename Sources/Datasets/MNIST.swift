import Foundation

/// Loading MNIST-format data sets (MNIST itself, Fashion-MNIST, anything in the same four files).
///
/// A directory holds `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte`, each plain or with a `.gz` suffix.
public enum MNIST {
    /// The copy of MNIST shipped inside the package, so a fresh clone trains with no network.
    public static var bundledDirectory: String {
        Bundle.module.resourceURL!.appendingPathComponent("mnist").path
    }

    /// Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST.
    public static let debianFashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    /// The 60,000 training and 10,000 test images of the data set in `directory`.
    ///
    /// - Parameter directory: the folder with the four IDX files; `nil` for the bundled MNIST.
    /// - Throws: `DatasetError` naming the file that is missing, corrupt, truncated or mismatched.
    public static func load(
        from directory: String? = nil
    ) throws(DatasetError) -> (training: LabeledImages, test: LabeledImages) {
        let directory = directory ?? bundledDirectory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError(path: directory, problem: .missingDirectory)
        }
        let training = try LabeledImages(
            imagesPath: path(of: "train-images-idx3-ubyte", in: directory),
            labelsPath: path(of: "train-labels-idx1-ubyte", in: directory))
        let test = try LabeledImages(
            imagesPath: path(of: "t10k-images-idx3-ubyte", in: directory),
            labelsPath: path(of: "t10k-labels-idx1-ubyte", in: directory))
        return (training, test)
    }

    /// The path of the file `name` in `directory`: the gzip'd copy if there is one, else the plain one.
    ///
    /// When neither exists the `.gz` path is returned, so the error names the file we looked for first.
    static func path(of name: String, in directory: String) -> String {
        let folder = directory.hasSuffix("/") ? directory : directory + "/"
        // Some mirrors spell the names with a dot: train-images.idx3-ubyte.
        let dotted = name.replacingOccurrences(of: "-idx", with: ".idx")
        let candidates = [folder + name + ".gz", folder + name, folder + dotted + ".gz", folder + dotted]
        return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[0]
    }
}
