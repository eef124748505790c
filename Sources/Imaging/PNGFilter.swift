/// PNG's per-row prediction filters (PNG specification, section 9).
///
/// Each row is stored as one filter-type byte followed by the row's bytes minus a
/// prediction from its neighbours; the filter that leaves the smallest sum of absolute
/// differences is chosen for each row, the heuristic the specification recommends.
enum PNGFilter: UInt8, CaseIterable {
    case none = 0
    case sub, up, average, paeth

    /// The filtered image data: for each row, the chosen filter's type byte and the filtered row.
    static func filterRows(_ pixels: [UInt8], rowLength: Int, bytesPerPixel: Int) -> [UInt8] {
        let rowCount = pixels.count / rowLength
        var output = [UInt8]()
        output.reserveCapacity(rowCount * (rowLength + 1))
        var candidate = [UInt8](repeating: 0, count: rowLength)
        var best = [UInt8](repeating: 0, count: rowLength)
        let zeroRow = [UInt8](repeating: 0, count: rowLength)
        for y in 0..<rowCount {
            let row = pixels[y * rowLength..<(y + 1) * rowLength]
            let above = y == 0 ? zeroRow[...] : pixels[(y - 1) * rowLength..<y * rowLength]
            var bestFilter = PNGFilter.none
            var bestScore = Int.max
            for filter in PNGFilter.allCases {
                let score = filter.apply(row: row, above: above, bytesPerPixel: bytesPerPixel, into: &candidate)
                if score < bestScore {
                    bestScore = score
                    bestFilter = filter
                    swap(&best, &candidate)
                }
            }
            output.append(bestFilter.rawValue)
            output += best
        }
        return output
    }

    /// Writes the filtered `row` into `output` and returns the sum of the bytes taken as signed.
    private func apply(
        row: ArraySlice<UInt8>, above: ArraySlice<UInt8>, bytesPerPixel: Int,
        into output: inout [UInt8]
    ) -> Int {
        row.withUnsafeBufferPointer { row in
            above.withUnsafeBufferPointer { above in
                output.withUnsafeMutableBufferPointer { output in
                    // One loop per filter, so the choice is not made again for every byte.
                    switch self {
                    case .none: Self.filter(row, above, bytesPerPixel, output) { _, _, _ in 0 }
                    case .sub: Self.filter(row, above, bytesPerPixel, output) { left, _, _ in left }
                    case .up: Self.filter(row, above, bytesPerPixel, output) { _, up, _ in up }
                    case .average:
                        Self.filter(row, above, bytesPerPixel, output) { left, up, _ in UInt8((Int(left) + Int(up)) / 2)
                        }
                    case .paeth: Self.filter(row, above, bytesPerPixel, output, PNGFilter.paeth)
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func filter(
        _ row: UnsafeBufferPointer<UInt8>, _ above: UnsafeBufferPointer<UInt8>, _ bytesPerPixel: Int,
        _ output: UnsafeMutableBufferPointer<UInt8>,
        _ predict: (_ left: UInt8, _ up: UInt8, _ upLeft: UInt8) -> UInt8
    ) -> Int {
        var score = 0
        for i in 0..<row.count {
            let left = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0
            let upLeft = i >= bytesPerPixel ? above[i - bytesPerPixel] : 0
            let value = row[i] &- predict(left, above[i], upLeft)
            output[i] = value
            score += value < 128 ? Int(value) : 256 - Int(value)
        }
        return score
    }

    /// The neighbour (left, up or up-left) closest to `left + up - upLeft`.
    static func paeth(_ left: UInt8, _ up: UInt8, _ upLeft: UInt8) -> UInt8 {
        let p = Int(left) + Int(up) - Int(upLeft)
        let pa = abs(p - Int(left))
        let pb = abs(p - Int(up))
        let pc = abs(p - Int(upLeft))
        if pa <= pb && pa <= pc { return left }
        return pb <= pc ? up : upLeft
    }
}
