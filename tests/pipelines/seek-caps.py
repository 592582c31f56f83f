#!/usr/bin/python3
"""A seek in the middle and a caps change mid-stream (PIPELINES.md, "Files"),
through imagegenremix in offline mode, driven from an application
(PyGObject, as users without gst-python do).

seek: filesrc ! decodebin ! videoconvert ! imagegenremix mode=offline !
      videoconvert ! appsink, on a 6 s file whose first 2 s are red and the
      rest blue.  After 5 output frames, a flushing accurate seek to 3.05 s.
      The run reaches EOS without an error; after the flush the frames are
      exactly those the same pipeline with identity gives after the same
      seek (none before the target but the one covering it), and every one
      shows the remix of blue (the emulator inverts colours): nothing
      requested before the flush (red frames) shows after it.
caps: appsrc feeding 320x240, then 160x120, then 256x144 frames (30 each, a
      colour each) into imagegenremix offline: EOS, as many frames out as
      in, the output sizes follow the input, and each part shows the remix
      of its own colour.
"""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pipetest  # noqa: E402
from pipetest import Gst, Checks  # noqa: E402

RED = (200, 40, 40)
BLUE = (40, 40, 200)
TOL = 24


def inverse(c):
    return tuple(255 - v for v in c)


def frame(w, h, rgb):
    return Gst.Buffer.new_wrapped(bytes([rgb[0], rgb[1], rgb[2], 255]) * (w * h))


def make_file(path, secs, colour_of_frame):
    """H.264 in MP4, 320x240 at 30 fps, frame i in colour_of_frame(i)."""
    p = Gst.parse_launch(
        "appsrc name=src format=time caps=video/x-raw,format=RGBx,width=320,height=240,"
        "framerate=30/1 ! videoconvert ! x264enc ! mp4mux ! filesink name=sink")
    p.get_by_name("sink").set_property("location", path)
    src = p.get_by_name("src")
    n = secs * 30
    state = {"i": 0}

    def need_data(src, length):
        i = state["i"]
        if i >= n:
            src.emit("end-of-stream")
            return
        buf = frame(320, 240, colour_of_frame(i))
        buf.pts = i * Gst.SECOND // 30
        buf.duration = (i + 1) * Gst.SECOND // 30 - buf.pts
        state["i"] = i + 1
        src.emit("push-buffer", buf)

    src.connect("need-data", need_data)
    res = pipetest.run_until_eos(p)
    if not res["eos"]:
        sys.exit("could not make %s: %s" % (path, res))


def run_seek(path, element, target, seek_after):
    """Plays path through `element`, seeks (flush, accurate) to target once
    seek_after frames are out (0: seek in PAUSED, before playing).  Returns
    the bus result plus the frames before and after the flush."""
    p = Gst.parse_launch(
        "filesrc name=src ! decodebin ! videoconvert ! %s ! videoconvert ! "
        "video/x-raw,format=RGBx ! appsink name=out sync=false emit-signals=true" % element)
    p.get_by_name("src").set_property("location", path)
    sink = p.get_by_name("out")
    st = {"flushed": False, "before": [], "after": [], "seek": None}

    def on_sample(sink):
        s = sink.emit("pull-sample")
        buf = s.get_buffer()
        caps = s.get_caps().get_structure(0)
        w, h = caps.get_value("width"), caps.get_value("height")
        rec = (buf.pts, pipetest.rgb_at(buf, w, h, w // 2, h // 2))
        (st["after"] if st["flushed"] else st["before"]).append(rec)
        return Gst.FlowReturn.OK

    def on_event(pad, info):
        if info.get_event().type == Gst.EventType.FLUSH_STOP:
            st["flushed"] = True
        return Gst.PadProbeReturn.OK

    sink.connect("new-sample", on_sample)
    sink.get_static_pad("sink").add_probe(Gst.PadProbeType.EVENT_FLUSH, on_event)
    flags = Gst.SeekFlags.FLUSH | Gst.SeekFlags.ACCURATE

    if seek_after == 0:
        p.set_state(Gst.State.PAUSED)
        p.get_state(int(pipetest.HANG_GUARD * Gst.SECOND))
        st["seek"] = p.seek_simple(Gst.Format.TIME, flags, target)
        on_tick = None
    else:
        def on_tick():
            if st["seek"] is None and len(st["before"]) >= seek_after:
                st["seek"] = p.seek_simple(Gst.Format.TIME, flags, target)
    res = pipetest.run_until_eos(p, on_tick=on_tick)
    res.update(st)
    return res


def test_seek(c, tmp, url):
    path = os.path.join(tmp, "red-then-blue.mp4")
    make_file(path, 6, lambda i: RED if i < 60 else BLUE)
    target = 3050 * Gst.MSECOND
    frame_ns = Gst.SECOND // 30

    base = run_seek(path, "identity", target, 0)
    want = [pts for pts, _ in base["after"]]
    c.check("baseline (identity): seek done, EOS, frames after the target", base["seek"]
            and base["eos"] and not base["errors"] and len(want) > 0, str(base["errors"]))

    res = run_seek(path, "imagegenremix mode=offline interval=500000000 prompt=watercolour",
                   target, 5)
    got = [pts for pts, _ in res["after"]]
    print("remix: %d frames before the seek, %d after (identity: %d after); warnings %s"
          % (len(res["before"]), len(got), len(want), res["warnings"]), flush=True)
    c.check("seek: seek_simple(FLUSH|ACCURATE, 3.05 s) accepted mid-run", res["seek"] is True,
            "seek result %r, %d frames out before it" % (res["seek"], len(res["before"])))
    c.check("seek: the run reaches EOS without an error",
            res["eos"] and not res["errors"],
            "hung" if res["hung"] else str(res["errors"]))
    c.check("seek: no frame before the target after the flush (but the one covering it)",
            got and min(got) >= target - frame_ns, "first pts %s" % (min(got) if got else None))
    c.check("seek: after the flush, exactly the frames identity gives (%d)" % len(want),
            got == want, "%d frames, first %s, last %s" % (len(got), got[:1], got[-1:]))
    bad = [(pts, rgb) for pts, rgb in res["after"] if not pipetest.near(rgb, inverse(BLUE), TOL)]
    c.check("seek: every frame after the flush shows the remix of blue ~%s, none a "
            "result requested before it" % (inverse(BLUE),), got and not bad,
            "%d frames differ, e.g. %s" % (len(bad), bad[:3]))
    bad = [(pts, rgb) for pts, rgb in res["before"] if not pipetest.near(rgb, inverse(RED), TOL)]
    c.check("seek: frames before the seek show the remix of red ~%s" % (inverse(RED),),
            res["before"] and not bad, "%d frames differ, e.g. %s" % (len(bad), bad[:3]))


def test_caps(c, url):
    parts = [(320, 240, RED), (160, 120, BLUE), (256, 144, (40, 200, 40))]
    per_part = 30
    inputs = [(w, h, col) for w, h, col in parts for _ in range(per_part)]
    p = Gst.parse_launch(
        "appsrc name=src format=time ! imagegenremix mode=offline interval=500000000 "
        "prompt=watercolour ! videoconvert ! video/x-raw,format=RGBx ! "
        "appsink name=out sync=false emit-signals=true")
    src, sink = p.get_by_name("src"), p.get_by_name("out")
    state = {"i": 0}
    out = []

    def need_data(src, length):
        i = state["i"]
        if i >= len(inputs):
            src.emit("end-of-stream")
            return
        w, h, col = inputs[i]
        caps = Gst.Caps.from_string("video/x-raw,format=RGBx,width=%d,height=%d,framerate=30/1"
                                    % (w, h))
        buf = frame(w, h, col)
        buf.pts = i * Gst.SECOND // 30
        buf.duration = (i + 1) * Gst.SECOND // 30 - buf.pts
        state["i"] = i + 1
        src.emit("push-sample", Gst.Sample.new(buf, caps, None, None))

    def on_sample(sink):
        s = sink.emit("pull-sample")
        st = s.get_caps().get_structure(0)
        w, h = st.get_value("width"), st.get_value("height")
        out.append((w, h, pipetest.rgb_at(s.get_buffer(), w, h, w // 2, h // 2)))
        return Gst.FlowReturn.OK

    src.connect("need-data", need_data)
    sink.connect("new-sample", on_sample)
    res = pipetest.run_until_eos(p)
    print("caps: %d frames in, %d out, sizes out %s; warnings %s"
          % (len(inputs), len(out), sorted({(w, h) for w, h, _ in out}), res["warnings"]),
          flush=True)
    c.check("caps: the run reaches EOS without an error", res["eos"] and not res["errors"],
            "hung" if res["hung"] else str(res["errors"]))
    c.check("caps: as many frames out as in (%d)" % len(inputs), len(out) == len(inputs),
            "%d out" % len(out))
    c.check("caps: the output sizes follow the input (320x240, 160x120, 256x144)",
            [(w, h) for w, h, _ in out] == [(w, h) for w, h, _ in inputs])
    for k, (w, h, col) in enumerate(parts):
        # the last 10 frames of each part: the part's own pick has arrived
        tail = out[(k + 1) * per_part - 10:(k + 1) * per_part]
        bad = [rgb for _, _, rgb in tail if not pipetest.near(rgb, inverse(col), TOL)]
        c.check("caps: the %dx%d part shows the remix of its own colour ~%s" % (w, h, inverse(col)),
                len(tail) == 10 and not bad, "%s" % bad[:3])


def main():
    c = Checks()
    with tempfile.TemporaryDirectory() as tmp, \
            pipetest.Emulator(pipetest.emulator_binary(), "--latency", "300") as emu:
        os.environ["RUNAPI_BASE_URL"] = emu.url
        os.environ.setdefault("RUNAPI_API_KEY", "pipeline-test")
        test_seek(c, tmp, emu.url)
        test_caps(c, emu.url)
        s = pipetest.stats(emu.url)
        print("emulator: %d tasks created, %d completed, %d failed"
              % (s["tasks_created"], s["tasks_completed"], s["tasks_failed"]), flush=True)
    c.finish()


if __name__ == "__main__":
    main()
