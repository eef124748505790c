// swift-tools-version: 6.0
// A small reverse-mode autodiff toolkit, and the recurrent attention model (RAM) built on it.
// No package dependencies: the toolchain and the system zlib only.
import PackageDescription

let package = Package(
    name: "RecurrentAttention",
    products: [
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "AutogradTesting", targets: ["AutogradTesting"]),
    ],
    targets: [
        // Hot kernels in C: each function carries its own target attribute (AVX2/FMA) and is
        // chosen at run time after a CPU check, so no unsafe flags are needed.
        .target(name: "CKernels"),
        .systemLibrary(name: "CZlib"),

        .target(name: "Autograd", dependencies: ["CKernels"]),
        .target(name: "AutogradTesting", dependencies: ["Autograd"]),

        .executableTarget(name: "bench", dependencies: ["Autograd", "CKernels"]),

        .testTarget(name: "CKernelsTests", dependencies: ["CKernels"]),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "AutogradTesting"]),
    ]
)
