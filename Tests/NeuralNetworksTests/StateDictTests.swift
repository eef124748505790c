import Autograd
import Foundation
import NeuralNetworks
import Testing

/// Loading weights saved by PyTorch: half precision, bfloat16 and integer tensors, names with a
/// `module.` prefix, and tensors on either side that the other lacks.
@Suite struct StateDictTests {
    /// A safetensors file built byte by byte: each tensor's dtype, shape and raw little-endian bytes.
    static func file(_ tensors: [(name: String, dtype: String, shape: [Int], bytes: [UInt8])]) -> [UInt8] {
        var offset = 0
        var entries: [String] = []
        var data: [UInt8] = []
        for t in tensors {
            entries.append(
                "\"\(t.name)\":{\"dtype\":\"\(t.dtype)\",\"shape\":\(t.shape),"
                    + "\"data_offsets\":[\(offset),\(offset + t.bytes.count)]}"
            )
            offset += t.bytes.count
            data += t.bytes
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        header += Array(repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        return withUnsafeBytes(of: UInt64(header.count).littleEndian, Array.init) + header + data
    }

    static func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
    }

    /// Half precision bit patterns worked out by hand: 0.5 = 0x3800, -2 = 0xC000, 1024 = 0x6400,
    /// 2^-14 (the smallest normal) = 0x0400. bfloat16 is a Float's top half: 1.5 = 0x3FC0, -0.25 = 0xBE80.
    static let pytorchStateDict = file([
        ("module.fc.weight", "F16", [2, 2], littleEndian([UInt16(0x3800), 0xC000, 0x6400, 0x0400])),
        ("module.fc.bias", "BF16", [2], littleEndian([UInt16(0x3FC0), 0xBE80])),
        ("module.bn.num_batches_tracked", "I64", [], littleEndian([Int64(7)])),
        ("module.head.weight", "F32", [3], littleEndian([Float(1), 2, 3].map(\.bitPattern))),
    ])

    static func store() -> ParameterStore<Float> {
        let store = ParameterStore<Float>()
        store.add("fc.weight", .zeros([2, 2]))
        store.add("fc.bias", .zeros([2]))
        store.add("bn.count", .zeros([]))
        store.add("other.weight", Tensor([9]))
        return store
    }

    static func rename(_ name: String) -> String? {
        guard name.hasPrefix("module.") else { return nil }
        return String(name.dropFirst("module.".count)).replacingOccurrences(of: "num_batches_tracked", with: "count")
    }

    @Test func loadsWhatMatchesConvertsAndReportsTheRest() throws {
        let checkpoint = try Checkpoint(bytes: Self.pytorchStateDict, path: "state_dict.safetensors")
        let store = Self.store()
        let report = try checkpoint.loadMatching(into: store, renaming: Self.rename)
        #expect(report.loaded == ["fc.weight", "fc.bias", "bn.count"])
        #expect(report.missing == ["other.weight"])
        #expect(report.unexpected == ["module.head.weight"])
        #expect(report.converted == ["fc.weight": "F16", "fc.bias": "BF16", "bn.count": "I64"])
        #expect(
            "\(report)"
                == "loaded 3 parameters; missing from the file: other.weight; not in the model: module.head.weight; "
                + "converted: bn.count from I64, fc.bias from BF16, fc.weight from F16")
        #expect(store.value(store.parameter(named: "fc.weight")!).scalars == [0.5, -2, 1024, 0x1p-14])
        #expect(store.value(store.parameter(named: "fc.bias")!).scalars == [1.5, -0.25])
        #expect(store.value(store.parameter(named: "bn.count")!).scalars == [7])
        #expect(
            store.value(store.parameter(named: "other.weight")!).scalars == [9], "a missing parameter is left alone")
    }

    @Test func strictLoadingRefusesAndSaysWhatToDo() throws {
        let checkpoint = try Checkpoint(bytes: Self.pytorchStateDict, path: "state_dict.safetensors")
        #expect(throws: CheckpointError.self) { try checkpoint.load(into: Self.store()) }
        do {
            _ = try checkpoint.tensor(named: "module.fc.weight", as: Float.self)
            Issue.record("an F16 tensor was read as Float without converting")
        } catch {
            #expect("\(error)".contains("has dtype F16, expected F32 (read it with converting: true"))
        }
        #expect(
            try checkpoint.tensor(named: "module.bn.num_batches_tracked", as: Double.self, converting: true).scalars
                == [7])
    }

    @Test func shapeMismatchesAndCollisionsAreErrorsThatChangeNothing() throws {
        let checkpoint = try Checkpoint(bytes: Self.pytorchStateDict, path: "state_dict.safetensors")
        let store = Self.store()
        let before = Array(store.values)
        do {
            // Both the weight and the bias renamed to fc.bias.
            try checkpoint.loadMatching(into: store) { $0.hasPrefix("module.fc.") ? "fc.bias" : nil }
            Issue.record("a collision was accepted")
        } catch {
            #expect(
                "\(error)".contains("fc.bias: both module.fc.bias and module.fc.weight are renamed to it"), "\(error)")
        }
        do {
            try checkpoint.loadMatching(into: store) { $0 == "module.fc.weight" ? "fc.bias" : nil }
            Issue.record("a shape mismatch was accepted")
        } catch {
            #expect("\(error)".contains("fc.bias: shape [2, 2] in module.fc.weight, the store has [2]"), "\(error)")
        }
        #expect(Array(store.values) == before)
    }

    @Test func halfPrecisionEdgeCases() throws {
        let bits: [UInt16] = [0x0001, 0x8000, 0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x3C01]
        let checkpoint = try Checkpoint(bytes: Self.file([("h", "F16", [7], Self.littleEndian(bits))]), path: "h")
        let values = try checkpoint.tensor(named: "h", as: Double.self, converting: true).scalars
        // The smallest subnormal 2^-24, negative zero, the largest half 65504, +-infinity, NaN, 1 + 2^-10.
        #expect(values[0] == 0x1p-24 && values[1] == 0 && values[1].sign == .minus && values[2] == 65504)
        #expect(values[3] == .infinity && values[4] == -.infinity && values[5].isNaN && values[6] == 1 + 0x1p-10)
    }
}
