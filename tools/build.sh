#!/usr/bin/env bash
# Configures (once) and builds gst-imagegen in ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build
meson compile -C build
