import SafeFiles

/// Writes whole files atomically: a crash or a full disk leaves the old file, never a
/// truncated one.
enum FileWriter {
    static func write(_ bytes: [UInt8], to path: String) throws(ImagingError) {
        try AtomicFile.replace(path, with: bytes)
    }
}
