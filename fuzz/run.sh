#!/usr/bin/env bash
# The fuzzing campaign: every target for a bounded time, two at a time, each on the seed corpus of
# fuzz/seed.sh; prints per target the executions, the coverage and the crashes, and the CPU time used.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      (default 1260 s, every target)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`); the toolchain's stable compiler builds the sanitizer
# instrumentation with RUSTC_BOOTSTRAP=1. A crash is written to fuzz/artifacts/TARGET/; turn it into a
# regression test (docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-1260}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(study_csv findings_json protocol_toml workbook redcap omop_csv)
fi
export RUSTC_BOOTSTRAP=1
bash fuzz/seed.sh >/dev/null
for target in "${targets[@]}"; do cargo fuzz build -O -a "$target"; done
mkdir -p fuzz/logs
run() {
  local target=$1
  # -rss_limit_mb: a reader that needs more than 2 GB for one input is a finding too.
  /usr/bin/time -f "%U %S" -o "fuzz/logs/$target.time" \
    cargo fuzz run -O -a "$target" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=20 \
      > "fuzz/logs/$target.log" 2>&1 || true
}
running=0
for target in "${targets[@]}"; do
  run "$target" &
  running=$((running + 1))
  if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi
done
wait
printf '%-15s %14s %8s %8s %8s %10s\n' target executions cov ft crashes cpu_min
for target in "${targets[@]}"; do
  log="fuzz/logs/$target.log"
  executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || echo 0)
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  features=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  crashes=$(find "fuzz/artifacts/$target" -type f 2>/dev/null | wc -l)
  cpu=$(awk '{printf "%.1f", ($1 + $2) / 60}' "fuzz/logs/$target.time" 2>/dev/null || echo "?")
  printf '%-15s %14s %8s %8s %8s %10s\n' "$target" "${executions:-0}" "${coverage:-0}" "${features:-0}" "$crashes" "$cpu"
done
