import Datasets

/// Any bytes, plain or gzip'd: a valid IDX file, or a DatasetError.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    _ = try? IDXFile(fileBytes: Array(UnsafeBufferPointer(start: data, count: count)), path: "input")
    return 0
}
