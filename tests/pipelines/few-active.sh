#!/usr/bin/env bash
# An account that allows few active tasks (PIPELINES.md, "Accounts and
# networks"): the emulator answers 429 "Too many active tasks" while
# --max-active tasks are unfinished.  That is back-pressure, not a failure:
# every image is made, every frame leaves, no warning, and the account is
# charged exactly once per image.  First with short tasks (300 ms), then
# with tasks (1.5 s) longer than the client's retry budget for a 429.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

few_active_round() { # latency images picks
  local latency=$1 images=$2 picks=$3 res
  emu_start --max-active 1 --latency "$latency"
  echo "# emulator --max-active 1 --latency $latency"

  res=$(prun --count out "imagegensrc num-images=$images prompt=\"a red fox\" ! videoconvert ! fakesink name=out")
  echo "$res"
  check "[$latency ms] imagegensrc num-images=$images reaches EOS without an error" \
    jpy "$res" 'd["eos"] and not d["errors"]'
  check "[$latency ms] imagegensrc gives $images images" jpy "$res" "d['counts']['out'] == $images"
  check "[$latency ms] imagegensrc posts no warning" jpy "$res" 'not d["warnings"]'
  check "[$latency ms] imagegensrc: $images tasks completed, none failed, charged $images x 5 cents" \
    [ "$(emu_stat '(s["tasks_completed"], s["tasks_failed"], s["charged_cents"])')" = "($images, 0, $((images * 5)))" ]

  # 10 fps, one pick per second: $picks picks at 0, 1, ... s
  emu_reset
  local frames=$((picks * 10))
  res=$(prun --count out "videotestsrc num-buffers=$frames ! video/x-raw,width=320,height=240,framerate=10/1 \
    ! imagegenremix mode=offline interval=1000000000 prompt=watercolour ! videoconvert ! fakesink name=out")
  echo "$res" | cut -c1-2000
  check "[$latency ms] offline remix of $frames frames reaches EOS without an error" \
    jpy "$res" 'd["eos"] and not d["errors"]'
  check "[$latency ms] offline remix lets every frame out ($frames)" jpy "$res" "d['counts']['out'] == $frames"
  check "[$latency ms] offline remix posts no warning (no request given up on a 429)" \
    jpy "$res" 'not d["warnings"]'
  check "[$latency ms] offline remix: $picks remix tasks completed, none failed, charged $picks x 5 cents" \
    [ "$(emu_stat '(s["tasks_completed"], s["tasks_failed"], s["charged_cents"])')" = "($picks, 0, $((picks * 5)))" ]
  echo "429s answered: $(emu_stat 's["requests"]["create_text_to_image"] + s["requests"]["create_remix"] - s["tasks_created"]') (creates refused)"
  emu_stop
}

few_active_round 300 8 12
few_active_round 1500 4 6

finish
