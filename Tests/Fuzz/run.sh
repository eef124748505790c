#!/usr/bin/env bash
# Builds the libFuzzer targets with AddressSanitizer (leaks included) and runs each for a
# fixed number of executions, starting from the seed corpus in Corpus/<target>.
#
# Usage: Tests/Fuzz/run.sh [executions per target (default 1000000)] [targets...]
# A crash, a trap, a leak, or one allocation over 256 MB fails the run; libFuzzer then
# writes the input that did it (crash-*, leak-*, malloc-limit-*) into the current folder.
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-1000000}
shift || true
targets=("$@")
(( ${#targets[@]} )) || targets=(safetensors idx gzip)

swift build -c release --sanitize=fuzzer --sanitize=address
bin=$(swift build -c release --sanitize=fuzzer --sanitize=address --show-bin-path)
for target in "${targets[@]}"; do
  work=$(mktemp -d)  # new inputs go here; the seeds in Corpus/ stay as committed
  echo "== fuzz-$target: $runs executions"
  start=$SECONDS
  "$bin/fuzz-$target" "$work" "Corpus/$target" -runs="$runs" -malloc_limit_mb=256 -rss_limit_mb=2048 \
    -max_len=4096 -print_final_stats=1 2>&1 | grep -E "^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|stat::peak_rss_mb)|ERROR|SUMMARY" || true
  status=${PIPESTATUS[0]}
  echo "   exit $status, $((SECONDS - start)) s, $(ls "$work" | wc -l) new corpus inputs"
  rm -rf "$work"
  (( status == 0 )) || exit "$status"
done
