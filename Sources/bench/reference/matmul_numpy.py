#!/usr/bin/env python3
"""numpy/OpenBLAS float32 GFLOP/s at the shapes of Sources/bench/Matmul.swift.

Median of several timed samples after a warm-up, single- and two-threaded. Run with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset so OpenBLAS picks its own kernel for this CPU
(compare_matmul.sh does that); the kernel in use is printed through threadpoolctl.
"""
import statistics
import sys
import time

import numpy as np

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:  # pip install threadpoolctl
    sys.exit("matmul_numpy.py needs threadpoolctl (pip install threadpoolctl)")


def shapes():
    yield 20, 256, 256, False, ""
    yield 128, 256, 256, False, ""
    yield 1024, 1024, 1024, False, ""
    for batch in (20, 32, 128):
        for k, n in ((64, 128), (144, 128), (432, 128), (128, 256), (256, 256), (256, 10)):
            yield batch, n, k, False, "RAM"
        yield 256, 256, batch, True, "RAM dW"


def gflops(m, n, k, trans_a, samples=7, minimum_sample_time=0.02):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (k, m) if trans_a else (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
    a_op = a.T if trans_a else a
    c = np.empty((m, n), dtype=np.float32)
    np.matmul(a_op, b, out=c)
    inner = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(inner):
            np.matmul(a_op, b, out=c)
        t = time.perf_counter() - t0
        if t >= minimum_sample_time or inner >= 1 << 20:
            break
        inner *= 16 if t <= 0 else max(2, min(16, int(minimum_sample_time / t) + 1))
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(inner):
            np.matmul(a_op, b, out=c)
        times.append((time.perf_counter() - t0) / inner)
    return 2.0 * m * n * k / statistics.median(times) / 1e9


def main():
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    for info in blas:
        print(f"numpy {np.__version__}, {info.get('internal_api')} {info.get('version')}, "
              f"kernel {info.get('architecture')}, threading {info.get('threading_layer')}")
    only = sys.argv[1] if len(sys.argv) > 1 else None  # e.g. "128x256x256"
    print("shape (m x n x k)          1 thread  2 threads")
    for m, n, k, trans_a, label in shapes():
        name = f"{m}x{n}x{k}"
        if only and name != only:
            continue
        results = []
        for threads in (1, 2):
            with threadpool_limits(limits=threads, user_api="blas"):
                results.append(gflops(m, n, k, trans_a))
        print(f"numpy {(name + ' ' + label).ljust(26)}{results[0]:8.1f}{results[1]:11.1f}")


if __name__ == "__main__":
    main()
