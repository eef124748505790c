import Autograd

extension Checkpoint {
    /// The prefix of optimizer state in a checkpoint: `optimizer.<kind>.<buffer>.<parameter>`.
    public static let optimizerPrefix = "optimizer."

    /// Overwrites every parameter of `store` with the tensor of the same name.
    ///
    /// All names, dtypes and shapes are checked before anything is copied, and every problem
    /// is reported at once: parameters missing from the file, tensors in the file that the
    /// store lacks, and tensors of the wrong shape or dtype. Tensors whose names start with
    /// one of `ignoredPrefixes` (optimizer state by default) are not parameters. A NaN or an
    /// infinity in a parameter is an error too (the store is left as it was), unless
    /// `allowingNonFinite`.
    public func load<Scalar: TensorScalar>(
        into store: ParameterStore<Scalar>,
        ignoringPrefixes ignoredPrefixes: [String] = [Checkpoint.optimizerPrefix],
        allowingNonFinite: Bool = false
    )
        throws(CheckpointError)
    {
        var missing: [String] = []
        var mismatched: [String] = []
        var found: [(SafeTensorsHeader.Record, ParameterStore<Scalar>.Entry)] = []
        for entry in store.entries {
            guard let info = info(entry.name) else {
                missing.append(entry.name)
                continue
            }
            if info.dtype != Scalar.dtypeName {
                mismatched.append("\(entry.name): dtype \(info.dtype), the store holds \(Scalar.dtypeName)")
            } else if info.shape != entry.shape {
                mismatched.append("\(entry.name): shape \(info.shape), the store has \(entry.shape)")
            } else {
                found.append((try checkedRecord(entry.name, Scalar.self), entry))
            }
        }
        let storeNames = Set(store.entries.map(\.name))
        let extra = names.filter { name in
            !storeNames.contains(name) && !ignoredPrefixes.contains { name.hasPrefix($0) }
        }
        guard missing.isEmpty, extra.isEmpty, mismatched.isEmpty else {
            throw CheckpointError(
                path: path,
                problem: .parameterMismatch(
                    missing: missing, extra: extra,
                    mismatched: mismatched))
        }
        let before = allowingNonFinite ? [] : Array(store.values)
        let values = store.values.baseAddress
        for (record, entry) in found where entry.shape.count > 0 {
            copy(record, into: values! + entry.offset)
        }
        if !allowingNonFinite, let bad = store.firstNonFiniteValue() {
            _ = store.values.update(fromContentsOf: before)
            throw CheckpointError(
                path: path, problem: .nonFinite(name: bad.name, index: bad.index, value: "\(bad.value)"))
        }
    }

    /// What `loadMatching` did, as PyTorch's `load_state_dict(strict=False)` reports it.
    public struct LoadReport: Sendable, Equatable, CustomStringConvertible {
        /// Store parameters set from the file.
        public var loaded: [String] = []
        /// Store parameters the file did not hold (left as they were).
        public var missing: [String] = []
        /// File tensors that name no parameter of the store (after renaming), or that the
        /// renaming dropped.
        public var unexpected: [String] = []
        /// Loaded parameters whose file dtype differed from the store's, with that dtype.
        public var converted: [String: String] = [:]

        public var description: String {
            var parts = ["loaded \(loaded.count) parameters"]
            if !missing.isEmpty { parts.append("missing from the file: \(missing.joined(separator: ", "))") }
            if !unexpected.isEmpty { parts.append("not in the model: \(unexpected.joined(separator: ", "))") }
            if !converted.isEmpty {
                parts.append(
                    "converted: "
                        + converted.keys.sorted().map { "\($0) from \(converted[$0]!)" }.joined(separator: ", "))
            }
            return parts.joined(separator: "; ")
        }
    }

    /// Loads the tensors that match a parameter of `store`, as PyTorch's
    /// `load_state_dict(strict=False)`: parameters the file lacks stay as they are, file
    /// tensors the store lacks are skipped, and both are reported. `rename` maps a file name to
    /// a store name (nil drops the tensor), for files whose names differ (`"module."`
    /// prefixes, another layer's naming). Tensors of another dtype (F16, BF16, integers) are
    /// converted. A shape that differs, two file tensors renamed to one parameter, or a NaN or
    /// infinity is still an error, reported before anything is copied or with the store left
    /// as it was.
    @discardableResult
    public func loadMatching<Scalar: TensorScalar>(
        into store: ParameterStore<Scalar>,
        renaming rename: (String) -> String? = { $0 },
        ignoringPrefixes ignoredPrefixes: [String] = [Checkpoint.optimizerPrefix]
    )
        throws(CheckpointError) -> LoadReport
    {
        var report = LoadReport()
        var mismatched: [String] = []
        var found: [(SafeTensorsHeader.Record, ParameterStore<Scalar>.Entry)] = []
        var source: [String: String] = [:]
        for name in names where !ignoredPrefixes.contains(where: { name.hasPrefix($0) }) {
            guard let target = rename(name), let parameter = store.parameter(named: target) else {
                report.unexpected.append(name)
                continue
            }
            let entry = store.entry(parameter)
            let record = records[name]!
            if let earlier = source[target] {
                mismatched.append("\(target): both \(earlier) and \(name) are renamed to it")
            } else if record.shape != entry.shape {
                mismatched.append("\(target): shape \(record.shape) in \(name), the store has \(entry.shape)")
            } else {
                found.append((record, entry))
                if record.dtype != Scalar.dtypeName { report.converted[target] = record.dtype }
            }
            source[target] = name
        }
        guard mismatched.isEmpty else {
            throw CheckpointError(
                path: path, problem: .parameterMismatch(missing: [], extra: [], mismatched: mismatched))
        }
        let before = Array(store.values)
        for (record, entry) in found where entry.shape.count > 0 {
            convert(record, into: store.values.baseAddress! + entry.offset)
        }
        if let bad = store.firstNonFiniteValue() {
            _ = store.values.update(fromContentsOf: before)
            throw CheckpointError(
                path: path, problem: .nonFinite(name: bad.name, index: bad.index, value: "\(bad.value)"))
        }
        let loaded = Set(found.map(\.1.name))
        report.loaded = store.entries.map(\.name).filter(loaded.contains)
        report.missing = store.entries.map(\.name).filter { !loaded.contains($0) }
        return report
    }

    /// The optimizer state saved in this checkpoint, or nil when there is none.
    public func optimizerState<Scalar: TensorScalar>(
        as _: Scalar.Type = Scalar.self
    )
        throws(CheckpointError) -> OptimizerState<Scalar>?
    {
        guard let kind = metadata["optimizer.kind"] else { return nil }
        guard let stepText = metadata["optimizer.step"], let step = Int(stepText) else {
            throw CheckpointError(path: path, problem: .invalidHeader("optimizer.kind without a valid optimizer.step"))
        }
        let prefix = Checkpoint.optimizerPrefix + kind + "."
        var tensors: [String: Tensor<Scalar>] = [:]
        for name in names where name.hasPrefix(prefix) {
            let tensor = try tensor(named: name, as: Scalar.self)
            if let index = tensor.withUnsafeBufferPointer({ firstNonFiniteIndex(in: $0) }) {
                throw CheckpointError(
                    path: path, problem: .nonFinite(name: name, index: index, value: "\(tensor.scalars[index])"))
            }
            tensors[String(name.dropFirst(prefix.count))] = tensor
        }
        return OptimizerState(kind: kind, step: step, tensors: tensors)
    }

    /// Restores `optimizer`'s moments and step count from this checkpoint, so training
    /// continues exactly where the saved run stopped.
    public func restore<Scalar>(_ optimizer: some Optimizer<Scalar>) throws(CheckpointError) {
        guard let state = try optimizerState(as: Scalar.self) else {
            throw CheckpointError(path: path, problem: .missingTensor("optimizer state (no optimizer.kind metadata)"))
        }
        do {
            try optimizer.restore(from: state)
        } catch {
            throw CheckpointError(path: path, problem: .optimizerMismatch(error.reason))
        }
    }
}
