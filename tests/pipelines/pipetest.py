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
    pipetest.py run [--count NAME]... [--guard S] [--cue NAME=START-END:TEXT]...
            [--chapter NAME=START-END:TITLE]... DESCRIPTION
        runs a gst-launch-1.0 style DESCRIPTION to EOS (hang guard) and
        prints JSON: eos, errors, warnings (bus texts), hung, and per
        --count NAME (a fakesink) the buffers it got.  gst-launch -v
        last-message lines are racy: they miss and repeat buffers.
        --cue pushes TEXT (\\n: a new line) into the appsrc NAME from
        START to END (seconds); --chapter gives the muxer NAME a chapter
        (gst-launch can do neither).
    pipetest.py stats URL
        prints the emulator's /emulator/stats.
    pipetest.py streams FILE
        what a player is told about FILE (GstDiscoverer): duration_s,
        per stream its kind, caps and tags, and its chapters (title,
        start_s, stop_s), as JSON.
    pipetest.py subtitles FILE
        FILE's subtitle streams as demuxed: per stream its caps and its
        cues (pts_s, duration_s, text), as JSON.
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


def span(text):
    """NAME=START-END:REST as (NAME, START ns, END ns, REST)."""
    name, _, rest = text.partition("=")
    times, _, rest = rest.partition(":")
    start, _, end = times.partition("-")
    return name, int(float(start) * Gst.SECOND), \
        int(float(end) * Gst.SECOND), rest


def set_chapters(element, chapters):
    """A table of contents of one edition for a GstTocSetter.  Through
    libgstreamer itself: PyGObject holds a reference of its own to each
    entry, which makes them read-only for gst_toc_entry_append_sub_entry."""
    import ctypes
    lib = ctypes.CDLL("libgstreamer-1.0.so.0")
    ptr, i64 = ctypes.c_void_p, ctypes.c_int64
    for fn, res, args in (
            ("gst_toc_new", ptr, [ctypes.c_int]),
            ("gst_toc_entry_new", ptr, [ctypes.c_int, ctypes.c_char_p]),
            ("gst_tag_list_new_from_string", ptr, [ctypes.c_char_p]),
            ("gst_toc_entry_set_tags", None, [ptr, ptr]),
            ("gst_toc_entry_set_start_stop_times", None, [ptr, i64, i64]),
            ("gst_toc_entry_append_sub_entry", None, [ptr, ptr]),
            ("gst_toc_append_entry", None, [ptr, ptr]),
            ("gst_toc_setter_set_toc", None, [ptr, ptr]),
            ("gst_mini_object_unref", None, [ptr])):
        getattr(lib, fn).restype, getattr(lib, fn).argtypes = res, args
    capsule = ctypes.pythonapi.PyCapsule_GetPointer
    capsule.restype, capsule.argtypes = ptr, [ctypes.py_object, ctypes.c_char_p]
    toc = lib.gst_toc_new(int(Gst.TocScope.GLOBAL))
    edition = lib.gst_toc_entry_new(int(Gst.TocEntryType.EDITION), b"edition")
    for i, (start, end, title) in enumerate(chapters):
        entry = lib.gst_toc_entry_new(int(Gst.TocEntryType.CHAPTER),
                                      b"chapter%d" % i)
        lib.gst_toc_entry_set_start_stop_times(entry, start, end)
        tags = Gst.TagList.new_empty()
        tags.add_value(Gst.TagMergeMode.APPEND, Gst.TAG_TITLE, title)
        lib.gst_toc_entry_set_tags(entry, lib.gst_tag_list_new_from_string(
            tags.to_string().encode()))
        lib.gst_toc_entry_append_sub_entry(edition, entry)
    lib.gst_toc_append_entry(toc, edition)
    lib.gst_toc_setter_set_toc(capsule(element.__gpointer__, None), toc)
    lib.gst_mini_object_unref(toc)


def run_counting(desc, count=(), guard=None, cues=(), chapters=()):
    pipeline = Gst.parse_launch(desc)
    counts = {n: 0 for n in count}
    by_muxer = {}
    for name, start, end, title in map(span, chapters):
        by_muxer.setdefault(name, []).append((start, end, title))
    for name, marks in by_muxer.items():
        set_chapters(pipeline.get_by_name(name), marks)
    sources = set()
    for name, start, end, text in map(span, cues):
        text = text.replace("\\n", "\n").encode()
        # new_wrapped() takes no empty text
        buf = Gst.Buffer.new_wrapped(text) if text else Gst.Buffer.new()
        buf.pts, buf.duration = start, end - start
        pipeline.get_by_name(name).emit("push-buffer", buf)
        sources.add(name)
    for name in sources:
        pipeline.get_by_name(name).emit("end-of-stream")

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
    chapters = []

    def walk(entries):
        for e in entries:
            if e.get_entry_type() == Gst.TocEntryType.CHAPTER:
                ok, start, stop = e.get_start_stop_times()
                tags = e.get_tags()
                chapters.append({
                    "title": tags.get_string(Gst.TAG_TITLE)[1] if tags
                    else None, "start_s": start / Gst.SECOND,
                    "stop_s": stop / Gst.SECOND})
            walk(e.get_sub_entries())
    if info.get_toc() is not None:
        walk(info.get_toc().get_entries())
    return {"duration_s": info.get_duration() / Gst.SECOND, "streams": out,
            "chapters": chapters}


def subtitles(path):
    """Each subtitle stream as the demuxer gives it: caps and cues."""
    pipeline = Gst.Pipeline()
    src = Gst.ElementFactory.make("uridecodebin")
    src.set_property("uri", Gst.filename_to_uri(os.path.abspath(path)))
    src.set_property("caps", Gst.Caps.from_string(
        "video/x-raw(ANY); audio/x-raw(ANY); text/x-raw(ANY); "
        "application/x-ssa; application/x-ass"))
    pipeline.add(src)
    found = []

    def on_cue(sink, buf, pad, stream):
        ok, m = buf.map(Gst.MapFlags.READ)
        stream["cues"].append([buf.pts / Gst.SECOND, buf.duration / Gst.SECOND,
                               bytes(m.data).decode("utf-8", "replace")])
        buf.unmap(m)

    def pad_added(_src, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("sync", False)
        if not caps.get_structure(0).get_name().startswith(("audio/",
                                                             "video/")):
            stream = {"caps": caps.to_string(), "cues": []}
            found.append(stream)
            sink.set_property("signal-handoffs", True)
            sink.connect("handoff", on_cue, stream)
        pipeline.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))

    src.connect("pad-added", pad_added)
    res = run_until_eos(pipeline)
    return {"eos": res["eos"], "errors": res["errors"], "streams": found}


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
    rn.add_argument("--cue", action="append", default=[])
    rn.add_argument("--chapter", action="append", default=[])
    st = sub.add_parser("stats")
    st.add_argument("url")
    sub.add_parser("streams").add_argument("file")
    sub.add_parser("subtitles").add_argument("file")
    a = ap.parse_args()
    if a.cmd == "mediainfo":
        pts = [tuple(int(v) for v in p.split(",")) for p in a.point]
        info = decode_file(a.file, pts, a.guard)
        info.pop("video_pts")
        print(json.dumps(info))
    elif a.cmd == "streams":
        print(json.dumps(streams(a.file)))
    elif a.cmd == "subtitles":
        print(json.dumps(subtitles(a.file)))
    elif a.cmd == "run":
        print(json.dumps(run_counting(a.description, a.count, a.guard,
                                      a.cue, a.chapter)))
    else:
        print(json.dumps(stats(a.url)))


if __name__ == "__main__":
    main()
