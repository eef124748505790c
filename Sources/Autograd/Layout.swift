/// Four extents or four strides: every tensor is viewed as rank 4, padded with leading ones,
/// so one strided loop serves broadcasting, reductions, transposes, slices and concatenation.
@usableFromInline
package struct Index4: Equatable, Sendable {
    @usableFromInline package var i0, i1, i2, i3: Int

    @inlinable
    package init(_ i0: Int, _ i1: Int, _ i2: Int, _ i3: Int) {
        (self.i0, self.i1, self.i2, self.i3) = (i0, i1, i2, i3)
    }

    @inlinable
    package subscript(axis: Int) -> Int {
        get {
            switch axis {
            case 0: i0
            case 1: i1
            case 2: i2
            default: i3
            }
        }
        set {
            switch axis {
            case 0: i0 = newValue
            case 1: i1 = newValue
            case 2: i2 = newValue
            default: i3 = newValue
            }
        }
    }

    @inlinable package var product: Int { i0 * i1 * i2 * i3 }

    /// Row-major strides of an array with these four extents.
    @inlinable package var contiguousStrides: Index4 { Index4(i1 * i2 * i3, i2 * i3, i3, 1) }
}

extension Shape {
    /// The dimensions, left-padded with ones to rank 4.
    @inlinable
    var extent4: Index4 { padded }

    /// Row-major strides of `extent4`.
    @inlinable
    var strides4: Index4 { padded.contiguousStrides }

    /// Strides that read this shape as if broadcast to `target` (stride 0 along broadcast axes).
    /// The caller has checked that the shapes are compatible.
    @inlinable
    func broadcastStrides4(over target: Shape) -> Index4 {
        let (mine, theirs) = (padded, target.padded)
        let s = strides4
        if mine == theirs { return s }  // the common case: nothing is broadcast
        @inline(__always) func stride(_ m: Int, _ t: Int, _ s: Int) -> Int { m == 1 && t != 1 ? 0 : s }
        return Index4(
            stride(mine.i0, theirs.i0, s.i0), stride(mine.i1, theirs.i1, s.i1),
            stride(mine.i2, theirs.i2, s.i2), stride(mine.i3, theirs.i3, s.i3))
    }

    /// The numpy-style broadcast of two shapes, or nil when they are incompatible.
    @inlinable
    static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        if a == b { return a }
        // The padded slots are right-aligned with leading ones, which broadcast like missing axes.
        var result = Index4(1, 1, 1, 1)
        for slot in 0..<Shape.maximumRank {
            let (da, db) = (a.padded[slot], b.padded[slot])
            guard da == db || da == 1 || db == 1 else { return nil }
            result[slot] = da == 1 ? db : da
        }
        return Shape(padded: result, rank: max(a.rank, b.rank))
    }
}
