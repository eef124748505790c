// Benchmarks: `swift run -c release bench [--quick] [--ram-only | --tape-only | --data-parallel |
// --second-order] [--threads <n>] [--profile]`. Prints ratios and rates measured in this run;
// nothing here asserts a time.
import CKernels

#if canImport(Glibc)
import Glibc
#endif

let help = """
    Usage: bench [--quick] [--ram-only | --tape-only | --data-parallel | --second-order] [--threads <n>] [--profile]

    Prints, measured in this run (build with -c release): matrix-product GFLOP/s, independent
    products at once against in turn, vector math against libm, the tape's overhead per op, and
    RAM training steps (forward, backward, update) for MNIST and translated MNIST at batch 20,
    32 and 128, a Hessian-vector product's time against a gradient's (an MLP and RAM), then
    peak memory. Nothing is asserted: compare runs, or use
    Sources/bench/reference/compare_ram.sh and compare_matmul.sh for ratios against JAX and
    PyTorch (when installed), and OpenBLAS.

    Options:
      --quick        10 timed RAM steps per configuration instead of 50.
      --ram-only     Only the RAM training steps (compare_ram.sh uses it).
      --tape-only    Only the tape overhead.
      --data-parallel
                     Only RAM steps shared by the processes of an mpirun (built with
                     --traits MPI; one process without mpirun), and the all-reduce alone.
      --second-order Only the Hessian-vector product against the gradient.
      --threads <n>  Threads (1...64) for the RAM steps' matrix products and retina. (default: 1)
      --profile      After the RAM table, where a batch-128 step's time goes, op by op.
      -h, --help     Show this help.
    """
let arguments = CommandLine.arguments
if arguments.contains("-h") || arguments.contains("--help") {
    print(help)
    exit(0)
}
let known: Set = [
    "--quick", "--ram-only", "--tape-only", "--data-parallel", "--second-order", "--threads", "--profile",
]
for (i, argument) in arguments.enumerated().dropFirst() where !known.contains(argument) {
    guard i > 1, arguments[i - 1] == "--threads" else {
        print("bench: unknown argument '\(argument)' (see --help)")
        exit(2)
    }
}
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
if arguments.contains("--data-parallel") {
    ck_set_thread_count(Int32(threads))
    runDataParallelBenchmark(steps: quick ? 10 : 50)
    exit(0)
}
if arguments.contains("--second-order") {
    ck_set_thread_count(Int32(threads))
    runSecondOrderBenchmark(steps: quick ? 10 : 30)
    exit(0)
}
if !arguments.contains("--ram-only") {
    if !tapeOnly { runMatmulBenchmark() }
    runTapeOverheadBenchmark()
}
if !tapeOnly {
    ck_set_thread_count(Int32(threads))
    runRAMTrainingBenchmark(steps: quick ? 10 : 50, threads: threads)
    if arguments.contains("--profile") { runRAMProfile(steps: quick ? 10 : 50) }
    if !arguments.contains("--ram-only") { runSecondOrderBenchmark(steps: quick ? 10 : 30) }
}

var usage = rusage()
getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
print("\npeak memory (resident) of this benchmark process: \(usage.ru_maxrss / 1024) MB")
