#!/usr/bin/env bash
# Runs our matmul benchmark and numpy/OpenBLAS back to back, then prints ours / OpenBLAS at
# 128x256x256 (f32), one and two threads. Run from anywhere inside the package.
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for numpy only, so OpenBLAS picks its own
# kernel for this CPU (the line it prints says which).
set -euo pipefail
cd "$(dirname "$0")/../../.."
shape=128x256x256
scratch=${SCRATCH:-.build-kernels}

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swift build -c release --scratch-path "$scratch" --product bench >/dev/null
"$scratch/release/bench" | tee "$out/ours"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 Sources/bench/reference/matmul_numpy.py | tee "$out/theirs"
ours=$(grep -E "^sgemm $shape " "$out/ours" | head -1)
theirs=$(grep -E "^numpy $shape " "$out/theirs" | head -1)

# Columns after the shape: 1 thread, 2 threads.
read -r _ _ ours1 ours2 _ <<<"$ours"
read -r _ _ theirs1 theirs2 <<<"$theirs"
awk -v a="$ours1" -v b="$theirs1" -v c="$ours2" -v d="$theirs2" -v s="$shape" 'BEGIN {
    printf "%s f32: ours/OpenBLAS = %.2f (1 thread: %s vs %s GFLOP/s), %.2f (2 threads: %s vs %s)\n",
           s, a / b, a, b, c / d, c, d }'
