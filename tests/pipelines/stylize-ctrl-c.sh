#!/usr/bin/env bash
# imagegen-stylize interrupted (docs/stylize.md, "Ctrl-C"), on a 20 s A/V
# file with slow tasks (1.5 s), against the emulator's records:
#   - Ctrl-C once after 2 completed tasks: exit 130, OUT is not written, the
#     part done plays as int.partial.mp4 (video and audio); the results in
#     flight were awaited: every result downloaded is in the cache; no
#     create after the command ended;
#   - the same command again writes OUT with every frame, and its creates
#     plus the first run's are the number of picks (nothing paid twice);
#   - one SIGINT arriving twice (GNU timeout relays it to the command and
#     to its group; or right after the first was acknowledged) is one
#     interrupt, not a quit;
#   - Ctrl-C with an existing OUT (-y): OUT stays as it was;
#   - Ctrl-C twice (half a second apart), and SIGTERM: killed at once by the
#     signal (130, 143), and no request of any kind reaches the emulator
#     after it (half a second's grace for requests already on the wire).
# Every signal may find the process already ended: kill's failure is
# accepted and the outcome checked.
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
start_and_wait() { # OUT N [OPTION...]
  local out=$1 n=$2
  shift 2
  ${RUNNER:-} "$STYLIZE" in.mp4 "$out" --prompt watercolour --cache-dir "$cache" "$@" >"$out.log" 2>&1 &
  pid=$!
  track "$pid"
  local deadline=$((SECONDS + HANG_GUARD))
  while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null; do
    if [ "$(emu_stat 's["tasks_completed"]')" -ge "$n" ] && { [ "${FRAMES:-0}" = 0 ] \
        || grep -qE "frames [1-9]" "$out.log"; }; then
      return 0
    fi
    sleep 0.2
  done
  echo "HUNG or ended early: $(emu_stat 's["tasks_completed"]') tasks completed"
  return 1
}

signal() { # SIG: to the run, which may have ended already
  kill -"$1" "$pid" 2>/dev/null || echo "(the run had ended before SIG$1)"
}

wait_exit() { # rc: the command's exit code, within the hang guard
  local deadline=$((SECONDS + HANG_GUARD))
  rc=0
  while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null && echo "HUNG: killed after the hang guard"
  wait "$pid" || rc=$?
  untrack "$pid"
}

acknowledged() { # LOG: wait (hang guard) until the first Ctrl-C is taken
  local deadline=$((SECONDS + HANG_GUARD))
  until grep -q "^interrupted:" "$1" || [ "$SECONDS" -ge "$deadline" ] \
      || ! kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
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
entries() { ls "$1" 2>/dev/null | grep -c '\.imagegen-result$' || true; }

# --- Ctrl-C once ---
emu_reset
FRAMES=1
check "the run is going when 2 tasks are done and frames written" \
  start_and_wait int.mp4 2
FRAMES=0
signal INT
wait_exit
ended=$(now_us)
cat int.mp4.log | tr '\r' '\n' | tail -n 4
check "Ctrl-C: exit 130 ($rc)" test "$rc" = 130
check "Ctrl-C: OUT is not written (the resumed run writes it)" test ! -e int.mp4
check "Ctrl-C: says where the part done is" grep -q "is in int.partial.mp4" int.mp4.log
info=$(mediainfo int.partial.mp4)
echo "interrupted file: $(echo "$info" | cut -c1-200)"
check "Ctrl-C: the part done plays without error" jpy "$info" "d['eos'] and not d['errors']"
check "Ctrl-C: the part done has video frames" jpy "$info" "d['video_frames'] > 0"
check "Ctrl-C: the part done has the audio, cut near the video's end" \
  jpy "$info" "d['audio_buffers'] > 0 and d['audio_buffers'] < 20 * 44100 / 1024 * 0.8"
check "Ctrl-C: no temporary file left" test -z "$(ls -A | grep unfinished || true)"
check "Ctrl-C: nothing sent after the command ended" test "$(requests_after "$ended")" = 0
cached=$(entries "$cache")
c_first=$(creates)
downloaded=$(emu_stat 's["requests"]["download"]')
echo "first run: $c_first creates, $downloaded results downloaded, $cached cached, of $picks picks"
check "Ctrl-C: every result downloaded (paid, in flight at Ctrl-C too) is in the cache" \
  test "$cached" = "$downloaded"
check "Ctrl-C: the tasks in flight were awaited: every one created was downloaded" \
  test "$downloaded" = "$c_first"

# --- resume: the same command ---
rc=0
timeout -k 5 "$HANG_GUARD" "$STYLIZE" in.mp4 int.mp4 --prompt watercolour \
  --cache-dir "$cache" >resume.log 2>&1 || rc=$?
tail -n 1 resume.log
check "resume exits 0 ($rc)" test "$rc" = 0
check "resume + first run creates = the picks ($(creates) = $picks): nothing paid twice" \
  test "$(creates)" = "$picks"
info=$(mediainfo int.mp4)
check "resume writes OUT with every frame" jpy "$info" "d['video_frames'] == 600 and d['audio_buffers'] > 0"

# --- one Ctrl-C, its SIGINT arriving twice ---
# GNU timeout relays a SIGINT to the command and to its process group; and
# a second SIGINT right after the first was acknowledged (as the relayed
# one lands when the first is taken at once)
for how in timeout acked; do
  emu_reset
  FRAMES=1
  RUNNER=
  [ "$how" = timeout ] && RUNNER="timeout -s INT $((HANG_GUARD * 2))"
  check "relayed by $how: the run is going when 1 task is done and frames written" \
    start_and_wait "$how.mp4" 1 --no-cache
  FRAMES=0
  RUNNER=
  signal INT
  if [ "$how" = acked ]; then
    acknowledged "$how.mp4.log"
    signal INT
  fi
  wait_exit
  tr '\r' '\n' <"$how.mp4.log" | tail -n 2
  check "relayed by $how: exit 130 ($rc)" test "$rc" = 130
  check "relayed by $how: finished as for one Ctrl-C" grep -q "is in $how.partial.mp4" "$how.mp4.log"
  check "relayed by $how: the part done plays" \
    jpy "$(mediainfo "$how.partial.mp4")" "d['eos'] and not d['errors'] and d['video_frames'] > 0"
done

# --- Ctrl-C over an existing OUT (-y): OUT stays as it was ---
cp int.mp4 kept.mp4
cp int.mp4 before.mp4
emu_reset
FRAMES=1
check "existing OUT: the run is going when 1 task is done and frames written" \
  start_and_wait kept.mp4 1 --no-cache -y --prompt "ink sketch"
FRAMES=0
signal INT
wait_exit
check "existing OUT: exit 130 ($rc)" test "$rc" = 130
check "existing OUT: OUT is as it was" cmp -s kept.mp4 before.mp4
check "existing OUT: the part done is beside it" test -s kept.partial.mp4

# --- Ctrl-C twice, and SIGTERM: at once ---
for how in twice term; do
  rm -rf "$cache"
  emu_reset
  check "$how: the run is going when 1 task is done" start_and_wait "$how.mp4" 1
  if [ "$how" = twice ]; then
    # tasks from now on never end: the first Ctrl-C waits for them, so only
    # the second ends the run
    emu_fail 'task:held:*'
    held=$(emu_stat 's["tasks_created"]')
    deadline=$((SECONDS + HANG_GUARD))
    until [ "$(emu_stat 's["tasks_created"]')" -gt "$held" ] || [ "$SECONDS" -ge "$deadline" ]; do
      sleep 0.1
    done
    signal INT
    acknowledged "$how.mp4.log"
    # a second Ctrl-C counts half a second after the first was acknowledged
    sleep 0.6
    signal INT
  else
    signal TERM
  fi
  signalled=$(now_us)
  wait_exit
  want=143
  [ "$how" = twice ] && want=130
  check "$how: killed by the signal ($rc)" test "$rc" = "$want"
  check "$how: at once, not after finishing the part done" \
    eval '! grep -q "^imagegen-stylize: interrupted" "$how.mp4.log"'
  # the jobs in flight die with the process: no poll, download or create
  # arrives later (a slow task takes 1.5 s, so some would if it went on)
  sleep 2
  check "$how: no request reaches the emulator after the signal" \
    test "$(requests_after $((signalled + 500000)))" = 0
done

finish
