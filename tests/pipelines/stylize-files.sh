#!/usr/bin/env bash
# imagegen-stylize's output files (docs/stylize.md, "Files that play
# everywhere"), against the emulator, on small files the test makes:
#   - Opus audio into .mp4 comes out AAC; into .mkv and .webm it is copied
#   - .webm (VP9 + Opus) and .mkv play back with the input's duration
#     (within one frame) and their audio
#   - H.264 from a 4:4:4 input comes out 4:2:0 (profile high, not
#     high-4:4:4)
#   - a portrait clip with a rotation tag comes out upright, with no tag
#     left to turn it twice
#   - a file without audio; a subtitle track the muxer cannot take is named
#   - --video-bitrate and --quality reach the encoder (a smaller file)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${STYLIZE:?}"

emu_start
cd "$work"
stylize() { timeout -k 5 "$HANG_GUARD" "$STYLIZE" "$@"; }
streams() { "$PY" "$PIPETEST" streams "$1"; }
# the caps of FILE's first stream of KIND
caps_of() { jq_py "$(streams "$1")" "[s['caps'] for s in d['streams'] if s['kind'] == '$2'][0]"; }
jq_py() { "$PY" -c 'import json, sys
d = json.loads(sys.argv[1])
print(eval(sys.argv[2]))' "$1" "$2"; }
cache=$work/cache

# 2 s, 30 fps, Opus audio, in Matroska
gst-launch-1.0 -q -e videotestsrc num-buffers=60 pattern=ball \
  ! video/x-raw,width=320,height=240,framerate=30/1 ! x264enc ! queue \
  ! matroskamux name=m ! filesink location=opus.mkv \
  audiotestsrc num-buffers=100 ! audio/x-raw,rate=48000,channels=2 ! opusenc ! queue ! m.
in_dur=$(jq_py "$(streams opus.mkv)" "d['duration_s']")

for ext in mp4 mkv webm; do
  rc=0
  stylize opus.mkv "o.$ext" --prompt watercolour --cache-dir "$cache" >"$ext.out" 2>&1 || rc=$?
  check ".$ext written (exit $rc)" test "$rc" = 0
done
check "Opus into .mp4 comes out AAC" grep -q "^audio/mpeg, mpegversion=(int)4" <<<"$(caps_of o.mp4 audio)"
check ".mp4: H.264 video" grep -q "^video/x-h264" <<<"$(caps_of o.mp4 video)"
check "Opus into .mkv is copied" grep -q "^audio/x-opus" <<<"$(caps_of o.mkv audio)"
check ".webm: VP9 video" grep -q "^video/x-vp9" <<<"$(caps_of o.webm video)"
check ".webm: Opus audio copied" grep -q "^audio/x-opus" <<<"$(caps_of o.webm audio)"
for ext in mkv webm; do
  out_dur=$(jq_py "$(streams "o.$ext")" "d['duration_s']")
  check ".$ext lasts as long as the input ($out_dur s, input $in_dur s, within a frame)" \
    "$PY" -c "import sys; sys.exit(0 if abs($out_dur - $in_dur) <= 1 / 30 + 1e-6 else 1)"
  info=$(mediainfo "o.$ext")
  check ".$ext plays back: every frame, its audio" \
    jpy "$info" "d['eos'] and not d['errors'] and d['video_frames'] == 60 and d['audio_buffers'] > 0"
done

# 4:4:4 H.264 in, 4:2:0 out (the profile every player takes)
gst-launch-1.0 -q -e videotestsrc num-buffers=15 pattern=smpte \
  ! video/x-raw,format=Y444,width=320,height=240,framerate=30/1 ! x264enc ! mp4mux ! filesink location=444.mp4
check "the input is 4:4:4" grep -q "profile=(string)high-4:4:4" <<<"$(caps_of 444.mp4 video)"
stylize 444.mp4 o444.mp4 --prompt watercolour --cache-dir "$cache" >444.out 2>&1 || true
check "H.264 out of a 4:4:4 input is 4:2:0 (profile high)" \
  grep -q "profile=(string)high," <<<"$(caps_of o444.mp4 video)"

# a portrait phone clip: landscape frames and a 90 degree rotation in the
# track header (mp4mux 1.22 writes none, so the header is set here)
NO_AUDIO=1 FPS=30 make_av rot.mp4 1 pattern=smpte
"$PY" -c 'import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(b"tkhd")
m = i + 4 + 4 + 4 * 5 + 8 + 8   # version 0: the matrix after layer, volume
d[m:m + 36] = struct.pack(">9i", 0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)
open(sys.argv[1], "wb").write(d)' rot.mp4
check "the input has a rotation tag" grep -q "image-orientation=(string)rotate-90" <<<"$(streams rot.mp4)"
rc=0
stylize rot.mp4 orot.mp4 --prompt watercolour --cache-dir "$cache" >rot.out 2>&1 || rc=$?
check "rotated clip: exit 0 ($rc)" test "$rc" = 0
check "rotated clip comes out upright (240x320 frames)" \
  jpy "$(mediainfo orot.mp4)" "d['sizes'] == [[240, 320]] and d['video_frames'] == 30"
check "and with no rotation tag left to apply twice" \
  test -z "$(streams orot.mp4 | grep image-orientation || true)"
check "a file without audio is written without audio" \
  jpy "$(mediainfo orot.mp4)" "d['audio_buffers'] == 0 and not d['errors']"

# a Matroska text track (Pango markup) cannot go into MP4: named
printf '1\n00:00:00,500 --> 00:00:01,500\nhello\n' >subs.srt
gst-launch-1.0 -q -e videotestsrc num-buffers=60 pattern=ball \
  ! video/x-raw,width=320,height=240,framerate=30/1 ! x264enc ! queue \
  ! matroskamux name=m ! filesink location=subs.mkv \
  filesrc location=subs.srt ! subparse ! queue ! m.subtitle_0
rc=0
stylize subs.mkv osubs.mp4 --prompt watercolour --cache-dir "$cache" >subs.out 2>&1 || rc=$?
check "a subtitle track left out: exit 0 ($rc)" test "$rc" = 0
check "a subtitle track left out: named in one line" \
  grep -qx "left out of osubs.mp4: a subtitles stream (text/x-raw)" subs.out

# --video-bitrate and --quality reach the encoder
stylize opus.mkv low.mp4 --prompt watercolour --cache-dir "$cache" --quality low >low.out 2>&1 || true
stylize opus.mkv high.mp4 --prompt watercolour --cache-dir "$cache" --quality high >high.out 2>&1 || true
check "--quality low makes a smaller file than high" \
  test "$(stat -c %s low.mp4)" -lt "$(stat -c %s high.mp4)"
stylize opus.mkv rate.webm --prompt watercolour --cache-dir "$cache" --video-bitrate 50 >rate.out 2>&1 || true
check "--video-bitrate 50 makes a smaller .webm than the default quality" \
  test "$(stat -c %s rate.webm)" -lt "$(stat -c %s o.webm)"
finish
