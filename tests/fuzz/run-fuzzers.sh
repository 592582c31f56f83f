#!/bin/sh
# Runs every libFuzzer target for SECONDS (default 600) each, in parallel.
#
#   CC=clang meson setup build-fuzz -Dfuzzing=true
#   ninja -C build-fuzz
#   tests/fuzz/run-fuzzers.sh build-fuzz [SECONDS] [TARGET...]
#
# Each target starts from its checked-in corpus/ and regressions/ inputs;
# new inputs go to OUT/corpus/TARGET (OUT defaults to BUILD/fuzz-out), crash
# inputs to OUT/crashes/TARGET, the log to OUT/TARGET.log.  Copy a crash
# input into tests/fuzz/regressions/TARGET/ once it is fixed.
set -eu

build=${1:?usage: run-fuzzers.sh BUILDDIR [SECONDS] [TARGET...]}
secs=${2:-600}
[ $# -ge 2 ] && shift 2 || shift $#
src=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$build/fuzz-out}
targets=${*:-"runapi-create runapi-task runapi-error runapi-files retry-after image-header"}

for t in $targets; do
  mkdir -p "$out/corpus/$t" "$out/crashes/$t"
  "$build/tests/fuzz/fuzz-$t" -max_total_time="$secs" -max_len=4096 \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/$t/" \
    "$out/corpus/$t" "$src/corpus/$t" "$src/regressions/$t" \
    > "$out/$t.log" 2>&1 &
done
wait || true

status=0
for t in $targets; do
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
  crashes=$(ls "$out/crashes/$t" | wc -l)
  echo "$t: ${execs:-?} executions, $crashes crash inputs"
  [ "$crashes" -eq 0 ] || status=1
done
exit $status
