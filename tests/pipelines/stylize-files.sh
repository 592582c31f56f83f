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
#   - a file without audio
#   - Matroska text subtitles (Pango markup) kept as plain text in .mkv and
#     .mp4 at their times, ASS as it is in .mkv; chapters kept in .mkv and
#     .webm; what a container does not take is named in one line
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

# a Matroska file with a text subtitle track (SRT-style cues with <i>
# markup and an entity, as mkvmerge stores them), an ASS track (its header
# in codec_data) and two chapters (gst-launch sets no TOC: pipetest does)
ass_header=$(printf '[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n' | od -An -tx1 | tr -d ' \n')
"$PY" "$PIPETEST" run --cue 'c=0.5-1.0:<i>hello</i> world' --cue 'c=1.2-1.8:fish &amp; chips\nsecond line' \
  --cue 'a=0.5-1.0:0,0,Default,,0,0,0,,{\i1}bonjour{\i0}' --chapter 'm=0-1:Opening' --chapter 'm=1-2:The end' \
  "videotestsrc num-buffers=60 pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 ! x264enc ! queue
   ! matroskamux name=m ! filesink location=subs.mkv
   appsrc name=c format=time caps=text/x-raw,format=utf8 ! queue ! m.subtitle_0
   appsrc name=a format=time caps=application/x-ass,codec_data=(buffer)$ass_header ! queue ! m.subtitle_1" >/dev/null
subs() { "$PY" "$PIPETEST" subtitles "$1"; }
in_subs=$(subs subs.mkv)
check "the input's text track reaches stylize as Pango markup with <i>" \
  jpy "$in_subs" "[s['cues'][0][2] for s in d['streams'] if 'pango-markup' in s['caps']] == ['<i>hello</i> world']"
in_chapters=$(jq_py "$(streams subs.mkv)" "d['chapters']")
check "the input has 2 chapters" test "$in_chapters" = "[{'title': 'Opening', 'start_s': 0.0, 'stop_s': 1.0}, {'title': 'The end', 'start_s': 1.0, 'stop_s': 2.0}]"
for ext in mkv mp4 webm; do
  rc=0
  stylize subs.mkv "osubs.$ext" --prompt watercolour --cache-dir "$cache" >"subs-$ext.out" 2>&1 || rc=$?
  check "subtitles and chapters into .$ext: exit 0 ($rc)" test "$rc" = 0
done
# what a player gets: matroskademux gives a text track as Pango markup,
# escaping a track without tags, so the plain text reads back unescaped
text_cues() { jq_py "$(subs "$1")" "sorted([c[0], c[1], __import__('html').unescape(c[2]) if 'pango' in s['caps'] else c[2]] for s in d['streams'] if s['caps'].startswith('text/') for c in s['cues'])"; }
plain="[[0.5, 0.5, 'hello world'], [1.2, 0.6, 'fish & chips\\nsecond line']]"
check ".mkv: the text cues as plain text at their times (no <i>)" test "$(text_cues osubs.mkv)" = "$plain"
check ".mkv: stored without markup" jpy "$(subs osubs.mkv)" "not any('<' in c[2] for s in d['streams'] for c in s['cues'] if s['caps'].startswith('text/'))"
check ".mkv: the ASS track as it was" \
  jpy "$(subs osubs.mkv)" "[(s['caps'].split(',')[0], s['cues']) for s in d['streams'] if 'x-ass' in s['caps']] == [('application/x-ass', [[0.5, 0.5, '0,0,Default,,0,0,0,,{\\\\i1}bonjour{\\\\i0}']])]"
check ".mkv: the chapters, their titles and times as they were" test "$(jq_py "$(streams osubs.mkv)" "d['chapters']")" = "$in_chapters"
check ".mkv: nothing left out" test -z "$(grep '^left out' subs-mkv.out || true)"
check ".mp4: the text cues as mp4mux's text at their times, the ASS one as text too" \
  test "$(text_cues osubs.mp4)" = "[[0.5, 0.5, 'bonjour'], [0.5, 0.5, 'hello world'], [1.2, 0.6, 'fish & chips\\nsecond line']]"
check ".mp4: the chapters named as left out, in one line" grep -qx "left out of osubs.mp4: 2 chapters" subs-mp4.out
check ".mp4: no chapters" test "$(jq_py "$(streams osubs.mp4)" "d['chapters']")" = "[]"
# (the ASS track arrives decoded to text: WebM takes neither)
check ".webm: no subtitles (WebM's are WebVTT, which webmmux does not write), named" \
  grep -qx "left out of osubs.webm: 2 subtitles streams (text/x-raw)" subs-webm.out
check ".webm: no subtitle stream" test "$(text_cues osubs.webm)" = "[]"
check ".webm: the chapters kept (webmmux writes them)" test "$(jq_py "$(streams osubs.webm)" "d['chapters']")" = "$in_chapters"

# --video-bitrate and --quality reach the encoder
stylize opus.mkv low.mp4 --prompt watercolour --cache-dir "$cache" --quality low >low.out 2>&1 || true
stylize opus.mkv high.mp4 --prompt watercolour --cache-dir "$cache" --quality high >high.out 2>&1 || true
check "--quality low makes a smaller file than high" \
  test "$(stat -c %s low.mp4)" -lt "$(stat -c %s high.mp4)"
stylize opus.mkv rate.webm --prompt watercolour --cache-dir "$cache" --video-bitrate 50 >rate.out 2>&1 || true
check "--video-bitrate 50 makes a smaller .webm than the default quality" \
  test "$(stat -c %s rate.webm)" -lt "$(stat -c %s o.webm)"
finish
