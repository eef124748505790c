import Datasets

/// The bundled MNIST, read once for all tests (a global `let` initialises lazily and thread-safely).
let bundledMNIST: (training: LabeledImages, test: LabeledImages) = try! MNIST.load()

/// The standard split of the bundled MNIST.
let bundledSplits = DatasetSplits(training: bundledMNIST.training, test: bundledMNIST.test)
