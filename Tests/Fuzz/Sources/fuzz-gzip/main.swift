import Datasets

/// Any bytes after the gzip magic number: the inflater answers with data or a DatasetError,
/// within memory a small multiple of what comes out.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzip(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    _ = try? IDXFile(fileBytes: [0x1F, 0x8B] + UnsafeBufferPointer(start: data, count: count), path: "input.gz")
    return 0
}
