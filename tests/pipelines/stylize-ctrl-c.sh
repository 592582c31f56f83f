#!/usr/bin/env bash
# imagegen-stylize interrupted (docs/stylize.md, "Ctrl-C"), on a 20 s A/V
# file with slow tasks (1.5 s), against the emulator's records:
#   - Ctrl-C once after 2 completed tasks: exit 130, OUT plays (video and
#     audio), no create request after the command ended;
#   - the same command again: requests only the picks the cache misses,
#     and writes every frame;
#   - Ctrl-C twice, and SIGTERM: killed at once by the signal (130, 143),
#     and no request of any kind reaches the emulator after it (half a
#     second's grace for requests already on the wire; a process that went
#     on would poll its 1.5 s tasks and download their results).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${STYLIZE:?}"

emu_start --latency 1500 --log "$work/emulator.log"
cd "$work"
make_av in.mp4 20 pattern=ball
creates() { emu_stat 's["requests"]["create_remix"]'; }
now_us() { date +%s%6N; }
cache=$work/cache
picks=20   # one a second

# started in the background; waits (hang guard) until N tasks completed
# and, with FRAMES=1, until its progress line shows frames written
start_and_wait() { # OUT N
  "$STYLIZE" in.mp4 "$1" --prompt watercolour --cache-dir "$cache" >"$1.log" 2>&1 &
  pid=$!
  track "$pid"
  local deadline=$((SECONDS + HANG_GUARD))
  while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null; do
    if [ "$(emu_stat 's["tasks_completed"]')" -ge "$2" ] && { [ "${FRAMES:-0}" = 0 ] \
        || grep -qE "frames [1-9]" "$1.log"; }; then
      return 0
    fi
    sleep 0.2
  done
  echo "HUNG or ended early: $(emu_stat 's["tasks_completed"]') tasks completed"
  return 1
}

wait_exit() { # rc: the command's exit code, within the hang guard
  local deadline=$((SECONDS + HANG_GUARD))
  rc=0
  while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null && echo "HUNG: killed after the hang guard"
  wait "$pid" || rc=$?
  untrack "$pid"
}

# log lines (requests of any kind) the emulator answered after $1 (µs)
requests_after() {
  "$PY" -c 'import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if "method" in e and e["t_us"] > int(sys.argv[2]):
        n += 1
print(n)' "$work/emulator.log" "$1"
}

# --- Ctrl-C once ---
emu_reset
FRAMES=1
check "the run is going when 2 tasks are done and frames written" \
  start_and_wait int.mp4 2
FRAMES=0
kill -INT "$pid"
wait_exit
ended=$(now_us)
cat int.mp4.log | tr '\r' '\n' | tail -n 3
check "Ctrl-C: exit 130 ($rc)" test "$rc" = 130
info=$(mediainfo int.mp4)
echo "interrupted file: $(jpy "$info" True && echo "$info" | cut -c1-200)"
check "Ctrl-C: OUT plays without error" jpy "$info" "d['eos'] and not d['errors']"
check "Ctrl-C: OUT has video frames" jpy "$info" "d['video_frames'] > 0"
check "Ctrl-C: OUT has the audio, cut near the video's end" \
  jpy "$info" "d['audio_buffers'] > 0 and d['audio_buffers'] < 20 * 44100 / 1024 * 0.8"
check "Ctrl-C: nothing sent after the command ended" test "$(requests_after "$ended")" = 0
cached=$(ls "$cache" | grep -c '\.imagegen-result$' || true)
echo "results cached by the interrupted run: $cached of $picks"
# (of the 2 tasks completed, one may still have been downloading)
check "Ctrl-C: the finished results are cached" test "$cached" -ge 1

# --- resume ---
# tasks created but not finished are polled again, not paid again
# (stylize-resume-paid.sh)
pending=$(ls "$cache" | grep -c '\.imagegen-pending$' || true)
c0=$(creates)
rc=0
timeout -k 5 "$HANG_GUARD" "$STYLIZE" in.mp4 resumed.mp4 --prompt watercolour \
  --cache-dir "$cache" >resume.log 2>&1 || rc=$?
tail -n 1 resume.log
check "resume exits 0 ($rc)" test "$rc" = 0
check "resume requests only the missing picks ($((picks - cached - pending)))" \
  test $(($(creates) - c0)) = $((picks - cached - pending))
info=$(mediainfo resumed.mp4)
check "resume writes every frame" jpy "$info" "d['video_frames'] == 600 and d['audio_buffers'] > 0"

# --- Ctrl-C twice, and SIGTERM: at once ---
for how in twice term; do
  rm -rf "$cache"
  emu_reset
  check "$how: the run is going when 1 task is done" start_and_wait "$how.mp4" 1
  if [ "$how" = twice ]; then
    kill -INT "$pid"
    # the second once the first is taken (the file is being finished)
    deadline=$((SECONDS + HANG_GUARD))
    until grep -q "interrupted:" "$how.mp4.log" || [ "$SECONDS" -ge "$deadline" ]; do sleep 0.05; done
    kill -INT "$pid"
  else
    kill -TERM "$pid"
  fi
  signalled=$(now_us)
  wait_exit
  want=143
  [ "$how" = twice ] && want=130
  check "$how: killed by the signal ($rc)" test "$rc" = "$want"
  # the jobs in flight die with the process: no poll, download or create
  # arrives later (a slow task takes 1.5 s, so some would if it went on)
  sleep 2
  check "$how: no request reaches the emulator after the signal" \
    test "$(requests_after $((signalled + 500000)))" = 0
done

finish
