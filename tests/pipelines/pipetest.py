#!/usr/bin/python3
"""Shared helpers of the pipeline tests (run with /usr/bin/python3: PyGObject).

As a module (the Python tests import it):
    Emulator        imagegen-emulator on a free port (tools/bench/bench.py's)
    Checks          named pass/fail checks with one closing summary line
    decode_file()   what a user sees when playing a file back
    run_until_eos() drive a pipeline to EOS or error, with a hang guard

As a command (the shell tests call it, see lib.sh):
    pipetest.py mediainfo FILE [--point X,Y]... [--guard S]
        decodes FILE and prints one JSON object: video_frames, audio_buffers,
        sizes, first/last video pts, errors, and per --point the RGB of that
        pixel in every video frame.
    pipetest.py run [--count NAME]... [--guard S] DESCRIPTION
        runs a gst-launch-1.0 style DESCRIPTION to EOS (hang guard) and
        prints JSON: eos, errors, warnings (bus texts), hung, and per
        --count NAME (a fakesink) the buffers it got.  gst-launch -v
        last-message lines are racy: they miss and repeat buffers.
    pipetest.py stats URL
        prints the emulator's /emulator/stats.
    pipetest.py streams FILE
        what a player is told about FILE (GstDiscoverer): duration_s and
        per stream its kind, caps and tags, as JSON.
"""

import argparse
import json
import os
import sys
import time
import urllib.request

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "bench"))
from bench import Emulator  # noqa: E402,F401  (re-exported)

Gst.init(None)

# a generous hang guard, never the thing tested
HANG_GUARD = float(os.environ.get("HANG_GUARD", "120"))


def emulator_binary():
    b = os.environ.get("IMAGEGEN_EMULATOR")
    if not b:
        sys.exit("IMAGEGEN_EMULATOR is not set")
    return b


def stats(url):
    with urllib.request.urlopen(url + "/emulator/stats", timeout=10) as r:
        return json.load(r)


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok: %s" % name, flush=True)
        else:
            self.failed += 1
            print("FAILED: %s%s" % (name, (": " + detail) if detail else ""), flush=True)
        return ok

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        sys.exit(1 if self.failed else 0)


def run_until_eos(pipeline, guard=None, on_tick=None, tick=0.05):
    """Sets the pipeline PLAYING and waits for EOS or an error.  Returns
    {"eos": bool, "errors": [...], "warnings": [...], "hung": bool}.
    on_tick() is called from this (the application) thread between bus
    polls: seeks and caps changes are done from there."""
    guard = guard or HANG_GUARD
    res = {"eos": False, "errors": [], "warnings": [], "hung": False}
    bus = pipeline.get_bus()
    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        res["errors"].append("could not set the pipeline PLAYING")
    deadline = time.monotonic() + guard
    while not res["errors"]:
        if time.monotonic() > deadline:
            res["hung"] = True
            print("HUNG: no EOS after %g s (hang guard)" % guard, file=sys.stderr, flush=True)
            break
        msg = bus.timed_pop_filtered(int(tick * Gst.SECOND),
                                     Gst.MessageType.EOS | Gst.MessageType.ERROR
                                     | Gst.MessageType.WARNING)
        if msg is None:
            if on_tick:
                on_tick()
            continue
        if msg.type == Gst.MessageType.EOS:
            res["eos"] = True
            break
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            res["errors"].append("%s: %s" % (msg.src.get_path_string(), err.message))
        elif msg.type == Gst.MessageType.WARNING:
            err, dbg = msg.parse_warning()
            res["warnings"].append("%s: %s" % (msg.src.get_path_string(), err.message))
    pipeline.set_state(Gst.State.NULL)
    return res


def rgb_at(buf, width, height, x, y):
    """RGB of pixel (x, y) of an RGBx buffer (stride 4 * width)."""
    ok, m = buf.map(Gst.MapFlags.READ)
    try:
        off = (min(y, height - 1) * width + min(x, width - 1)) * 4
        return list(m.data[off:off + 3])
    finally:
        buf.unmap(m)


def decode_file(path, points=(), guard=None):
    """Plays FILE back the way a user would (decodebin), video as RGBx."""
    info = {"video_frames": 0, "audio_buffers": 0, "sizes": [],
            "video_pts": [], "points": {"%d,%d" % p: [] for p in points}}
    pipeline = Gst.parse_launch("filesrc name=src ! decodebin name=d")
    pipeline.get_by_name("src").set_property("location", path)

    def on_video(sink):
        sample = sink.emit("pull-sample")
        s = sample.get_caps().get_structure(0)
        w, h = s.get_value("width"), s.get_value("height")
        if not info["sizes"] or info["sizes"][-1] != [w, h]:
            info["sizes"].append([w, h])
        buf = sample.get_buffer()
        info["video_frames"] += 1
        info["video_pts"].append(buf.pts if buf.pts != Gst.CLOCK_TIME_NONE else None)
        for p in points:
            info["points"]["%d,%d" % p].append(rgb_at(buf, w, h, p[0], p[1]))
        return Gst.FlowReturn.OK

    def on_audio(sink, buf, pad):
        info["audio_buffers"] += 1

    def pad_added(dbin, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        name = caps.get_structure(0).get_name()
        if name.startswith("video/"):
            bin_ = Gst.parse_bin_from_description(
                "videoconvert ! video/x-raw,format=RGBx ! "
                "appsink name=v sync=false emit-signals=true", True)
            bin_.get_by_name("v").connect("new-sample", on_video)
        elif name.startswith("audio/"):
            bin_ = Gst.parse_bin_from_description(
                "fakesink name=a sync=false signal-handoffs=true", True)
            bin_.get_by_name("a").connect("handoff", on_audio)
        else:
            return
        pipeline.add(bin_)
        bin_.sync_state_with_parent()
        pad.link(bin_.get_static_pad("sink"))

    pipeline.get_by_name("d").connect("pad-added", pad_added)
    res = run_until_eos(pipeline, guard)
    info.update(eos=res["eos"], errors=res["errors"], hung=res["hung"])
    pts = [p for p in info["video_pts"] if p is not None]
    info["first_pts"] = min(pts) if pts else None
    info["last_pts"] = max(pts) if pts else None
    return info


def run_counting(desc, count=(), guard=None):
    pipeline = Gst.parse_launch(desc)
    counts = {n: 0 for n in count}

    def handoff(sink, buf, pad, name):
        counts[name] += 1

    for n in count:
        sink = pipeline.get_by_name(n)
        if sink is None:
            sys.exit("no element named %s" % n)
        sink.set_property("signal-handoffs", True)
        sink.connect("handoff", handoff, n)
    res = run_until_eos(pipeline, guard)
    res["counts"] = counts
    return res


def streams(path):
    gi.require_version("GstPbutils", "1.0")
    from gi.repository import GstPbutils
    info = GstPbutils.Discoverer.new(int(HANG_GUARD * Gst.SECOND)) \
        .discover_uri(Gst.filename_to_uri(os.path.abspath(path)))
    out = []
    for s in info.get_stream_list():
        tags = s.get_tags()
        out.append({"kind": s.get_stream_type_nick(),
                    "caps": s.get_caps().to_string(),
                    "tags": tags.to_string() if tags else ""})
    return {"duration_s": info.get_duration() / Gst.SECOND, "streams": out}


def near(rgb, want, tol):
    return all(abs(a - b) <= tol for a, b in zip(rgb, want))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    mi = sub.add_parser("mediainfo")
    mi.add_argument("file")
    mi.add_argument("--point", action="append", default=[])
    mi.add_argument("--guard", type=float, default=None)
    rn = sub.add_parser("run")
    rn.add_argument("description")
    rn.add_argument("--count", action="append", default=[])
    rn.add_argument("--guard", type=float, default=None)
    st = sub.add_parser("stats")
    st.add_argument("url")
    sub.add_parser("streams").add_argument("file")
    a = ap.parse_args()
    if a.cmd == "mediainfo":
        pts = [tuple(int(v) for v in p.split(",")) for p in a.point]
        info = decode_file(a.file, pts, a.guard)
        info.pop("video_pts")
        print(json.dumps(info))
    elif a.cmd == "streams":
        print(json.dumps(streams(a.file)))
    elif a.cmd == "run":
        print(json.dumps(run_counting(a.description, a.count, a.guard)))
    else:
        print(json.dumps(stats(a.url)))


if __name__ == "__main__":
    main()
