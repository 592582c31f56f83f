#!/usr/bin/python3
"""Motion between picks (imagegenremix motion=flow, issue 24): picture
quality against the ideal, CPU per frame, and a live run.

    /usr/bin/python3 tools/bench/motion_bench.py [--build DIR] [--quick]
                                        [--out FILE.json] [--plots DIR]

Needs python3-gi, python3-numpy and (for --plots) python3-matplotlib.
The pipelines run in this process (appsrc ! imagegenremix ! appsink)
against imagegen-emulator, whose remix inverts colours: the ideal restyle
of any frame is that frame inverted, so every output frame has a PSNR
against its ideal.

Quality: clips made here at 640x360, 25 fps, 6 s — pan (4 px a frame),
zoom (0.5 % a frame), pan and zoom, a textured disc moving over a still
background, a pan with a hard cut at 2.4 s — with one pick a second and
one per two seconds, each through

    hold        motion=hold
    cross-fade  motion=hold transition-duration=interval
    flow-1      motion=flow max-queue-frames=1 (each frame only has the
                pick before it: the one-neighbour case)
    flow-2      motion=flow (both neighbours)

beside the ceiling: the same pipeline on a still clip (JPEG upload and
resampling cost a few dB there already).  Mean and worst PSNR a frame.

CPU: a 3 s pan (4 px a frame, sliced from one texture) at 1280x720 and
1920x1080 through motion=flow (one and two neighbours) and through
identity, in the same run; process CPU time (this process: the element,
its flow and OpenCV's threads, and the frame source, which identity pays
too) a frame above identity's.

Live: videotestsrc is-live=true pattern=ball at 1920x1080, 25 fps, 10 s,
imagegenremix mode=live motion=flow, fakesink sync=true qos=true with a
max-lateness of one frame: frames dropped late, and the element's
fallbacks.

Prints figures and asserts nothing: the machine is shared.  The table is
in docs/motion.md and docs/performance.md; --plots writes the PSNR curves
and a strip of frames.
"""

import argparse
import json
import os
import resource
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import ROOT, Emulator, log  # noqa: E402

import numpy as np  # noqa: E402

SECOND = 1000000000
FPS = 25
W, H = 640, 360


def gst_setup(build):
    os.environ["GST_PLUGIN_PATH"] = os.path.join(build, "gst-plugin",
                                                 "elements")
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import Gst
    Gst.init(None)
    return Gst


def resample(img, xs, ys):
    """Bilinear samples of img (h x w x 3 float) at float coordinates."""
    h, w = img.shape[:2]
    xs = np.clip(xs, 0, w - 1.001)
    ys = np.clip(ys, 0, h - 1.001)
    x0, y0 = xs.astype(int), ys.astype(int)
    fx, fy = (xs - x0)[..., None], (ys - y0)[..., None]
    a = img[y0, x0] * (1 - fx) + img[y0, x0 + 1] * fx
    b = img[y0 + 1, x0] * (1 - fx) + img[y0 + 1, x0 + 1] * fx
    return a * (1 - fy) + b * fy


def texture(seed, w=2 * W, h=2 * H):
    """Smooth coloured noise of several scales: detail flow can follow."""
    rng = np.random.default_rng(seed)
    out = np.zeros((h, w, 3))
    ys, xs = np.mgrid[0:h, 0:w].astype(float)
    for cell, amp in ((64, 70), (16, 40), (6, 20)):
        small = rng.uniform(-1, 1, (h // cell + 2, w // cell + 2, 3))
        out += amp * resample(small, xs / cell, ys / cell)
    return np.clip(out + 128, 0, 255)


class Clips:
    """Views of two large textures: every clip stays inside them (a view
    off the edge would smear, and flatter the figures)."""
    MARGIN = 40

    def __init__(self, w=W, h=H, frames=6 * FPS):
        self.w, self.h = w, h
        tw, th = w + 4 * frames + 2 * self.MARGIN, h + frames + \
            2 * self.MARGIN
        self.tex = [texture(1, tw, th), texture(2, tw, th)]
        self.ys, self.xs = np.mgrid[0:h, 0:w].astype(float)

    def view(self, shot, dx, dy, scale):
        """The frame seeing texture @shot shifted by dx, dy (0 or more)
        and magnified by scale (1 or more) about the frame's centre."""
        cx, cy = self.w / 2, self.h / 2
        xs = (self.xs - cx) / scale + cx + self.MARGIN + dx
        ys = (self.ys - cy) / scale + cy + self.MARGIN + dy
        return resample(self.tex[shot], xs, ys)

    def frame(self, kind, i):
        if kind == "pan":
            f = self.view(0, 4 * i, 0, 1.0)
        elif kind == "zoom":
            f = self.view(0, 0, 0, 1.005 ** i)
        elif kind == "panzoom":
            f = self.view(0, 3 * i, i, 1.004 ** i)
        elif kind == "object":
            f = self.view(0, 0, 0, 1.0)
            r = self.h / 6
            cx, cy = self.w * 0.15 + 6 * i % (self.w * 0.7), self.h / 2
            disc = (self.xs - cx) ** 2 + (self.ys - cy) ** 2 < r * r
            # a rigid disc: its texture moves with it
            f[disc] = self.view(1, self.w - cx, 0, 1.0)[disc]
        elif kind == "cut":
            shot = 1 if i >= int(2.4 * FPS) else 0
            f = self.view(shot, 4 * i, 0, 1.0)
        elif kind == "still":
            f = self.view(0, 0, 0, 1.0)
        else:
            raise ValueError(kind)
        rgba = np.empty((self.h, self.w, 4), np.uint8)
        rgba[..., :3] = np.clip(f + 0.5, 0, 255)
        rgba[..., 3] = 255
        return rgba


def psnr(out, ideal):
    mse = np.mean((out[..., :3].astype(float) - ideal[..., :3]) ** 2)
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def run_remix(Gst, emu, frames, w, h, props, keep=()):
    """frames (RGBA arrays) through appsrc ! imagegenremix ! appsink;
    returns the output frames (as arrays at the indices in keep, None
    elsewhere), PSNR of each against its inverted input, CPU seconds and
    the element's stats."""
    caps = "video/x-raw,format=RGBA,width=%d,height=%d,framerate=%d/1" % (
        w, h, FPS)
    p = Gst.parse_launch(
        "appsrc name=src format=time caps=%s ! imagegenremix name=r "
        "mode=offline poll-interval=50 prompt=bench interval=%d %s ! "
        "appsink name=sink sync=false caps=%s" % (
            caps, props.pop("interval"),
            " ".join("%s=%s" % kv for kv in props.items()), caps))
    r = p.get_by_name("r")
    r.set_property("base-url", emu.url)
    r.set_property("api-key", "bench")
    src, sink = p.get_by_name("src"), p.get_by_name("sink")
    cpu0 = time.process_time()
    p.set_state(Gst.State.PLAYING)
    outs, scores = [], []
    n = len(frames) if isinstance(frames, list) else frames[0]
    make = (lambda i: frames[i]) if isinstance(frames, list) else frames[1]
    pushed = 0
    while len(scores) < n:
        # push ahead while the element takes frames; pull what came out
        while pushed < n and pushed - len(scores) < 60:
            f = make(pushed)
            buf = Gst.Buffer.new_wrapped(f.tobytes())
            buf.pts = pushed * SECOND // FPS
            buf.duration = SECOND // FPS
            src.emit("push-buffer", buf)
            pushed += 1
            if pushed == n:
                src.emit("end-of-stream")
        sample = sink.emit("try-pull-sample", 10 * SECOND)
        if sample is None:
            raise RuntimeError("no frame out (%d of %d)" % (len(scores), n))
        ok, m = sample.get_buffer().map(Gst.MapFlags.READ)
        out = np.frombuffer(m.data, np.uint8).reshape(h, w, 4)
        i = len(scores)
        ideal = 255 - make(i)[..., :3].astype(float) \
            if isinstance(frames, list) else None
        scores.append(psnr(out, ideal) if ideal is not None else 0.0)
        outs.append(out.copy() if i in keep else None)
        sample.get_buffer().unmap(m)
    cpu = time.process_time() - cpu0
    stats = r.get_property("stats")
    stats = {k: stats.get_value(k) for k in (
        "frames-flow", "frames-flow-one-neighbour", "flow-ms-per-frame")}
    p.set_state(Gst.State.NULL)
    return outs, scores, cpu, stats


METHODS = {
    "hold": lambda iv: {"motion": "hold"},
    "cross-fade": lambda iv: {"motion": "hold", "transition-duration": iv},
    "flow-1": lambda iv: {"motion": "flow", "max-queue-frames": 1},
    "flow-2": lambda iv: {"motion": "flow"},
}


def quality(Gst, emu, clips, seconds, kinds, intervals):
    n = seconds * FPS
    rows, curves, strip = [], {}, {}
    still = [clips.frame("still", 0)] * n
    for iv in intervals:
        _, s, _, _ = run_remix(Gst, emu, still, W, H,
                               {"interval": iv, "motion": "hold"})
        ceiling = float(np.mean(s))
        for kind in kinds:
            frames = [clips.frame(kind, i) for i in range(n)]
            row = {"clip": kind, "interval_s": iv / SECOND,
                   "ceiling_db": round(ceiling, 1)}
            for name, make in METHODS.items():
                props = dict(make(iv), interval=iv)
                mid = FPS * iv // SECOND // 2
                outs, s, _, st = run_remix(Gst, emu, frames, W, H, props,
                                           keep=(mid,))
                if name == "hold":
                    hold = s
                row[name] = {"mean_db": round(float(np.mean(s)), 1),
                             "worst_db": round(float(np.min(s)), 1),
                             # frames more than 0.5 dB under hold's
                             "worse_than_hold": int(np.sum(
                                 np.array(s) < np.array(hold) - 0.5))}
                if kind == "pan" and iv == SECOND:
                    curves[name] = [round(x, 2) for x in s]
                    strip[name] = outs[mid]
                    strip["input"] = frames[mid]
                log("%-8s %.0f s %-10s mean %5.1f dB worst %5.1f dB %s" % (
                    kind, iv / SECOND, name, np.mean(s), np.min(s), st))
            rows.append(row)
    return rows, curves, strip


def cpu_per_frame(Gst, emu, sizes, seconds):
    out = []
    for w, h in sizes:
        n = seconds * FPS
        # a pan by whole pixels, sliced from one texture: making a frame
        # costs a copy, so the CPU above identity is the element's
        tex = np.empty((h, w + 4 * n, 4), np.uint8)
        tex[..., :3] = texture(3, w + 4 * n, h).astype(np.uint8)
        tex[..., 3] = 255
        gen = (n, lambda i: np.ascontiguousarray(tex[:, 4 * i:4 * i + w]))
        res = {"size": "%dx%d" % (w, h)}
        for name, props in (("identity", None),
                            ("flow-1", {"motion": "flow",
                                        "max-queue-frames": 1}),
                            ("flow-2", {"motion": "flow"})):
            if props is None:
                cpu = run_identity(Gst, gen, w, h)
                stats = {}
            else:
                _, _, cpu, stats = run_remix(
                    Gst, emu, gen, w, h, dict(props, interval=SECOND))
            res[name + "_cpu_ms"] = round(cpu * 1000 / n, 1)
            if stats:
                res[name + "_flow_ms"] = round(stats["flow-ms-per-frame"], 1)
            log("%dx%d %-8s %.1f ms CPU a frame %s" % (
                w, h, name, cpu * 1000 / n, stats))
        for name in ("flow-1", "flow-2"):
            res[name + "_above_identity_ms"] = round(
                res[name + "_cpu_ms"] - res["identity_cpu_ms"], 1)
        out.append(res)
    return out


def run_identity(Gst, gen, w, h):
    caps = "video/x-raw,format=RGBA,width=%d,height=%d,framerate=%d/1" % (
        w, h, FPS)
    p = Gst.parse_launch("appsrc name=src format=time caps=%s ! identity ! "
                         "appsink name=sink sync=false" % caps)
    src, sink = p.get_by_name("src"), p.get_by_name("sink")
    cpu0 = time.process_time()
    p.set_state(Gst.State.PLAYING)
    for i in range(gen[0]):
        buf = Gst.Buffer.new_wrapped(gen[1](i).tobytes())
        buf.pts = i * SECOND // FPS
        src.emit("push-buffer", buf)
        sink.emit("try-pull-sample", 10 * SECOND)
    cpu = time.process_time() - cpu0
    p.set_state(Gst.State.NULL)
    return cpu


def live_run(Gst, emu, seconds):
    p = Gst.parse_launch(
        "videotestsrc is-live=true pattern=ball num-buffers=%d ! "
        "video/x-raw,format=I420,width=1920,height=1080,framerate=%d/1 ! "
        "imagegenremix name=r mode=live motion=flow prompt=bench "
        "poll-interval=50 ! fakesink name=sink sync=true qos=true "
        "max-lateness=%d" % (seconds * FPS, FPS, SECOND // FPS))
    r = p.get_by_name("r")
    r.set_property("base-url", emu.url)
    r.set_property("api-key", "bench")
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    p.set_state(Gst.State.PLAYING)
    p.get_bus().timed_pop_filtered(
        (seconds + 30) * SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    st = r.get_property("stats")
    sink = p.get_by_name("sink").get_property("stats")
    res = {"frames": seconds * FPS,
           "late_dropped": sink.get_value("dropped"),
           "rendered": sink.get_value("rendered"),
           "frames_flow": st.get_value("frames-flow"),
           "fallbacks": st.get_value("frames-flow-fallback"),
           "flow_ms": round(st.get_value("flow-ms-per-frame"), 1),
           "cpu_s": round(ru1.ru_utime + ru1.ru_stime - ru0.ru_utime -
                          ru0.ru_stime, 1)}
    p.set_state(Gst.State.NULL)
    log("live 1080p25: %s" % res)
    return res


def plots(result, strip, out_dir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for name, ys in result["curves"].items():
        ax.plot(np.arange(len(ys)) / FPS, ys, label=name)
    ax.set_xlabel("stream time (s); picks every 1 s")
    ax.set_ylabel("PSNR against the ideal (dB)")
    ax.set_title("pan 4 px a frame, 640x360, 25 fps")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "motion-psnr.png"), dpi=90)
    order = ["input", "hold", "cross-fade", "flow-1", "flow-2"]
    fig, axes = plt.subplots(1, len(order), figsize=(15, 2.2))
    for ax, name in zip(axes, order):
        img = strip[name][..., :3]
        ax.imshow(img if name != "input" else 255 - img)
        ax.set_title(name if name != "input" else "ideal (input inverted)",
                     fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "motion-strip.png"), dpi=80)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--quick", action="store_true",
                    help="pan and object at one pick a second, 720p CPU")
    ap.add_argument("--clips", help="only these clips, e.g. pan,object")
    ap.add_argument("--intervals", help="only these seconds between "
                    "picks, e.g. 2")
    ap.add_argument("--no-cpu", action="store_true",
                    help="picture quality only: no CPU or live runs")
    ap.add_argument("--out", help="write the figures as JSON here")
    ap.add_argument("--plots", help="write motion-psnr.png and "
                    "motion-strip.png into this directory")
    a = ap.parse_args()
    Gst = gst_setup(a.build)
    emulator = os.path.join(a.build, "tools", "emulator", "imagegen-emulator")
    kinds = ["pan", "object"] if a.quick else \
        ["pan", "zoom", "panzoom", "object", "cut"]
    intervals = [SECOND] if a.quick else [SECOND, 2 * SECOND]
    sizes = [(1280, 720)] if a.quick else [(1280, 720), (1920, 1080)]
    if a.clips:
        kinds = a.clips.split(",")
    if a.intervals:
        intervals = [int(float(x) * SECOND) for x in a.intervals.split(",")]
    with Emulator(emulator, "--latency", "50") as emu:
        rows, curves, strip = quality(Gst, emu, Clips(), 6, kinds, intervals)
        cpu, live = [], None
        if not a.no_cpu:
            cpu = cpu_per_frame(Gst, emu, sizes, 3)
            live = live_run(Gst, emu, 4 if a.quick else 10)
    result = {"quality": rows, "cpu": cpu, "live": live, "curves": curves}
    print("%-8s %4s %8s | %-11s | %-11s | %-11s | %-11s" % (
        "clip", "pick", "ceiling", "hold", "cross-fade", "flow-1", "flow-2"))
    for r in rows:
        print("%-8s %3.0fs %6.1fdB | %s" % (
            r["clip"], r["interval_s"], r["ceiling_db"], " | ".join(
                "%4.1f / %4.1f" % (r[m]["mean_db"], r[m]["worst_db"])
                for m in METHODS)))
    print("(mean / worst PSNR a frame, dB)")
    for r in rows:
        print("%-8s %3.0fs frames > 0.5 dB under hold: %s" % (
            r["clip"], r["interval_s"], ", ".join(
                "%s %d" % (m, r[m]["worse_than_hold"]) for m in METHODS)))
    for c in cpu:
        print("%s: CPU a frame: identity %.1f ms, flow-1 +%.1f ms, "
              "flow-2 +%.1f ms (element's flow time %.1f / %.1f ms)" % (
                  c["size"], c["identity_cpu_ms"],
                  c["flow-1_above_identity_ms"],
                  c["flow-2_above_identity_ms"], c["flow-1_flow_ms"],
                  c["flow-2_flow_ms"]))
    if live:
        print("live 1080p25, %d frames: %d carried, %d dropped late, %d "
              "fallbacks, flow %.1f ms a frame, %.1f s CPU" % (
                  live["frames"], live["frames_flow"], live["late_dropped"],
                  live["fallbacks"], live["flow_ms"], live["cpu_s"]))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)
    if a.plots:
        plots(result, strip, a.plots)


if __name__ == "__main__":
    main()
