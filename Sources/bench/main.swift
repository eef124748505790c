// Benchmarks: run with `swift run -c release bench`. Sections are added below.
runMatmulBenchmark()
