#!/usr/bin/env python3
"""Stylising a file with its soundtrack: wall time against the ideal (issue 10).
Python standard library only; the pipelines run as gst-launch-1.0 processes.

    python3 tools/bench/stylize_bench.py [--build DIR] [--quick] [--out FILE.json]
                                         [--timeout S] [--ns 1,4,8]

Generates a 10 s A/V file (640x360, 30 fps H.264 + AAC), then runs the
users' stylise line

    filesrc ! qtdemux name=d  d.video_0 ! VQUEUE ! avdec_h264 ! videoconvert
      ! imagegenremix interval=1 s max-in-flight=N ! videoconvert
      ! x264enc tune=zerolatency ! queue ! mp4mux name=m ! filesink
      d.audio_0 ! AQUEUE ! aacparse ! m.

against imagegen-emulator --latency 1000 for N = 1, 4, 8 (--quick: 1, 4),
twice: with default queues (VQUEUE = AQUEUE = `queue`) and with the
recommended ones (recommended_queue(): bounded by time, sized from interval
and max-in-flight).  Each run is compared with the same line with
`identity` in place of imagegenremix (measured in the same run) plus the
ideal service time ceil(10 picks / N) x 1 s:

    ratio = wall / (identity wall + ideal)

and the emulator's per-task created/completed times give the most tasks
active at once (server side): with N allowed in flight it should reach N.
A run that does not end within --timeout is reported "hung".  No figure is
asserted: the machine is shared and noisy.  See docs/performance.md.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import ROOT, Emulator, log  # noqa: E402

SECOND = 1000000000
SECONDS = 10            # length of the generated file
INTERVAL = SECOND       # one pick per second of video: 10 picks
LATENCY_MS = 1000       # the emulator's task time


def default_queue(interval_ns, n):
    return "queue"


def recommended_queue(interval_ns, n):
    """The queues we recommend after a demuxer in front of imagegenremix
    (video) and on the soundtrack (audio): bounded by time only, long
    enough for N requests in flight plus the one waiting for a slot, plus a
    second of slack.  Adjust here."""
    t = interval_ns * (n + 1) + SECOND
    return "queue max-size-time=%d max-size-bytes=0 max-size-buffers=0" % t


QUEUE_MODES = (("default", default_queue), ("recommended", recommended_queue))


def make_input(path, env):
    frames = SECONDS * 30
    abufs = (SECONDS * 44100 + 1023) // 1024
    cmd = ("gst-launch-1.0 -q -e videotestsrc num-buffers=%d pattern=smpte ! "
           "video/x-raw,width=640,height=360,framerate=30/1 ! x264enc ! queue ! "
           "mp4mux name=m ! filesink location=%s "
           "audiotestsrc num-buffers=%d samplesperbuffer=1024 ! "
           "audio/x-raw,rate=44100,channels=2 ! avenc_aac ! queue ! m."
           % (frames, path, abufs))
    subprocess.run(cmd.split(), env=env, check=True, stdout=subprocess.DEVNULL)


def stylise_line(src, dst, element, queue):
    return ("filesrc location=%s ! qtdemux name=d "
            "d.video_0 ! %s ! avdec_h264 ! videoconvert ! %s ! videoconvert ! "
            "x264enc tune=zerolatency ! queue ! mp4mux name=m ! filesink location=%s "
            "d.audio_0 ! %s ! aacparse ! m." % (src, queue, element, dst, queue))


def run_launch(line, env, timeout):
    """Wall time of one gst-launch-1.0 run, or hung."""
    t0 = time.monotonic()
    try:
        p = subprocess.run(["gst-launch-1.0"] + line.split(), env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"wall_s": None, "hung": True, "rc": None, "warnings": 0}
    wall = time.monotonic() - t0
    return {"wall_s": wall, "hung": False, "rc": p.returncode,
            "warnings": p.stdout.count("WARNING"),
            "error": p.stdout[-400:] if p.returncode else None}


def max_active(tasks, end_us):
    """Most tasks active at once, from the emulator's created/completed
    times (an unfinished task counts as active until end_us)."""
    ev = []
    for t in tasks:
        ev.append((t["created_at_us"], 1))
        ev.append((t["completed_at_us"] or end_us, -1))
    ev.sort(key=lambda e: (e[0], e[1]))     # an end before a start at the same µs
    cur = best = 0
    for _, d in ev:
        cur += d
        best = max(best, cur)
    return best


def reset(url):
    urllib.request.urlopen(urllib.request.Request(url + "/emulator/reset", data=b"",
                                                  method="POST"), timeout=10).read()


def fmt(x, nd=2):
    if x is None:
        return "-"
    return ("%." + str(nd) + "f") % x if isinstance(x, float) else str(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="meson build directory (default: build)")
    ap.add_argument("--out", default=None, help="also write the figures as JSON")
    ap.add_argument("--quick", action="store_true", help="N = 1, 4 only")
    ap.add_argument("--ns", default=None, help="comma-separated max-in-flight values")
    ap.add_argument("--timeout", type=float, default=120,
                    help="a run still going after this many seconds is reported hung")
    ap.add_argument("--modes", default="default,recommended",
                    help="queue settings to run (default,recommended)")
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    emulator = os.path.join(build, "tools/emulator/imagegen-emulator")
    plugin_dir = os.path.join(build, "gst-plugin/elements")
    if not os.path.exists(emulator):
        sys.exit("missing %s: build first (meson setup build && meson compile -C build)"
                 % emulator)
    ns = [int(v) for v in args.ns.split(",")] if args.ns else \
        ([1, 4] if args.quick else [1, 4, 8])
    modes = [m for m in QUEUE_MODES if m[0] in args.modes.split(",")]
    env = dict(os.environ, GST_PLUGIN_PATH=plugin_dir, RUNAPI_API_KEY="bench-key")
    env.pop("GST_DEBUG", None)

    rows = []
    with tempfile.TemporaryDirectory(prefix="imagegen-stylize-") as tmp, \
            Emulator(emulator, "--latency", str(LATENCY_MS)) as emu:
        env["RUNAPI_BASE_URL"] = emu.url
        src = os.path.join(tmp, "in.mp4")
        log("input: %d s of 640x360 30 fps H.264 + AAC" % SECONDS)
        make_input(src, env)
        picks = math.ceil(SECONDS * SECOND / INTERVAL)
        for mode, queue_of in modes:
            for n in ns:
                queue = queue_of(INTERVAL, n)
                dst = os.path.join(tmp, "out-%s-%d.mp4" % (mode, n))
                log("%s queues, N=%d: identity" % (mode, n))
                ident = run_launch(stylise_line(src, dst, "identity", queue), env, args.timeout)
                reset(emu.url)
                element = ("imagegenremix prompt=watercolour interval=%d max-in-flight=%d"
                           % (INTERVAL, n))
                log("%s queues, N=%d: imagegenremix" % (mode, n))
                rem = run_launch(stylise_line(src, dst, element, queue), env, args.timeout)
                st = emu.stats()
                ideal = math.ceil(picks / n) * LATENCY_MS / 1000.0
                base = (ident["wall_s"] + ideal) if ident["wall_s"] is not None else None
                row = {"queues": mode, "queue": queue, "n": n,
                       "identity_s": ident["wall_s"], "identity_hung": ident["hung"],
                       "wall_s": rem["wall_s"], "hung": rem["hung"], "rc": rem["rc"],
                       "warnings": rem["warnings"], "error": rem.get("error"),
                       "ideal_s": ideal,
                       "ratio": rem["wall_s"] / base if (rem["wall_s"] and base) else None,
                       "tasks_created": st["tasks_created"],
                       "tasks_completed": st["tasks_completed"],
                       "create_requests": st["requests"]["create_remix"],
                       "max_active": max_active(st["tasks"], int(time.time() * 1e6))}
                rows.append(row)
                log("  -> %s" % ({k: row[k] for k in ("wall_s", "hung", "ratio", "max_active",
                                                       "tasks_completed")},))

    head = ("queues", "N", "identity s", "ideal s", "wall s", "ratio", "max active",
            "tasks done", "status")
    table = [head]
    for r in rows:
        status = "hung (>%g s)" % args.timeout if r["hung"] else \
            ("exit %d" % r["rc"] if r["rc"] else "ok") + \
            (", %d warnings" % r["warnings"] if r["warnings"] else "")
        table.append((r["queues"], str(r["n"]), fmt(r["identity_s"]), fmt(r["ideal_s"], 0),
                      fmt(r["wall_s"]), fmt(r["ratio"]), str(r["max_active"]),
                      "%d/%d" % (r["tasks_completed"], picks), status))
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in table]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print("\n".join(lines))
    print("ratio = wall / (identity + ceil(%d/N) x %g s); max active: most tasks the "
          "emulator had unfinished at once" % (picks, LATENCY_MS / 1000.0))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"seconds": SECONDS, "interval_ns": INTERVAL, "latency_ms": LATENCY_MS,
                       "timeout_s": args.timeout, "rows": rows}, f, indent=1)
        print("JSON: %s" % args.out)


if __name__ == "__main__":
    main()
