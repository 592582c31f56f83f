#!/usr/bin/env bash
# README command 1: builds the plugin, starts imagegen-emulator on a loopback
# port and generates lighthouse.png through a real gst-launch-1.0 pipeline.
# With RUNAPI_API_KEY set it then asks the real service too
# (lighthouse-runapi.png).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh

export GST_PLUGIN_PATH="$PWD/build/gst-plugin/elements${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
prompt="a lighthouse at dusk, oil painting"
out="${DEMO_OUT:-$PWD}"

log=$(mktemp)
build/tools/emulator/imagegen-emulator --port 0 --latency 3000 >"$log" 2>&1 &
emulator=$!
trap 'kill $emulator 2>/dev/null || true; wait $emulator 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
  grep -q '^imagegen-emulator listening on ' "$log" && break
  sleep 0.1
done
url=$(sed -n 's/^imagegen-emulator listening on //p' "$log" | head -n1)
[ -n "$url" ] || { cat "$log"; echo "emulator did not start" >&2; exit 1; }
echo "emulator at $url"

# The emulator takes any key; the real key, if any, is never sent to it.
RUNAPI_BASE_URL="$url" RUNAPI_API_KEY="emulator-demo" \
  gst-launch-1.0 -q imagegensrc prompt="$prompt" ! videoconvert ! pngenc ! \
  filesink location="$out/lighthouse.png"
echo "wrote $out/lighthouse.png ($(stat -c %s "$out/lighthouse.png") bytes)"

if [ -n "${RUNAPI_API_KEY:-}" ]; then
  echo "RUNAPI_API_KEY is set: asking the real service"
  env -u RUNAPI_BASE_URL gst-launch-1.0 -q imagegensrc prompt="$prompt" ! \
    videoconvert ! pngenc ! filesink location="$out/lighthouse-runapi.png"
  echo "wrote $out/lighthouse-runapi.png"
fi
