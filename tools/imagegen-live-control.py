#!/usr/bin/python3
"""Broadcast-style live graphics with imagegensrc, controlled from the terminal.

A live background video and a live imagegensrc are mixed by compositor; type a
new prompt and press Enter to change the picture while it runs ("g" asks for a
new image with the same prompt, "q" quits).  Task messages from the bus are
printed as they come.

With --change-every and --duration it runs unattended (prompts from a list)
and reports how steadily frames flowed: gaps in the timestamps of frames
leaving the compositor (a missing frame), the sink's own lateness reports
(QoS), the largest wall-clock gap between frames as seen by this Python
probe (which includes the interpreter's own scheduling), and the CPU time.

Needs Debian's python3-gi and gir1.2-gstreamer-1.0, and the plugin (installed, or on
GST_PLUGIN_PATH); point it at imagegen-emulator with RUNAPI_BASE_URL.
"""
import argparse
import importlib
import os
import resource
import sys
import time

try:
    import gi

    gi.require_version("Gst", "1.0")
    from gi.repository import GLib, Gst  # noqa: E402
    GI_MISSING = None
except (ImportError, ValueError) as e:  # --help and --version work without
    GI_MISSING = e

# The build puts the version in the installed copy (tools/version.py).
VERSION = "@IMAGEGEN_VERSION@"

PROMPTS = [
    "a neon city skyline at night",
    "a calm mountain lake at dawn",
    "an astronaut riding a horse, watercolour",
    "a stormy sea with a lighthouse, oil painting",
]


def parse_args():
    p = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version",
                   version="imagegen-live-control " + version())
    p.add_argument("--prompt", default=PROMPTS[0],
                   help="the first prompt (default: %(default)r)")
    p.add_argument("--width", type=int, default=1280,
                   help="output width in pixels (default %(default)s)")
    p.add_argument("--height", type=int, default=720,
                   help="output height in pixels (default %(default)s)")
    p.add_argument("--fps", type=int, default=30,
                   help="frames per second (default %(default)s)")
    p.add_argument("--transition", type=float, default=1.0,
                   help="cross-fade in seconds (0 = cut)")
    p.add_argument("--sink", default="autovideosink",
                   help="e.g. fakesink for a headless run")
    p.add_argument("--change-every", type=float, default=0,
                   help="unattended: seconds between prompt changes")
    p.add_argument("--duration", type=float, default=0,
                   help="unattended: seconds to run, then report and quit")
    return p.parse_args()


def version():
    if VERSION.startswith("@"):  # run from the source tree, not a build
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        return importlib.import_module("version").uninstalled()
    return VERSION


def build(args):
    overlay = args.height * 3 // 4
    desc = (
        f"compositor name=mix background=black "
        f"sink_1::xpos={args.width - overlay - 32} sink_1::ypos=32 "
        f"! video/x-raw,width={args.width},height={args.height} "
        f"! identity name=probe ! videoconvert ! {args.sink} name=sink sync=true "
        f"videotestsrc is-live=true pattern=ball "
        f"! video/x-raw,width={args.width},height={args.height},"
        f"framerate={args.fps}/1 ! mix.sink_0 "
        f"imagegensrc name=gen is-live=true "
        f"transition-duration={int(args.transition * Gst.SECOND)} "
        f"! video/x-raw,format=RGBA,width={overlay},height={overlay},"
        f"framerate={args.fps}/1 ! mix.sink_1"
    )
    pipeline = Gst.parse_launch(desc)
    pipeline.get_by_name("gen").set_property("prompt", args.prompt)
    sink = pipeline.get_by_name("sink")
    if sink.find_property("qos") is not None:
        # the sink reports every frame it gets late, measured in C
        sink.set_property("qos", True)
    return pipeline


class FrameTimer:
    """Frames leaving the compositor: timestamp gaps, wall-clock gaps, and
    the sink's lateness reports."""

    def __init__(self, fps):
        self.frame = 1.0 / fps
        self.last = None
        self.last_pts = None
        self.count = 0
        self.max_gap = 0.0
        self.gaps = 0
        self.max_pts_gap = 0
        self.qos_late = 0
        self.max_jitter = 0

    def probe(self, pad, info):
        now = time.monotonic()
        pts = info.get_buffer().pts
        if self.last is not None:
            gap = now - self.last
            self.max_gap = max(self.max_gap, gap)
            if gap > 2 * self.frame:
                self.gaps += 1
            self.max_pts_gap = max(self.max_pts_gap, pts - self.last_pts)
        self.last = now
        self.last_pts = pts
        self.count += 1
        return Gst.PadProbeReturn.OK

    def on_qos(self, msg):
        jitter = msg.parse_qos_values()[0]
        self.max_jitter = max(self.max_jitter, jitter)
        if jitter > self.frame * Gst.SECOND:
            self.qos_late += 1


def on_message(bus, msg, loop, timer):
    if msg.type == Gst.MessageType.QOS:
        timer.on_qos(msg)
    elif msg.type == Gst.MessageType.ELEMENT:
        s = msg.get_structure()
        if s is not None and s.get_name() == "imagegen-task":
            fields = [s.get_string("event"), s.get_string("task-id") or "-",
                      "prompt=%r" % s.get_string("prompt")]
            ok, server = s.get_double("server-ms")
            if ok and server >= 0:
                fields.append("server=%.0f ms" % server)
            print("task:", " ".join(fields), flush=True)
    elif msg.type == Gst.MessageType.WARNING:
        err, _ = msg.parse_warning()
        print("warning:", err.message, flush=True)
    elif msg.type == Gst.MessageType.ERROR:
        err, _ = msg.parse_error()
        print("error:", err.message, file=sys.stderr, flush=True)
        loop.quit()
    elif msg.type == Gst.MessageType.EOS:
        loop.quit()
    return True


def on_stdin(channel, condition, gen, loop):
    line = sys.stdin.readline()
    if not line or line.strip() == "q":
        loop.quit()
        return False
    text = line.strip()
    if text == "g":
        gen.emit("generate")
    elif len(text) >= 3:
        gen.set_property("prompt", text)
        print("prompt:", text, flush=True)
    return True


def main():
    args = parse_args()
    if GI_MISSING is not None:
        print("imagegen-live-control needs PyGObject and GStreamer's "
              "introspection data (Debian: python3-gi, gir1.2-gstreamer-1.0): "
              f"{GI_MISSING}", file=sys.stderr)
        return 1
    Gst.init(None)
    loop = GLib.MainLoop()
    pipeline = build(args)
    gen = pipeline.get_by_name("gen")
    timer = FrameTimer(args.fps)
    pipeline.get_by_name("probe").get_static_pad("src").add_probe(
        Gst.PadProbeType.BUFFER, timer.probe)

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message, loop, timer)

    if args.change_every > 0:
        state = {"n": 0}

        def change():
            state["n"] += 1
            prompt = PROMPTS[state["n"] % len(PROMPTS)]
            gen.set_property("prompt", prompt)
            print("prompt:", prompt, flush=True)
            return True
        GLib.timeout_add(int(args.change_every * 1000), change)
    else:
        print("Type a prompt and Enter to change the picture; "
              "'g' for a new image, 'q' to quit.", flush=True)
        GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()),
                          GLib.IO_IN | GLib.IO_HUP, on_stdin, gen, loop)
    if args.duration > 0:
        GLib.timeout_add(int(args.duration * 1000), loop.quit)

    start_cpu = resource.getrusage(resource.RUSAGE_SELF)
    start = time.monotonic()
    pipeline.set_state(Gst.State.PLAYING)
    try:
        loop.run()
    finally:
        pipeline.set_state(Gst.State.NULL)
    wall = time.monotonic() - start
    end_cpu = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (end_cpu.ru_utime - start_cpu.ru_utime
           + end_cpu.ru_stime - start_cpu.ru_stime)
    stats = gen.get_property("stats")
    print(f"frames: {timer.count} in {wall:.1f} s "
          f"({timer.count / wall:.2f} fps, {args.fps} asked)")
    print(f"largest timestamp step between frames: "
          f"{timer.max_pts_gap / Gst.MSECOND:.1f} ms "
          f"(frame duration {1000 / args.fps:.1f} ms)")
    print(f"frames the sink got later than one frame duration: "
          f"{timer.qos_late} (largest lateness "
          f"{timer.max_jitter / Gst.MSECOND:.1f} ms)")
    print(f"largest wall-clock gap at the Python probe: "
          f"{timer.max_gap * 1000:.1f} ms; gaps over two frame durations: "
          f"{timer.gaps}")
    print(f"CPU: {cpu:.1f} s over {wall:.1f} s "
          f"({100 * cpu / wall:.0f}% of one core)")
    print("stats:", stats.to_string() if stats else "-")
    return 0 if timer.count > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
