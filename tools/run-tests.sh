#!/usr/bin/env bash
# README command 2: installs what is missing, builds, and runs the whole
# test suite against the emulator (no internet), then the element and client
# tests once more under valgrind memcheck.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh

meson test -C build --print-errorlogs
if [ "${IMAGEGEN_SKIP_VALGRIND:-0}" != 1 ]; then
  meson test -C build --print-errorlogs --suite client --suite elements \
    --setup valgrind --timeout-multiplier 10
fi
