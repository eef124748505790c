#!/usr/bin/env bash
# Kills `ram train` with SIGKILL at many moments, some random, some while a checkpoint is
# being written, resuming after each kill, and checks what the README promises:
#   - every `best.safetensors` that survives a kill evaluates;
#   - `--resume` always continues, and the run finishes;
#   - the final best validation error equals an uninterrupted run's.
#
# Usage: Tests/Scripts/kill-and-resume.sh [kills (default 20)] [epochs (default 2)]
# Needs a release build (swift build -c release). Takes a few minutes.
set -euo pipefail
kills=${1:-20}
epochs=${2:-2}
ram=.build/release/ram
[[ -x $ram ]] || { echo "error: $ram not found; run 'swift build -c release' first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
train=("$ram" train --task mnist --epochs "$epochs" --threads 1)

best_error() { grep -o 'best validation error [0-9.]*%' "$1" | tail -1; }

echo "uninterrupted run of $epochs epochs..."
"${train[@]}" --checkpoint-dir "$work/reference" > "$work/reference.log" 2>&1
reference=$(best_error "$work/reference.log")
echo "  $reference"

# Rounds: each trains a fresh folder, killing it again and again until a resumed attempt
# finishes, then checks the final error; rounds go on until `kills` kills were made.
killed=0 round=0
while (( killed < kills )); do
  round=$((round + 1))
  run="$work/round-$round"
  attempt=0
  while true; do
    attempt=$((attempt + 1))
    flags=()
    [[ -f $run/last.safetensors ]] && flags=(--resume)
    "${train[@]}" --checkpoint-dir "$run" "${flags[@]}" > "$work/attempt.log" 2>&1 &
    pid=$!
    if (( killed >= kills )); then
      wait "$pid" || { echo "FAIL: the resumed run failed:"; cat "$work/attempt.log"; exit 1; }
      break  # enough kills: this attempt was let finish
    fi
    if (( attempt % 2 )); then
      # A random moment: 0.5 to 12 s, about one epoch on two busy cores.
      sleep "$(awk -v s=$RANDOM 'BEGIN { printf "%.2f", 0.5 + 11.5 * s / 32767 }')"
      moment="at a random moment"
    else
      # Around a checkpoint write: a few milliseconds after best's or last's temporary file
      # appeared (while it is written, between the two writes, or just after both).
      file=$([[ $(( RANDOM % 2 )) == 0 ]] && echo best || echo last)
      delay=$(awk -v s=$RANDOM 'BEGIN { printf "%.3f", 0.03 * s / 32767 }')
      moment="never: the run ended first"
      while kill -0 "$pid" 2> /dev/null; do
        if compgen -G "$run/.$file.safetensors.tmp-*" > /dev/null; then
          sleep "$delay"; moment="${delay} s after $file.safetensors began to be written"; break
        fi
        sleep 0.002
      done
    fi
    if kill -9 "$pid" 2> /dev/null; then
      wait "$pid" 2> /dev/null || true
      killed=$((killed + 1))
      echo "kill $killed (round $round) $moment"
      if [[ -f $run/best.safetensors ]]; then
        "$ram" evaluate --checkpoint "$run/best.safetensors" --split validation --trajectories 1 > "$work/evaluate.log" 2>&1 \
          || { echo "FAIL: best.safetensors does not evaluate after kill $killed:"; cat "$work/evaluate.log"; exit 1; }
      fi
      continue
    fi
    wait "$pid" || { echo "FAIL: the resumed run failed:"; cat "$work/attempt.log"; exit 1; }
    grep -q '^done:' "$work/attempt.log" && break
  done
  final=$(best_error "$work/attempt.log")
  echo "round $round finished after $attempt attempts: $final (uninterrupted: $reference)"
  [[ $final == "$reference" ]] || { echo "FAIL: the killed run's best error differs"; exit 1; }
done
echo "PASS: $killed kills in $round rounds"
