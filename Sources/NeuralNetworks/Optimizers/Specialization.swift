import Autograd

/// Runs an optimizer loop specialised for the store's element type.
///
/// A generic loop compiled once for every `TensorScalar` runs about 100 times slower than
/// one compiled for `Float` (see `TensorKernels`). Naming `Float` or `Double` at the call
/// makes the compiler emit a specialised copy inside this module, so the fast loop runs
/// whoever calls `update()`, including through `any Optimizer<Float>`, where `@inlinable`
/// code could not be specialised by the caller.
@inline(__always)
func withSpecializedScalar<Scalar: TensorScalar>(
    _: Scalar.Type,
    float: () -> Void, double: () -> Void, generic: () -> Void
) {
    if Scalar.self == Float.self { float() } else if Scalar.self == Double.self { double() } else { generic() }
}

extension UnsafeMutablePointer {
    /// The same address typed as `T`: valid only when `T` is `Pointee` (checked by the caller).
    @inline(__always)
    func typed<T>(as _: T.Type) -> UnsafeMutablePointer<T> {
        UnsafeMutableRawPointer(self).assumingMemoryBound(to: T.self)
    }
}
