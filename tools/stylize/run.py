"""One file's pipeline: uridecodebin, the video upright (videoflip
video-direction=auto), imagegenremix mode=offline, encodebin with the
profile of OUT's extension; Ctrl-C ends the video at the last finished
frame."""
import os
import re
import signal
import time

from .common import (EXIT_FAILED, EXIT_INTERRUPTED, EXIT_NO_VIDEO, EXIT_OK,
                     EXIT_UNREADABLE, SECOND, GLib, Gst, GstVideo, discover,
                     fmt_cents, fmt_fine, fmt_time, make, say, uri_of)
from . import element, encoding, subtitles

# a second Ctrl-C counts this long after the first was acknowledged: GNU
# timeout relays one SIGINT twice within milliseconds
SECOND_INTERRUPT_AFTER_MS = 500
# the element's failed-pick warning (gstimagegenremixpick.c) names its time
PICK_FAILED = re.compile(r"^Remix of the frame at "
                         r"(\d+):(\d\d):(\d\d)\.(\d{9}) failed: (.*)$")
# encoded audio and subtitles run far ahead of the video, which waits for
# its results: queues bounded by bytes, not time, so that they never block
# the demuxer
AHEAD_QUEUE_BYTES = 64 << 20


def upright():
    """videoflip video-direction=auto, and a probe that takes the rotation
    tag away behind it: the frames are turned, nothing is left to turn
    them twice."""
    flip = make("videoflip")
    Gst.util_set_object_arg(flip, "video-direction", "auto")
    flip.get_static_pad("src").add_probe(
        Gst.PadProbeType.EVENT_DOWNSTREAM, drop_orientation)
    return flip


def drop_orientation(pad, info):
    event = info.get_event()
    if event.type != Gst.EventType.TAG or \
            not event.parse_tag().get_string("image-orientation")[0]:
        return Gst.PadProbeReturn.OK
    tags = event.parse_tag().copy()
    tags.remove_tag("image-orientation")
    pad.push_event(Gst.Event.new_tag(tags))
    return Gst.PadProbeReturn.DROP


def stream_time(pad, pts):
    """A frame's time as players show it (the element picks by it too):
    its PTS through the segment, which an edit list may shift."""
    event = pad.get_sticky_event(Gst.EventType.SEGMENT, 0)
    if event is None or pts == Gst.CLOCK_TIME_NONE:
        return pts
    t = event.parse_segment().to_stream_time(Gst.Format.TIME, pts)
    return pts if t == Gst.CLOCK_TIME_NONE or t < 0 else t


class ScheduleFeeder:
    """Sets the prompt in force on the element before each frame, and at a
    change asks for a pick there (a force-key-unit event, which the element
    takes as a pick and the encoder as a key frame)."""

    def __init__(self, remix, schedule, only=None):
        self.remix = remix
        self.schedule = schedule
        self.changes = schedule.changes() if schedule else []
        self.only = only            # preview: these frame times alone

    def attach(self, pad):
        pad.add_probe(Gst.PadProbeType.BUFFER, self.on_frame)

    def on_frame(self, pad, info):
        t = stream_time(pad, info.get_buffer().pts)
        if self.only is not None:
            if t not in self.only:
                return Gst.PadProbeReturn.DROP
            if self.schedule:
                self.remix.set_property("prompt", self.schedule.prompt_at(t))
            self.force(t)
            return Gst.PadProbeReturn.OK
        forced = False
        while self.changes and t != Gst.CLOCK_TIME_NONE and \
                self.changes[0][0] <= t:
            self.remix.set_property("prompt", self.changes.pop(0)[1])
            forced = True
        if forced:
            self.force(t)
        return Gst.PadProbeReturn.OK

    def force(self, t):
        self.remix.get_static_pad("sink").send_event(
            GstVideo.video_event_new_downstream_force_key_unit(
                t, t, t, False, 0))


class Stylize:
    def __init__(self, args, job, progress, record_picks=False):
        self.args = args
        self.input, self.output, self.schedule = job.input, job.output, \
            job.schedule
        self.progress = progress
        self.loop = GLib.MainLoop()
        self.pipeline = Gst.Pipeline.new("stylize")
        self.exit_code = EXIT_OK
        self.video_linked = False
        self.pending_pads = []      # (pad, blocking probe) until no-more-pads
        self.frames_written = 0
        self.last_video_pts = None
        self.video_end = None
        self.stopping = False
        self.eos = False
        self.branches = []          # (pad to send EOS to, is_video)
        self.started = time.monotonic()
        self.error = None
        self.failed_picks = []      # (time, why) from the element's warnings
        self.left_out = []          # streams (caps) OUT does not get
        self.chapters_left_out = 0
        self.record_picks = record_picks
        self.pick_times = []        # frame times the element picked
        self.picks_seen = 0
        self.last_in_pts = None
        self.encodebin = None

        self.src = make("uridecodebin", uri=uri_of(self.input))
        self.src.connect("pad-added", self.on_pad_added)
        self.src.connect("no-more-pads", self.on_no_more_pads)
        self.pipeline.add(self.src)
        self.remix = element.new_remix(args, prompt=job.first_prompt)
        self.ext = None if args.dry_run else self.output.ext
        if not args.dry_run:
            self.sink = make("filesink", location=self.output.open())
            self.pipeline.add(self.sink)
            self.pipeline.connect("deep-element-added", self.on_element)
        self.src.set_property("caps", encoding.decoded_caps(self.ext))
        # the input's chapters, known before its streams (the demuxer's
        # TOC event comes after them)
        info = None if args.dry_run else discover(self.input)
        self.toc = info.get_toc() if info is not None else None

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
        # held until every stream is known: the profile is made from them,
        # and a muxer takes no new stream once it has written its header
        probe = pad.add_probe(Gst.PadProbeType.BLOCK_DOWNSTREAM,
                              lambda *_: Gst.PadProbeReturn.OK)
        self.pending_pads.append((pad, probe))

    @staticmethod
    def kind(pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        return caps, caps.get_structure(0).get_name() if caps.get_size() \
            else ""

    def on_no_more_pads(self, _src):
        try:
            self.link_streams()
        except (RuntimeError, LookupError) as e:
            # a stream that cannot be linked ends the run, not hangs it
            GLib.idle_add(self.finish, EXIT_FAILED, "cannot build the "
                          "pipeline for %s: %s" % (self.input, e))

    def link_streams(self):
        pending, self.pending_pads = self.pending_pads, []
        video = [p for p, _ in pending if self.kind(p)[1].startswith("video/")]
        audio = [p for p, _ in pending if self.kind(p)[1].startswith("audio/")]
        if not video:
            GLib.idle_add(self.finish, EXIT_NO_VIDEO,
                          "%s has no video stream" % self.input)
            return
        if not self.args.dry_run:
            self.make_encodebin(self.kind(audio[0])[0] if audio else None)
        for pad, _probe in pending:
            self.link_stream(pad, pad is video[0], bool(audio) and
                             pad is audio[0])
        if (self.left_out or self.chapters_left_out) and \
                not self.args.dry_run:
            self.progress.status("left out of %s: %s" % (
                self.output.path, describe(self.left_out,
                                           self.chapters_left_out)),
                final=True)
        for pad, probe in pending:
            pad.remove_probe(probe)

    def make_encodebin(self, audio_caps):
        # its own queues keep their small defaults: the audio waits in
        # ours, in front of it, where Ctrl-C cuts it
        bin_ = make("encodebin", profile=encoding.profile(self.ext,
                                                          audio_caps))
        self.pipeline.add(bin_)
        bin_.link(self.sink)
        bin_.sync_state_with_parent()
        self.encodebin = bin_
        chapters = subtitles.chapter_count(self.toc)
        if chapters and encoding.keeps_chapters(self.ext):
            # their times as they were: stylize keeps every frame's time
            self.inner_muxer().set_toc(self.toc)
        elif chapters:
            self.chapters_left_out = chapters

    def on_element(self, _bin, _sub, e):
        factory = e.get_factory()
        if factory is None:
            return
        for k, v in encoding.encoder_settings(factory.get_name(),
                                              self.args).items():
            Gst.util_set_object_arg(e, k, str(v))

    def link_stream(self, pad, first_video, first_audio):
        caps, kind = self.kind(pad)
        if first_video:
            self.video_linked = True
            self.link_video(pad)
        elif first_audio and not self.args.dry_run:
            self.link_audio(pad)
        elif self.args.dry_run or not self.keep_subtitles(pad, caps):
            if not self.args.dry_run:
                self.left_out.append(caps)
            # left out, without blocking the rest
            sink = self.add_chain([make("fakesink", sync=False)])[0]
            sink.set_property("async", False)
            pad.link(sink.get_static_pad("sink"))

    def ahead_queue(self):
        """A queue in front of encodebin for a stream that runs ahead of
        the video; its sink pad gets the EOS of a Ctrl-C, and what it
        holds past the video's end is cut where it leaves."""
        queue = make("queue", max_size_time=0, max_size_buffers=0,
                     max_size_bytes=AHEAD_QUEUE_BYTES)
        self.branches.append((queue.get_static_pad("sink"), False))
        queue.get_static_pad("src").add_probe(
            Gst.PadProbeType.BUFFER, self.on_ahead_out)
        return queue

    def keep_subtitles(self, pad, caps):
        """Subtitles go to the muxer when it takes them as they are, and
        text as plain text (what every muxer here takes), from Pango markup
        too (Matroska's text tracks, SSA decoded for a container without
        it)."""
        plain = Gst.Caps.from_string(subtitles.PLAIN)
        text = subtitles.is_markup(caps) or caps.can_intersect(plain)
        if not (plain if text else caps).can_intersect(
                encoding.subtitle_caps(self.ext)):
            return False
        mux = self.inner_muxer()
        target = mux.request_pad_simple("subtitle_%u") if mux else None
        if target is None:
            return False
        ghost = Gst.GhostPad.new(None, target)
        ghost.set_active(True)
        self.encodebin.add_pad(ghost)
        chain = self.add_chain([self.ahead_queue()] + (
            [subtitles.PlainText(encoding.text_from_start(self.ext))]
            if text else []))
        if chain[-1].get_static_pad("src").link(ghost) == \
                Gst.PadLinkReturn.OK and \
                pad.link(chain[0].get_static_pad("sink")) == \
                Gst.PadLinkReturn.OK:
            return True
        self.branches.pop()
        # a muxer pad left without data would hold the file back
        self.encodebin.remove_pad(ghost)
        mux.release_request_pad(target)
        return False

    def inner_muxer(self):
        mux_name = encoding.names(self.ext)[0]
        it = self.encodebin.iterate_elements()
        while True:
            ok, e = it.next()
            if ok != Gst.IteratorResult.OK:
                return None
            if e.get_factory() and e.get_factory().get_name() == mux_name:
                return e

    def link_video(self, pad):
        convert = make("videoconvert")
        chain = [make("queue"), "videoconvert", upright(), convert,
                 self.remix]
        if self.args.dry_run:
            chain += [make("fakesink", sync=False)]
        else:
            crop = [make("videocrop")] if encoding.even_sizes(self.ext) \
                else []
            chain += ["videoconvert"] + crop
            if crop:
                crop[0].get_static_pad("sink").add_probe(
                    Gst.PadProbeType.EVENT_DOWNSTREAM, self.on_crop_caps)
        elements = self.add_chain(chain)
        ScheduleFeeder(self.remix, self.schedule).attach(
            convert.get_static_pad("src"))
        if self.record_picks:
            sink = self.remix.get_static_pad("sink")
            sink.add_probe(Gst.PadProbeType.BUFFER, self.on_remix_in)
            sink.add_probe(Gst.PadProbeType.EVENT_DOWNSTREAM,
                           self.on_remix_eos)
        pad.link(elements[0].get_static_pad("sink"))
        after = elements[5].get_static_pad("sink")
        after.add_probe(Gst.PadProbeType.BUFFER, self.on_video_out)
        self.branches.append((after, True))
        if not self.args.dry_run:
            self.link_to_encodebin(elements[-1], "video_%u")

    def on_remix_in(self, pad, info):
        # the element's pick count grew since the frame before: it was
        # picked (its pick happens after this probe)
        self.note_pick()
        self.last_in_pts = stream_time(pad, info.get_buffer().pts)
        return Gst.PadProbeReturn.OK

    def on_remix_eos(self, _pad, info):
        if info.get_event().type == Gst.EventType.EOS:
            self.note_pick()
        return Gst.PadProbeReturn.OK

    def note_pick(self):
        picks = element.stats(self.remix)["picks"]
        if picks > self.picks_seen and self.last_in_pts is not None:
            self.pick_times.append(self.last_in_pts)
        self.picks_seen = picks

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
                self.progress.status(
                    "note: %dx%d frames are encoded as %dx%d (%s takes even "
                    "sizes only: the last %s cut)" % (
                        w, h, w - w % 2, h - h % 2,
                        encoding.names(self.ext)[1],
                        " and ".join(n for n, odd in (
                            ("column", w % 2), ("line", h % 2)) if odd)),
                    final=True)
        return Gst.PadProbeReturn.OK

    def link_audio(self, pad):
        queue = self.add_chain([self.ahead_queue()])[0]
        self.link_to_encodebin(queue, "audio_%u")
        pad.link(queue.get_static_pad("sink"))

    def link_to_encodebin(self, element_, template):
        sink = self.encodebin.request_pad_simple(template)
        if sink is None or \
                element_.get_static_pad("src").link(sink) != \
                Gst.PadLinkReturn.OK:
            raise RuntimeError("cannot link %s to encodebin" % template)

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

    def on_ahead_out(self, _pad, info):
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
        self.progress.status(
            "interrupted: finishing at %s; nothing more is sent, results in "
            "flight are awaited for the cache (Ctrl-C again to quit at once)"
            % fmt_time(self.last_video_pts), final=True)
        # audio runs ahead of the video, into encodebin's own queues: it is
        # cut again where the muxer takes it, or a player (qtdemux among
        # them) may take the short video track for a preview and skip it
        mux = self.inner_muxer()
        for pad in mux.sinkpads if mux is not None else []:
            caps = pad.get_current_caps()
            if caps is not None and caps.get_size() and caps.get_structure(
                    0).get_name().startswith("audio/"):
                pad.add_probe(Gst.PadProbeType.BUFFER, self.on_ahead_out)
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
        s = element.stats(self.remix)
        return max(s["requests"] - s["succeeded"] - s["failed"] -
                   s["cancelled"], 0)

    def wait_in_flight(self):
        # paid results still coming reach the cache before the pipeline
        # stops (which would cancel them)
        if self.in_flight() == 0:
            return self.finish(self.exit_code, self.error)
        return GLib.SOURCE_CONTINUE

    # ---- progress ----

    def position(self):
        ok, pos = self.pipeline.query_position(Gst.Format.TIME)
        ok2, dur = self.pipeline.query_duration(Gst.Format.TIME)
        pos = pos if ok else None
        dur = dur if ok2 else None
        eta = None
        if pos and dur and pos > 0:
            elapsed = time.monotonic() - self.started
            eta = int(elapsed * (dur - pos) / pos * SECOND)
        return pos, dur, eta

    def on_tick(self):
        if not self.args.dry_run:
            self.show_progress()
        return GLib.SOURCE_CONTINUE

    def show_progress(self, event="progress", where=None):
        pos, dur, eta = where or self.position()
        self.progress.update(pos, dur, self.frames_written,
                             element.stats(self.remix), self.in_flight(), eta,
                             event)

    # ---- the bus ----

    def on_message(self, _bus, msg):
        if msg.type == Gst.MessageType.EOS:
            if self.stopping and not self.eos:
                self.eos = True
                if self.in_flight():
                    self.progress.status(
                        "the part done is written; waiting for %d results "
                        "in flight, for the cache (Ctrl-C again to quit at "
                        "once)" % self.in_flight(), final=True)
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
                    (((h * 60 + mi) * 60 + s) * SECOND + ns, m.group(5)))
            self.progress.status("warning: " + warning.message, final=True)
        elif msg.type == Gst.MessageType.ERROR:
            err, _debug = msg.parse_error()
            self.finish(self.classify(msg), "%s (%s)" % (
                err.message, msg.src.get_name()))
        return True

    def classify(self, msg):
        # before any stream was found, it is the input that cannot be read
        if msg.src != self.remix and not self.video_linked:
            return EXIT_UNREADABLE
        return EXIT_FAILED

    def finish(self, code, message):
        self.exit_code = code
        self.error = message
        self.loop.quit()
        return GLib.SOURCE_REMOVE

    def report(self, where):
        s = element.stats(self.remix)
        if self.args.dry_run:
            return
        self.show_progress("end", where)
        self.progress.status("%s: %d frames, %d requests (%d from the cache, "
                             "%d failed), %s cents, %.1f s" % (
                                 "done" if self.exit_code == EXIT_OK
                                 else "ended", self.frames_written,
                                 s["requests"], s["cache-hits"], s["failed"],
                                 fmt_cents(s["spent-credits"]),
                                 time.monotonic() - self.started), final=True)
        self.progress.status(element.flicker_line(self.remix, self.args),
                             final=True)

    def failed_list(self):
        """Each failed pick's span of OUT: up to the next pick, which only
        a fixed interval foretells."""
        fixed = self.args.pick == "interval" and not self.args.skip_similar
        step = int(self.args.interval * SECOND)
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
        tick = GLib.timeout_add(500 if self.progress.tty else 2000,
                                self.on_tick)
        if self.pipeline.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            msg = bus.pop_filtered(Gst.MessageType.ERROR)
            if msg is not None:
                self.on_message(bus, msg)
            else:
                self.finish(EXIT_FAILED, "the pipeline cannot start")
        else:
            self.loop.run()
        where = self.position()
        self.pipeline.set_state(Gst.State.NULL)
        bus.remove_signal_watch()
        GLib.source_remove(tick)
        if not self.stopping:
            GLib.source_remove(self.sigint_watch)
        if self.error is not None:
            say(self.error)
        if self.exit_code in (EXIT_OK, EXIT_INTERRUPTED):
            self.report(where)
        if self.args.dry_run:
            return self.exit_code
        return self.settle()

    def settle(self):
        """What becomes of the file written, by the run's outcome."""
        out = self.output
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
            s = element.stats(self.remix)
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


def describe(streams, chapters):
    """What OUT does not get, in one line: streams of one type counted
    once."""
    counts = {}
    for caps in streams:
        name = caps.get_structure(0).get_name() if caps.get_size() else "?"
        counts[name] = counts.get(name, 0) + 1
    parts = []
    for name, n in counts.items():
        kind = name.split("/")[0]
        kind = {"text": "subtitles", "subpicture": "subtitles",
                "application": "data"}.get(kind, kind)
        parts.append("%s %s stream%s (%s)" % (
            "a" if n == 1 else n, kind, "s" if n > 1 else "", name))
    if chapters:
        parts.append("%d chapter%s" % (chapters, "s" if chapters > 1 else ""))
    return ", ".join(parts)
