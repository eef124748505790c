/// PNG's per-row prediction filters (PNG specification, section 9).
///
/// Each row is stored as one filter-type byte followed by the row's bytes minus a
/// prediction from its neighbours; the filter that leaves the smallest sum of absolute
/// differences is chosen for each row, the heuristic the specification recommends.
enum PNGFilter: UInt8, CaseIterable {
    case none = 0, sub, up, average, paeth

    /// The filtered image data: for each row, the chosen filter's type byte and the filtered row.
    static func filterRows(_ pixels: [UInt8], rowLength: Int, bytesPerPixel: Int) -> [UInt8] {
        let rowCount = pixels.count / rowLength
        var output = [UInt8]()
        output.reserveCapacity(rowCount * (rowLength + 1))
        var candidate = [UInt8](repeating: 0, count: rowLength)
        var best = [UInt8](repeating: 0, count: rowLength)
        let zeroRow = [UInt8](repeating: 0, count: rowLength)
        for y in 0 ..< rowCount {
            let row = pixels[y * rowLength ..< (y + 1) * rowLength]
            let above = y == 0 ? zeroRow[...] : pixels[(y - 1) * rowLength ..< y * rowLength]
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
    private func apply(row: ArraySlice<UInt8>, above: ArraySlice<UInt8>, bytesPerPixel: Int,
                       into output: inout [UInt8]) -> Int {
        var score = 0
        let r = row.startIndex, a = above.startIndex
        for i in 0 ..< row.count {
            let left = i >= bytesPerPixel ? row[r + i - bytesPerPixel] : 0
            let up = above[a + i]
            let upLeft = i >= bytesPerPixel ? above[a + i - bytesPerPixel] : 0
            let prediction: UInt8
            switch self {
            case .none: prediction = 0
            case .sub: prediction = left
            case .up: prediction = up
            case .average: prediction = UInt8((Int(left) + Int(up)) / 2)
            case .paeth: prediction = PNGFilter.paeth(left, up, upLeft)
            }
            let value = row[r + i] &- prediction
            output[i] = value
            score += value < 128 ? Int(value) : 256 - Int(value)
        }
        return score
    }

    /// The neighbour (left, up or up-left) closest to `left + up - upLeft`.
    static func paeth(_ left: UInt8, _ up: UInt8, _ upLeft: UInt8) -> UInt8 {
        let p = Int(left) + Int(up) - Int(upLeft)
        let pa = abs(p - Int(left)), pb = abs(p - Int(up)), pc = abs(p - Int(upLeft))
        if pa <= pb && pa <= pc { return left }
        return pb <= pc ? up : upLeft
    }
}
