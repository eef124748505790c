import CKernels

/// Runs `body` on consecutive slices of `0..<count` on the kernels' threads (the caller and
/// up to `ck_thread_count() - 1` pool workers; see `--threads`), and returns when all are
/// done. Each thread gets two slices, claimed in turn, so a worker that starts late costs
/// little. With one thread, or fewer than `minimumSlice` items per thread, it is one call of
/// `body(0..<count)` on the caller. The slices must not write the same memory.
package func forEachSlice(of count: Int, minimumSlice: Int = 1, _ body: (Range<Int>) -> Void) {
    let threads = Int(ck_thread_count())
    guard threads > 1, count >= 2 * minimumSlice else {
        if count > 0 { body(0..<count) }
        return
    }
    let slices = min(2 * threads, count / minimumSlice)
    withoutActuallyEscaping(body) { body in
        var work: ((Range<Int>) -> Void, Int) = (body, count)
        withUnsafeMutablePointer(to: &work) { context in
            ck_parallel_for(
                Int32(slices),
                { context, index, slices in
                    let work = context!.assumingMemoryBound(to: ((Range<Int>) -> Void, Int).self).pointee
                    let (i, n) = (Int(index), Int(slices))
                    work.0(work.1 * i / n..<work.1 * (i + 1) / n)
                }, context)
        }
    }
}
