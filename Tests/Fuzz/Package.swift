// swift-tools-version: 6.0
// libFuzzer targets for the toolkit's file readers: safetensors checkpoints, IDX files and gzip.
// A package of its own, so the main package's plain `swift build` never needs libFuzzer.
// Run them with Tests/Fuzz/run.sh. Built with --sanitize=fuzzer, each target's
// LLVMFuzzerTestOneInput is called by libFuzzer's own main.
import PackageDescription

let package = Package(
    name: "Fuzz",
    dependencies: [.package(name: "RecurrentAttention", path: "../..")],
    targets: [
        .executableTarget(
            name: "fuzz-safetensors",
            dependencies: [
                .product(name: "NeuralNetworks", package: "RecurrentAttention")
            ]),
        .executableTarget(
            name: "fuzz-idx",
            dependencies: [
                .product(name: "Datasets", package: "RecurrentAttention")
            ]),
        .executableTarget(
            name: "fuzz-gzip",
            dependencies: [
                .product(name: "Datasets", package: "RecurrentAttention")
            ]),
    ]
)
