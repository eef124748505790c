/// A bump allocator that keeps its memory between uses.
///
/// The tape takes every value and gradient buffer from an arena and resets it after each
/// training step. The chunks stay allocated, so a step with the same shapes as the last one
/// allocates nothing: the first step sizes the arena, the rest reuse it. The arena deals in
/// raw bytes, so it is not generic: generic code calls it without specialisation costs.
@usableFromInline
final class Arena {
    @usableFromInline struct Chunk {
        @usableFromInline let base: UnsafeMutableRawPointer
        @usableFromInline let capacity: Int
        @inlinable init(base: UnsafeMutableRawPointer, capacity: Int) { (self.base, self.capacity) = (base, capacity) }
    }

    // Single-threaded and never accessed reentrantly: no dynamic exclusivity checks.
    @exclusivity(unchecked) @usableFromInline var chunks: [Chunk] = []
    @exclusivity(unchecked) @usableFromInline var chunkIndex = 0
    /// The next free byte of the current chunk and its end: allocating is a bump between them.
    @exclusivity(unchecked) @usableFromInline var cursor: UnsafeMutableRawPointer?
    @exclusivity(unchecked) @usableFromInline var end: UnsafeMutableRawPointer?
    @usableFromInline let minimumChunkBytes: Int

    /// Buffers start on a 64-byte line, so kernels can use aligned vector loads and
    /// consecutive buffers never share a cache line.
    @inlinable static var alignment: Int { 64 }

    init(minimumChunkBytes: Int = 1 << 18) {
        self.minimumChunkBytes = minimumChunkBytes
    }

    deinit {
        for chunk in chunks { chunk.base.deallocate() }
    }

    /// Uninitialized room for `count` elements of `type`, valid until the next `reset()`.
    @inlinable
    func allocate<Element>(_ count: Int, of type: Element.Type) -> UnsafeMutablePointer<Element> {
        allocateBytes(count * MemoryLayout<Element>.stride).assumingMemoryBound(to: Element.self)
    }

    /// Room for `count` elements of `type`, every byte zero (0.0 for IEEE floats, 0 for integers).
    @inlinable
    func allocateZeroed<Element>(_ count: Int, of type: Element.Type) -> UnsafeMutablePointer<Element> {
        let bytes = count * MemoryLayout<Element>.stride
        let raw = allocateBytes(bytes)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        return raw.assumingMemoryBound(to: Element.self)
    }

    // Buffers handed back by `recycle`, by rounded size. Each free list threads through the
    // first bytes of its buffers, so recycling needs no memory of its own after the first
    // buffer of each size.
    @exclusivity(unchecked) @usableFromInline var freeSizes: [Int] = []
    @exclusivity(unchecked) @usableFromInline var freeHeads: [UnsafeMutableRawPointer?] = []
    @exclusivity(unchecked) @usableFromInline var freeCount = 0

    /// Hands back a buffer of `count` elements from `allocate` before the next `reset()`: the
    /// next request of the same size reuses it while it is still in cache.
    @inlinable
    func recycle<Element>(_ pointer: UnsafeMutablePointer<Element>, count: Int) {
        let rounded = Self.rounded(count * MemoryLayout<Element>.stride)
        var slot = 0
        while slot < freeSizes.count && freeSizes[slot] != rounded { slot += 1 }
        if slot == freeSizes.count {
            freeSizes.append(rounded)
            freeHeads.append(nil)
        }
        let raw = UnsafeMutableRawPointer(pointer)
        raw.storeBytes(of: freeHeads[slot], as: UnsafeMutableRawPointer?.self)
        freeHeads[slot] = raw
        freeCount += 1
    }

    @inlinable @inline(__always)
    static func rounded(_ byteCount: Int) -> Int {
        max(alignment, (byteCount + alignment - 1) & ~(alignment - 1))
    }

    @inlinable
    func takeRecycled(_ rounded: Int) -> UnsafeMutableRawPointer? {
        for slot in 0..<freeSizes.count where freeSizes[slot] == rounded {
            guard let head = freeHeads[slot] else { return nil }
            freeHeads[slot] = head.load(as: UnsafeMutableRawPointer?.self)
            freeCount -= 1
            return head
        }
        return nil
    }

    @inlinable @inline(__always)
    func allocateBytes(_ byteCount: Int) -> UnsafeMutableRawPointer {
        let rounded = Self.rounded(byteCount)
        if freeCount > 0, let reused = takeRecycled(rounded) { return reused }
        if let cursor, let end, end - cursor >= rounded {
            self.cursor = cursor + rounded
            return cursor
        }
        return allocateInNextChunk(rounded)
    }

    /// The slow path: move to the next chunk that fits, or add one.
    @usableFromInline
    func allocateInNextChunk(_ rounded: Int) -> UnsafeMutableRawPointer {
        var next = cursor == nil ? 0 : chunkIndex + 1
        while next < chunks.count && chunks[next].capacity < rounded { next += 1 }
        if next == chunks.count {
            let capacity = max(rounded, minimumChunkBytes, (chunks.last?.capacity ?? 0) * 2)
            chunks.append(
                Chunk(
                    base: UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: Self.alignment),
                    capacity: capacity))
        }
        chunkIndex = next
        let base = chunks[next].base
        cursor = base + rounded
        end = base + chunks[next].capacity
        return base
    }

    /// Makes all memory available again without returning it to the system.
    @usableFromInline
    func reset() {
        for slot in freeHeads.indices { freeHeads[slot] = nil }
        freeCount = 0
        chunkIndex = 0
        cursor = chunks.first?.base
        end = chunks.first.map { $0.base + $0.capacity }
    }

    /// Total bytes held, for memory reports.
    var capacityInBytes: Int { chunks.reduce(0) { $0 + $1.capacity } }
}
