#!/usr/bin/env bash
# The API key never shows: not in GST_DEBUG=*:9 logs of full jobs, not in
# bus messages or gst-launch -v property dumps, not in error texts, not in
# gst-inspect.  The key comes from RUNAPI_API_KEY, as the docs advise: a key
# written into a gst-launch-1.0 command line is logged by GStreamer's own
# pipeline parser at debug level, before any element sees it.
set -euo pipefail
: "${IMAGEGEN_EMULATOR:?}"

key="sk-test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
. "$(dirname "$0")/lib.sh"
export RUNAPI_API_KEY="$key"
emu_start --latency 200 --require-key "$key" --log "$work/emulator.log"
export GST_DEBUG='*:9' GST_DEBUG_NO_COLOR=1

passed=0
failed=0
check() { # name, command...
  local name=$1
  shift
  if "$@"; then passed=$((passed + 1)); else echo "FAILED: $name"; failed=$((failed + 1)); fi
}
no_key_in() { ! grep -a -q -- "$key" "$@"; }

GST_DEBUG_FILE="$work/src.log" gst-launch-1.0 -m -v imagegensrc \
  prompt="a key that must stay secret" ! videoconvert ! fakesink >"$work/src.out" 2>&1
check "text-to-image job succeeded" grep -q 'event=(string)completed' "$work/src.out"
check "no key in text-to-image debug log and messages" no_key_in "$work/src.log" "$work/src.out"

GST_DEBUG_FILE="$work/remix.log" gst-launch-1.0 -m -v videotestsrc num-buffers=10 ! \
  imagegenremix mode=offline prompt="a key that must stay secret" ! fakesink >"$work/remix.out" 2>&1
check "remix job succeeded" grep -q 'event=(string)completed' "$work/remix.out"
check "no key in remix debug log and messages" no_key_in "$work/remix.log" "$work/remix.out"

# a refused key: the error names the problem, not the key
RUNAPI_API_KEY="${key}-wrong" GST_DEBUG_FILE="$work/bad.log" gst-launch-1.0 -m \
  imagegensrc prompt="a key that must stay secret" ! fakesink >"$work/bad.out" 2>&1 || true
check "wrong key gives the 401 sentence" grep -q 'invalid API key (HTTP 401)' "$work/bad.out"
check "no key in the error" no_key_in "$work/bad.log" "$work/bad.out"

GST_DEBUG= gst-inspect-1.0 imagegensrc >"$work/inspect.out" 2>&1
GST_DEBUG= gst-inspect-1.0 imagegenremix >>"$work/inspect.out" 2>&1
check "no key in gst-inspect" no_key_in "$work/inspect.out"
check "the emulator's log masks the key" no_key_in "$work/emulator.log"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
