import Autograd
import CKernels
import Testing

@Suite(.serialized) struct ParallelTests {
    /// Every index is visited exactly once, in slices that are ranges, on one and two threads,
    /// whether or not the work is large enough to split.
    @Test(arguments: [1, 2])
    func everyIndexIsVisitedOnce(threads: Int) {
        ck_set_thread_count(Int32(threads))
        defer { ck_set_thread_count(1) }
        for (count, minimumSlice) in [(0, 1), (1, 1), (5, 1), (7, 3), (100, 1), (1000, 7), (10, 6)] {
            let visits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
            visits.initialize(repeating: 0, count: max(count, 1))
            defer { visits.deallocate() }
            forEachSlice(of: count, minimumSlice: minimumSlice) { slice in
                for i in slice { visits[i] += 1 }  // slices are disjoint: no two threads share an index
            }
            #expect((0..<count).allSatisfy { visits[$0] == 1 }, "count \(count), minimum slice \(minimumSlice)")
        }
    }

    /// Slices shorter than the minimum are never made: below twice the minimum it is one slice.
    @Test func smallWorkIsOneSlice() {
        ck_set_thread_count(2)
        defer { ck_set_thread_count(1) }
        var slices: [Range<Int>] = []
        forEachSlice(of: 9, minimumSlice: 5) { slices.append($0) }
        #expect(slices == [0..<9])
    }
}
