import Autograd

extension SeededGenerator {
    /// A uniform integer in `0..<upperBound`, computed the same way on every Swift version.
    ///
    /// The standard library's `Int.random(in:using:)` may change its algorithm between
    /// releases; data placement must not, or a seed would stop naming the same data set.
    /// Multiply-high (Lemire 2019) without rejection: the bias is below 2^-32 for the small
    /// bounds used here.
    @inlinable
    mutating func nextIndex(below upperBound: Int) -> Int {
        require(upperBound > 0, "nextIndex(below:): upper bound must be positive, got \(upperBound)")
        return Int(UInt64(upperBound).multipliedFullWidth(by: next()).high)
    }

    /// A seeded Fisher-Yates shuffle of `0..<count`.
    mutating func permutation(of count: Int) -> [Int] {
        var indices = Array(0..<count)
        var i = count - 1
        while i > 0 {
            indices.swapAt(i, nextIndex(below: i + 1))
            i -= 1
        }
        return indices
    }
}
