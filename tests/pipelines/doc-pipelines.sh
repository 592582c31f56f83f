#!/usr/bin/env bash
# Runs every gst-launch-1.0 line of docs/imagegensrc.md,
# docs/imagegenremix.md, docs/live-graphics.md, docs/providers.md and
# docs/motion.md against a fresh emulator, so what the docs promise is
# what the suite proves.  A display sink becomes fakesink, a live test
# source gets num-buffers, and in.mp4 is generated first.
set -euo pipefail
: "${IMAGEGEN_EMULATOR:?}" "${DOCS_DIR:?}"

. "$(dirname "$0")/lib.sh"
export RUNAPI_API_KEY=doc-test
emu_start --latency 300
# the Black Forest Labs recipes reach the same emulator
export BFL_API_KEY=doc-test BFL_BASE_URL="$EMU_URL"
# and fal's (docs/providers.md)
export FAL_KEY=doc-test FAL_BASE_URL="$EMU_URL"
cd "$work"

# 3 s of 320x240 H.264 with an AAC soundtrack, the input of the
# stylise-a-file recipes
make_av in.mp4 3

# the rundown of docs/live-graphics.md
printf '1\n00:00:01,000 --> 00:00:02,000\n<i>Opening:</i> a lighthouse at dawn\n\n2\n00:00:02,000 --> 00:00:03,000\nweather & sea\n\n' >rundown.srt

failed=0
n=0
while IFS= read -r line; do
  n=$((n + 1))
  line=${line//autovideosink/fakesink}
  line=${line//autoaudiosink/fakesink}
  line=${line//videotestsrc is-live=true/videotestsrc is-live=true num-buffers=90}
  line=${line//audiotestsrc is-live=true/audiotestsrc is-live=true num-buffers=130}
  line=${line//imagegentextsrc /imagegentextsrc num-buffers=90 }
  line=${line//imagegensrc is-live=true/imagegensrc is-live=true num-buffers=90}
  echo "# $line"
  if ! eval "timeout 120 $line" >"$work/run.log" 2>&1; then
    cat "$work/run.log"
    echo "FAILED: $line"
    failed=$((failed + 1))
    continue
  fi
  for out in $(grep -o 'location=[^ ]*' <<<"$line" | sed 's/location=//'); do
    case "$out" in in.mp4 | rundown.srt) continue ;; esac
    out=${out//%d/0}
    if [ ! -s "$out" ]; then
      echo "FAILED: $line left no $out"
      failed=$((failed + 1))
    fi
  done
done < <(grep -h '^gst-launch-1.0 ' "$DOCS_DIR/imagegensrc.md" "$DOCS_DIR/imagegenremix.md" \
  "$DOCS_DIR/live-graphics.md" "$DOCS_DIR/providers.md" "$DOCS_DIR/motion.md")

# the stylised file has every frame: decode it and count
frames=$(mediainfo out.mp4 | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["video_frames"])')
echo "out.mp4: $frames frames"
[ "$frames" -eq 90 ] || { echo "FAILED: out.mp4 has $frames frames, not 90"; failed=$((failed + 1)); }

echo "$((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
