import Autograd

/// Flat per-parameter buffers (momentum, moments) laid out like a store's arena.
///
/// Each buffer holds one scalar per parameter scalar, so an update is one loop over the
/// store and its buffers side by side. Buffers start at zero and grow with zeros when
/// parameters are registered after the optimizer was created (PyTorch likewise creates
/// state lazily). A class owning raw memory, so an update can hold several buffers' pointers
/// at once without overlapping accesses to one array.
final class OptimizerBuffers<Scalar: TensorScalar> {
    /// The buffers' names, as used in exported state (`"m"`, `"v"`, `"momentum"`).
    let names: [String]
    private(set) var pointers: [UnsafeMutablePointer<Scalar>]
    private(set) var count: Int

    init(names: [String], count: Int) {
        self.names = names
        self.count = count
        pointers = names.map { _ in
            let p = UnsafeMutablePointer<Scalar>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: count)
            return p
        }
    }

    deinit { for p in pointers { p.deallocate() } }

    /// Extends every buffer with zeros to `newCount` scalars.
    func grow(to newCount: Int) {
        guard newCount > count else { return }
        for i in pointers.indices {
            let p = UnsafeMutablePointer<Scalar>.allocate(capacity: newCount)
            p.moveInitialize(from: pointers[i], count: count)
            (p + count).initialize(repeating: 0, count: newCount - count)
            pointers[i].deallocate()
            pointers[i] = p
        }
        count = newCount
    }

    /// The buffers split per parameter, keyed `"<buffer>.<parameter>"`.
    func tensors(for store: ParameterStore<Scalar>) -> [String: Tensor<Scalar>] {
        grow(to: store.count)
        var result: [String: Tensor<Scalar>] = [:]
        for (name, pointer) in zip(names, pointers) {
            for entry in store.entries {
                let slice = Array(UnsafeBufferPointer(start: pointer + entry.offset, count: entry.shape.count))
                result["\(name).\(entry.name)"] = Tensor(shape: entry.shape, scalars: slice)
            }
        }
        return result
    }

    /// Overwrites the buffers from exported tensors after checking that they cover exactly
    /// the store's table with the right shapes; nothing changes when the check fails.
    func restore(from tensors: [String: Tensor<Scalar>], for store: ParameterStore<Scalar>) throws(OptimizerStateError)
    {
        var expected = Set<String>()
        for name in names {
            for entry in store.entries {
                let key = "\(name).\(entry.name)"
                expected.insert(key)
                guard let tensor = tensors[key] else { throw OptimizerStateError("missing buffer \(key)") }
                guard tensor.shape == entry.shape else {
                    throw OptimizerStateError(
                        "buffer \(key) has shape \(tensor.shape), the parameter has \(entry.shape)")
                }
            }
        }
        let extra = Set(tensors.keys).subtracting(expected)
        guard extra.isEmpty else {
            throw OptimizerStateError("unexpected buffers \(extra.sorted().joined(separator: ", "))")
        }
        grow(to: store.count)
        for (name, pointer) in zip(names, pointers) {
            for entry in store.entries {
                tensors["\(name).\(entry.name)"]!.withUnsafeBufferPointer { source in
                    guard let base = source.baseAddress else { return }
                    (pointer + entry.offset).update(from: base, count: source.count)
                }
            }
        }
    }
}
