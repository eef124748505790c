/// A growable array of plain-data elements behind one pointer, for the tape's node and
/// operand lists.
///
/// A Swift `Array` checks uniqueness and bounds on every append and write, which measured a
/// good part of recording an op. Here appending is a store and a bump, elements are read and
/// written in place, and `removeAll()` keeps the capacity, so a training step that records
/// as many nodes as the last one allocates nothing. Indices come from the tape's own
/// bookkeeping (variables are checked before use), so they are not bounds-checked.
/// Elements must be plain data (they are never deinitialized); the owner calls `deallocate()`.
@usableFromInline
struct FlatBuffer<Element> {
    @usableFromInline var base: UnsafeMutablePointer<Element>
    @usableFromInline var count = 0
    @usableFromInline var capacity: Int

    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    @inlinable
    subscript(i: Int) -> Element {
        unsafeAddress { UnsafePointer(base + i) }
        nonmutating unsafeMutableAddress { base + i }
    }

    @inlinable
    mutating func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    @inlinable
    mutating func removeAll() { count = 0 }

    /// The slow path of `append`: doubles the capacity.
    @usableFromInline
    mutating func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: base, count: count)
        base.deallocate()
        (base, capacity) = (larger, capacity * 2)
    }

    func deallocate() { base.deallocate() }

    var capacityInBytes: Int { capacity * MemoryLayout<Element>.stride }
}
