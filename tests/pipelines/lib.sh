# Shared helpers of the pipeline tests (bash; source it after `set -euo pipefail`).
#
#   emu_start [OPTION...]   start imagegen-emulator on a free port (--port 0),
#                           export RUNAPI_BASE_URL / RUNAPI_API_KEY; EMU_URL, EMU_PID
#   emu_stat EXPR           print a Python expression over the stats JSON `s`
#   emu_reset               POST /emulator/reset
#   emu_fail SPEC           POST /emulator/fail (a fault from now on, docs/emulator.md)
#   launch LOG ARG...       gst-launch-1.0 ARG... under the hang guard, output in LOG;
#                           returns its exit code (124: hung, and says so)
#   make_av FILE SECONDS [videotestsrc options...]
#                           320x240 30 fps H.264 (+ AAC unless NO_AUDIO=1) in
#                           .mp4 (mp4mux) or .mkv (matroskamux); WIDTH/HEIGHT/FPS override
#   mediainfo FILE [--point X,Y]...   decode FILE, print JSON (see pipetest.py)
#   jpy JSON EXPR           true when the Python expression over `d` (the JSON) holds
#   prun [--count NAME]... DESCRIPTION
#                           run a gst-launch-1.0 style line in PyGObject to EOS, print JSON
#                           (eos, errors, warnings, hung, counts: buffers per fakesink NAME)
#   track PID               kill PID (a background process of the test) when the test ends
#   check NAME CMD...       one named check; finish prints the summary, sets the status
#   check_ok NAME CMD...    the same, returning the result (for `if check_ok ...`)
#
# HANG_GUARD (seconds, default 120) is only a hang guard, never the thing tested.
: "${IMAGEGEN_EMULATOR:?}"
HANG_GUARD=${HANG_GUARD:-120}
PY=/usr/bin/python3
PIPETEST="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pipetest.py"
export HANG_GUARD

work=$(mktemp -d)
_lib_pids=()
_lib_cleanup() {
  local p
  for p in "${_lib_pids[@]+"${_lib_pids[@]}"}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap _lib_cleanup EXIT

emu_start() {
  local out="$work/emulator.$((${#_lib_pids[@]} + 1)).out"
  "$IMAGEGEN_EMULATOR" --port 0 "$@" >"$out" 2>&1 &
  EMU_PID=$!
  _lib_pids+=("$EMU_PID")
  for _ in $(seq 100); do
    grep -q '^imagegen-emulator listening on ' "$out" && break
    sleep 0.1
  done
  EMU_URL=$(sed -n 's/^imagegen-emulator listening on //p' "$out")
  [ -n "$EMU_URL" ] || { cat "$out"; echo "the emulator did not start"; exit 1; }
  # results and files come from a second origin unless --same-origin
  for _ in $(seq 100); do
    case " $* " in *" --same-origin "*) break ;; esac
    grep -q '^imagegen-emulator assets on ' "$out" && break
    sleep 0.1
  done
  EMU_ASSETS_URL=$(sed -n 's/^imagegen-emulator assets on //p' "$out")
  EMU_ASSETS_URL=${EMU_ASSETS_URL:-$EMU_URL}
  export RUNAPI_BASE_URL="$EMU_URL" RUNAPI_API_KEY="${RUNAPI_API_KEY:-pipeline-test}"
}

# track PID: killed (by its id) when the test ends
track() { _lib_pids+=("$1"); }

untrack() { # PID: it has ended (never kill a reused id)
  local p keep=()
  for p in "${_lib_pids[@]+"${_lib_pids[@]}"}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  _lib_pids=("${keep[@]+"${keep[@]}"}")
}

emu_stop() {
  kill "$EMU_PID" 2>/dev/null || true
  wait "$EMU_PID" 2>/dev/null || true
  untrack "$EMU_PID"
}

emu_stat() {
  "$PY" -c 'import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/emulator/stats", timeout=10))
print(eval(sys.argv[2]))' "$EMU_URL" "$1"
}

emu_reset() {
  "$PY" -c 'import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/emulator/reset", data=b"", method="POST"), timeout=10).read()' "$EMU_URL"
}

emu_fail() {
  "$PY" -c 'import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/emulator/fail", data=sys.argv[2].encode()), timeout=10).read()' "$EMU_URL" "$1"
}

launch() {
  local log=$1 rc=0
  shift
  timeout -k 5 "$HANG_GUARD" gst-launch-1.0 "$@" >"$log" 2>&1 || rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "HUNG: gst-launch-1.0 had not ended after ${HANG_GUARD} s (hang guard); its last lines:"
    tail -n 5 "$log" | cut -c1-300
  elif [ "$rc" -ne 0 ]; then
    echo "gst-launch-1.0 exited $rc; its last lines:"
    tail -n 8 "$log" | cut -c1-300
  fi
  return "$rc"
}

make_av() {
  local file=$1 secs=$2
  shift 2
  local w=${WIDTH:-320} h=${HEIGHT:-240} fps=${FPS:-30} mux=mp4mux
  case "$file" in *.mkv) mux=matroskamux ;; esac
  local frames=$((secs * fps)) abufs=$(((secs * 44100 + 1023) / 1024))
  local audio=(audiotestsrc num-buffers="$abufs" samplesperbuffer=1024 ! audio/x-raw,rate=44100,channels=2
    ! avenc_aac ! queue ! m.)
  [ "${NO_AUDIO:-0}" = 1 ] && audio=()
  gst-launch-1.0 -q -e videotestsrc num-buffers="$frames" "$@" \
    ! video/x-raw,width="$w",height="$h",framerate="$fps"/1 ! x264enc ! queue \
    ! $mux name=m ! filesink location="$file" "${audio[@]}"
}

mediainfo() {
  "$PY" "$PIPETEST" mediainfo "$@"
}

jpy() {
  "$PY" -c 'import json, sys
d = json.loads(sys.argv[1])
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}

prun() {
  "$PY" "$PIPETEST" run "$@"
}

passed=0
failed=0
check_ok() {
  local name=$1
  shift
  if "$@"; then
    echo "ok: $name"
    passed=$((passed + 1))
  else
    echo "FAILED: $name"
    failed=$((failed + 1))
    return 1
  fi
}
check() { check_ok "$@" || true; }

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
