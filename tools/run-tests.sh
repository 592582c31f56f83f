#!/usr/bin/env bash
# README command 2: installs what is missing, builds, and runs the whole
# test suite against the emulator (no internet but npm's one install of
# fal's JS client into build/, for fal-js-client: node and npm come from
# tools/install-deps.sh); then the client and element
# tests again under valgrind memcheck, and the client, element and fuzz
# regression tests in an AddressSanitizer + UndefinedBehaviorSanitizer
# build.  IMAGEGEN_SKIP_VALGRIND=1 / IMAGEGEN_SKIP_ASAN=1 skip those passes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh

meson test -C build --print-errorlogs
logs=(build/meson-logs/testlog.json)

if [ "${IMAGEGEN_SKIP_VALGRIND:-0}" != 1 ]; then
  echo "== valgrind memcheck: client and element tests"
  meson test -C build --print-errorlogs --suite client --suite elements \
    --setup valgrind
  logs+=(build/meson-logs/testlog-valgrind.json)
fi

if [ "${IMAGEGEN_SKIP_ASAN:-0}" != 1 ]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
  [ -f build-asan/build.ninja ] ||
    meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
  meson compile -C build-asan
  # Leaks are memcheck's job above (GLib and GStreamer keep one-time
  # allocations that LeakSanitizer cannot tell apart); scanning plugins in
  # process keeps the sanitizer runtime first in every process.
  GST_REGISTRY_FORK=no \
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-asan --print-errorlogs --suite client --suite elements \
    --suite fuzz
  logs+=(build-asan/meson-logs/testlog.json)
fi

# One closing line over every pass that ran (a failure stopped us above).
passed=0
failed=0
for log in "${logs[@]}"; do
  passed=$((passed + $(grep -c '"result": "OK"' "$log" || true)))
  failed=$((failed + $(grep -c -E '"result": "(FAIL|TIMEOUT|ERROR)"' "$log" || true)))
done
echo "$passed passed, $failed failed"
