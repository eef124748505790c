#!/usr/bin/env bash
# Runs our RAM training-step benchmark and the JAX reference (ram_jax.py) back to back, then
# prints, per config and batch, the median ms per step of each and JAX / ours (> 1: ours is
# faster). Run from anywhere inside the package; needs `pip install -r requirements.txt`.
#
#   Sources/bench/reference/compare_ram.sh [--quick]     # --quick: 10 timed steps, not 50
#
# Environment: JAX_THREADS (default 2) is XLA's intra-op thread count; OURS_THREADS (default
# 1) is ours (bench --threads); SCRATCH, a build directory other than .build; PYTHON, the
# interpreter (default python3). The two run one
# after the other, never at once. Both use random images and labels; both time the whole
# step (sensor, forward, hybrid loss, backward, Adam); JAX's excludes compilation.
set -euo pipefail
cd "$(dirname "$0")/../../.."
steps=50
ours_args=(--ram-only)
if [[ "${1:-}" == "--quick" ]]; then steps=10; ours_args+=(--quick); fi
threads=${JAX_THREADS:-2}
ours_threads=${OURS_THREADS:-1}
ours_args+=(--threads "$ours_threads")
python=${PYTHON:-python3}
build=(swift build -c release --product bench)
[[ -n "${SCRATCH:-}" ]] && build+=(--scratch-path "$SCRATCH")

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"${build[@]}" >/dev/null
bin="$("${build[@]}" --show-bin-path)/bench"
echo "cores: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin" "${ours_args[@]}" | tee "$out/ours"
XLA_FLAGS="--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads=$threads" \
    "$python" Sources/bench/reference/ram_jax.py --steps "$steps" --threads "$threads" | tee "$out/jax"

# Config rows: the name fills the first 36 columns. Ours: batch forward backward update
# total steps/s samples/s; JAX: batch total steps/s samples/s compile-s.
echo
echo "RAM training step, median ms/step: ours ($ours_threads thread(s) for matrix products) vs JAX/XLA ($threads threads)"
awk '
    function trim(s) { gsub(/^ +| +$/, "", s); return s }
    /^(MNIST|translated) / {
        name = trim(substr($0, 1, 36)); split(substr($0, 37), f, " ")
        key = name SUBSEP f[1]
        if (FILENAME ~ /ours$/) { ours[key] = f[5]; order[++n] = key } else jax[key] = f[2]
    }
    END {
        printf "%-36s %5s %10s %10s %10s\n", "config", "batch", "ours ms", "JAX ms", "JAX/ours"
        for (i = 1; i <= n; i++) {
            key = order[i]; split(key, k, SUBSEP)
            if (!(key in jax)) { printf "%-36s %5s %10s %10s %10s\n", k[1], k[2], ours[key], "-", "-"; continue }
            printf "%-36s %5s %10s %10s %10.2f\n", k[1], k[2], ours[key], jax[key], jax[key] / ours[key]
        }
    }' "$out/ours" "$out/jax"
