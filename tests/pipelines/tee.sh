#!/usr/bin/env bash
# The original and the result side by side (PIPELINES.md, "Files"): a tee
# before imagegenremix (offline), a default queue on each branch.  Both
# branches get every frame and the run ends; then both into a compositor,
# whose output shows the original on the left and the remix (inverted
# colours, from the emulator) on the right.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

emu_start --latency 300
cd "$work"

# 1. two fakesinks, buffers counted by their handoff signals
res=$(prun --count a --count b "videotestsrc num-buffers=60 ! video/x-raw,width=320,height=240,framerate=30/1 \
  ! tee name=t ! queue ! fakesink name=a \
  t. ! queue ! imagegenremix mode=offline interval=500000000 prompt=watercolour \
  ! videoconvert ! fakesink name=b")
echo "$res"
check "tee -> (queue ! fakesink) + (queue ! imagegenremix ! fakesink) reaches EOS without an error" \
  jpy "$res" 'd["eos"] and not d["errors"]'
check "the original branch got all 60 frames" jpy "$res" 'd["counts"]["a"] == 60'
check "the remix branch got all 60 frames" jpy "$res" 'd["counts"]["b"] == 60'
check "no warning on the bus" jpy "$res" 'not d["warnings"]'
check "one remix request per 0.5 s of video (4), all completed" \
  [ "$(emu_stat '(s["tasks_completed"], s["tasks_failed"])')" = "(4, 0)" ]

# 2. side by side in a compositor, encoded to a file a user would open
emu_reset
if check_ok "tee -> compositor (original left, remix right) -> mp4 ends (exit 0)" \
  launch side.log compositor name=c sink_1::xpos=320 ! video/x-raw,width=640,height=240 \
    ! videoconvert ! x264enc ! mp4mux ! filesink location=side.mp4 \
    videotestsrc num-buffers=60 pattern=solid-color foreground-color=0xff204060 \
    ! video/x-raw,width=320,height=240,framerate=30/1 ! tee name=t \
    ! queue ! c. \
    t. ! queue ! imagegenremix mode=offline interval=500000000 prompt=watercolour ! videoconvert ! c.; then
  info=$(mediainfo side.mp4 --point 160,120 --point 480,120)
  echo "side.mp4: $(cut -c1-300 <<<"$info")"
  check "side.mp4 plays to the end without an error" jpy "$info" 'd["eos"] and not d["errors"]'
  check "side.mp4 has all 60 frames at 640x240" \
    jpy "$info" 'd["video_frames"] == 60 and d["sizes"] == [[640, 240]]'
  check "left half is the original (~ (32, 64, 96)) in every frame" \
    jpy "$info" 'd["points"]["160,120"] and all(all(abs(a - b) <= 24 for a, b in zip(p, (32, 64, 96))) for p in d["points"]["160,120"])'
  check "right half is the remix (~ (223, 191, 159)) in every frame" \
    jpy "$info" 'd["points"]["480,120"] and all(all(abs(a - b) <= 24 for a, b in zip(p, (223, 191, 159))) for p in d["points"]["480,120"])'
else
  echo "(skipping the checks of side.mp4)"
fi

finish
