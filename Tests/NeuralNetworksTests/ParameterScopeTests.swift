import Autograd
import Foundation
import NeuralNetworks
import Testing

/// Layers built in a `ParameterScope` are named by the model's structure, draw their initial
/// values as the store-and-name form does from the same seed, and save and load by name.
struct ParameterScopeTests {
    struct TwoLayers: Module {
        let store = ParameterStore<Float>()
        let encoder: LSTMCell<Float>, head: Linear<Float>

        init(seed: UInt64) {
            let root = ParameterScope(store: store, seed: seed)
            encoder = LSTMCell(inputSize: 3, hiddenSize: 4, in: root["encoder"]["cell"])
            head = Linear(inputSize: 4, outputSize: 2, in: root["head"])
        }
    }

    @Test func namesFollowTheScopesAndValuesTheSeed() throws {
        let model = TwoLayers(seed: 5)
        #expect(
            model.parameterNames == [
                "encoder.cell.weight_ih", "encoder.cell.bias_ih", "encoder.cell.weight_hh",
                "encoder.cell.bias_hh", "head.weight", "head.bias",
            ])
        // The same layers built the long way, from one generator in the same order.
        let store = ParameterStore<Float>()
        var generator = SeededGenerator(seed: 5)
        _ = LSTMCell(inputSize: 3, hiddenSize: 4, name: "encoder.cell", store: store, generator: &generator)
        _ = Linear(inputSize: 4, outputSize: 2, name: "head", store: store, generator: &generator)
        #expect(Array(store.values) == Array(model.store.values))
        #expect(Array(TwoLayers(seed: 6).store.values) != Array(model.store.values))
    }

    @Test func aModelSavesAndLoadsByName() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scope-\(getpid()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let trained = TwoLayers(seed: 1)
        let fresh = TwoLayers(seed: 2)
        try trained.save(to: url, metadata: ["note": "two layers"])
        try fresh.load(from: url)
        #expect(Array(fresh.store.values) == Array(trained.store.values))
        #expect(try Checkpoint(contentsOf: url).metadata["note"] == "two layers")
    }
}
