#!/usr/bin/python3
"""Stylises a video file with imagegenremix, in one command.

Reads anything decodebin reads, sends picked frames to the image service
(imagegenremix mode=offline: every frame waits for the result of the latest
pick at or before it), and writes OUT with the video restyled and the audio
kept.  The container follows OUT's extension: .mp4/.m4v/.mov
(H.264 + AAC), .mkv (H.264 + Opus); audio the container
takes as it is (AAC into MP4, most codecs into Matroska) is copied untouched.  Other streams
(subtitles, a second video) are left out.

Results are kept in a cache (--cache-dir): a rerun of the same command sends
nothing, and a run resumed after Ctrl-C sends only the picks still missing.
--dry-run decodes the input and says how many picks there are, how many the
cache holds and what the rest would cost, and sends nothing.

Ctrl-C once: nothing more is sent, the video ends at the last finished frame,
the other streams are cut there and OUT is finished so that it plays.  Ctrl-C
again, or SIGTERM: the process ends at once, killed by that signal (OUT may
then not play; results already cached stay).

Exit codes: 0 done; 1 bad options; 2 the input cannot be read (missing, not a
media file); 3 the input has no video stream; 4 the service failed (key,
credits, refused request...) or the pipeline failed; 5 OUT's extension has no
encoder here; 130 interrupted by Ctrl-C (OUT plays up to that point); 143
terminated (SIGTERM, or a second Ctrl-C).

Needs Debian's python3-gi and gir1.2-gstreamer-1.0, and the plugin (installed,
or on GST_PLUGIN_PATH).  The service is RunAPI (RUNAPI_API_KEY,
RUNAPI_BASE_URL), as for the elements.
"""
import argparse
import os
import re
import signal
import sys
import time

try:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GLib", "2.0")
    from gi.repository import GLib, Gst  # noqa: E402
    GI_MISSING = None
except (ImportError, ValueError) as e:  # --help and --version work without
    GI_MISSING = e

# The build puts the version in the installed copy (tools/version.py).
VERSION = "@IMAGEGEN_VERSION@"

EXIT_OK, EXIT_USAGE, EXIT_UNREADABLE, EXIT_NO_VIDEO, EXIT_FAILED, \
    EXIT_NO_ENCODER = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130

# extension -> (video encoder, audio encoder, muxer)
CONTAINERS = {
    "mp4": ("x264enc", "avenc_aac", "mp4mux"),
    "m4v": ("x264enc", "avenc_aac", "mp4mux"),
    "mov": ("x264enc", "avenc_aac", "qtmux"),
    "mkv": ("x264enc", "opusenc", "matroskamux"),
}
ENCODER_SETTINGS = {
    # a good file for watching, not a stream: quality over latency
    "x264enc": {"speed-preset": "medium", "pass": "quant", "quantizer": 20},
}


def version():
    if not VERSION.startswith("@"):
        return VERSION
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        with open(os.path.join(here, "..", "meson.build")) as f:
            project = re.search(r"version\s*:\s*'([^']+)'", f.read()).group(1)
        sys.path.insert(0, here)
        sys.dont_write_bytecode = True
        import version as version_py
        return version_py.version(os.path.join(here, ".."), project)
    except (OSError, AttributeError, ImportError):
        return "unknown (uninstalled)"


def default_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    if GI_MISSING is None:
        base = GLib.get_user_cache_dir()
    return os.path.join(base, "gst-imagegen", "results")


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="imagegen-stylize",
        description="Stylise a video file with the image service: picked "
        "frames are restyled, every frame shows the result of the latest "
        "pick, the audio is kept.",
        epilog="Exit codes: 0 done, 1 bad options, 2 unreadable input, 3 no "
        "video stream in the input, 4 service or pipeline failure, 5 no "
        "encoder for OUT's extension, 130 interrupted by Ctrl-C (OUT plays "
        "up to there); a second Ctrl-C or SIGTERM kills at once (the "
        "shell's 130, 143).  Results are cached: a rerun sends "
        "nothing.  Environment: RUNAPI_API_KEY, RUNAPI_BASE_URL.")
    p.add_argument("input", metavar="IN", help="the video file to stylise")
    p.add_argument("output", metavar="OUT", nargs="?",
                   help="the file to write (.mp4, .m4v, .mov, .mkv); "
                   "not needed with --dry-run")
    p.add_argument("--prompt", required=True,
                   help="how to restyle the frames")
    p.add_argument("--model", help="the model (imagegenremix's model "
                   "property; default: the element's)")
    p.add_argument("--provider", help="the image service (the elements' "
                   "provider property, where the plugin has one)")
    p.add_argument("--extra", metavar="FIELDS",
                   help="model-specific request fields as a GstStructure, "
                   "e.g. 'extra, seed=(int)7' (the elements' extra property, "
                   "where the plugin has one)")
    p.add_argument("--interval", type=float, default=1.0, metavar="SECONDS",
                   help="stream time between picks; with --pick both, the "
                   "longest gap (default 1)")
    p.add_argument("--pick", choices=["interval", "scene", "both"],
                   default="interval",
                   help="pick every interval, at shot changes, or both "
                   "(default interval)")
    p.add_argument("--scene-threshold", type=float, metavar="0..1",
                   help="difference that makes a shot change (default: the "
                   "element's, 0.12)")
    p.add_argument("--skip-similar", type=float, default=0.0, metavar="0..1",
                   help="a pick this close to the last picked frame reuses "
                   "its result, no request (default 0: off; try 0.02)")
    p.add_argument("--coherence", choices=["none", "previous-result"],
                   default="none",
                   help="previous-result: send the previous result along "
                   "with each frame, so that results flicker less (requests "
                   "then run one after another; not for the max models)")
    p.add_argument("--max-in-flight", type=int, metavar="N",
                   help="requests running at once (default: the element's)")
    p.add_argument("--reference", action="append", default=[],
                   metavar="FILE|URL", help="a style reference image sent "
                   "with every frame (repeatable)")
    p.add_argument("--resolution", help="result resolution, e.g. 1k or 2k")
    p.add_argument("--aspect-ratio", help="e.g. 16:9 or auto")
    p.add_argument("--cache-dir", default=None,
                   help="where results are kept (default %s)" %
                   "$XDG_CACHE_HOME/gst-imagegen/results")
    p.add_argument("--no-cache", action="store_true",
                   help="neither read nor keep results")
    p.add_argument("--max-cost", type=int, metavar="CENTS",
                   help="send nothing more once this much is spent")
    p.add_argument("--dry-run", action="store_true",
                   help="count the picks, those the cache holds and the cost "
                   "of the rest; send nothing, write nothing")
    p.add_argument("--quiet", action="store_true",
                   help="no progress lines")
    p.add_argument("--version", action="version",
                   version="imagegen-stylize " + version())
    args = p.parse_args(argv)
    if not args.dry_run and not args.output:
        p.error("OUT is needed unless --dry-run")
    if args.interval <= 0:
        p.error("--interval must be more than 0")
    return args


def fail(code, message):
    print("imagegen-stylize: " + message, file=sys.stderr)
    sys.exit(code)


def fmt_time(ns):
    if ns is None or ns < 0:
        return "--:--"
    s = int(ns // Gst.SECOND)
    return "%d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60) if s >= 3600 \
        else "%d:%02d" % (s // 60, s % 60)


def make(factory, **props):
    e = Gst.ElementFactory.make(factory, None)
    if e is None:
        raise LookupError(factory)
    for k, v in props.items():
        e.set_property(k, v)
    return e


def set_if_present(element, name, value):
    """Sets a property by name when the plugin has it; says so if not."""
    if element.find_property(name) is None:
        fail(EXIT_USAGE, "this imagegenremix has no %s property (an older "
             "plugin?)" % name)
    if name == "extra":
        text = value
        try:
            value = Gst.Structure.from_string(text)[0]
        except TypeError:
            value = None
        if value is None:
            fail(EXIT_USAGE, "--extra is not a GstStructure (e.g. 'extra, "
                 "seed=(int)7'): %s" % text)
    element.set_property(name, value)


class Stylize:
    def __init__(self, args):
        self.args = args
        self.loop = GLib.MainLoop()
        self.pipeline = Gst.Pipeline.new("stylize")
        self.exit_code = EXIT_OK
        self.video_linked = False
        self.pending_pads = []      # (pad, blocking probe) until no-more-pads
        self.audio_linked = False   # one audio stream is kept
        self.frames_written = 0
        self.last_video_pts = None
        self.video_end = None
        self.stopping = False
        self.branches = []          # (pad to send EOS to, is_video)
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.error = None

        uri = self.args.input if Gst.uri_is_valid(self.args.input) else \
            Gst.filename_to_uri(os.path.abspath(self.args.input))
        self.src = make("uridecodebin", uri=uri)
        self.src.connect("pad-added", self.on_pad_added)
        self.src.connect("no-more-pads", self.on_no_more_pads)
        self.pipeline.add(self.src)
        self.remix = self.make_remix()
        if not args.dry_run:
            ext = os.path.splitext(args.output)[1].lower().lstrip(".")
            if ext not in CONTAINERS:
                fail(EXIT_NO_ENCODER, "cannot write .%s files: use .mp4, "
                     ".m4v, .mov or .mkv" % ext)
            self.venc_name, self.aenc_name, mux_name = CONTAINERS[ext]
            try:
                self.mux = make(mux_name)
                self.sink = make("filesink", location=args.output)
                for name in (self.venc_name, self.aenc_name):
                    make(name)
            except LookupError as e:
                fail(EXIT_NO_ENCODER, "no %s here to write .%s files "
                     "(install its GStreamer plugin)" % (e.args[0], ext))
            self.pipeline.add(self.mux)
            self.pipeline.add(self.sink)
            self.mux.link(self.sink)
            self.src.set_property("caps", self.decoded_caps())

    def decoded_caps(self):
        """What uridecodebin stops at: raw streams, and audio the muxer
        takes as it is (kept untouched: passthrough)."""
        caps = Gst.Caps.from_string(
            "video/x-raw(ANY); audio/x-raw(ANY); text/x-raw(ANY); "
            "subpicture/x-dvd; subpicture/x-dvb; subpicture/x-pgs")
        template = self.mux.get_pad_template("audio_%u")
        if template is not None:
            caps = caps.merge(template.get_caps())
        return caps

    def make_remix(self):
        a = self.args
        try:
            r = make("imagegenremix", mode="offline", prompt=a.prompt,
                     interval=int(a.interval * Gst.SECOND))
        except LookupError:
            fail(EXIT_FAILED, "the imagegen plugin is not installed (no "
                 "imagegenremix; set GST_PLUGIN_PATH?)")
        r.set_property("pick", a.pick)
        r.set_property("skip-similar", a.skip_similar)
        r.set_property("coherence", a.coherence)
        if a.scene_threshold is not None:
            r.set_property("scene-threshold", a.scene_threshold)
        if a.model:
            r.set_property("model", a.model)
        if a.provider:
            set_if_present(r, "provider", a.provider)
        if a.extra:
            set_if_present(r, "extra", a.extra)
        if a.max_in_flight:
            r.set_property("max-in-flight", a.max_in_flight)
        if a.reference:
            r.set_property("reference-images", a.reference)
        if a.resolution:
            r.set_property("resolution", a.resolution)
        if a.aspect_ratio:
            r.set_property("aspect-ratio", a.aspect_ratio)
        if a.max_cost:
            r.set_property("max-cost", a.max_cost)
        if not a.no_cache:
            r.set_property("cache-dir", a.cache_dir or default_cache_dir())
        if a.dry_run:
            r.set_property("cache-only", True)
        return r

    # ---- building the branches as decodebin exposes streams ----

    def add_chain(self, factories):
        elements = [f if isinstance(f, Gst.Element) else make(f)
                    for f in factories]
        for e in elements:
            self.pipeline.add(e)
        for a, b in zip(elements, elements[1:]):
            if not a.link(b):
                raise RuntimeError("cannot link %s to %s" %
                                   (a.get_name(), b.get_name()))
        for e in elements:
            e.sync_state_with_parent()
        return elements

    def on_pad_added(self, _src, pad):
        # held until every stream is known: a muxer takes no new stream
        # once it has written its header
        probe = pad.add_probe(Gst.PadProbeType.BLOCK_DOWNSTREAM,
                              lambda *_: Gst.PadProbeReturn.OK)
        self.pending_pads.append((pad, probe))

    def link_stream(self, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        kind = caps.get_structure(0).get_name() if caps.get_size() else ""
        if kind.startswith("video/") and not self.video_linked:
            self.video_linked = True
            self.link_video(pad)
        elif kind.startswith("audio/") and not self.args.dry_run \
                and not self.audio_linked:
            self.audio_linked = True
            self.link_audio(pad, passthrough=kind != "audio/x-raw")
        else:
            # other streams are left out, without blocking the rest
            sink = self.add_chain([make("fakesink", sync=False)])[0]
            sink.set_property("async", False)
            pad.link(sink.get_static_pad("sink"))

    def link_video(self, pad):
        chain = [make("queue"), "videoconvert", self.remix]
        if self.args.dry_run:
            chain += [make("fakesink", sync=False)]
        else:
            venc = make(self.venc_name)
            for k, v in ENCODER_SETTINGS.get(self.venc_name, {}).items():
                venc.set_property(k, v)
            chain += ["videoconvert", venc,
                      make("queue", max_size_time=0, max_size_buffers=0,
                           max_size_bytes=256 << 20)]
        elements = self.add_chain(chain)
        pad.link(elements[0].get_static_pad("sink"))
        after = elements[3].get_static_pad("sink")
        after.add_probe(Gst.PadProbeType.BUFFER, self.on_video_out)
        self.branches.append((after, True))
        if not self.args.dry_run:
            self.link_to_mux(elements[-1], "video_%u")

    def link_audio(self, pad, passthrough=False):
        encode = [] if passthrough else [
            make("queue"), "audioconvert", "audioresample",
            make(self.aenc_name)]
        elements = self.add_chain(encode + [
            make("queue", max_size_time=0, max_size_buffers=0,
                 max_size_bytes=64 << 20)])
        self.link_to_mux(elements[-1], "audio_%u")
        pad.link(elements[0].get_static_pad("sink"))
        # cut where the muxer takes it: encoded audio runs far ahead of
        # the video, which waits for its results
        elements[-1].get_static_pad("src").add_probe(
            Gst.PadProbeType.BUFFER, self.on_audio_out)
        self.branches.append((elements[0 if passthrough else 1]
                              .get_static_pad("sink"), False))

    def link_to_mux(self, element, template):
        # by name: a queue's ANY caps would fit the first template
        sink = self.mux.request_pad_simple(template)
        if sink is None or \
                element.get_static_pad("src").link(sink) != Gst.PadLinkReturn.OK:
            raise RuntimeError("cannot link %s to the muxer" % template)

    def on_no_more_pads(self, _src):
        pending, self.pending_pads = self.pending_pads, []
        for pad, _probe in pending:
            self.link_stream(pad)
        if not self.video_linked:
            GLib.idle_add(self.finish, EXIT_NO_VIDEO,
                          "%s has no video stream" % self.args.input)
            return
        for pad, probe in pending:
            pad.remove_probe(probe)

    # ---- Ctrl-C: the video ends at the last finished frame ----

    def on_video_out(self, _pad, info):
        if self.stopping:
            return Gst.PadProbeReturn.DROP
        buf = info.get_buffer()
        self.frames_written += 1
        self.last_video_pts = buf.pts
        if buf.pts != Gst.CLOCK_TIME_NONE and \
                buf.duration != Gst.CLOCK_TIME_NONE:
            self.video_end = buf.pts + buf.duration
        return Gst.PadProbeReturn.OK

    def on_audio_out(self, _pad, info):
        buf = info.get_buffer()
        end = self.video_end if self.video_end is not None else \
            self.last_video_pts
        if self.stopping and (end is None or buf.pts == Gst.CLOCK_TIME_NONE
                              or buf.pts >= end):
            return Gst.PadProbeReturn.DROP
        return Gst.PadProbeReturn.OK

    def on_sigint(self):
        # a second Ctrl-C kills at once, as the kernel does it: no thread
        # of ours runs after it, so no request leaves
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        self.stopping = True
        if not self.branches:
            return self.finish(EXIT_INTERRUPTED, None)
        # nothing new is sent from here on: picks not yet sent are answered
        # from the cache or not at all
        self.remix.set_property("cache-only", True)
        self.status("interrupted: finishing %s at %s (Ctrl-C again to quit "
                    "at once)" % (self.args.output or "the count",
                                  fmt_time(self.last_video_pts)), final=True)
        for pad, _video in self.branches:
            pad.send_event(Gst.Event.new_eos())
        self.exit_code = EXIT_INTERRUPTED
        return GLib.SOURCE_REMOVE

    # ---- progress ----

    def stats(self):
        s = self.remix.get_property("stats")
        return {k: s.get_value(k) for k in
                ("requests", "succeeded", "failed", "cancelled",
                 "spent-cents", "cache-hits", "cache-misses",
                 "estimated-cents", "picks", "picks-skipped",
                 "picks-at-cuts")}

    def status(self, text, final=False):
        if self.args.quiet and not final:
            return
        if self.tty:
            sys.stderr.write("\r\033[K" + text + ("\n" if final else ""))
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def progress_line(self):
        ok, pos = self.pipeline.query_position(Gst.Format.TIME)
        ok2, dur = self.pipeline.query_duration(Gst.Format.TIME)
        pos = pos if ok else None
        dur = dur if ok2 else None
        s = self.stats()
        done = s["succeeded"]
        in_flight = s["requests"] - done - s["failed"] - s["cancelled"]
        eta = None
        elapsed = time.monotonic() - self.started
        if pos and dur and pos > 0:
            eta = int(elapsed * (dur - pos) / pos * Gst.SECOND)
        return ("%s / %s  frames %d  requests %d done, %d in flight, %d "
                "failed  cached %d  skipped %d  ETA %s  spent %d¢" % (
                    fmt_time(pos), fmt_time(dur), self.frames_written, done,
                    max(in_flight, 0), s["failed"], s["cache-hits"],
                    s["picks-skipped"], fmt_time(eta), s["spent-cents"]))

    def on_tick(self):
        if not self.args.dry_run:
            self.status(self.progress_line())
        return GLib.SOURCE_CONTINUE

    # ---- the bus ----

    def on_message(self, _bus, msg):
        if msg.type == Gst.MessageType.EOS:
            self.finish(self.exit_code, None)
        elif msg.type == Gst.MessageType.WARNING and msg.src == self.remix:
            # a failed pick: its frames show the fallback, the run goes on
            warning, _debug = msg.parse_warning()
            self.status("warning: " + warning.message, final=True)
        elif msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            self.finish(self.classify(msg, err), "%s (%s)" % (
                err.message, msg.src.get_name()))
        return True

    def classify(self, msg, err):
        # before any stream was found, it is the input that cannot be read
        if msg.src != self.remix and not self.video_linked:
            return EXIT_UNREADABLE
        return EXIT_FAILED

    def finish(self, code, message):
        self.exit_code = code
        self.error = message
        self.loop.quit()
        return GLib.SOURCE_REMOVE

    def report(self, last_line):
        s = self.stats()
        if self.args.dry_run:
            picks = s["cache-hits"] + s["cache-misses"]
            print("picks: %d" % picks)
            print("in the cache: %d" % s["cache-hits"])
            print("requests to send: %d" % s["cache-misses"])
            print("estimated cost: %d cents" % s["estimated-cents"])
            print("picks skipped as similar: %d" % s["picks-skipped"])
            print("picks at shot changes: %d" % s["picks-at-cuts"])
            return
        self.status(last_line, final=True)
        self.status("done: %d frames, %d requests (%d from the cache, %d "
                    "failed), %d cents, %.1f s" % (
                        self.frames_written, s["requests"], s["cache-hits"],
                        s["failed"], s["spent-cents"],
                        time.monotonic() - self.started), final=True)

    def run(self):
        if not os.path.exists(self.args.input) and \
                not Gst.uri_is_valid(self.args.input):
            fail(EXIT_UNREADABLE, "cannot read %s: no such file" %
                 self.args.input)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGINT,
                             self.on_sigint)
        # SIGTERM keeps its default action: the process ends at once
        GLib.timeout_add(500 if self.tty else 2000, self.on_tick)
        if self.pipeline.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            msg = bus.pop_filtered(Gst.MessageType.ERROR)
            if msg is not None:
                self.on_message(bus, msg)
            else:
                self.finish(EXIT_FAILED, "the pipeline cannot start")
        else:
            self.loop.run()
        last_line = self.progress_line()
        self.pipeline.set_state(Gst.State.NULL)
        if self.error is not None:
            print("imagegen-stylize: " + self.error, file=sys.stderr)
        if self.args.output and os.path.exists(self.args.output) and (
                self.exit_code in (EXIT_UNREADABLE, EXIT_NO_VIDEO) or
                (self.exit_code == EXIT_INTERRUPTED and
                 self.frames_written == 0)):
            os.unlink(self.args.output)     # nothing of it is worth keeping
            if self.exit_code == EXIT_INTERRUPTED:
                print("imagegen-stylize: interrupted before the first frame "
                      "was finished: nothing written", file=sys.stderr)
        if self.exit_code in (EXIT_OK, EXIT_INTERRUPTED):
            self.report(last_line)
        return self.exit_code


def main(argv):
    args = parse_args(argv)
    if GI_MISSING is not None:
        fail(EXIT_FAILED, "needs python3-gi and gir1.2-gstreamer-1.0 (%s)" %
             GI_MISSING)
    Gst.init(None)
    if args.output and os.path.exists(args.output) and \
            os.path.samefile(args.input, args.output):
        fail(EXIT_USAGE, "OUT is IN")
    return Stylize(args).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
