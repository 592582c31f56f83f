#!/usr/bin/env bash
# imagegen-stylize: paid work is never thrown away (docs/stylize.md, "The
# cache"; issue 21, item 4).  A run is interrupted (Ctrl-C) while slow
# tasks (3 s) are in flight, then the same command resumes it.  Whether the
# first run waited for the tasks in flight or left them behind, each pick
# is created exactly once over both runs: the resumed run polls the tasks
# the first one left (noted in the cache as they were created) instead of
# paying for them again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${STYLIZE:?}"

emu_start --latency 3000
cd "$work"
NO_AUDIO=1 make_av in.mp4 10 pattern=ball
picks=10   # one a second, every frame different
cache=$work/cache
creates() { emu_stat 's["requests"]["create_remix"]'; }
in_flight() { emu_stat 's["tasks_created"] - s["tasks_completed"] - s["tasks_failed"]'; }

"$STYLIZE" in.mp4 first.mp4 --prompt watercolour --cache-dir "$cache" >first.log 2>&1 &
pid=$!
track "$pid"
# (hang guard) until tasks are in flight, and at least two were created
deadline=$((SECONDS + HANG_GUARD))
while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null; do
  [ "$(creates)" -ge 2 ] && [ "$(in_flight)" -ge 1 ] && break
  sleep 0.1
done
echo "at Ctrl-C: $(creates) creates, $(in_flight) tasks in flight"
# it may have ended meanwhile: the checks below hold either way
kill -INT "$pid" 2>/dev/null || true
rc=0
deadline=$((SECONDS + HANG_GUARD))
while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
kill -KILL "$pid" 2>/dev/null && echo "HUNG: killed after the hang guard"
wait "$pid" || rc=$?
untrack "$pid"
check "Ctrl-C: exit 130, or 0 had it ended before the signal ($rc)" \
  test "$rc" = 130 -o "$rc" = 0
first=$(creates)
pending=$(ls "$cache" | grep -c '\.imagegen-pending$' || true)
echo "first run: $first creates; tasks left pending in the cache: $pending"

rc=0
timeout -k 5 "$HANG_GUARD" "$STYLIZE" in.mp4 resumed.mp4 --prompt watercolour \
  --cache-dir "$cache" >resume.log 2>&1 || rc=$?
tail -n 1 resume.log | tr '\r' '\n' | tail -n 1
check "resume exits 0 ($rc)" test "$rc" = 0
total=$(creates)
echo "resumed run: $((total - first)) creates"
check "each pick created once over both runs ($total creates, $picks picks)" \
  test "$total" = "$picks"
check "the service made one task per pick" \
  test "$(emu_stat 's["tasks_created"]')" = "$picks"
check "every result is in the cache, no task left pending" \
  test "$(ls "$cache" | grep -c '\.imagegen-result$' || true)" = "$picks" -a \
  "$(ls "$cache" | grep -c '\.imagegen-pending$' || true)" = 0
info=$(mediainfo resumed.mp4)
check "resume writes every frame" jpy "$info" "d['video_frames'] == 300"

finish
