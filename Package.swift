// swift-tools-version: 6.1
// A small reverse-mode autodiff toolkit, and the recurrent attention model (RAM) built on it.
// No package dependencies: the toolchain and the system zlib only.
import PackageDescription

let package = Package(
    name: "RecurrentAttention",
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "AutogradTesting", targets: ["AutogradTesting"]),
        .library(name: "NeuralNetworks", targets: ["NeuralNetworks"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "SafeFiles", targets: ["SafeFiles"]),
        .library(name: "TrainingLogs", targets: ["TrainingLogs"]),
        .library(name: "Training", targets: ["Training"]),
        .library(name: "Distributed", targets: ["Distributed"]),
        .library(name: "RecurrentAttention", targets: ["RecurrentAttention"]),
        .library(name: "Baselines", targets: ["Baselines"]),
        .library(name: "Catch", targets: ["Catch"]),
        .library(name: "GlimpsePictures", targets: ["GlimpsePictures"]),
        .executable(name: "ram", targets: ["ram"]),
    ],
    traits: [
        .trait(
            name: "MPI",
            description: "Data-parallel training across processes and machines over Open MPI (libopenmpi-dev).")
    ],
    targets: [
        // Hot kernels in C: each function carries its own target attribute (AVX2/FMA) and is
        // chosen at run time after a CPU check, so no unsafe flags are needed.
        .target(name: "CKernels"),
        .systemLibrary(name: "CZlib"),

        .target(name: "Autograd", dependencies: ["CKernels"]),
        .target(name: "AutogradTesting", dependencies: ["Autograd"]),
        // Crash-safe file writes and folder locks, shared by checkpoints, images and runs.
        .target(name: "SafeFiles"),
        // What a run leaves to look at: metrics.csv and TensorBoard event files.
        .target(name: "TrainingLogs", dependencies: ["SafeFiles"]),
        .target(name: "NeuralNetworks", dependencies: ["Autograd", "SafeFiles"]),
        // The training loop and its parts (step, schedules, checkpoints, resume), shared by the
        // command line, the notebooks and users' own code.
        .target(
            name: "Training",
            dependencies: [
                "NeuralNetworks", "Datasets", "Distributed", "Autograd", "SafeFiles",
                "TrainingLogs",
            ]),
        // Data-parallel training: how processes add up their gradients (`Reducer`); over Open
        // MPI with the `MPI` trait, a single process otherwise.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(
            name: "Distributed", dependencies: ["Autograd", .target(name: "CMPI", condition: .when(traits: ["MPI"]))]),

        // The models: RAM and the paper's comparison nets.
        .target(
            name: "RecurrentAttention", dependencies: ["Training", "NeuralNetworks", "Datasets", "Autograd"],
            path: "Models/RecurrentAttention"),
        .target(name: "Baselines", dependencies: ["Training", "NeuralNetworks", "Autograd"], path: "Models/Baselines"),
        // The paper's dynamic environment, and the RAM agent that plays it.
        .target(
            name: "Catch",
            dependencies: ["RecurrentAttention", "Training", "Distributed", "NeuralNetworks", "Autograd"],
            path: "Models/Catch"),

        .executableTarget(
            name: "bench",
            dependencies: [
                "Autograd", "CKernels", "NeuralNetworks", "RecurrentAttention", "Training",
                "Distributed",
            ],
            exclude: ["reference"]),

        // MNIST ships inside the package (about 11 MB) so a fresh clone trains with no network.
        .target(
            name: "Datasets", dependencies: ["Autograd", "CZlib"],
            resources: [.copy("Resources/mnist")]),
        .target(name: "Imaging", dependencies: ["CZlib", "SafeFiles"]),
        // Pictures of glimpses and games, shared by the command line and the notebooks.
        .target(name: "GlimpsePictures", dependencies: ["Imaging", "RecurrentAttention", "Catch", "Autograd"]),
        .executableTarget(
            name: "ram",
            dependencies: [
                "Datasets", "Imaging", "Autograd", "NeuralNetworks",
                "RecurrentAttention", "Baselines", "Catch", "SafeFiles",
                "TrainingLogs", "Training", "Distributed", "GlimpsePictures",
            ]),

        // Notebooks as scripts: walk-throughs that read top to bottom, `swift run <name> [--small]`.
        .target(
            name: "NotebookSupport", dependencies: ["Imaging", "TrainingLogs"], path: "Notebooks-as-scripts/Support"),
        .executableTarget(
            name: "tour",
            dependencies: ["Autograd", "AutogradTesting", "NeuralNetworks", "NotebookSupport", "Training"],
            path: "Notebooks-as-scripts/Tour"),
        .executableTarget(
            name: "sequential-mnist",
            dependencies: [
                "Autograd", "NeuralNetworks", "Datasets", "Distributed", "Imaging", "NotebookSupport",
                "Training",
            ],
            path: "Notebooks-as-scripts/SequentialMNIST"),
        .executableTarget(
            name: "adding-problem",
            dependencies: ["Autograd", "NeuralNetworks", "Imaging", "NotebookSupport", "Training"],
            path: "Notebooks-as-scripts/AddingProblem", exclude: ["learning-curves.png"]),
        .executableTarget(
            name: "your-own-model",
            dependencies: ["Autograd", "AutogradTesting", "NeuralNetworks", "Datasets", "NotebookSupport", "Training"],
            path: "Notebooks-as-scripts/YourOwnModel"),
        .executableTarget(
            name: "gridworld", dependencies: ["Autograd", "NeuralNetworks", "NotebookSupport", "Training"],
            path: "Notebooks-as-scripts/GridWorld"),
        .executableTarget(
            name: "ram-in-a-page",
            dependencies: [
                "Autograd", "NeuralNetworks", "Datasets", "Imaging", "RecurrentAttention",
                "NotebookSupport", "Training", "GlimpsePictures",
            ],
            path: "Notebooks-as-scripts/RAMInAPage"),

        .testTarget(name: "CKernelsTests", dependencies: ["CKernels"]),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "AutogradTesting"]),
        // A user's own op, through the public API only, as another package would write it.
        .testTarget(name: "CustomOpTests", dependencies: ["Autograd", "AutogradTesting", "NeuralNetworks"]),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "Autograd", "AutogradTesting"]),
        .testTarget(
            name: "RecurrentAttentionTests",
            dependencies: ["RecurrentAttention", "Baselines", "NeuralNetworks", "Autograd", "Datasets"]),
        .testTarget(name: "CatchTests", dependencies: ["Catch", "Autograd", "NeuralNetworks"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Autograd", "CZlib"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "CZlib"]),
        .testTarget(
            name: "ramTests",
            dependencies: [
                "ram", "Catch", "RecurrentAttention", "Datasets", "NeuralNetworks", "Autograd",
                "Training",
            ]),
        .testTarget(name: "SafeFilesTests", dependencies: ["SafeFiles"]),
        .testTarget(name: "TrainingLogsTests", dependencies: ["TrainingLogs"]),
        // The README's "train RAM from your code", and the training loop, through the public API only.
        .testTarget(
            name: "TrainingTests",
            dependencies: [
                "Training", "Distributed", "RecurrentAttention", "Catch", "Datasets", "NeuralNetworks", "Autograd",
                "ram",
            ]),
        // The README's headline figures against the committed evaluations, its length and its links.
        .testTarget(name: "DocumentationTests"),
    ]
)
