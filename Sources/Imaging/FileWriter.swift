#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole files, turning failures into `ImagingError`s that name the file.
enum FileWriter {
    static func write(_ bytes: [UInt8], to path: String) throws(ImagingError) {
        guard let file = fopen(path, "wb") else {
            throw ImagingError(path: path, reason: "cannot create the file (\(String(cString: strerror(errno))))")
        }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let closed = fclose(file)
        guard written == bytes.count, closed == 0 else {
            throw ImagingError(path: path, reason: "could not write all \(bytes.count) bytes (\(String(cString: strerror(errno))))")
        }
    }
}
