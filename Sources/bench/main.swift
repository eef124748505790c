// Benchmarks: `swift run -c release bench [--quick] [--ram-only]`. Prints ratios and rates
// measured in this run; nothing here asserts a time. `--ram-only` skips the matmul and tape
// sections (reference/compare_ram.sh uses it).
#if canImport(Glibc)
import Glibc
#endif

let quick = CommandLine.arguments.contains("--quick")
if !CommandLine.arguments.contains("--ram-only") {
    runMatmulBenchmark()
    runTapeOverheadBenchmark()
}
runRAMTrainingBenchmark(steps: quick ? 10 : 50)

var usage = rusage()
getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
print("\npeak memory (resident) of this benchmark process: \(usage.ru_maxrss / 1024) MB")
