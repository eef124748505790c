import CZlib
import Testing

/// A minimal PNG reader for tests: splits chunks, checks their CRCs, inflates and unfilters.
struct DecodedChunk {
    let type: String
    let data: [UInt8]
}

enum PNGDecoder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func uint32(_ bytes: [UInt8], at i: Int) -> Int {
        Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
    }

    /// The chunks of a PNG file, each CRC checked with zlib's crc32.
    static func chunks(_ png: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> [DecodedChunk] {
        #expect(Array(png.prefix(8)) == signature, sourceLocation: sourceLocation)
        var chunks: [DecodedChunk] = []
        var i = 8
        while i + 12 <= png.count {
            let length = uint32(png, at: i)
            let typeAndData = Array(png[(i + 4)..<(i + 8 + length)])
            let crc = typeAndData.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) }
            #expect(Int(crc) == uint32(png, at: i + 8 + length), "CRC of chunk at \(i)", sourceLocation: sourceLocation)
            chunks.append(
                DecodedChunk(
                    type: String(decoding: typeAndData[..<4], as: UTF8.self),
                    data: Array(typeAndData[4...])))
            i += 12 + length
        }
        #expect(i == png.count, "no bytes after the last chunk", sourceLocation: sourceLocation)
        return chunks
    }

    /// The inflated bytes of a zlib stream.
    static func inflate(_ data: [UInt8], expectedSize: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: expectedSize + 1)
        var size = uLong(output.count)
        let status = output.withUnsafeMutableBufferPointer { out in
            data.withUnsafeBufferPointer { uncompress(out.baseAddress, &size, $0.baseAddress, uLong($0.count)) }
        }
        #expect(status == Z_OK)
        return Array(output[..<Int(size)])
    }

    /// Reverses PNG's row filters: `filtered` holds a filter byte and `rowLength` bytes per row.
    static func unfilter(_ filtered: [UInt8], rowLength: Int, bytesPerPixel: Int) -> [UInt8] {
        let rows = filtered.count / (rowLength + 1)
        var out = [UInt8](repeating: 0, count: rows * rowLength)
        for y in 0..<rows {
            let filter = filtered[y * (rowLength + 1)]
            for x in 0..<rowLength {
                let raw = filtered[y * (rowLength + 1) + 1 + x]
                let a = x >= bytesPerPixel ? Int(out[y * rowLength + x - bytesPerPixel]) : 0
                let b = y > 0 ? Int(out[(y - 1) * rowLength + x]) : 0
                let c = x >= bytesPerPixel && y > 0 ? Int(out[(y - 1) * rowLength + x - bytesPerPixel]) : 0
                let prediction: Int
                switch filter {
                case 0: prediction = 0
                case 1: prediction = a
                case 2: prediction = b
                case 3: prediction = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let pa = abs(p - a)
                    let pb = abs(p - b)
                    let pc = abs(p - c)
                    prediction = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default:
                    Issue.record("unknown filter type \(filter)")
                    prediction = 0
                }
                out[y * rowLength + x] = UInt8((Int(raw) + prediction) & 0xFF)
            }
        }
        return out
    }

    /// Width, height, colour type and pixels of a still PNG.
    static func decode(_ png: [UInt8]) -> (width: Int, height: Int, colorType: UInt8, pixels: [UInt8]) {
        let chunks = chunks(png)
        let header = chunks[0].data
        let width = uint32(header, at: 0)
        let height = uint32(header, at: 4)
        let bytesPerPixel = header[9] == 2 ? 3 : 1
        let idat = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
        let filtered = inflate(idat, expectedSize: height * (width * bytesPerPixel + 1))
        return (
            width, height, header[9], unfilter(filtered, rowLength: width * bytesPerPixel, bytesPerPixel: bytesPerPixel)
        )
    }
}
