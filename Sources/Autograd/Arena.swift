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
    @exclusivity(unchecked) @usableFromInline var used = 0
    @usableFromInline let minimumChunkBytes: Int

    /// Buffers start on a 64-byte line, so kernels can use aligned vector loads and
    /// consecutive buffers never share a cache line.
    @usableFromInline static var alignment: Int { 64 }

    init(minimumChunkBytes: Int = 1 << 18) {
        self.minimumChunkBytes = minimumChunkBytes
    }

    deinit {
        for chunk in chunks { chunk.base.deallocate() }
    }

    /// Uninitialized room for `count` elements of `type`, valid until the next `reset()`.
    @usableFromInline
    func allocate<Element>(_ count: Int, of type: Element.Type) -> UnsafeMutablePointer<Element> {
        allocateBytes(count * MemoryLayout<Element>.stride).assumingMemoryBound(to: Element.self)
    }

    /// Room for `count` elements of `type`, every byte zero (0.0 for IEEE floats, 0 for integers).
    @usableFromInline
    func allocateZeroed<Element>(_ count: Int, of type: Element.Type) -> UnsafeMutablePointer<Element> {
        let bytes = count * MemoryLayout<Element>.stride
        let raw = allocateBytes(bytes)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        return raw.assumingMemoryBound(to: Element.self)
    }

    @inlinable
    func allocateBytes(_ byteCount: Int) -> UnsafeMutableRawPointer {
        let rounded = max(Self.alignment, (byteCount + Self.alignment - 1) & ~(Self.alignment - 1))
        // The common case: the current chunk has room.
        if chunkIndex < chunks.count && used + rounded <= chunks[chunkIndex].capacity {
            defer { used += rounded }
            return chunks[chunkIndex].base + used
        }
        while chunkIndex + 1 < chunks.count {
            chunkIndex += 1
            used = 0
            if rounded <= chunks[chunkIndex].capacity {
                used = rounded
                return chunks[chunkIndex].base
            }
        }
        let capacity = max(rounded, minimumChunkBytes, (chunks.last?.capacity ?? 0) * 2)
        let base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: Self.alignment)
        chunks.append(Chunk(base: base, capacity: capacity))
        chunkIndex = chunks.count - 1
        used = rounded
        return base
    }

    /// Makes all memory available again without returning it to the system.
    @usableFromInline
    func reset() {
        chunkIndex = 0
        used = 0
    }

    /// Total bytes held, for memory reports.
    var capacityInBytes: Int { chunks.reduce(0) { $0 + $1.capacity } }
}
