#!/usr/bin/env bash
# Runs tools/imagegen-live-control.py unattended for a few seconds against a
# fresh emulator: frames flow, prompts change, tasks complete.
set -euo pipefail
: "${IMAGEGEN_EMULATOR:?}" "${CONTROL_SCRIPT:?}"

out=$(mktemp)
"$IMAGEGEN_EMULATOR" --port 0 --latency 300-800 >"$out" 2>&1 &
emu=$!
trap 'kill $emu 2>/dev/null; wait $emu 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do
  grep -q '^imagegen-emulator listening on ' "$out" && break
  sleep 0.1
done
export RUNAPI_BASE_URL=$(sed -n 's/^imagegen-emulator listening on //p' "$out")
export RUNAPI_API_KEY=example-test

log=$(/usr/bin/python3 "$CONTROL_SCRIPT" --sink fakesink --width 320 --height 180 \
  --change-every 2 --duration 7 </dev/null)
echo "$log"
completed=$(grep -c '^task: completed' <<<"$log" || true)
frames=$(sed -n 's/^frames: \([0-9]*\) .*/\1/p' <<<"$log")
failed=0
[ "$completed" -ge 2 ] || { echo "expected at least 2 completed tasks, got $completed"; failed=1; }
[ "${frames:-0}" -ge 150 ] || { echo "expected about 210 frames, got ${frames:-0}"; failed=1; }
echo "$((1 - failed)) passed, $failed failed"
exit $failed
