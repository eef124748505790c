import CKernels

/// The process-wide settings of the C kernels, so that layers, models and tools reach the
/// kernels only through this module.
public enum KernelSettings {
    /// Threads the matrix products and `forEachSlice` may use (1, the default, keeps all work
    /// on the calling thread). It changes how fast a program runs, never its numbers.
    public static var threadCount: Int {
        get { Int(ck_thread_count()) }
        set {
            require((1...64).contains(newValue), "KernelSettings.threadCount: \(newValue) is outside 1...64")
            ck_set_thread_count(Int32(newValue))
        }
    }
}

/// Asks the cache for the `size` x `size` window at (`row`, `column`) of a `height` x `width`
/// image (clipped to it), ahead of reading it: the glimpse sensor fetches the next sample's
/// window while it reads the current one.
@inlinable
package func prefetchWindow(_ image: UnsafePointer<Float>, height: Int, width: Int, row: Int, column: Int, size: Int) {
    ck_prefetch_window_f32(image, height, width, row, column, size)
}
