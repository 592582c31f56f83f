#!/usr/bin/env bash
# fal's own published JS client (@fal-ai/client, unmodified) accepts the
# emulator's answers (issue 25): subscribe, an edit of a Blob it uploads
# first, a FLUX 3 edit, queue submit/status/result, the status stream, cancel, a failure
# reported as COMPLETED, a storage upload, and a frame through the
# realtime WebSocket (ws's, as the global WebSocket), through a custom
# fetch that sends fal's hosts to the emulator (fal-js-client.mjs).  The
# client is installed with npm into FAL_JS_DIR (under the build dir) once;
# without it the test fails, it never skips.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${FAL_JS_DIR:?}"
FAL_JS_VERSION=1.10.1
installed() {
  [ "$(node -p "require('$FAL_JS_DIR/node_modules/@fal-ai/client/package.json').version" 2>/dev/null)" = "$FAL_JS_VERSION" ] \
    && [ -d "$FAL_JS_DIR/node_modules/ws" ] && [ -d "$FAL_JS_DIR/node_modules/@msgpack/msgpack" ]
}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "FAILED: node and npm are needed for fal's JS client (tools/install-deps.sh installs them)."
  exit 1
fi
if ! installed; then
  mkdir -p "$FAL_JS_DIR"
  # ws and @msgpack/msgpack: the realtime client's WebSocket and frames
  if ! npm install --prefix "$FAL_JS_DIR" --no-audit --no-fund --no-save \
      --fetch-retries=1 --fetch-retry-maxtimeout=5000 \
      "@fal-ai/client@$FAL_JS_VERSION" ws@8 @msgpack/msgpack@3 >"$work/npm.log" 2>&1 \
      || ! installed; then
    tail -5 "$work/npm.log"
    echo "FAILED: npm could not install @fal-ai/client@$FAL_JS_VERSION into $FAL_JS_DIR (offline?); the test needs it once."
    exit 1
  fi
fi

emu_start --latency 200
cat >"$work/fail.sh" <<EOS
#!/bin/sh
$PY -c 'import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/emulator/fail", data=sys.argv[2].encode()), timeout=10).read()' "$EMU_URL" "\$1"
EOS
chmod +x "$work/fail.sh"

out=$(EMU_URL="$EMU_URL" FAL_JS_MODULES="$FAL_JS_DIR/node_modules" EMU_FAIL="$work/fail.sh" \
  timeout "$HANG_GUARD" node "$(dirname "$0")/fal-js-client.mjs" 2>&1) || true
echo "$out"
for name in subscribe edit-with-blob flux3-edit queue stream-status cancel failure storage-upload realtime realtime-control; do
  check "fal's JS client: $name" grep -qx "ok $name" <<<"$out"
done
check "the emulator saw one cancel, two storage uploads, a status stream" \
  [ "$(emu_stat '(s["requests"]["fal_cancel"], s["requests"]["fal_storage_initiate"], s["requests"]["fal_storage_put"], s["requests"]["fal_status_stream"] > 0)')" = "(1, 2, 2, True)" ]
# the sockets' ends reach the emulator after the client has gone on: the
# one the client leaves open after Unauthorized (as fal's client does) ends
# when node exits, cut without a close frame (1006); fal's client closes
# without a code (1005); the emulator closes after INTERNAL_ERROR with 1000
for _ in $(seq 100); do
  [ "$(emu_stat 'sum(s.get("fal_rt_closes", {}).values())')" -ge 4 ] && break
  sleep 0.1
done
rt=$(emu_stat '(s["requests"]["fal_tokens"], s["requests"]["fal_rt_connects"], s["requests"]["fal_rt_frames"], s["requests"]["fal_rt_results"], sorted(s["fal_rt_closes"].items()))')
echo "realtime records: $rt"
check "realtime: a token and a socket each 4 times, 4 frames in, 2 results, the sockets' ends" \
  [ "$rt" = "(4, 4, 4, 2, [('1000', 1), ('1005', 2), ('1006', 1)])" ]
check "the key went to no result or upload URL (the assets origin)" \
  [ "$(emu_stat '(s["assets_requests"] > 0, s["assets_requests_with_authorization"])')" = "(True, 0)" ]
finish
