// Benchmarks: `swift run -c release bench [--quick] [--ram-only | --tape-only]`. Prints ratios
// and rates measured in this run; nothing here asserts a time. `--ram-only` skips the matmul and
// tape sections (reference/compare_ram.sh uses it); `--tape-only` runs just the tape overhead.
#if canImport(Glibc)
import Glibc
#endif

let quick = CommandLine.arguments.contains("--quick")
let tapeOnly = CommandLine.arguments.contains("--tape-only")
if !CommandLine.arguments.contains("--ram-only") {
    if !tapeOnly { runMatmulBenchmark() }
    runTapeOverheadBenchmark()
}
if !tapeOnly { runRAMTrainingBenchmark(steps: quick ? 10 : 50) }

var usage = rusage()
getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
print("\npeak memory (resident) of this benchmark process: \(usage.ru_maxrss / 1024) MB")
