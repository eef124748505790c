import CKernels
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every test that forces a level or a thread count lives under this suite, so they run one
/// at a time (`.serialized` reaches nested suites) and each restores what it changed.
@Suite(.serialized)
enum KernelLevelTests {
    static let levels = [CK_LEVEL_PORTABLE.rawValue, CK_LEVEL_AVX2_FMA.rawValue]

    /// Runs `body` with the given level and thread count, then restores the previous ones.
    static func with<R>(level: UInt32, threads: Int = 1, _ body: () throws -> R) rethrows -> R {
        let savedLevel = ck_active_level()
        let savedThreads = ck_thread_count()
        defer {
            ck_force_level(savedLevel)
            ck_set_thread_count(Int32(savedThreads))
        }
        ck_force_level(ck_level(rawValue: level))
        ck_set_thread_count(Int32(threads))
        return try body()
    }
}

/// A small deterministic generator (SplitMix64) so every run sees the same data.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Test func levelsAreDetectedAndForcedWithinBounds() {
    #if arch(x86_64)
    // The development and CI machines have AVX2+FMA; on others this documents the fallback.
    #expect(ck_detected_level() == CK_LEVEL_AVX2_FMA || ck_detected_level() == CK_LEVEL_PORTABLE)
    #endif
    KernelLevelTests.with(level: CK_LEVEL_PORTABLE.rawValue) {
        #expect(ck_active_level() == CK_LEVEL_PORTABLE)
        #expect(ck_force_level(ck_level(rawValue: 7)) == ck_detected_level())
        #expect(ck_active_level() == ck_detected_level())
    }
    KernelLevelTests.with(level: CK_LEVEL_PORTABLE.rawValue, threads: 0) {
        #expect(ck_thread_count() == 1)
    }
}

/// A forced level belongs to the thread that forced it, so a test on the portable path
/// cannot change the numbers of a test running beside it.
@Test func aForcedLevelStaysOnItsThread() {
    KernelLevelTests.with(level: CK_LEVEL_PORTABLE.rawValue) {
        let other = UnsafeMutablePointer<ck_level>.allocate(capacity: 1)
        defer { other.deallocate() }
        var thread = pthread_t()
        pthread_create(
            &thread, nil,
            { pointer in
                pointer!.assumingMemoryBound(to: ck_level.self).pointee = ck_active_level()
                return nil
            }, other)
        pthread_join(thread, nil)
        #expect(ck_active_level() == CK_LEVEL_PORTABLE)
        #expect(other.pointee == ck_detected_level())
    }
}
