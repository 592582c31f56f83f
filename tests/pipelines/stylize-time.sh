#!/usr/bin/env bash
# imagegen-stylize's control over time, its preview and many files
# (docs/stylize.md), against the emulator and its request log:
#   - a schedule's prompts (--prompts FILE.srt, --prompt-at) reach the
#     requests, each change a pick at its time; the dry run shows them
#   - --seed reaches the request; a model without a seed field: exit 1
#   - --preview N: a contact sheet of N pairs; the full run afterwards
#     sends only the other picks
#   - many files: one estimate first, a line per file, one total; the
#     exit code is the highest; --progress json lines parse; --max-cost
#     bounds the whole batch (refused up front when the estimate is over)
#   - bad input: one message, exit code, nothing sent, nothing written
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${STYLIZE:?}"

emu_start --log "$work/requests.log"
cd "$work"
stylize() { timeout -k 5 "$HANG_GUARD" "$STYLIZE" "$@"; }
creates() { emu_stat 's["requests"]["create_remix"]'; }
sent() { emu_stat 'sum(s["requests"].values())'; }
# the prompts (or FIELD) of the creates logged after line N of the log
bodies() { tail -n +$(($1 + 1)) requests.log | "$PY" -c 'import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r.get("event") == "create_body":
        print(r["body"].get(sys.argv[1]))' "${2:-prompt}"; }
logged() { wc -l <requests.log; }
cache=$work/cache

# 3 s in three shots (red, green, blue: a second each), no audio; one
# source whose colour changes, so the timeline is plain (concat's is not)
"$PY" - shots.mp4 <<'PYEOF'
import sys, gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst
Gst.init(None)
p = Gst.parse_launch(
    "videotestsrc name=v num-buffers=90 pattern=solid-color "
    "foreground-color=0xffff0000 ! video/x-raw,width=320,height=240,"
    "framerate=30/1 ! x264enc ! mp4mux ! filesink location=" + sys.argv[1])
v, n = p.get_by_name("v"), [0]
def on_buffer(pad, info):
    n[0] += 1   # the colour of the frames after this one
    colour = {30: 0xff00ff00, 60: 0xff0000ff}.get(n[0])
    if colour:
        v.set_property("foreground-color", colour)
    return Gst.PadProbeReturn.OK
v.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, on_buffer)
p.set_state(Gst.State.PLAYING)
p.get_bus().timed_pop_filtered(Gst.CLOCK_TIME_NONE,
                               Gst.MessageType.EOS | Gst.MessageType.ERROR)
p.set_state(Gst.State.NULL)
PYEOF

# a schedule: markup and lines as imagegentextsrc cleans them
printf '1\n00:00:01,000 --> 00:00:01,900\n<i>oil</i>\npainting\n\n2\n00:00:02,000 --> 00:00:02,900\ncharcoal sketch\n' >schedule.srt
stylize shots.mp4 --dry-run --prompts schedule.srt --prompt watercolour --interval 10 \
  --cache-dir "$cache" >dry.out 2>&1 || true
cat dry.out
check "dry run: three picks (the start, two prompt changes; interval 10 s)" grep -qx "picks: 3" dry.out
check "dry run shows the schedule" grep -qx "  0:01.00  oil painting" dry.out
n=$(logged)
rc=0
# one request at a time: picks in flight together may reach the emulator
# in either order, and the order of the log is what is checked
stylize shots.mp4 sched.mp4 --prompts schedule.srt --prompt watercolour --interval 10 \
  --max-in-flight 1 --cache-dir "$cache" >sched.out 2>&1 || rc=$?
check "schedule run: exit 0 ($rc)" test "$rc" = 0
check "each prompt reaches its request, in order (cue text cleaned)" \
  test "$(bodies "$n" | tr '\n' '|')" = "watercolour|oil painting|charcoal sketch|"
# a pick at each change: each shot shows its own frame restyled (the
# emulator inverts: red -> cyan, green -> magenta, blue -> yellow)
check "each change is a pick at its time (every shot shows its own result)" \
  jpy "$(mediainfo sched.mp4 --point 160,120)" "all(
    (p[0] < 60 and p[1] > 190) if i < 30 else (p[1] < 60 and p[0] > 190) if i < 60 else (p[2] < 60 and p[0] > 190)
    for i, p in enumerate(d['points']['160,120']))"
n=$(logged)
stylize shots.mp4 at.mp4 --prompt-at 0=watercolour --prompt-at "0:02=ink drawing" --interval 10 \
  --cache-dir "$cache" >at.out 2>&1 || true
check "--prompt-at: the changed prompt alone is requested (the first is cached)" \
  test "$(bodies "$n" | tr '\n' '|')" = "ink drawing|"

# --seed: the model's own field, the same for every pick
n=$(logged)
rc=0
stylize shots.mp4 seed.mp4 --prompt watercolour --seed 7 --model ideogram-v3-remix --interval 1 \
  --cache-dir "$cache" >seed.out 2>&1 || rc=$?
check "--seed: exit 0 ($rc)" test "$rc" = 0
check "--seed: every request carries seed 7" test "$(bodies "$n" seed | sort -u)" = 7
stylize shots.mp4 --dry-run --prompt watercolour --seed 7 --model ideogram-v3-remix --cache-dir "$cache" >seed-dry.out 2>&1 || true
check "--seed: the dry run shows it" grep -qx "seed: 7" seed-dry.out
before=$(sent)
rc=0
stylize shots.mp4 noseed.mp4 --prompt watercolour --seed 7 --cache-dir "$cache" >noseed.out 2>&1 || rc=$?
check "--seed on a model without a seed field: exit 1 ($rc)" test "$rc" = 1
check "--seed on a model without a seed field: says so" grep -q "has no seed field" noseed.out
check "--seed on a model without a seed field: nothing sent, nothing written" \
  test "$(sent)" = "$before" -a ! -e noseed.mp4

# --preview 2 of a run with 6 picks (interval 0.5 s; a moving ball, so
# that no two picks are the same request)
NO_AUDIO=1 make_av ball.mp4 3 pattern=ball
pcache=$work/preview-cache
c0=$(creates)
rc=0
stylize ball.mp4 prev.mp4 --preview 2 --interval 0.5 --prompt watercolour --cache-dir "$pcache" >prev.out 2>&1 || rc=$?
cat prev.out
check "preview: exit 0 ($rc)" test "$rc" = 0
check "preview: 2 requests" test $(($(creates) - c0)) = 2
check "preview: the sheet is written, OUT is not" test -f prev.preview.png -a ! -e prev.mp4
check "preview: the full run's cost is printed" grep -qx "the full run: 6 picks, 4 requests to send, about 20 cents" prev.out
# two pairs side by side: (8 + 240) * 2 + 8 wide; each input (240x180)
# above its result, a time code under them: 8 + 180 + 4 + 180 + 4 + 30 + 8
check "preview: the sheet has 2 pairs (504x406 PNG)" "$PY" -c 'import struct, sys
d = open("prev.preview.png", "rb").read(24)
sys.exit(0 if d[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", d[16:24]) == (504, 406) else 1)'
c1=$(creates)
stylize ball.mp4 prev.mp4 --interval 0.5 --prompt watercolour --cache-dir "$pcache" >full.out 2>&1 || true
check "the full run after the preview sends only the other 4 picks" test $(($(creates) - c1)) = 4
stylize ball.mp4 prev2.mp4 --preview 1 --interval 0.5 --prompt watercolour --coherence previous-result \
  --cache-dir "$pcache" >coh.out 2>&1 || true
check "preview with coherence: says the full run cannot reuse it" grep -q "cannot reuse these previews" coh.out

# many files: one estimate for all first, a line per file, a total
NO_AUDIO=1 make_av a.mp4 1 pattern=ball
make_av b.mkv 1 pattern=snow
rc=0
stylize a.mp4 b.mkv --out-dir styled --prompt watercolour --cache-dir "$cache" >many.out 2>many.err || rc=$?
cat many.out
check "many files: exit 0 ($rc)" test "$rc" = 0
check "many files: an estimate line per file before the runs" \
  test "$(sed -n 1,2p many.out | grep -c 'requests to send, about')" = 2
check "many files: one total of the estimate" grep -q "^total: 2 files, 2 picks" many.out
check "many files: styled/STEM.EXT, each as its input" test -f styled/a.mp4 -a -f styled/b.mkv
check "many files: a line per file and one total at the end" \
  grep -qx "total: 2 of 2 files done, 10 cents" many.out
rc=0
stylize a.mp4 b.mkv --out-dir styled --ext webm --prompt watercolour --cache-dir "$cache" \
  --progress json >json.out 2>json.err || rc=$?
check "--progress json: exit 0 ($rc)" test "$rc" = 0
check "--progress json: every stdout line is a JSON object with an event" "$PY" -c 'import json, sys
lines = open("json.out").read().splitlines()
events = [json.loads(l)["event"] for l in lines]
sys.exit(0 if lines and events[-1] == "total" and "estimate" in events else 1)'
check "--ext webm: styled/a.webm, styled/b.webm" test -f styled/a.webm -a -f styled/b.webm
# --max-cost bounds the whole batch: three files of one pick (5 cents) each
for pattern in ball snow smpte; do NO_AUDIO=1 make_av "$pattern.mp4" 1 pattern=$pattern; done
bcache=$work/budget-cache
before=$(sent)
rc=0
stylize ball.mp4 snow.mp4 smpte.mp4 --out-dir budget --prompt watercolour --cache-dir "$bcache" \
  --max-cost 10 >over.out 2>over.err || rc=$?
check "--max-cost under the batch's estimate: exit 1 ($rc)" test "$rc" = 1
check "--max-cost under the estimate: one sentence" \
  grep -qx "imagegen-stylize: the 3 files would cost about 15 cents, more than --max-cost 10 for the whole run: nothing was sent" over.err
check "--max-cost under the estimate: nothing sent, nothing written" \
  test "$(sent)" = "$before" -a -z "$(ls -A budget 2>/dev/null || true)"
c0=$(creates)
rc=0
stylize ball.mp4 snow.mp4 smpte.mp4 --out-dir budget --prompt watercolour --cache-dir "$bcache" \
  --max-cost 15 >within.out 2>within.err || rc=$?
cat within.out
check "--max-cost covering the batch: exit 0 ($rc)" test "$rc" = 0
check "--max-cost covering the batch: every file's request sent" test $(($(creates) - c0)) = 3
check "each file gets what the files before it left of --max-cost" \
  test "$(grep 'of --max-cost 15 left$' within.out | cut -d' ' -f2 | tr '\n' ' ')" = "15 10 5 "
check "the batch's total stays within --max-cost" grep -qx "total: 3 of 3 files done, 15 cents" within.out

# one file that fails (a failed remix for every pick) makes the exit code 4
emu_fail "task:failed:*"
rc=0
stylize a.mp4 shots.mp4 --out-dir failing --prompt "never cached" --no-cache >fail.out 2>&1 || rc=$?
emu_reset
check "many files, every pick failing: exit 4 ($rc)" test "$rc" = 4
check "many files, failing: a per-file summary" grep -q "a.mp4 -> failing/a.mp4: failed (exit 4)" fail.out

# bad input: one clear message, nothing sent, nothing written
bad() { # expected exit, what, args...
  local want=$1 what=$2 rc=0 before
  shift 2
  before=$(sent)
  stylize "$@" >bad.out 2>&1 || rc=$?
  check "$what: exit $want ($rc)" test "$rc" = "$want"
  check "$what: one line, nothing sent" test "$(wc -l <bad.out)" = 1 -a "$(sent)" = "$before"
  check "$what: nothing written" test -z "$(ls -A outdir 2>/dev/null || true)"
  cat bad.out
}
: >empty.srt
printf '1\n00:00:01,000 --> 00:00:02,000\none\n\n2\n00:00:01,500 --> 00:00:02,500\ntwo\n' >overlap.srt
printf '1\n00:00:09,000 --> 00:00:10,000\nlate\n' >late.srt
mkdir -p outdir locked
chmod 555 locked
bad 1 "unreadable schedule" shots.mp4 outdir/o.mp4 --prompts missing.srt --prompt a-b-c
bad 1 "empty schedule" shots.mp4 outdir/o.mp4 --prompts empty.srt --prompt a-b-c
bad 1 "overlapping cues" shots.mp4 outdir/o.mp4 --prompts overlap.srt --prompt a-b-c
bad 1 "a cue past the end" shots.mp4 outdir/o.mp4 --prompts late.srt --prompt a-b-c
bad 1 "--prompt-at past the end" shots.mp4 outdir/o.mp4 --prompt-at 0:09=late --prompt a-b-c
bad 5 "unknown extension" shots.mp4 outdir/o.avi --prompt a-b-c
bad 1 "preview larger than the picks" shots.mp4 outdir/o.mp4 --preview 9 --prompt a-b-c --cache-dir "$cache"
if [ "$(id -u)" != 0 ]; then
  bad 5 "an out dir that cannot be written" shots.mp4 --out-dir locked --prompt a-b-c
fi
finish
