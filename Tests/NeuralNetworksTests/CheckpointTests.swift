import Autograd
import Foundation
@_spi(Testing) import NeuralNetworks
import Testing

/// A fresh directory under the system's temporary directory, removed by `body`'s caller.
private func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("checkpoint-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// Values whose bits must survive a round trip: signed zeros, infinities, extremes,
/// a subnormal and a NaN.
private func specialValues<Scalar: TensorScalar>(_: Scalar.Type) -> [Scalar] {
    [
        -0.0, 0, .infinity, -.infinity, .greatestFiniteMagnitude, -.leastNormalMagnitude,
        .leastNonzeroMagnitude, .nan, 1 / 3, -2.5e-3, .pi, 42,
    ]
}

private func bits<Scalar: TensorScalar>(_ values: some Sequence<Scalar>) -> [String] {
    values.map { value in withUnsafeBytes(of: value) { $0.map { String($0, radix: 16) }.joined(separator: ".") } }
}

/// A store with tensors of ranks 0 to 4 holding the special values and seeded noise.
private func sampleStore<Scalar: TensorScalar>(_: Scalar.Type, seed: UInt64) -> ParameterStore<Scalar> {
    var generator = SeededGenerator(seed: seed)
    let store = ParameterStore<Scalar>()
    store.add("special", Tensor(specialValues(Scalar.self)).reshaped(to: [3, 4]))
    store.add("layer.scale", Tensor(Scalar(seed)))
    store.add("layer.weight", .normal([2, 3, 2, 2], using: &generator))
    store.add("layer.bias", .uniform([5], in: -1...1, using: &generator))
    return store
}

/// A file built by hand: the 8-byte length, the given header text, then `data`.
private func craftedFile(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    let text = Array(header.utf8)
    var length = declaredLength ?? UInt64(text.count)
    var bytes: [UInt8] = []
    for _ in 0..<8 {
        bytes.append(UInt8(truncatingIfNeeded: length))
        length >>= 8
    }
    return bytes + text + data
}

private func problem(_ body: () throws(CheckpointError) -> Void) -> CheckpointError? {
    do {
        try body()
        return nil
    } catch { return error }
}

@Suite("Checkpoints")
struct CheckpointTests {
    @Test("a checkpoint loads back bit-identical", arguments: [false, true])
    func roundTrip(double: Bool) throws {
        if double { try roundTrip(Double.self) } else { try roundTrip(Float.self) }
    }

    private func roundTrip<Scalar: TensorScalar>(_: Scalar.Type) throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            let saved = sampleStore(Scalar.self, seed: 1)
            let extra = Tensor<Scalar>(shape: [2, 2], scalars: [-0.0, .infinity, -.infinity, 1])
            try Checkpoint.write(
                saved, extras: ["stats.extra": extra],
                metadata: ["epoch": "3", "config": "{\"glimpses\": 6, \"name\": \"RAM \\\"base\\\"\"}"],
                to: url)

            let checkpoint = try Checkpoint(contentsOf: url)
            #expect(
                checkpoint.metadata == ["epoch": "3", "config": "{\"glimpses\": 6, \"name\": \"RAM \\\"base\\\"\"}"])
            #expect(checkpoint.names == ["layer.bias", "layer.scale", "layer.weight", "special", "stats.extra"])
            #expect(
                checkpoint.info("layer.weight") == Checkpoint.TensorInfo(dtype: Scalar.dtypeName, shape: [2, 3, 2, 2]))
            #expect(bits(try checkpoint.tensor(named: "stats.extra", as: Scalar.self).scalars) == bits(extra.scalars))

            let restored = sampleStore(Scalar.self, seed: 2)
            #expect(bits(restored.values) != bits(saved.values))
            let before = bits(restored.values)
            let refused = problem { () throws(CheckpointError) in
                try checkpoint.load(into: restored, ignoringPrefixes: ["stats."])
            }
            #expect(refused?.problem == .nonFinite(name: "special", index: 2, value: "inf"))
            #expect(bits(restored.values) == before, "a refused load leaves the store as it was")
            try checkpoint.load(into: restored, ignoringPrefixes: ["stats."], allowingNonFinite: true)
            #expect(bits(restored.values) == bits(saved.values))
            #expect(try checkpoint.tensor(named: "special", as: Scalar.self).scalars[0].sign == .minus)
        }
    }

    @Test("the header is JSON padded with spaces to a multiple of 8, data follows back to back")
    func layout() throws {
        let store = ParameterStore<Float>()
        store.add("a", Tensor([1, 2]))
        store.add("b", Tensor([3]))
        var writer = CheckpointWriter()
        writer.addParameters(of: store)
        let bytes = try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("small.safetensors")
            try writer.write(to: url)
            return try [UInt8](Data(contentsOf: url))
        }
        let length = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(length % 8 == 0 && bytes.count == 8 + length + 12)
        let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        #expect(
            header.trimmingCharacters(in: .whitespaces)
                == #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
                + #""b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        )
        #expect(Array(bytes[(8 + length)...]) == [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40])
    }

    @Test("optimizer state in a checkpoint resumes training bit-identically")
    func resume() throws {
        func makeRun() -> (ParameterStore<Float>, Adam<Float>, () -> Void) {
            var generator = SeededGenerator(seed: 11)
            let store = ParameterStore<Float>()
            let weight = store.addUniform("weight", shape: [3, 1], fanIn: 3, using: &generator)
            let x = Tensor<Float>.uniform([16, 3], in: -1...1, using: &generator)
            let y = Tensor(shape: [16, 1], scalars: (0..<16).map { 2 * x[$0, 0] - x[$0, 1] + 0.5 * x[$0, 2] })
            let adam = Adam(for: store, learningRate: 0.01)
            let tape = Tape<Float>()
            let step = {
                tape.reset()
                store.zeroGradients()
                let loss = (tape.constant(x).matmul(store.variable(weight, on: tape)) - tape.constant(y)).squared()
                    .mean()
                tape.backward(from: loss)
                adam.update()
            }
            return (store, adam, step)
        }
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("run.safetensors")
            let (store, adam, step) = makeRun()
            for _ in 0..<20 { step() }
            try Checkpoint.write(store, optimizer: adam, metadata: ["step": "20"], to: url)
            for _ in 0..<10 { step() }

            let (resumedStore, resumedAdam, resumedStep) = makeRun()
            let checkpoint = try Checkpoint(contentsOf: url)
            try checkpoint.load(into: resumedStore)
            try checkpoint.restore(resumedAdam)
            #expect(resumedAdam.step == 20)
            #expect(checkpoint.names.contains("optimizer.adam.m.weight"))
            for _ in 0..<10 { resumedStep() }
            #expect(bits(resumedStore.values) == bits(store.values))
            #expect(resumedAdam.state == adam.state)

            let sgd = SGD(for: resumedStore, learningRate: 0.1, momentum: 0.9)
            let refused = problem { () throws(CheckpointError) in try checkpoint.restore(sgd) }
            #expect(refused?.problem == .optimizerMismatch("expected the state of sgd, got adam"))

            // A diverged run's moments (an infinity in v) are refused, naming the tensor.
            var state = adam.state
            state.tensors["v.weight"] = Tensor(shape: [3, 1], scalars: [1, .infinity, 2])
            var writer = CheckpointWriter()
            writer.addParameters(of: store)
            for (key, tensor) in state.tensors { writer.add(tensor, named: "optimizer.adam." + key) }
            (writer.metadata["optimizer.kind"], writer.metadata["optimizer.step"]) = ("adam", "20")
            let divergedURL = directory.appendingPathComponent("diverged.safetensors")
            try writer.write(to: divergedURL)
            let diverged = problem { () throws(CheckpointError) in
                try Checkpoint(contentsOf: divergedURL).restore(resumedAdam)
            }
            #expect(diverged?.problem == .nonFinite(name: "optimizer.adam.v.weight", index: 1, value: "inf"))
        }
    }

    @Test("loading reports every missing, extra and mismatched parameter at once, and changes nothing")
    func mismatchReport() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("mismatch.safetensors")
            let saved = ParameterStore<Float>()
            saved.add("shared", Tensor([1, 2]))
            saved.add("reshaped", Tensor([1, 2, 3, 4]))
            saved.add("onlyInFile", Tensor([5]))
            try Checkpoint.write(saved, to: url)

            let target = ParameterStore<Float>()
            target.add("shared", Tensor([0, 0]))
            target.add("reshaped", Tensor.zeros([2, 2]))
            target.add("onlyInStore", Tensor([0]))
            let error = problem { () throws(CheckpointError) in try Checkpoint(contentsOf: url).load(into: target) }
            #expect(
                error?.problem
                    == .parameterMismatch(
                        missing: ["onlyInStore"], extra: ["onlyInFile"],
                        mismatched: ["reshaped: shape [4], the store has [2, 2]"]))
            #expect(error?.description.contains(url.path) == true)
            #expect(Array(target.values) == [0, 0, 0, 0, 0, 0, 0], "nothing is copied when the check fails")
        }
    }

    @Test("a file of the wrong element type is refused, with the file named")
    func wrongDType() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("double.safetensors")
            try Checkpoint.write(sampleStore(Double.self, seed: 1), to: url)
            let checkpoint = try Checkpoint(contentsOf: url)
            let load = problem { () throws(CheckpointError) in
                try checkpoint.load(into: sampleStore(Float.self, seed: 1))
            }
            guard case .parameterMismatch([], [], let mismatched)? = load?.problem else {
                Issue.record("expected a mismatch, got \(String(describing: load))")
                return
            }
            #expect(mismatched.count == 4 && mismatched.allSatisfy { $0.contains("dtype F64, the store holds F32") })
            #expect(load!.description.hasPrefix("checkpoint \(url.path): parameters do not match"))
            let read = problem { () throws(CheckpointError) in
                _ = try checkpoint.tensor(named: "special", as: Float.self)
            }
            #expect(read?.problem == .dtypeMismatch(name: "special", expected: "F32", found: "F64"))
        }
        let complex = craftedFile(
            header: #"{"n":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8))
        let error = problem { () throws(CheckpointError) in
            _ = try Checkpoint(bytes: complex, path: "complex.safetensors")
        }
        #expect(error?.problem == .unsupportedDType(name: "n", dtype: "C64"))
        #expect(
            error?.description == "checkpoint complex.safetensors: tensor n has dtype C64; "
                + "readable dtypes are F64, F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL")
    }

    @Test("a truncated file fails with its name, wherever it was cut")
    func truncated() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("cut.safetensors")
            try Checkpoint.write(sampleStore(Float.self, seed: 1), to: url)
            let whole = try [UInt8](Data(contentsOf: url))
            for keep in [0, 5, 8, 40, whole.count - 1] {
                try Data(whole[0..<keep]).write(to: url)
                let error = problem { () throws(CheckpointError) in _ = try Checkpoint(contentsOf: url) }
                #expect(error?.path == url.path && error!.description.contains(url.path), "kept \(keep) bytes")
                switch error?.problem {
                case .truncated?, .headerTooLarge?: break
                default: Issue.record("kept \(keep) bytes: \(String(describing: error))")
                }
            }
            try Data(whole[0..<(whole.count - 1)]).write(to: url)
            let error = problem { () throws(CheckpointError) in _ = try Checkpoint(contentsOf: url) }
            #expect(error?.description.contains("file is truncated: tensor layer.bias ends at byte") == true)
        }
    }

    @Test("a header length larger than the file, or than the limit, fails with the file named")
    func oversizedHeader() {
        let file = craftedFile(header: "{}", declaredLength: 1000)
        let error = problem { () throws(CheckpointError) in _ = try Checkpoint(bytes: file, path: "big.safetensors") }
        #expect(error?.problem == .headerTooLarge(declared: 1000, available: 2))
        #expect(
            error?.description
                == "checkpoint big.safetensors: header length 1000 bytes exceeds the 2 bytes that follow the length "
                + "field"
        )
        let huge = craftedFile(header: "{}", declaredLength: .max)
        #expect(
            problem { () throws(CheckpointError) in _ = try Checkpoint(bytes: huge, path: "huge") }?.problem
                == .headerTooLarge(declared: .max, available: 2))
    }

    @Test(
        "malformed headers fail with a typed error and never trap",
        arguments: [
            (#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]"#, "invalid header: not valid JSON"),
            (#"[1, 2]"#, "invalid header: the header does not start with a JSON object"),
            (#"{"a": {"dtype": "F32", "shape": [1]}}"#, "invalid header: missing field data_offsets at a"),
            (#"{"__metadata__": {"epoch": 3}}"#, "invalid header: unexpected value at __metadata__.epoch"),
            (
                #"{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#,
                "tensor a: shape [3] of F32 needs 12 bytes, data_offsets [0, 8] hold 8"
            ),
            (
                #"{"a": {"dtype": "F32", "shape": [4], "data_offsets": [4, 20]}}"#,
                "file is truncated: tensor a ends at byte 20 of the data, which holds only 16 bytes"
            ),
            (
                #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}"#,
                "tensor a: data_offsets [8, 0] are not an increasing range"
            ),
            (
                #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0]}}"#,
                "tensor a: data_offsets must be [begin, end]"
            ),
            (
                #"{"a": {"dtype": "F32", "shape": [1, 1, 1, 1, 1], "data_offsets": [0, 4]}}"#,
                "tensor a: rank 5 exceeds the supported maximum of 4"
            ),
            (
                #"{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#,
                "tensor a: shape [-1] has a negative or oversized dimension"
            ),
            (
                #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "#
                    + #""b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#,
                "the data of tensors a and b overlap"
            ),
            (
                #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#,
                "invalid header: 8 bytes follow the last tensor's data"
            ),
            (
                #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "#
                    + #""b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}"#,
                "tensor b: its data starts at byte 8, leaving bytes 4..<8 of the data section unused"
            ),
            (
                #"{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, "#
                    + #""a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#,
                "invalid header: the key a appears twice in one object"
            ),
            (
                #"{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, "#
                    + #""a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#,
                "invalid header: the key a appears twice in one object"
            ),
            (
                #"{"__metadata__": {"k": "{"k": 1}", "k": "2"}, "#
                    + #""a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#,
                "invalid header: the key k appears twice in one object"
            ),
        ])
    func malformed(header: String, message: String) {
        let file = craftedFile(header: header, data: [UInt8](repeating: 0, count: 16))
        let error = problem { () throws(CheckpointError) in _ = try Checkpoint(bytes: file, path: "bad.safetensors") }
        #expect(
            error?.description.hasPrefix("checkpoint bad.safetensors: " + message) == true,
            "\(String(describing: error))")
    }

    @Test("an unreadable path fails with the system's reason")
    func unreadable() {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/model.safetensors")
        let error = problem { () throws(CheckpointError) in _ = try Checkpoint(contentsOf: url) }
        #expect(error?.problem == .unreadable("No such file or directory"))
    }

    @Test("writing replaces the file atomically and leaves no temporary file")
    func atomicReplace() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            try Checkpoint.write(sampleStore(Float.self, seed: 1), to: url)
            let first = try Data(contentsOf: url)
            try Checkpoint.write(sampleStore(Float.self, seed: 2), to: url)
            #expect(try Data(contentsOf: url) != first)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
        }
    }

    @Test("a failed write leaves the earlier checkpoint intact and no temporary file")
    func failedWrite() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            try Checkpoint.write(sampleStore(Float.self, seed: 1), to: url)
            let before = try Data(contentsOf: url)

            var writer = CheckpointWriter()
            writer.addParameters(of: sampleStore(Float.self, seed: 2))
            let simulated = problem { () throws(CheckpointError) in try writer.write(to: url, failingBeforeRename: true)
            }
            #expect(simulated?.problem == .writeFailed("simulated failure before rename"))
            #expect(try Data(contentsOf: url) == before)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])

            // A folder where the file should go is refused before anything is written.
            let occupied = directory.appendingPathComponent("occupied")
            try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: false)
            let folderFailure = problem { () throws(CheckpointError) in try writer.write(to: occupied) }
            #expect(folderFailure?.problem == .writeFailed("is a folder, not a file"))
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [
                    "model.safetensors", "occupied",
                ])

            // The directory does not exist: nothing can be created.
            let missing = directory.appendingPathComponent("absent/model.safetensors")
            let createFailure = problem { () throws(CheckpointError) in try writer.write(to: missing) }
            #expect(createFailure?.description.contains("cannot create") == true)
            #expect(createFailure?.path == missing.path)

            // Duplicate names are refused before anything touches the disk.
            var duplicated = CheckpointWriter()
            duplicated.add(Tensor<Float>([1]), named: "x")
            duplicated.add(Tensor<Double>([2]), named: "x")
            let duplicate = problem { () throws(CheckpointError) in try duplicated.write(to: url) }
            #expect(duplicate?.problem == .invalidContents("duplicate tensor names x"))
            #expect(try Data(contentsOf: url) == before)
        }
    }
}

// MARK: Cross-check with Python's safetensors (runs only where `import safetensors` works)

/// Runs `python3 -c script arguments...` and returns its exit status and standard output.
private func runPython(_ script: String, _ arguments: [String] = []) -> (status: Int32, output: Data) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return (-1, Data()) }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, data)
}

private let pythonHasSafetensors = runPython("import safetensors, numpy").status == 0

/// What the Python side reports about a file: metadata, and each tensor's dtype, shape and
/// the bit pattern of every element.
private struct PythonReport: Decodable {
    struct Entry: Decodable, Equatable {
        var dtype: String
        var shape: [Int]
        var bits: [UInt64]
    }
    var metadata: [String: String]?
    var tensors: [String: Entry]
}

private let pythonReader = """
    import json, sys
    from safetensors import safe_open
    tensors = {}
    with safe_open(sys.argv[1], framework="numpy") as f:
        metadata = f.metadata()
        for name in f.keys():
            a = f.get_tensor(name)
            tensors[name] = {"dtype": str(a.dtype), "shape": list(a.shape),
                             "bits": a.reshape(-1).view(f"<u{a.itemsize}").tolist()}
    print(json.dumps({"metadata": metadata, "tensors": tensors}))
    """

private let pythonWriter = """
    import json, sys
    import numpy as np
    from safetensors.numpy import save_file
    values = [-0.0, 0.0, float("inf"), float("-inf"), 1 / 3, 1e-40, -2.5, 3.4e38]
    tensors = {"f32": np.array(values, dtype=np.float32).reshape(2, 4),
               "f64": np.array(values + [1e-310, 2.0 ** 0.5], dtype=np.float64).reshape(5, 1, 2),
               "scalar": np.array(7.0, dtype=np.float32)}
    save_file(tensors, sys.argv[1], metadata={"epoch": "9", "note": "written by python"})
    report = {name: {"dtype": str(a.dtype), "shape": list(a.shape),
                     "bits": a.reshape(-1).view(f"<u{a.itemsize}").tolist()} for name, a in tensors.items()}
    print(json.dumps({"tensors": report}))
    """

private func entry<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>) -> PythonReport.Entry {
    let bits = tensor.scalars.map { value in
        withUnsafeBytes(of: value) { $0.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
    }
    return .init(dtype: Scalar.self == Float.self ? "float32" : "float64", shape: tensor.shape.dimensions, bits: bits)
}

@Suite(
    "Checkpoints and Python's safetensors",
    .enabled(if: pythonHasSafetensors, "needs python3 with safetensors and numpy"))
struct CheckpointInteroperabilityTests {
    @Test("Python's safetensors reads our checkpoint bit for bit")
    func pythonReadsOurs() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("ours.safetensors")
            let floats = sampleStore(Float.self, seed: 5)
            var writer = CheckpointWriter()
            writer.addParameters(of: floats)
            let doubles = Tensor<Double>(shape: [2, 6], scalars: specialValues(Double.self))
            writer.add(doubles, named: "extra.doubles")
            writer.metadata = ["epoch": "4", "config": "{\"glimpses\": 6}"]
            try writer.write(to: url)

            let (status, output) = runPython(pythonReader, [url.path])
            try #require(status == 0, "python3 could not read the checkpoint")
            let report = try JSONDecoder().decode(PythonReport.self, from: output)
            #expect(report.metadata == writer.metadata)
            #expect(Set(report.tensors.keys) == Set(floats.entries.map(\.name) + ["extra.doubles"]))
            for e in floats.entries {
                let tensor = floats.value(try #require(floats.parameter(named: e.name)))
                #expect(report.tensors[e.name] == entry(tensor), "\(e.name)")
            }
            #expect(report.tensors["extra.doubles"] == entry(doubles))
        }
    }

    @Test("we read a checkpoint written by Python's safetensors bit for bit")
    func weReadPythons() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("python.safetensors")
            let (status, output) = runPython(pythonWriter, [url.path])
            try #require(status == 0, "python3 could not write a checkpoint")
            let report = try JSONDecoder().decode(PythonReport.self, from: output)
            let checkpoint = try Checkpoint(contentsOf: url)
            #expect(checkpoint.metadata == ["epoch": "9", "note": "written by python"])
            #expect(checkpoint.names == ["f32", "f64", "scalar"])
            #expect(entry(try checkpoint.tensor(named: "f32", as: Float.self)) == report.tensors["f32"])
            #expect(entry(try checkpoint.tensor(named: "f64", as: Double.self)) == report.tensors["f64"])
            #expect(entry(try checkpoint.tensor(named: "scalar", as: Float.self)) == report.tensors["scalar"])
        }
    }
}
