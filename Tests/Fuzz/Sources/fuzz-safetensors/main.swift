import NeuralNetworks

/// Any bytes: a valid checkpoint, or a CheckpointError; every tensor of a valid one reads back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    guard let checkpoint = try? Checkpoint(bytes: bytes, path: "input") else { return 0 }
    for name in checkpoint.names {
        if checkpoint.info(name)?.dtype == "F32" {
            _ = try? checkpoint.tensor(named: name, as: Float.self)
        } else {
            _ = try? checkpoint.tensor(named: name, as: Double.self)
        }
    }
    return 0
}
