#!/usr/bin/env bash
# imagegen-stylize (docs/stylize.md) on generated A/V files, against the
# emulator; request counts come from the emulator's stats, never timers.
#   - a run: every frame written, audio kept, one request per pick; the
#     end line's flicker figures (output, input), or why there are none
#   - --dry-run first: sends nothing, its pick count is the real run's;
#     it names the motion between picks (flow by default, --motion hold)
#   - a rerun: 0 requests, the same decoded frames
#   - the cache: two concurrent runs; a torn entry planted is re-requested
#   - exit codes: no video stream, unreadable and missing input
#   - --pick scene on a clip with known cuts picks at the cuts
#   - --skip-similar on a static clip makes one request
#   - --model is passed to the element (the request's model)
#   - imagegensrc's cache-dir: a second run sends nothing
#   - coherence=previous-result: the previous result is uploaded too
#   - an existing OUT: refused without -y; with -y, a run that fails (model
#     typo, refused key, no video, every pick failed) leaves it as it was
#     and no temporary file; a run whose picks all fail, or that cannot
#     reach the service, exits 4 and writes nothing; some picks failed:
#     OUT written, exit 4, the failed picks named, their frames unstyled
#   - every bad value or path: its exit code (1 usage, 2 input, 5 OUT), one
#     line, no traceback, nothing sent
#   - a model typo: exit 1, "did you mean", where the list is
#   - an odd frame size (641x361) is encoded, and said
#   - a Black Forest Labs model: the cost line is the bills' exact sum
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
if [ "${HAVE_MOTION:-1}" = 1 ]; then
  check "dry run: results carried along the motion by default (--motion flow)" \
    grep -qx "motion between picks: flow" dry.out
else
  check "dry run: no flow in this build, so hold, said in one line" \
    sh -c 'grep -qx "motion between picks: hold" dry.out &&
      test "$(grep -c "has no motion feature" dry.out)" = 1'
  rc=0
  stylize in.mp4 --dry-run --motion flow --prompt watercolour --no-cache \
    >dry-flow.out 2>&1 || rc=$?
  check "no flow in this build: an explicit --motion flow exits 1 ($rc)" \
    test "$rc" = 1
fi
stylize in.mp4 --dry-run --motion hold --prompt watercolour --no-cache >dry-hold.out 2>&1 || true
check "dry run: --motion hold is shown" grep -qx "motion between picks: hold" dry-hold.out

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
if [ "${HAVE_MOTION:-1}" = 1 ]; then
  check "the end line: flicker of output and input, two figures" \
    grep -Eq "^flicker: output [0-9]+\.[0-9], input [0-9]+\.[0-9] \(mean difference" run1.out
else
  check "no flow in this build: one line says there is no flicker figure, and why" \
    grep -qx "flicker: no figure: this plugin was built without the motion feature (OpenCV optical flow) that measures it" run1.out
fi

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

# --- an existing OUT is never lost; a run that stylised nothing fails ---
only() { ls -A | grep -E "$1" || true; }
make_av short.mp4 2 pattern=ball
cp out1.mp4 keep.mp4
cp out1.mp4 keep.orig
keep_same() { cmp -s keep.mp4 keep.orig; }
# faulty SPEC OUT ARG...: stylize ARG... (output in OUT, exit code in rc)
# while the emulator answers with the fault SPEC
faulty() {
  local spec=$1 out=$2
  shift 2
  emu_fail "$spec"
  rc=0
  stylize "$@" >"$out" 2>&1 || rc=$?
  emu_reset
}
n0=$(sent)
rc=0
stylize short.mp4 keep.mp4 --prompt watercolour --no-cache >exists.out 2>&1 || rc=$?
cat exists.out
check "existing OUT without -y: exit 1 ($rc)" test "$rc" = 1
check "existing OUT without -y: says -y" grep -q -- "-y (--overwrite)" exists.out
check "existing OUT without -y: as it was, nothing sent" eval 'keep_same && [ "$(sent)" = "$n0" ]'

rc=0
stylize short.mp4 keep.mp4 -y --prompt watercolour --model nano-banana-edt --no-cache >typo.out 2>&1 || rc=$?
cat typo.out
check "model typo: exit 1, a usage error ($rc)" test "$rc" = 1
check "model typo: did you mean nano-banana-edit?" grep -q "did you mean nano-banana-edit" typo.out
check "model typo: says where every model is" \
  eval 'grep -q "docs/models.md" typo.out && grep -q "gst-inspect-1.0 imagegenremix" typo.out'
check "model typo: one line, not the list of every id" test "$(wc -l <typo.out)" = 1
check "model typo: OUT as it was, nothing sent" eval 'keep_same && [ "$(sent)" = "$n0" ]'

faulty 'create:401:*' key.out short.mp4 keep.mp4 -y --prompt watercolour --no-cache
tail -n 2 key.out
check "refused key: exit 4 ($rc)" test "$rc" = 4
check "refused key: OUT as it was, no temporary file" eval 'keep_same && [ -z "$(only unfinished)" ]'
rc=0
stylize audio.mp4 keep.mp4 -y --prompt watercolour --no-cache >novideo.out 2>&1 || rc=$?
check "no video stream: exit 3, OUT as it was ($rc)" eval '[ "$rc" = 3 ] && keep_same'

faulty 'task:moderated:*' moderated.out short.mp4 keep.mp4 -y --prompt watercolour \
  --no-cache
tail -n 1 moderated.out
check "every pick moderated: exit 4 ($rc)" test "$rc" = 4
check "every pick moderated: says so, OUT as it was" \
  eval 'grep -q "every pick failed" moderated.out && keep_same && [ -z "$(only unfinished)" ]'
faulty 'create:500:*' e500.out short.mp4 new500.mp4 --prompt watercolour --no-cache
check "every create answered 500: exit 4, nothing written ($rc)" \
  eval '[ "$rc" = 4 ] && [ -z "$(only "^new500")" ]'
closed=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rc=0
RUNAPI_BASE_URL=http://127.0.0.1:$closed stylize short.mp4 unreachable.mp4 --prompt watercolour \
  --no-cache >unreachable.out 2>&1 || rc=$?
check "service unreachable: exit 4, nothing written ($rc)" \
  eval '[ "$rc" = 4 ] && [ -z "$(only "^unreachable\.mp4")" ] && grep -q "every pick failed" unreachable.out'

# the first two of six picks moderated (one request at a time: in order)
faulty 'task:moderated:2' some.out in.mp4 some.mp4 --prompt watercolour --no-cache \
  --max-in-flight 1
tail -n 1 some.out
check "two picks failed: exit 4 ($rc)" test "$rc" = 4
check "two picks failed: names them and their spans" \
  eval 'grep -q "2 of 6 picks failed for good: 0:00.00-0:01.00 (content moderated" some.out && grep -q "0:01.00-0:02.00 (content moderated" some.out'
sinfo=$(mediainfo some.mp4 --point 5,5)
check "two picks failed: OUT written, its first 2 s as the input (black), the rest restyled" \
  jpy "$sinfo" "d['video_frames'] == 180 and all(max(p) < 60 for p in d['points']['5,5'][:60]) and all(min(p) > 200 for p in d['points']['5,5'][60:])"

# --- bad values and paths: checked before anything starts ---
n1=$(sent)
bad=0
while IFS='|' read -r want args; do
  rc=0
  eval "stylize $args" >bad.out 2>&1 || rc=$?
  if [ "$rc" != "$want" ] || grep -q Traceback bad.out || [ "$(wc -l <bad.out)" != 1 ]; then
    echo "$args: exit $rc (want $want):"
    cat bad.out
    bad=$((bad + 1))
  fi
done <<'BAD'
1|short.mp4 v.mp4 --prompt watercolour --max-cost -5
1|short.mp4 v.mp4 --prompt watercolour --skip-similar 2
1|short.mp4 v.mp4 --prompt watercolour --scene-threshold -1
1|short.mp4 v.mp4 --prompt watercolour --interval -1
1|short.mp4 v.mp4 --prompt watercolour --max-in-flight 0
1|short.mp4 v.mp4
1|short.mp4 v.mp4 --prompt watercolour --pick sometimes
1|short.mp4 v.mp4 --prompt watercolour --aspect-ratio 5:4
1|short.mp4 short.mp4 -y --prompt watercolour
2|missing.mp4 keep.mp4 --prompt watercolour
5|short.mp4 keep.orig/v.mp4 --prompt watercolour
5|short.mp4 noextension --prompt watercolour
5|short.mp4 v.avi --prompt watercolour
BAD
check "bad values and paths: each its exit code, one line, no traceback ($bad wrong)" test "$bad" = 0
check "bad values and paths: nothing sent, nothing written" \
  eval '[ "$(sent)" = "$n1" ] && [ -z "$(only "^(v\.|noextension)")" ] && keep_same'
rc=0
stylize short.mp4 noextension --prompt watercolour >noext.out 2>&1 || rc=$?
check "OUT without an extension: says so" grep -q "has no extension" noext.out

# an odd size: the last column and line are cut for the encoder, and said
WIDTH=641 HEIGHT=361 make_av odd.mp4 1 pattern=ball
rc=0
stylize odd.mp4 odd-out.mp4 --prompt watercolour --no-cache >odd.out 2>&1 || rc=$?
tail -n 2 odd.out
check "641x361: exit 0 ($rc)" test "$rc" = 0
check "641x361: encoded as 640x360, every frame" \
  jpy "$(mediainfo odd-out.mp4)" "d['sizes'] == [[640, 360]] and d['video_frames'] == 30"
check "641x361: says so" grep -q "641x361 frames are encoded as 640x360" odd.out

# the cache on imagegensrc too: the second run answers from it
t0=$(emu_stat 's["requests"]["create_text_to_image"]')
for i in 1 2; do
  launch src$i.log imagegensrc prompt="a red fox" cache-dir="$work/src-cache" \
    ! image/png ! filesink location=fox$i.png || true
done
check "imagegensrc with cache-dir: one request for two runs" \
  test $(($(emu_stat 's["requests"]["create_text_to_image"]') - t0)) = 1
check "imagegensrc: the cached image is the image" cmp -s fox1.png fox2.png

# a Black Forest Labs model: the cost line adds the emulator's bills
# exactly (credits with fractions), not each rounded up to a cent
rc=0
BFL_API_KEY=pipeline-test BFL_BASE_URL="$EMU_URL" stylize short.mp4 klein.mp4 \
  --model flux-2-klein-4b --prompt watercolour --no-cache >klein.out 2>&1 || rc=$?
tail -n 1 klein.out
bills=$(emu_stat '("%.9f" % sum(t["cost"] for t in s["tasks"] if t.get("provider") == "bfl")).rstrip("0").rstrip(".")')
check "klein: exit 0 ($rc)" test "$rc" = 0
check "klein: the bills have fractions ($bills)" test "${bills#*.}" != "$bills"
check "klein: the cost line is their exact sum ($bills cents)" \
  grep -q "), $bills cents, " klein.out

finish
