#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fast, seedable random number generator (xoshiro256**, Blackman and Vigna 2018).
///
/// Every random draw in the toolkit comes from one of these, created from an explicit
/// seed, so the same seed gives the same numbers on every run and every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose sequence is determined by `seed`.
    public init(seed: UInt64) {
        // SplitMix64 spreads the seed over the 256-bit state, as the authors recommend.
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// A generator for a sub-stream, e.g. one per epoch or per sample, that does not
    /// disturb this one: `SeededGenerator(seed: 7).derived(3)` is a fixed, distinct stream.
    public func derived(_ stream: UInt64) -> SeededGenerator {
        SeededGenerator(seed: state.0 ^ (stream &* 0xD1B5_4A32_D192_ED03) ^ 0x632B_E59B_D9B4_E019)
    }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    @inlinable func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform draw in [0, 1) with the full precision of `T`: the value
    /// `T.random(in: 0..<1, using:)` gives, bit for bit, without its generic path (which cost
    /// about 1,700 instructions a draw wherever the caller was not specialised).
    @inlinable
    public mutating func nextUniform<T: BinaryFloatingPoint>(_: T.Type = T.self) -> T
    where T.RawSignificand: FixedWidthInteger {
        if T.self == Double.self { return unsafeBitCast(nextUnitDouble(), to: T.self) }
        if T.self == Float.self { return unsafeBitCast(nextUnitFloat(), to: T.self) }
        return T.random(in: 0..<1, using: &self)
    }

    /// The standard library's draw for Double in [0, 1): 53 random bits scaled by 2^-53.
    @inlinable
    mutating func nextUnitDouble() -> Double { Double(next() & (1 << 53 - 1)) * 0x1p-53 }

    /// The standard library's draw for Float in [0, 1): the low 24 bits of a 32-bit draw
    /// scaled by 2^-24.
    @inlinable
    mutating func nextUnitFloat() -> Float { Float(UInt32(truncatingIfNeeded: next()) & (1 << 24 - 1)) * 0x1p-24 }

    /// A standard normal draw (Box-Muller on two uniform draws; the second value is discarded
    /// so the stream stays simple to reason about).
    @inlinable
    public mutating func nextNormal() -> Double {
        var u1 = 0.0
        repeat { u1 = nextUnitDouble() } while u1 == 0
        let u2 = nextUnitDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
