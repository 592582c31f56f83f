#!/usr/bin/env bash
# Ctrl-C (PIPELINES.md, "Files"): the A/V stylise pipeline of av-file.sh on
# a 20 s file with slow tasks (1.5 s), interrupted by SIGINT once the
# emulator has completed 2 tasks.
#   ctrl-c.sh -e   gst-launch-1.0 -e: exits, the output file plays (no
#                  error) and has frames
#   ctrl-c.sh      without -e: exits (any exit code)
# Both: the rest of the file is not sent: at most max-in-flight (4) creates
# after the signal (the frames already inside the pipeline), and the
# emulator's request log has no create after gst-launch-1.0 ended.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

eos=()
label="without -e"
if [ "${1:-}" = "-e" ]; then
  eos=(-e)
  label="with -e"
fi
max_in_flight=4
secs=20

emu_start --latency 1500 --log "$work/emulator.log"
cd "$work"
make_av in.mp4 "$secs" pattern=solid-color foreground-color=0xff204060

creates() { emu_stat 's["requests"]["create_remix"]'; }
now_us() { date +%s%6N; }

gst-launch-1.0 "${eos[@]}" filesrc location=in.mp4 ! qtdemux name=d \
  d.video_0 ! queue ! avdec_h264 ! videoconvert \
  ! imagegenremix prompt=watercolour interval=1000000000 max-in-flight=$max_in_flight \
  ! videoconvert ! x264enc tune=zerolatency ! queue ! mp4mux name=m ! filesink location=out.mp4 \
  d.audio_0 ! queue ! aacparse ! m. >run.log 2>&1 &
gst=$!
track "$gst"

# wait (hang guard) until 2 tasks are done, polling the emulator
reached=0
deadline=$((SECONDS + HANG_GUARD))
while [ "$SECONDS" -lt "$deadline" ]; do
  kill -0 "$gst" 2>/dev/null || break
  if [ "$(emu_stat 's["tasks_completed"]')" -ge 2 ]; then reached=1; break; fi
  sleep 0.2
done
kill -0 "$gst" 2>/dev/null && running=1 || running=0
check "the run is still going when 2 tasks are done (else nothing to interrupt)" \
  [ "$reached$running" = 11 ]
if [ "$reached" = 0 ]; then
  echo "HUNG: after ${HANG_GUARD} s the emulator has completed $(emu_stat 's["tasks_completed"]') task(s) of this run; interrupting anyway"
fi

at_signal=$(creates)
kill -INT "$gst" 2>/dev/null || true
echo "SIGINT ($label) with $at_signal create requests made, $(emu_stat 's["tasks_completed"]') tasks completed"

# quick exit: within a generous hang guard
exited=0
deadline=$((SECONDS + HANG_GUARD / 2))
while [ "$SECONDS" -lt "$deadline" ]; do
  kill -0 "$gst" 2>/dev/null || { exited=1; break; }
  sleep 0.2
done
rc=0
if [ "$exited" = 1 ]; then
  wait "$gst" || rc=$?
else
  echo "HUNG: gst-launch-1.0 still runs $((HANG_GUARD / 2)) s after SIGINT; its last lines:"
  tail -n 5 run.log | cut -c1-300
  kill -KILL "$gst" 2>/dev/null || true
  wait "$gst" 2>/dev/null || rc=$?
fi
untrack "$gst"
ended_us=$(now_us)
echo "gst-launch-1.0 exit code $rc"
check "gst-launch-1.0 $label exits after SIGINT" [ "$exited" = 1 ]

final=$(creates)
echo "create requests: $at_signal at the signal, $final in all"
check "at most max-in-flight ($max_in_flight) create requests after the signal" \
  [ "$final" -le $((at_signal + max_in_flight)) ]
check "not the whole file requested ($secs picks)" [ "$final" -lt "$secs" ]
late=$("$PY" -c 'import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("method") == "POST" and e.get("path", "").startswith("/api/v1/flux_2/") and e["t_us"] > int(sys.argv[2]):
        n += 1
print(n)' emulator.log "$ended_us")
check "the emulator's log has no create request after gst-launch-1.0 ended" [ "$late" -eq 0 ]

if [ "${#eos[@]}" -gt 0 ]; then
  check "gst-launch-1.0 -e exits 0" [ "$rc" -eq 0 ]
  info=$(mediainfo out.mp4 --point 160,120)
  echo "out.mp4: $(cut -c1-300 <<<"$info")"
  check "out.mp4 plays to the end without an error" jpy "$info" 'd["eos"] and not d["errors"]'
  check "out.mp4 has video frames" jpy "$info" 'd["video_frames"] > 0'
  check "out.mp4 has audio" jpy "$info" 'd["audio_buffers"] > 0'
  check "out.mp4's frames show the remix (centre pixel ~ (223, 191, 159))" \
    jpy "$info" 'd["points"]["160,120"] and all(all(abs(a - b) <= 24 for a, b in zip(p, (223, 191, 159))) for p in d["points"]["160,120"])'
fi

finish
