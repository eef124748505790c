#!/usr/bin/env bash
# Runs our RAM training-step benchmark, the JAX reference (ram_jax.py) and, when torch is
# installed, the PyTorch eager reference (ram_torch.py) in alternation, then prints, per config
# and batch, the median over rounds of each one's median ms per step, and JAX / ours and
# PyTorch / ours (> 1: ours is faster), each with the smallest and largest ratio of a round.
# Run from anywhere inside the package; needs `pip install -r requirements.txt` (jax; torch is
# optional: without it, one line says so and the table has ours and JAX only).
#
#   Sources/bench/reference/compare_ram.sh [--quick] [--rounds N]
#
# --quick: 10 timed steps per config, not 50. --rounds N (default 3): N rounds of ours, then
# JAX, then PyTorch; on a shared machine one round can be 30 % off, so the rounds' medians are
# compared. Environment: JAX_THREADS (default 2) is XLA's intra-op thread count; TORCH_THREADS
# (default 2) is PyTorch's (torch.set_num_threads); OURS_THREADS (default 2) is ours (bench
# --threads); SCRATCH, a build directory other than .build; PYTHON, the interpreter (default
# python3). No two of them ever run at once. All use random images and labels; all time the
# whole step (sensor, forward, hybrid loss, backward, Adam); JAX's excludes compilation, and
# PyTorch's (eager) its first step.
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
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
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$script"; exit 0 ;;
        *) echo "compare_ram.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
threads=${JAX_THREADS:-2}
torch_threads=${TORCH_THREADS:-2}
ours_threads=${OURS_THREADS:-2}
ours_args+=(--threads "$ours_threads")
python=${PYTHON:-python3}
build=(swift build -c release --product bench)
[[ -n "${SCRATCH:-}" ]] && build+=(--scratch-path "$SCRATCH")

torch=0
if "$python" -c "import torch" 2>/dev/null; then torch=1; fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"${build[@]}" >/dev/null
bin="$("${build[@]}" --show-bin-path)/bench"
echo "cores: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
[[ $torch == 1 ]] || echo "PyTorch: torch is not importable by $python, so ours and JAX only (pip install -r Sources/bench/reference/requirements.txt)"
for round in $(seq "$rounds"); do
    echo "== round $round of $rounds"
    "$bin" "${ours_args[@]}" | tee "$out/ours.$round"
    XLA_FLAGS="--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads=$threads" \
        "$python" Sources/bench/reference/ram_jax.py --steps "$steps" --threads "$threads" | tee "$out/jax.$round"
    if [[ $torch == 1 ]]; then
        "$python" Sources/bench/reference/ram_torch.py --steps "$steps" --threads "$torch_threads" | tee "$out/torch.$round"
    fi
done

# Config rows: the name fills the first 36 columns. Ours: batch forward backward update
# total steps/s samples/s; JAX: batch total steps/s samples/s compile-s; PyTorch: batch total
# steps/s samples/s first-step-s.
echo
echo "RAM training step, median over $rounds round(s) of each round's median ms/step:"
echo -n "ours ($ours_threads thread(s) for matrix products and the retina) vs JAX/XLA ($threads threads)"
[[ $torch == 1 ]] && echo " and PyTorch eager ($torch_threads threads)" || echo
files=("$out"/ours.* "$out"/jax.*)
[[ $torch == 1 ]] && files+=("$out"/torch.*)
awk -v rounds="$rounds" -v torch="$torch" '
    function trim(s) { gsub(/^ +| +$/, "", s); return s }
    function median(list,    v, n, i, j, t) {
        n = split(list, v, " ")
        for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    # The reference ("jax" or "torch") against ours for one key, as printed columns: its median
    # ms, the ratio of the medians (width w), and the smallest and largest ratio of a round.
    function against(ref, key, o, w,    r, q, lo, hi, m) {
        if (!((ref, key) in ms)) return sprintf(" %10s %" w "s %16s", "-", "-", "-")
        lo = 1e9; hi = 0
        for (r = 1; r <= rounds; r++) if (((key, r) in mine) && ((ref, key, r) in theirs)) {
            q = theirs[ref, key, r] / mine[key, r]; if (q < lo) lo = q; if (q > hi) hi = q
        }
        m = median(ms[ref, key])
        return sprintf(" %10.2f %" w ".2f %9.2f-%-6.2f", m, m / o, lo, hi)
    }
    /^(MNIST|translated) / {
        name = trim(substr($0, 1, 36)); split(substr($0, 37), f, " ")
        key = name SUBSEP f[1]; round = FILENAME; sub(/.*\./, "", round)
        source = FILENAME; sub(/.*\//, "", source); sub(/\.[0-9]+$/, "", source)
        if (source == "ours") {
            if (!(key in ours)) order[++n] = key
            ours[key] = ours[key] " " f[5]; mine[key, round] = f[5]
        } else { ms[source, key] = ms[source, key] " " f[2]; theirs[source, key, round] = f[2] }
    }
    END {
        printf "%-36s %5s %10s %10s %10s %16s", "config", "batch", "ours ms", "JAX ms", "JAX/ours", "rounds min-max"
        if (torch) printf " %10s %12s %16s", "PyTorch ms", "PyTorch/ours", "rounds min-max"
        printf "\n"
        for (i = 1; i <= n; i++) {
            key = order[i]; split(key, k, SUBSEP); o = median(ours[key])
            line = sprintf("%-36s %5s %10.2f", k[1], k[2], o) against("jax", key, o, 10)
            if (torch) line = line against("torch", key, o, 12)
            sub(/ +$/, "", line); print line
        }
    }' "${files[@]}"
