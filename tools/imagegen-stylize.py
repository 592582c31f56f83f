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

OUT is written beside itself under a temporary name and renamed over OUT
when the run has finished; an existing OUT is replaced only with -y.  A run
that fails leaves no output and any earlier OUT as it was.

Ctrl-C once: nothing more is sent, results in flight are awaited (so that
they reach the cache), the video ends at the last finished frame, the other
streams are cut there and the part done is kept as STEM.partial.EXT; the same
command again finishes OUT.  Ctrl-C again (half a second after the first was
acknowledged), or SIGTERM: the process ends at once, killed by that signal
(results already cached stay).

Exit codes: 0 done; 1 usage error (bad option or value, unknown model, OUT
exists without -y); 2 the input cannot be read (missing, not a media file);
3 the input has no video stream; 4 the service failed (key, credits...), the
pipeline failed, or picks failed for good (OUT is then written, unless every
pick failed); 5 OUT cannot be written (unwritable, no encoder for its
extension); 130 interrupted by Ctrl-C; 143 terminated (SIGTERM, or a second
Ctrl-C: the shell reports 130).

Needs Debian's python3-gi and gir1.2-gstreamer-1.0, and the plugin (installed,
or on GST_PLUGIN_PATH).  The service is RunAPI (RUNAPI_API_KEY,
RUNAPI_BASE_URL), as for the elements.
"""
import argparse
import difflib
import math
import os
import re
import signal
import sys
import tempfile
import time

try:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GLib", "2.0")
    from gi.repository import GLib, GObject, Gst  # noqa: E402
    GI_MISSING = None
except (ImportError, ValueError) as e:  # --help and --version work without
    GI_MISSING = e

# The build puts the version in the installed copy (tools/version.py).
VERSION = "@IMAGEGEN_VERSION@"

EXIT_OK, EXIT_USAGE, EXIT_UNREADABLE, EXIT_NO_VIDEO, EXIT_FAILED, \
    EXIT_CANNOT_WRITE = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130
# a second Ctrl-C counts this long after the first was acknowledged: GNU
# timeout relays one SIGINT twice within milliseconds
SECOND_INTERRUPT_AFTER_MS = 500

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
# the encoders here take even sizes only (4:2:0)
EVEN_SIZES = {"x264enc"}
# the element's failed-pick warning (gstimagegenremixpick.c) names its time
PICK_FAILED = re.compile(r"^Remix of the frame at "
                         r"(\d+):(\d\d):(\d\d)\.(\d{9}) failed: (.*)$")
WHERE_MODELS = "every model: docs/models.md, or gst-inspect-1.0 imagegenremix"


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


class Parser(argparse.ArgumentParser):
    def error(self, message):
        # every usage error exits 1 (argparse's own 2 means an unreadable
        # input here), in one sentence
        fail(EXIT_USAGE, "%s (see --help)" % message)


def parse_args(argv):
    p = Parser(
        prog="imagegen-stylize",
        description="Stylise a video file with the image service: picked "
        "frames are restyled, every frame shows the result of the latest "
        "pick, the audio is kept.",
        epilog="Exit codes: 0 done, 1 usage error (bad option or value, "
        "unknown model, OUT exists without -y), 2 unreadable input, 3 no "
        "video stream in the input, 4 service or pipeline failure, or picks "
        "that failed for good (OUT is written unless every pick failed), 5 "
        "OUT cannot be written (unwritable, or no encoder for its "
        "extension), 130 interrupted by Ctrl-C (the part done is kept as "
        "STEM.partial.EXT); a second Ctrl-C or SIGTERM kills at once (the "
        "shell's 130, 143).  A failed run leaves an existing OUT as it "
        "was.  Results are cached: a rerun sends "
        "nothing.  Environment: RUNAPI_API_KEY, RUNAPI_BASE_URL.")
    p.add_argument("input", metavar="IN", help="the video file to stylise")
    p.add_argument("output", metavar="OUT", nargs="?",
                   help="the file to write (.mp4, .m4v, .mov, .mkv); "
                   "not needed with --dry-run")
    p.add_argument("-y", "--overwrite", action="store_true",
                   help="replace OUT if it exists (without it, an existing "
                   "OUT is refused at once: exit 1)")
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
    p.add_argument("--motion", choices=["hold", "flow"],
                   help="frames between picks: carry the results along the "
                   "video's motion (flow, the default where the plugin has "
                   "it) or hold each still until the next (hold)")
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
    if not args.interval > 0 or math.isinf(args.interval):
        p.error("--interval must be a number of seconds more than 0, not %s"
                % args.interval)
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
    spec = element.find_property(name)
    if GObject.type_is_a(spec.value_type, GObject.TYPE_ENUM):
        nicks = [v.value_nick
                 for v in spec.enum_class.__enum_values__.values()]
        if value not in nicks:
            fail(EXIT_USAGE, "--%s %s: imagegenremix takes %s" % (
                name, value, ", ".join(nicks)))
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


def new_remix(args, probe=False):
    """imagegenremix with the user's settings.  probe: for checking them
    only (no references, which are uploaded at start; no cache; a stand-in
    key, so that only the values are judged)."""
    a = args
    try:
        r = make("imagegenremix", mode="offline", prompt=a.prompt)
    except LookupError:
        fail(EXIT_FAILED, "the imagegen plugin is not installed (no "
             "imagegenremix; set GST_PLUGIN_PATH?)")
    check_range(r, "--interval", "interval", int(a.interval * Gst.SECOND),
                 a.interval)
    check_range(r, "--skip-similar", "skip-similar", a.skip_similar)
    check_range(r, "--scene-threshold", "scene-threshold", a.scene_threshold)
    check_range(r, "--max-in-flight", "max-in-flight", a.max_in_flight)
    check_range(r, "--max-cost", "max-cost", a.max_cost)
    r.set_property("pick", a.pick)
    r.set_property("coherence", a.coherence)
    r.set_property("motion", a.motion or "flow")
    if a.model:
        r.set_property("model", a.model)
    if a.provider:
        set_if_present(r, "provider", a.provider)
    if a.extra:
        set_if_present(r, "extra", a.extra)
    if a.resolution:
        r.set_property("resolution", a.resolution)
    if a.aspect_ratio:
        r.set_property("aspect-ratio", a.aspect_ratio)
    if probe:
        r.set_property("api-key", "stand-in")
        return r
    if a.reference:
        r.set_property("reference-images", a.reference)
    if not a.no_cache:
        r.set_property("cache-dir", a.cache_dir or default_cache_dir())
    if a.dry_run:
        r.set_property("cache-only", True)
    return r


def check_range(element, option, name, value, shown=None):
    """A value is checked against the element's own range of the property
    it sets, then set."""
    if value is None:
        return
    spec = element.find_property(name)
    if isinstance(value, float) and math.isnan(value) or \
            not spec.minimum <= value <= spec.maximum:
        lo, hi = spec.minimum, spec.maximum
        shown = value if shown is None else shown
        if isinstance(lo, int) and hi >= 2 ** 31 - 1:
            fail(EXIT_USAGE, "%s must be %d or more, not %s" % (
                option, lo, shown))
        fail(EXIT_USAGE, "%s must be between %s and %s, not %s" % (
            option, lo, hi, shown))
    element.set_property(name, value)


def start_error(remix):
    """Starts the element alone and returns its refusal, or None: it judges
    its settings when it starts, before anything is sent."""
    pipeline = Gst.Pipeline.new("check")
    pipeline.add(remix)
    error = None
    if pipeline.set_state(Gst.State.PAUSED) == Gst.StateChangeReturn.FAILURE:
        msg = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
        error = msg.parse_error()[0].message if msg else "it cannot start"
    pipeline.set_state(Gst.State.NULL)
    return error


def check_settings(args):
    """A typo in the model or its values is a usage error, found before
    anything is written or sent."""
    error = start_error(new_remix(args, probe=True))
    if error is not None and args.motion != "hold" and start_error(
            new_remix(argparse.Namespace(**dict(vars(args), motion="hold")),
                      probe=True)) is None:
        # refused for flow alone: a plugin built without the feature
        if args.motion == "flow":
            fail(EXIT_USAGE, error)
        print("imagegen-stylize: this plugin has no motion feature, so "
              "results hold still between picks (--motion hold)",
              file=sys.stderr)
        args.motion, error = "hold", None
    args.motion = args.motion or "flow"
    if error is None:
        return
    if args.model:
        bare = argparse.Namespace(**vars(args))
        bare.extra = bare.resolution = bare.aspect_ratio = None
        model_error = start_error(new_remix(bare, probe=True))
        # refused alone, and not one of the ids the element names
        if model_error is not None and \
                args.model not in model_ids(bare, ""):
            fail(EXIT_USAGE, "--model %s: imagegenremix has no such model%s "
                 "(%s)" % (args.model, did_you_mean(bare, model_error),
                           WHERE_MODELS))
    fail(EXIT_USAGE, error)


def model_ids(args, error):
    """The ids the element names: in its refusal, and in its model
    property's description."""
    text = error + " " + new_remix(args, probe=True).find_property(
        "model").blurb
    return set(re.findall(r"[a-z0-9][a-z0-9.]*(?:-[a-z0-9.]+)+", text))


def did_you_mean(args, error):
    """The closest of the ids the element names that it takes with these
    settings."""
    ids = model_ids(args, error)
    ids.discard(args.model)
    close = []
    for candidate in difflib.get_close_matches(args.model, ids, n=6,
                                               cutoff=0.6):
        trial = argparse.Namespace(**vars(args))
        trial.model = candidate
        if start_error(new_remix(trial, probe=True)) is None:
            close.append(candidate)
        if len(close) == 3:
            break
    return "; did you mean %s?" % " or ".join(close) if close else ""


class Output:
    """OUT is written under a temporary name beside it and renamed over it
    only when the run has finished: a failed run leaves any earlier OUT."""

    def __init__(self, path, overwrite):
        self.path = path
        self.temp = None
        if os.path.isdir(path):
            fail(EXIT_CANNOT_WRITE, "cannot write %s: it is a directory" %
                 path)
        stem, ext = os.path.splitext(path)
        self.ext = ext.lower().lstrip(".")
        self.partial = stem + ".partial" + ext
        if os.path.lexists(path) and not overwrite:
            fail(EXIT_USAGE, "%s exists: pass -y (--overwrite) to replace it"
                 % path)
        if not self.ext:
            fail(EXIT_CANNOT_WRITE, "cannot write %s: it has no extension "
                 "(use .mp4, .m4v, .mov or .mkv)" % path)
        if self.ext not in CONTAINERS:
            fail(EXIT_CANNOT_WRITE, "cannot write .%s files: use .mp4, "
                 ".m4v, .mov or .mkv" % self.ext)

    def open(self):
        folder, name = os.path.split(os.path.abspath(self.path))
        try:
            fd, self.temp = tempfile.mkstemp(
                dir=folder, prefix="." + name + ".", suffix=".unfinished")
            os.close(fd)
            # as any new file: mkstemp's 0600 would hide OUT from others
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(self.temp, 0o666 & ~mask)
        except OSError as e:
            fail(EXIT_CANNOT_WRITE, "cannot write %s: %s" % (
                self.path, e.strerror))
        return self.temp

    def keep(self, path):
        try:
            os.replace(self.temp, path)
        except OSError as e:
            fail(EXIT_CANNOT_WRITE, "cannot write %s: %s" % (path, e.strerror))
        self.temp = None

    def discard(self):
        if self.temp is not None:
            try:
                os.unlink(self.temp)
            except FileNotFoundError:
                pass
            self.temp = None


class Stylize:
    def __init__(self, args, output):
        self.args = args
        self.output = output
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
        self.eos = False
        self.branches = []          # (pad to send EOS to, is_video)
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.error = None
        self.failed_picks = []      # (time, why) from the element's warnings

        uri = self.args.input if Gst.uri_is_valid(self.args.input) else \
            Gst.filename_to_uri(os.path.abspath(self.args.input))
        self.src = make("uridecodebin", uri=uri)
        self.src.connect("pad-added", self.on_pad_added)
        self.src.connect("no-more-pads", self.on_no_more_pads)
        self.pipeline.add(self.src)
        self.remix = new_remix(args)
        if not args.dry_run:
            ext = output.ext
            self.venc_name, self.aenc_name, mux_name = CONTAINERS[ext]
            try:
                self.mux = make(mux_name)
                for name in (self.venc_name, self.aenc_name):
                    make(name)
            except LookupError as e:
                fail(EXIT_CANNOT_WRITE, "no %s here to write .%s files "
                     "(install its GStreamer plugin)" % (e.args[0], ext))
            self.sink = make("filesink", location=output.open())
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
            crop = [make("videocrop")] if self.venc_name in EVEN_SIZES else []
            chain += ["videoconvert"] + crop + [venc, make(
                "queue", max_size_time=0, max_size_buffers=0,
                max_size_bytes=256 << 20)]
            if crop:
                crop[0].get_static_pad("sink").add_probe(
                    Gst.PadProbeType.EVENT_DOWNSTREAM, self.on_crop_caps)
        elements = self.add_chain(chain)
        pad.link(elements[0].get_static_pad("sink"))
        after = elements[3].get_static_pad("sink")
        after.add_probe(Gst.PadProbeType.BUFFER, self.on_video_out)
        self.branches.append((after, True))
        if not self.args.dry_run:
            self.link_to_mux(elements[-1], "video_%u")

    def on_crop_caps(self, pad, info):
        # an odd width or height: the last column or line is cut, said once
        event = info.get_event()
        if event.type != Gst.EventType.CAPS:
            return Gst.PadProbeReturn.OK
        s = event.parse_caps().get_structure(0)
        w, h = s.get_value("width"), s.get_value("height")
        crop = pad.get_parent_element()
        if (w % 2, h % 2) != (crop.get_property("right"),
                              crop.get_property("bottom")):
            crop.set_property("right", w % 2)
            crop.set_property("bottom", h % 2)
            if w % 2 or h % 2:
                self.status("note: %dx%d frames are encoded as %dx%d (%s "
                            "takes even sizes only: the last %s cut)" % (
                                w, h, w - w % 2, h - h % 2, self.venc_name,
                                " and ".join(n for n, odd in (
                                    ("column", w % 2), ("line", h % 2))
                                    if odd)), final=True)
        return Gst.PadProbeReturn.OK

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
        # one Ctrl-C may arrive twice: until this one has been acknowledged
        # for a while, another is the same interrupt
        if self.stopping:
            return GLib.SOURCE_CONTINUE
        GLib.timeout_add(SECOND_INTERRUPT_AFTER_MS, self.arm_second_sigint)
        self.stopping = True
        self.exit_code = EXIT_INTERRUPTED
        if not self.branches:
            self.finish(EXIT_INTERRUPTED, None)
            return GLib.SOURCE_CONTINUE
        # nothing new is sent from here on: picks not yet sent are answered
        # from the cache or not at all
        self.remix.set_property("cache-only", True)
        self.status("interrupted: finishing at %s; nothing more is sent, "
                    "results in flight are awaited for the cache (Ctrl-C "
                    "again to quit at once)" % fmt_time(self.last_video_pts),
                    final=True)
        for pad, _video in self.branches:
            pad.send_event(Gst.Event.new_eos())
        return GLib.SOURCE_CONTINUE

    def arm_second_sigint(self):
        # the second Ctrl-C kills at once, as the kernel does it: no thread
        # of ours runs after it, so no request leaves (GLib gives SIGINT
        # its default action back when its last watch goes)
        GLib.source_remove(self.sigint_watch)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        return GLib.SOURCE_REMOVE

    def in_flight(self):
        s = self.stats()
        return max(s["requests"] - s["succeeded"] - s["failed"] -
                   s["cancelled"], 0)

    def wait_in_flight(self):
        # paid results still coming reach the cache before the pipeline
        # stops (which would cancel them)
        if self.in_flight() == 0:
            return self.finish(self.exit_code, self.error)
        return GLib.SOURCE_CONTINUE

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
        eta = None
        elapsed = time.monotonic() - self.started
        if pos and dur and pos > 0:
            eta = int(elapsed * (dur - pos) / pos * Gst.SECOND)
        return ("%s / %s  frames %d  requests %d done, %d in flight, %d "
                "failed  cached %d  skipped %d  ETA %s  spent %d¢" % (
                    fmt_time(pos), fmt_time(dur), self.frames_written, done,
                    self.in_flight(), s["failed"], s["cache-hits"],
                    s["picks-skipped"], fmt_time(eta), s["spent-cents"]))

    def on_tick(self):
        if not self.args.dry_run:
            self.status(self.progress_line())
        return GLib.SOURCE_CONTINUE

    # ---- the bus ----

    def on_message(self, _bus, msg):
        if msg.type == Gst.MessageType.EOS:
            if self.stopping and not self.eos:
                self.eos = True
                if self.in_flight():
                    self.status("the part done is written; waiting for %d "
                                "results in flight, for the cache (Ctrl-C "
                                "again to quit at once)" % self.in_flight(),
                                final=True)
                GLib.timeout_add(100, self.wait_in_flight)
            elif not self.stopping:
                self.finish(self.exit_code, None)
        elif msg.type == Gst.MessageType.WARNING and msg.src == self.remix:
            # a failed pick: its frames show the fallback, the run goes on
            warning, _debug = msg.parse_warning()
            m = PICK_FAILED.match(warning.message)
            if m:
                h, mi, s, ns = (int(x) for x in m.groups()[:4])
                self.failed_picks.append(
                    (((h * 60 + mi) * 60 + s) * Gst.SECOND + ns, m.group(5)))
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
            print("motion between picks: %s" % self.args.motion)
            return
        self.status(last_line, final=True)
        self.status("%s: %d frames, %d requests (%d from the cache, %d "
                    "failed), %d cents, %.1f s" % (
                        "done" if self.exit_code == EXIT_OK else "ended",
                        self.frames_written, s["requests"], s["cache-hits"],
                        s["failed"], s["spent-cents"],
                        time.monotonic() - self.started), final=True)

    def failed_list(self):
        """Each failed pick's span of OUT: up to the next pick, which only
        a fixed interval foretells."""
        fixed = self.args.pick == "interval" and not self.args.skip_similar
        step = int(self.args.interval * Gst.SECOND)
        spans = []
        for t, why in sorted(self.failed_picks):
            end = t + step if self.video_end is None else \
                min(t + step, self.video_end)
            spans.append("%s-%s (%s)" % (fmt_fine(t), fmt_fine(end), why)
                         if fixed else "%s (%s)" % (fmt_fine(t), why))
        return "; ".join(spans)

    def run(self):
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)
        self.sigint_watch = GLib.unix_signal_add(
            GLib.PRIORITY_HIGH, signal.SIGINT, self.on_sigint)
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
        if self.exit_code in (EXIT_OK, EXIT_INTERRUPTED):
            self.report(last_line)
        if self.args.dry_run:
            return self.exit_code
        return self.settle()

    def settle(self):
        """What becomes of the file written, by the run's outcome."""
        out = self.output
        say = lambda text: print("imagegen-stylize: " + text, file=sys.stderr)
        if self.exit_code == EXIT_INTERRUPTED:
            if self.frames_written == 0:
                out.discard()
                say("interrupted before the first frame was finished: "
                    "nothing written")
            else:
                out.keep(out.partial)
                say("interrupted: the part done (to %s) is in %s; the same "
                    "command again finishes %s, sending only what the cache "
                    "lacks" % (fmt_time(self.video_end), out.partial,
                               out.path))
            return self.exit_code
        if self.exit_code != EXIT_OK:
            out.discard()
            say("nothing written" + (
                "; %s is as it was" % out.path
                if os.path.lexists(out.path) else ""))
            return self.exit_code
        if self.failed_picks:
            s = self.stats()
            failed = self.failed_list()
            if s["succeeded"] + s["cache-hits"] == 0:
                out.discard()
                say("every pick failed (%s): nothing written%s" % (
                    failed, "; %s is as it was" % out.path
                    if os.path.lexists(out.path) else ""))
                return EXIT_FAILED
            out.keep(out.path)
            say("%d of %d picks failed for good: %s; in %s, the frames "
                "from each to the next pick show an earlier result (or the "
                "input, before the first) instead of their own restyle" % (
                    len(self.failed_picks), s["picks"], failed, out.path))
            return EXIT_FAILED
        out.keep(out.path)
        return EXIT_OK


def fmt_fine(ns):
    if ns is None:
        return "the end"
    return "%d:%05.2f" % (ns // (60 * Gst.SECOND),
                          ns % (60 * Gst.SECOND) / Gst.SECOND)


def main(argv):
    args = parse_args(argv)
    if GI_MISSING is not None:
        fail(EXIT_FAILED, "needs python3-gi and gir1.2-gstreamer-1.0 (%s)" %
             GI_MISSING)
    Gst.init(None)
    # everything is checked before anything is written or sent
    if not Gst.uri_is_valid(args.input) and not os.path.isfile(args.input):
        fail(EXIT_UNREADABLE, "cannot read %s: %s" % (
            args.input, "it is a directory" if os.path.isdir(args.input)
            else "no such file"))
    output = None
    if not args.dry_run:
        if os.path.exists(args.output) and not Gst.uri_is_valid(args.input) \
                and os.path.samefile(args.input, args.output):
            fail(EXIT_USAGE, "OUT is IN")
        output = Output(args.output, args.overwrite)
    check_settings(args)
    try:
        return Stylize(args, output).run()
    finally:
        if output is not None:
            output.discard()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        # Ctrl-C while the options are checked, before the run
        fail(EXIT_INTERRUPTED, "interrupted before the run started: nothing "
             "written, nothing sent")
