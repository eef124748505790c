import SafeFiles

/// A failure to write an image file, naming the file and the reason in one line: the same
/// error as any other file write.
public typealias ImagingError = FileError
