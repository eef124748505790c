// Benchmarks: `swift run -c release bench [--quick] [--ram-only | --tape-only] [--threads <n>]
// [--profile]`. Prints ratios and rates measured in this run; nothing here asserts a time.
// `--ram-only` skips the matmul and tape sections (reference/compare_ram.sh uses it);
// `--tape-only` runs just the tape overhead. `--threads <n>` (1...64, default 1) lets the RAM
// section's matrix products use n threads (ck_set_thread_count). `--profile` then prints where
// a RAM training step's time goes, op by op (a TapeProfile), for MNIST and translated MNIST at
// batch 128.
import CKernels
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
let tapeOnly = arguments.contains("--tape-only")
var threads = 1
if let index = arguments.firstIndex(of: "--threads") {
    guard index + 1 < arguments.count, let n = Int(arguments[index + 1]), (1...64).contains(n) else {
        print("bench: --threads needs a whole number in 1...64")
        exit(2)
    }
    threads = n
}
if !arguments.contains("--ram-only") {
    if !tapeOnly { runMatmulBenchmark() }
    runTapeOverheadBenchmark()
}
if !tapeOnly {
    ck_set_thread_count(Int32(threads))
    runRAMTrainingBenchmark(steps: quick ? 10 : 50, threads: threads)
    if arguments.contains("--profile") { runRAMProfile(steps: quick ? 10 : 50) }
}

var usage = rusage()
getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
print("\npeak memory (resident) of this benchmark process: \(usage.ru_maxrss / 1024) MB")
