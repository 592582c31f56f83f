#!/usr/bin/env bash
# imagegen-stylize (docs/stylize.md) on generated A/V files, against the
# emulator; request counts come from the emulator's stats, never timers.
#   - a run: every frame written, audio kept, one request per pick
#   - --dry-run first: sends nothing, its pick count is the real run's
#   - a rerun: 0 requests, the same decoded frames
#   - the cache: two concurrent runs; a torn entry planted is re-requested
#   - exit codes: no video stream, unreadable and missing input
#   - --pick scene on a clip with known cuts picks at the cuts
#   - --skip-similar on a static clip makes one request
#   - --model is passed to the element (the request's model)
#   - imagegensrc's cache-dir: a second run sends nothing
#   - coherence=previous-result: the previous result is uploaded too
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${STYLIZE:?}"

emu_start
cd "$work"
creates() { emu_stat 's["requests"]["create_remix"]'; }
sent() { emu_stat 'sum(s["requests"].values())'; }
stylize() { timeout -k 5 "$HANG_GUARD" "$STYLIZE" "$@"; }

make_av in.mp4 6 pattern=ball
cache=$work/cache

# dry run on an empty cache: nothing is sent
before=$(sent)
stylize in.mp4 --dry-run --prompt watercolour --cache-dir "$cache" >dry.out 2>&1 || true
cat dry.out
dry_picks=$(sed -n 's/^picks: //p' dry.out)
check "dry run counts the picks" test -n "$dry_picks"
check "dry run: none in the cache" grep -qx "in the cache: 0" dry.out
check "dry run: every pick still to send" grep -qx "requests to send: $dry_picks" dry.out
check "dry run prices the requests (5 cents each, flux-2-pro 1k)" \
  grep -qx "estimated cost: $((dry_picks * 5)) cents" dry.out
check "dry run sends nothing (emulator: $before requests before, $(sent) after)" \
  test "$(sent)" = "$before"

# the real run
c0=$(creates)
rc=0
stylize in.mp4 out1.mp4 --prompt watercolour --cache-dir "$cache" >run1.out 2>&1 || rc=$?
tail -n 2 run1.out
c1=$(creates)
check "run exits 0" test "$rc" = 0
check "run: one request per pick, as the dry run counted ($dry_picks)" \
  test $((c1 - c0)) = "$dry_picks"
info1=$(mediainfo out1.mp4 --point 5,5 --point 40,40 --point 160,120 --point 300,200)
check "every frame written (180)" jpy "$info1" "d['video_frames'] == 180"
inaudio=$(mediainfo in.mp4 | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["audio_buffers"])')
check "audio kept, copied as it was (AAC into MP4: $inaudio buffers)" \
  jpy "$info1" "d['audio_buffers'] == $inaudio"
rc=0
stylize in.mp4 out1.mkv --prompt watercolour --cache-dir "$cache" >mkv.out 2>&1 || rc=$?
check "to .mkv: every frame and the audio" \
  jpy "$(mediainfo out1.mkv)" "d['video_frames'] == 180 and d['audio_buffers'] == $inaudio and $rc == 0"
check "frames restyled (the emulator inverts the ball's black background)" \
  jpy "$info1" "all(min(p) > 200 for p in d['points']['5,5'])"
check "progress lines printed (not a terminal: plain lines)" grep -q "frames .* requests .* done" run1.out

# rerun: nothing sent, the same decoded frames
rc=0
stylize in.mp4 out2.mp4 --prompt watercolour --cache-dir "$cache" >run2.out 2>&1 || rc=$?
tail -n 1 run2.out
check "rerun exits 0" test "$rc" = 0
check "rerun makes 0 requests" test "$(creates)" = "$c1"
info2=$(mediainfo out2.mp4 --point 5,5 --point 40,40 --point 160,120 --point 300,200)
check "rerun decodes to the same frames" \
  jpy "$info1" "d == __import__('json').loads('''$info2''')"
stylize in.mp4 --dry-run --prompt watercolour --cache-dir "$cache" >dry2.out 2>&1 || true
check "dry run after: all in the cache" grep -qx "in the cache: $dry_picks" dry2.out

# a torn entry (half a file, as a crash mid-write would leave without the
# rename) is never an image: it is requested again, once
entry=$(ls "$cache"/*.imagegen-result | head -n 1)
size=$(stat -c %s "$entry")
head -c $((size / 2)) "$entry" >"$entry.tmp" && mv "$entry.tmp" "$entry"
c2=$(creates)
rc=0
stylize in.mp4 out3.mp4 --prompt watercolour --cache-dir "$cache" >run3.out 2>&1 || rc=$?
check "run over a torn entry exits 0" test "$rc" = 0
check "the torn entry alone is requested again" test $(($(creates) - c2)) = 1
info3=$(mediainfo out3.mp4 --point 5,5 --point 40,40 --point 160,120 --point 300,200)
check "and the frames are the same" \
  jpy "$info1" "d['points'] == __import__('json').loads('''$info3''')['points']"

# two concurrent runs on one fresh cache
shared=$work/shared-cache
stylize in.mp4 par1.mp4 --prompt "ink sketch" --cache-dir "$shared" >par1.out 2>&1 &
p1=$!
track "$p1"
stylize in.mp4 par2.mp4 --prompt "ink sketch" --cache-dir "$shared" >par2.out 2>&1 &
p2=$!
track "$p2"
rc1=0 rc2=0
wait "$p1" || rc1=$?
wait "$p2" || rc2=$?
untrack "$p1"
untrack "$p2"
check "concurrent runs exit 0 ($rc1, $rc2)" test "$rc1$rc2" = 00
check "concurrent runs leave one entry per pick" \
  test "$(ls "$shared" | grep -c '\.imagegen-result$')" = "$dry_picks"
check "no temporary files left" test "$(ls "$shared" | grep -vc '\.imagegen-result$' || true)" = 0
pa=$(mediainfo par1.mp4 --point 160,120)
pb=$(mediainfo par2.mp4 --point 160,120)
check "concurrent runs decode alike" jpy "$pa" "d['points'] == __import__('json').loads('''$pb''')['points'] and d['video_frames'] == 180"
c3=$(creates)
stylize in.mp4 par3.mp4 --prompt "ink sketch" --cache-dir "$shared" >par3.out 2>&1 || true
check "their cache serves a third run with 0 requests" test "$(creates)" = "$c3"

# exit codes
NO_AUDIO=0 gst-launch-1.0 -q audiotestsrc num-buffers=50 ! avenc_aac ! mp4mux ! filesink location=audio.mp4
rc=0
stylize audio.mp4 o.mp4 --prompt watercolour --cache-dir "$cache" >noav.out 2>&1 || rc=$?
check "input without video: exit 3 ($rc)" test "$rc" = 3
check "input without video: says so" grep -q "has no video stream" noav.out
check "input without video: no output left" test ! -e o.mp4
echo "not a video" >text.mp4
rc=0
stylize text.mp4 o.mp4 --prompt watercolour --cache-dir "$cache" >text.out 2>&1 || rc=$?
check "unreadable input: exit 2 ($rc)" test "$rc" = 2
rc=0
stylize missing.mp4 o.mp4 --prompt watercolour >missing.out 2>&1 || rc=$?
check "missing input: exit 2 ($rc)" test "$rc" = 2
check "missing input: says so" grep -q "no such file" missing.out
rc=0
stylize in.mp4 o.avi --prompt watercolour >avi.out 2>&1 || rc=$?
check "unknown output extension: exit 5 ($rc)" test "$rc" = 5

# --model reaches the request
rc=0
stylize in.mp4 flex.mp4 --prompt watercolour --model flux-2-flex-remix-image \
  --no-cache --interval 10 >flex.out 2>&1 || rc=$?
check "--model run exits 0" test "$rc" = 0
check "--model is the request's model" \
  test "$(emu_stat 's["tasks"][-1]["model"]')" = flux-2-flex-remix-image

# scene picking: cuts at 1.5 s and 3 s (red, bars, blue), interval 10 s
gst-launch-1.0 -q concat name=c ! videoconvert ! x264enc ! mp4mux ! filesink location=cuts.mp4 \
  videotestsrc num-buffers=45 pattern=solid-color foreground-color=0xffff0000 \
    ! video/x-raw,width=320,height=240,framerate=30/1 ! c. \
  videotestsrc num-buffers=45 pattern=smpte ! video/x-raw,width=320,height=240,framerate=30/1 ! c. \
  videotestsrc num-buffers=45 pattern=solid-color foreground-color=0xff0000ff \
    ! video/x-raw,width=320,height=240,framerate=30/1 ! c.
stylize cuts.mp4 --dry-run --pick scene --interval 10 --prompt watercolour --no-cache >scene-dry.out 2>&1 || true
cat scene-dry.out
check "scene: 3 picks (first frame, 2 cuts)" grep -qx "picks: 3" scene-dry.out
check "scene: 2 picks at shot changes" grep -qx "picks at shot changes: 2" scene-dry.out
c4=$(creates)
stylize cuts.mp4 cuts-out.mp4 --pick scene --interval 10 --prompt watercolour --no-cache >scene.out 2>&1 || true
check "scene: 3 requests" test $(($(creates) - c4)) = 3
# every frame shows its own shot restyled (inverted), so the picks were at
# the cuts: a pick late by a frame would show the shot before on that frame
cin=$(mediainfo cuts.mp4 --point 20,20)
cout=$(mediainfo cuts-out.mp4 --point 20,20)
check "scene: every frame shows its own shot's result" "$PY" -c '
import json, sys
a = json.loads(sys.argv[1])["points"]["20,20"]
b = json.loads(sys.argv[2])["points"]["20,20"]
bad = [i for i, (p, q) in enumerate(zip(a, b))
       if any(abs(255 - x - y) > 48 for x, y in zip(p, q))]
print("frames not matching their shot:", bad[:10])
sys.exit(0 if len(a) == len(b) == 135 and not bad else 1)' "$cin" "$cout"

# skip-similar: a static clip makes one request
make_av static.mp4 6 pattern=solid-color foreground-color=0xff336699
c5=$(creates)
stylize static.mp4 static-out.mp4 --skip-similar 0.02 --interval 0.5 --prompt watercolour --no-cache >static.out 2>&1 || true
tail -n 1 static.out
check "skip-similar on a static clip: 1 request" test $(($(creates) - c5)) = 1
sinfo=$(mediainfo static-out.mp4)
check "skip-similar: every frame still written" jpy "$sinfo" "d['video_frames'] == 180"

# a reference image: uploaded by each real run (its URL expires), keyed by
# its bytes, so a rerun makes no task; a dry run uploads nothing
gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=pinwheel ! video/x-raw,width=64,height=64 \
  ! pngenc ! filesink location=style.png
refcache=$work/ref-cache
c6=$(creates)
stylize in.mp4 ref1.mp4 --reference style.png --interval 3 --prompt watercolour \
  --cache-dir "$refcache" >ref1.out 2>&1 || true
c7=$(creates)
check "with a reference: one task per pick" test $((c7 - c6)) = 2
f0=$(emu_stat 's["requests"]["files"] + s["requests"]["files_prepare"]')
stylize in.mp4 --dry-run --reference style.png --interval 3 --prompt watercolour \
  --cache-dir "$refcache" >refdry.out 2>&1 || true
check "with a reference, dry run: all in the cache" grep -qx "in the cache: 2" refdry.out
check "with a reference, dry run: no upload" \
  test "$(emu_stat 's["requests"]["files"] + s["requests"]["files_prepare"]')" = "$f0"
stylize in.mp4 ref2.mp4 --reference style.png --interval 3 --prompt watercolour \
  --cache-dir "$refcache" >ref2.out 2>&1 || true
check "with a reference, rerun: no task (the new upload URL is not in the key)" \
  test "$(creates)" = "$c7"

# coherence=previous-result: each pick after the first uploads the previous
# result too; the chained keys still make a rerun free
cohcache=$work/coherence-cache
c8=$(creates)
u8=$(emu_stat 's["requests"]["files"]')
stylize in.mp4 coh1.mp4 --coherence previous-result --interval 2 --prompt watercolour \
  --cache-dir "$cohcache" >coh1.out 2>&1 || true
check "coherence: 3 picks, 3 tasks" test $(($(creates) - c8)) = 3
check "coherence: 3 frames and 2 previous results uploaded" \
  test $(($(emu_stat 's["requests"]["files"]') - u8)) = 5
check "coherence: every frame written" jpy "$(mediainfo coh1.mp4)" "d['video_frames'] == 180"
c9=$(creates)
stylize in.mp4 coh2.mp4 --coherence previous-result --interval 2 --prompt watercolour \
  --cache-dir "$cohcache" >coh2.out 2>&1 || true
check "coherence: a rerun makes no task" test "$(creates)" = "$c9"

# the cache on imagegensrc too: the second run answers from it
t0=$(emu_stat 's["requests"]["create_text_to_image"]')
for i in 1 2; do
  launch src$i.log imagegensrc prompt="a red fox" cache-dir="$work/src-cache" \
    ! image/png ! filesink location=fox$i.png || true
done
check "imagegensrc with cache-dir: one request for two runs" \
  test $(($(emu_stat 's["requests"]["create_text_to_image"]') - t0)) = 1
check "imagegensrc: the cached image is the image" cmp -s fox1.png fox2.png

finish
