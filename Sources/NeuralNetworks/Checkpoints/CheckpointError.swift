import Autograd

/// Why a checkpoint could not be read, written or loaded: the file and the problem.
///
/// Every malformed file (truncated, a header length past the end, invalid JSON, offsets out
/// of range or overlapping, an unsupported dtype, a shape that disagrees with its byte
/// count) is reported with this error; nothing in reading a checkpoint traps.
public struct CheckpointError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong.
    public enum Problem: Sendable, Equatable {
        /// The file could not be opened or read (the system's reason).
        case unreadable(String)
        /// The file ends before the data its header describes.
        case truncated(String)
        /// The 8-byte header length exceeds what the file holds (or the 100 MB limit).
        case headerTooLarge(declared: UInt64, available: Int)
        /// The header is not the JSON object safetensors specifies.
        case invalidHeader(String)
        /// One tensor's description is inconsistent (shape, offsets, byte count).
        case invalidTensor(name: String, reason: String)
        /// A tensor uses a dtype that cannot be read (readable: F64, F32, F16, BF16, I64, I32,
        /// I16, I8, U8, BOOL).
        case unsupportedDType(name: String, dtype: String)
        /// Two tensors' byte ranges overlap.
        case overlappingTensors(String, String)
        /// A requested tensor is not in the file.
        case missingTensor(String)
        /// A tensor has another element type than requested.
        case dtypeMismatch(name: String, expected: String, found: String)
        /// A tensor has another shape than requested.
        case shapeMismatch(name: String, expected: Shape, found: Shape)
        /// The file's parameters do not match the store's table.
        case parameterMismatch(missing: [String], extra: [String], mismatched: [String])
        /// A parameter or optimizer tensor holds a NaN or an infinity (a diverged run's numbers).
        case nonFinite(name: String, index: Int, value: String)
        /// The saved optimizer state does not fit the optimizer (kind, names or shapes).
        case optimizerMismatch(String)
        /// The tensors or metadata to be written are invalid (such as a duplicate name).
        case invalidContents(String)
        /// Writing failed (the system's reason); any earlier file at the path is intact.
        case writeFailed(String)
    }

    /// The checkpoint's path.
    public let path: String
    public let problem: Problem

    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "checkpoint \(path): \(explanation)" }

    private var explanation: String {
        switch problem {
        case .unreadable(let reason): return "cannot be read: \(reason)"
        case .truncated(let detail): return "file is truncated: \(detail)"
        case .headerTooLarge(let declared, let available):
            return declared > UInt64(SafeTensorsFormat.maximumHeaderLength)
                ? "header length \(declared) bytes exceeds the limit of \(SafeTensorsFormat.maximumHeaderLength)"
                : "header length \(declared) bytes exceeds the \(available) bytes that follow the length field"
        case .invalidHeader(let reason): return "invalid header: \(reason)"
        case .invalidTensor(let name, let reason): return "tensor \(name): \(reason)"
        case .unsupportedDType(let name, let dtype):
            return
                "tensor \(name) has dtype \(dtype); readable dtypes are F64, F32, F16, BF16, I64, I32, I16, I8, U8 "
                + "and BOOL"
        case .overlappingTensors(let a, let b): return "the data of tensors \(a) and \(b) overlap"
        case .missingTensor(let name): return "no tensor named \(name)"
        case .dtypeMismatch(let name, let expected, let found):
            return "tensor \(name) has dtype \(found), expected \(expected) (read it with converting: true, "
                + "or load a state dict with loadMatching, which converts)"
        case .shapeMismatch(let name, let expected, let found):
            return "tensor \(name) has shape \(found), expected \(expected)"
        case .parameterMismatch(let missing, let extra, let mismatched):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("unexpected \(extra.joined(separator: ", "))") }
            if !mismatched.isEmpty { parts.append("mismatched \(mismatched.joined(separator: "; "))") }
            return "parameters do not match the store: " + parts.joined(separator: "; ")
        case .nonFinite(let name, let index, let value):
            return "tensor \(name) holds \(value) at element \(index); a model with non-finite numbers cannot be used"
        case .optimizerMismatch(let reason): return "cannot restore the optimizer: \(reason)"
        case .invalidContents(let reason): return "cannot be written: \(reason)"
        case .writeFailed(let reason): return "writing failed: \(reason)"
        }
    }
}
