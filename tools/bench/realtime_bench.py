#!/usr/bin/python3
"""Live restyling over fal's realtime WebSocket (issue 25): results per
second, the time from a frame's arrival to its result on screen, and CPU
per frame, beside Black Forest Labs' klein through create-and-poll.

    /usr/bin/python3 tools/bench/realtime_bench.py [--build DIR]
                     [--seconds N] [--out FILE.json] [--plot FILE.png]

Needs python3-gi, python3-numpy and (for --plot) python3-matplotlib.

A live 1280x720 25 fps source (appsrc is-live=true, stamped on arrival)
runs in this process through

    realtime  imagegenremix model=fal-ai/flux-2/klein/realtime mode=live
              interval=40 ms (one frame)
    klein     imagegenremix model=flux-2-klein-4b mode=aligned
              latency=2 s interval=40 ms max-in-flight=24 (create and
              poll, 1 s tasks: the issue's baseline)
    identity  the same source through identity (CPU only)

against imagegen-emulator, with 50 ms and 150 ms of service a realtime
frame.  Every frame carries its number in ten wide stripes (and a
black/white key for the polarity: the emulator's remix inverts), so each
output frame says whose result it shows.  A result's time on screen is
when appsink got the first output frame showing it (live mode pushes a
frame as it arrives: no clock wait); its frame's arrival is when it was
pushed.  The emulator's per-frame records (fal_rt_frame, its own clock)
give each result's service time, which is subtracted: what is left is the
element's and the client's own time (encode, square fit, upload, decode,
placement, waiting for the next frame to show it).

Prints figures and asserts nothing: the machine is shared.  The table is
in docs/performance.md.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, Emulator, log  # noqa: E402
from motion_bench import FPS, SECOND, gst_setup  # noqa: E402
import numpy as np  # noqa: E402

W, H = 1280, 720
BITS = 10
REALTIME = "fal-ai/flux-2/klein/realtime"
KLEIN = "flux-2-klein-4b"


class Frames:
    """Frame i: its number in BITS stripes across the top half, a key
    below (left white, right black), a moving grey ramp elsewhere."""
    STRIPE = W // BITS

    def __init__(self):
        ramp = np.linspace(60, 190, W, dtype=np.float32)
        self.base = np.empty((H, W, 4), np.uint8)
        self.base[..., :3] = ramp[None, :, None].astype(np.uint8)
        self.base[..., 3] = 255
        self.base[H // 2:3 * H // 4, :W // 2, :3] = 235
        self.base[H // 2:3 * H // 4, W // 2:, :3] = 20

    def make(self, i):
        f = self.base.copy()
        f[3 * H // 4:, :, :3] = np.roll(self.base[3 * H // 4:, :, :3],
                                        8 * i, axis=1)
        for b in range(BITS):
            v = 235 if (i >> b) & 1 else 20
            f[H // 16:7 * H // 16, b * self.STRIPE:(b + 1) * self.STRIPE,
              :3] = v
        return f

    @classmethod
    def read(cls, data, w=W, h=H):
        """The number an output frame (RGBA bytes) shows, or None when it
        shows no result (the input, or an undecidable picture)."""
        img = np.frombuffer(data, np.uint8).reshape(h, w, 4)
        y0, y1 = 5 * h // 8 - 8, 5 * h // 8 + 8
        left = img[y0:y1, w // 8:3 * w // 8, :3].mean()
        right = img[y0:y1, 5 * w // 8:7 * w // 8, :3].mean()
        if abs(left - right) < 100:
            return None
        inverted = left < right
        if not inverted:
            return None         # the input itself: no result yet
        n = 0
        for b in range(BITS):
            x = b * cls.STRIPE + cls.STRIPE // 2
            v = img[h // 8:3 * h // 8, x - 16:x + 16, :3].mean()
            if abs(v - 127) < 60:
                return None
            if v < 127:         # inverted: white went black
                n |= 1 << b
        return n


def run(Gst, emu, element, seconds, frames):
    """The live source through @element for @seconds; returns per frame
    number the push time, the first times each number showed, CPU and
    the element's stats."""
    p = Gst.parse_launch(
        "appsrc name=src is-live=true do-timestamp=true format=time "
        "caps=video/x-raw,format=RGBA,width=%d,height=%d,framerate=%d/1 ! "
        "%s ! appsink name=sink sync=false emit-signals=true max-buffers=4 "
        "drop=true" % (W, H, FPS, element))
    r = p.get_by_name("r")
    if r is not None:
        r.set_property("base-url", emu.url)
        r.set_property("api-key", "bench")
    src, sink = p.get_by_name("src"), p.get_by_name("sink")
    pushed, shown, outs = {}, {}, [0]
    lock = threading.Lock()

    def on_sample(s):
        sample = s.emit("pull-sample")
        now = time.monotonic()
        ok, m = sample.get_buffer().map(Gst.MapFlags.READ)
        n = Frames.read(m.data) if r is not None else None
        sample.get_buffer().unmap(m)
        with lock:
            outs[0] += 1
            if n is not None and n not in shown:
                shown[n] = now
        return Gst.FlowReturn.OK

    sink.connect("new-sample", on_sample)
    p.set_state(Gst.State.PLAYING)
    n = seconds * FPS
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    start = time.monotonic()
    for i in range(n):
        due = start + i / FPS
        while time.monotonic() < due:
            time.sleep(max(0.0, min(0.005, due - time.monotonic())))
        buf = Gst.Buffer.new_wrapped(frames.make(i).tobytes())
        buf.duration = SECOND // FPS
        pushed[i] = time.monotonic()
        src.emit("push-buffer", buf)
    # the last results may still be on their way
    time.sleep(1.0)
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime)
    stats = {}
    if r is not None:
        st = r.get_property("stats")
        for k in ("requests", "succeeded", "failed", "cancelled",
                  "frames-superseded", "reconnects", "drops",
                  "service-errors", "spent-credits"):
            ok, v = st.get_double(k) if k == "spent-credits" else \
                st.get_uint(k)
            stats[k] = v if ok else None
    src.emit("end-of-stream")
    p.get_bus().timed_pop_filtered(10 * SECOND, Gst.MessageType.EOS |
                                   Gst.MessageType.ERROR)
    p.set_state(Gst.State.NULL)
    with lock:
        return pushed, dict(shown), cpu, stats, outs[0]


def service_times(emu):
    """The emulator's answered realtime frames, in order: service ms."""
    out = []
    for e in emu.log_events():
        if e.get("event") == "fal_rt_frame" and e.get("outcome") == "result":
            out.append((e["service_end_us"],
                        (e["service_end_us"] - e["service_start_us"]) / 1000))
    return [ms for _, ms in sorted(out)]


def summarise(name, seconds, pushed, shown, cpu, stats, identity_cpu,
              services):
    nums = sorted(shown, key=lambda k: shown[k])
    lat = [(shown[k] - pushed[k]) * 1000 for k in nums if k in pushed]
    res = {"case": name, "seconds": seconds,
           "distinct_results": len(nums),
           "results_per_s": round(len(nums) / seconds, 1),
           "median_ms": round(float(np.median(lat)), 1) if lat else None,
           "p95_ms": round(float(np.percentile(lat, 95)), 1) if lat else None,
           "cpu_ms_per_frame": round(cpu * 1000 / (seconds * FPS), 1),
           "cpu_above_identity_ms": round(
               (cpu - identity_cpu) * 1000 / (seconds * FPS), 1),
           "stats": stats}
    if services:
        # results come back in order on the one socket: the k-th result
        # shown is the emulator's k-th answered frame
        k = min(len(services), len(lat))
        over = [lat[i] - services[i] for i in range(k)]
        res["service_ms"] = round(float(np.median(services)), 1)
        res["over_service_median_ms"] = round(float(np.median(over)), 1)
        res["over_service_p95_ms"] = round(float(np.percentile(over, 95)),
                                           1)
        res["service_records"] = len(services)
    log("%s: %s" % (name, json.dumps(res)))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--out", help="write the figures as JSON here")
    ap.add_argument("--plot", help="write the latency plot (PNG) here")
    a = ap.parse_args()
    Gst = gst_setup(a.build)
    emulator = os.path.join(a.build, "tools", "emulator", "imagegen-emulator")
    frames = Frames()
    results, curves = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        _, _, identity_cpu, _, _ = run(Gst, None, "identity name=i",
                                       a.seconds, frames)
        log("identity: %.1f ms CPU a frame" % (
            identity_cpu * 1000 / (a.seconds * FPS)))
        for ms in (50, 150):
            path = os.path.join(tmp, "emu-%d.log" % ms)
            with Emulator(emulator, "--fal-realtime-ms", str(ms),
                          log_file=path) as emu:
                pushed, shown, cpu, stats, _ = run(
                    Gst, emu, "imagegenremix name=r model=%s mode=live "
                    "interval=%d prompt=bench" % (REALTIME, SECOND // FPS),
                    a.seconds, frames)
                services = service_times(emu)
            name = "realtime %d ms" % ms
            results.append(summarise(name, a.seconds, pushed, shown, cpu,
                                     stats, identity_cpu, services))
            curves[name] = sorted((shown[k] - pushed[k]) * 1000
                                  for k in shown if k in pushed)
        with Emulator(emulator, "--latency", "1000") as emu:
            pushed, shown, cpu, stats, _ = run(
                Gst, emu, "imagegenremix name=r model=%s mode=aligned "
                "latency=%d interval=%d max-in-flight=24 poll-interval=50 "
                "prompt=bench" % (KLEIN, 2 * SECOND, SECOND // FPS),
                a.seconds, frames)
        name = "klein create-and-poll (1 s tasks, aligned 2 s)"
        results.append(summarise(name, a.seconds, pushed, shown, cpu,
                                 stats, identity_cpu, None))
        curves[name] = sorted((shown[k] - pushed[k]) * 1000
                              for k in shown if k in pushed)
    print("%-48s %9s %9s %9s %11s %11s %9s" % (
        "case", "results/s", "median", "p95", "over serv.", "p95 over",
        "CPU+/fr"))
    for r in results:
        print("%-48s %9.1f %7.0fms %7.0fms %9sms %9sms %7.1fms" % (
            r["case"], r["results_per_s"], r["median_ms"] or 0,
            r["p95_ms"] or 0, r.get("over_service_median_ms", "-"),
            r.get("over_service_p95_ms", "-"), r["cpu_above_identity_ms"]))
    print("identity: %.1f ms CPU a frame" % (
        identity_cpu * 1000 / (a.seconds * FPS)))
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"results": results, "identity_cpu_ms": round(
                identity_cpu * 1000 / (a.seconds * FPS), 1)}, f, indent=1)
    if a.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(8, 3.5))
        for name, ys in curves.items():
            if ys:
                ax.plot(np.linspace(0, 100, len(ys)), ys, label=name)
        ax.set_yscale("log")
        ax.set_xlabel("results, percentile")
        ax.set_ylabel("frame arrival to result on screen (ms)")
        ax.set_title("720p25 live source, a pick every frame, emulator on "
                     "loopback")
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3, which="both")
        fig.tight_layout()
        fig.savefig(a.plot, dpi=90)


if __name__ == "__main__":
    main()
