#!/usr/bin/env bash
# A file with its soundtrack, stylised the way users write it (PIPELINES.md,
# "Files"): the demuxer feeds the video through imagegenremix (offline, the
# default for a file) and the audio through its own DEFAULT queue into the
# same muxer.  The run must end, the output must have every video frame and
# the audio, and the frames must show the remix: the emulator inverts
# colours, so a uniform (32,64,96) input comes back as about (223,191,159).
# Then the same with matroska and decodebin.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

emu_start --latency 300
cd "$work"

secs=4
frames=$((secs * 30))
colour=(pattern=solid-color foreground-color=0xff204060)   # R 0x20, G 0x40, B 0x60
inverse='(223, 191, 159)'
tol=24     # two H.264 generations, a JPEG upload and I420 <-> RGB

make_av in.mp4 "$secs" "${colour[@]}"
in_info=$(mediainfo in.mp4)
echo "in.mp4: $in_info" | cut -c1-300

# the checks of one stylised file
check_output() { # label file
  local label=$1 file=$2 info
  info=$(mediainfo "$file" --point 160,120)
  echo "$file: $(cut -c1-300 <<<"$info")"
  check "$label: the output plays to the end without an error" \
    jpy "$info" 'd["eos"] and not d["errors"]'
  check "$label: every video frame is in the output ($frames)" \
    jpy "$info" "d['video_frames'] == $frames"
  check "$label: the soundtrack is in the output (as many AAC frames as the input)" \
    jpy "$info" "d['audio_buffers'] == $(jpy_val "$in_info" 'd["audio_buffers"]') and d['audio_buffers'] > 0"
  check "$label: every output frame shows the remix (centre pixel ~ $inverse)" \
    jpy "$info" "d['points']['160,120'] and all(all(abs(a - b) <= $tol for a, b in zip(p, $inverse)) for p in d['points']['160,120'])"
}
jpy_val() { "$PY" -c 'import json, sys; d = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

# 1. exactly the users' line: qtdemux, default queues, mp4mux
if check_ok "qtdemux -> imagegenremix -> mp4mux with the audio on a default queue ends (exit 0)" \
  launch run-mp4.log filesrc location=in.mp4 ! qtdemux name=d \
    d.video_0 ! queue ! avdec_h264 ! videoconvert \
    ! imagegenremix prompt=watercolour interval=1000000000 \
    ! videoconvert ! x264enc tune=zerolatency ! queue ! mp4mux name=m ! filesink location=out.mp4 \
    d.audio_0 ! queue ! aacparse ! m.; then
  check_output mp4 out.mp4
  check "mp4: one remix request per second of video (4), all completed and charged" \
    [ "$(emu_stat '(s["tasks_completed"], s["tasks_failed"], s["charged_cents"])')" = "(4, 0, 20)" ]
else
  echo "(skipping the checks of out.mp4)"
fi

# 2. matroska in and out, decodebin picks the streams
emu_reset
make_av in.mkv "$secs" "${colour[@]}"
if check_ok "decodebin (matroska) -> imagegenremix -> matroskamux with re-encoded audio on a default queue ends (exit 0)" \
  launch run-mkv.log filesrc location=in.mkv ! decodebin name=d \
    d. ! video/x-raw ! queue ! videoconvert \
    ! imagegenremix prompt=watercolour interval=1000000000 \
    ! videoconvert ! x264enc tune=zerolatency ! queue ! matroskamux name=m ! filesink location=out.mkv \
    d. ! audio/x-raw ! queue ! audioconvert ! avenc_aac ! m.; then
  info=$(mediainfo out.mkv --point 160,120)
  echo "out.mkv: $(cut -c1-300 <<<"$info")"
  check "mkv: the output plays to the end without an error" jpy "$info" 'd["eos"] and not d["errors"]'
  check "mkv: every video frame is in the output ($frames)" jpy "$info" "d['video_frames'] == $frames"
  check "mkv: the output has audio" jpy "$info" "d['audio_buffers'] > 0"
  check "mkv: every output frame shows the remix (centre pixel ~ $inverse)" \
    jpy "$info" "d['points']['160,120'] and all(all(abs(a - b) <= $tol for a, b in zip(p, $inverse)) for p in d['points']['160,120'])"
else
  echo "(skipping the checks of out.mkv)"
fi

finish
