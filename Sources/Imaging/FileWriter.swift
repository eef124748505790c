import SafeFiles

/// Writes whole files atomically (a crash or a full disk leaves the old file, never a
/// truncated one), turning failures into `ImagingError`s that name the file.
enum FileWriter {
    static func write(_ bytes: [UInt8], to path: String) throws(ImagingError) {
        do {
            try AtomicFile.replace(path, with: bytes)
        } catch {
            throw ImagingError(path: path, reason: error.reason)
        }
    }
}
