/// A bump allocator that keeps its memory between uses.
///
/// The tape takes every value and gradient buffer from an arena and resets it after each
/// training step. The chunks stay allocated, so a step with the same shapes as the last one
/// allocates nothing: the first step sizes the arena, the rest reuse it.
@usableFromInline
final class Arena<Element> {
    private struct Chunk {
        let base: UnsafeMutablePointer<Element>
        let capacity: Int
    }

    private var chunks: [Chunk] = []
    private var chunkIndex = 0
    private var used = 0
    private let minimumChunkCapacity: Int

    /// Elements are aligned to 64 bytes so kernels can use aligned vector loads.
    private static var alignment: Int { max(64, MemoryLayout<Element>.alignment) }

    init(minimumChunkCapacity: Int = 1 << 16) {
        self.minimumChunkCapacity = minimumChunkCapacity
    }

    deinit {
        for chunk in chunks { chunk.base.deallocate() }
    }

    /// Uninitialized room for `count` elements, valid until the next `reset()`.
    @usableFromInline
    func allocate(_ count: Int) -> UnsafeMutablePointer<Element> {
        // Round up to a cache line so consecutive buffers never share one.
        let perLine = max(1, 64 / MemoryLayout<Element>.stride)
        let rounded = max(perLine, (count + perLine - 1) / perLine * perLine)
        while chunkIndex < chunks.count {
            let chunk = chunks[chunkIndex]
            if used + rounded <= chunk.capacity {
                defer { used += rounded }
                return chunk.base + used
            }
            chunkIndex += 1
            used = 0
        }
        let capacity = max(rounded, minimumChunkCapacity, (chunks.last?.capacity ?? 0) * 2)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Element>.stride,
                                                   alignment: Self.alignment)
        let base = raw.bindMemory(to: Element.self, capacity: capacity)
        chunks.append(Chunk(base: base, capacity: capacity))
        chunkIndex = chunks.count - 1
        used = rounded
        return base
    }

    /// Room for `count` elements, every byte zero (which is 0.0 for IEEE floats and 0 for integers).
    @usableFromInline
    func allocateZeroed(_ count: Int) -> UnsafeMutablePointer<Element> {
        let pointer = allocate(count)
        UnsafeMutableRawPointer(pointer).initializeMemory(
            as: UInt8.self, repeating: 0, count: count * MemoryLayout<Element>.stride)
        return pointer
    }

    /// Makes all memory available again without returning it to the system.
    @usableFromInline
    func reset() {
        chunkIndex = 0
        used = 0
    }

    /// Total elements held, for memory reports.
    var capacity: Int { chunks.reduce(0) { $0 + $1.capacity } }
}
