#!/usr/bin/env bash
# Runs our RAM training-step benchmark and the JAX reference (ram_jax.py) in alternation,
# then prints, per config and batch, the median over rounds of each one's median ms per step,
# and JAX / ours (> 1: ours is faster), with the smallest and largest ratio of a round.
# Run from anywhere inside the package; needs `pip install -r requirements.txt`.
#
#   Sources/bench/reference/compare_ram.sh [--quick] [--rounds N]
#
# --quick: 10 timed steps per config, not 50. --rounds N (default 3): N rounds of ours then
# JAX; on a shared machine one round can be 30 % off, so the rounds' medians are compared.
# Environment: JAX_THREADS (default 2) is XLA's intra-op thread count; OURS_THREADS (default
# 2) is ours (bench --threads); SCRATCH, a build directory other than .build; PYTHON, the
# interpreter (default python3). The two never run at once. Both use random images and
# labels; both time the whole step (sensor, forward, hybrid loss, backward, Adam); JAX's
# excludes compilation.
set -euo pipefail
cd "$(dirname "$0")/../../.."
steps=50
rounds=3
ours_args=(--ram-only)
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) steps=10; ours_args+=(--quick); shift ;;
        --rounds)
            [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "compare_ram.sh: --rounds needs a positive whole number" >&2; exit 2; }
            rounds=$2; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare_ram.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
threads=${JAX_THREADS:-2}
ours_threads=${OURS_THREADS:-2}
ours_args+=(--threads "$ours_threads")
python=${PYTHON:-python3}
build=(swift build -c release --product bench)
[[ -n "${SCRATCH:-}" ]] && build+=(--scratch-path "$SCRATCH")

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"${build[@]}" >/dev/null
bin="$("${build[@]}" --show-bin-path)/bench"
echo "cores: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
    echo "== round $round of $rounds"
    "$bin" "${ours_args[@]}" | tee "$out/ours.$round"
    XLA_FLAGS="--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads=$threads" \
        "$python" Sources/bench/reference/ram_jax.py --steps "$steps" --threads "$threads" | tee "$out/jax.$round"
done

# Config rows: the name fills the first 36 columns. Ours: batch forward backward update
# total steps/s samples/s; JAX: batch total steps/s samples/s compile-s.
echo
echo "RAM training step, median over $rounds round(s) of each round's median ms/step:"
echo "ours ($ours_threads thread(s) for matrix products and the retina) vs JAX/XLA ($threads threads)"
awk '
    function trim(s) { gsub(/^ +| +$/, "", s); return s }
    function median(list,    v, n, i, j, t) {
        n = split(list, v, " ")
        for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    /^(MNIST|translated) / {
        name = trim(substr($0, 1, 36)); split(substr($0, 37), f, " ")
        key = name SUBSEP f[1]; round = FILENAME; sub(/.*\./, "", round)
        if (FILENAME ~ /ours\.[0-9]+$/) {
            if (!(key in ours)) order[++n] = key
            ours[key] = ours[key] " " f[5]; mine[key, round] = f[5]
        } else { jax[key] = jax[key] " " f[2]; theirs[key, round] = f[2] }
    }
    END {
        printf "%-36s %5s %10s %10s %10s %16s\n", "config", "batch", "ours ms", "JAX ms", "JAX/ours", "rounds min-max"
        for (i = 1; i <= n; i++) {
            key = order[i]; split(key, k, SUBSEP)
            if (!(key in jax)) { printf "%-36s %5s %10.2f %10s %10s\n", k[1], k[2], median(ours[key]), "-", "-"; continue }
            lo = 1e9; hi = 0
            for (r = 1; r <= '"$rounds"'; r++) if (((key, r) in mine) && ((key, r) in theirs)) {
                q = theirs[key, r] / mine[key, r]; if (q < lo) lo = q; if (q > hi) hi = q
            }
            o = median(ours[key]); j = median(jax[key])
            printf "%-36s %5s %10.2f %10.2f %10.2f %9.2f-%.2f\n", k[1], k[2], o, j, j / o, lo, hi
        }
    }' "$out"/ours.* "$out"/jax.*
