"""Prompts over time: --prompt-at TIME=PROMPT, or --prompts FILE (subtitle
cues, read by subparse and cleaned as imagegentextsrc cleans cue text:
markup stripped, entities unescaped, lines joined, outer space gone, empty
cues ignored).  A prompt holds until the next one; --prompt, if given,
before the first."""
import os
import re

from .common import EXIT_USAGE, SECOND, Gst, fail, fmt_fine, make
from .subtitles import strip_markup

TIME = re.compile(r"^(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d*)?)$")


def parse_time(text):
    """0:12.5, 1:02:03, 75 or 75.25 (seconds) as nanoseconds; None if not
    a time."""
    m = TIME.match(text.strip())
    if not m:
        return None
    h, mi, s = m.groups()
    return int(round(((int(h or 0) * 60 + int(mi or 0)) * 60 + float(s))
                     * SECOND))


def one_line(text):
    """A cue's lines become one line, as imagegentextsrc joins them."""
    for c in "\r\n\t":
        text = text.replace(c, " ")
    return text.strip()


class Schedule:
    def __init__(self, before, entries, source):
        self.before = before        # the prompt before the first time
        self.entries = entries      # [(time ns, prompt)], sorted
        self.source = source        # what to name in messages

    def prompt_at(self, time):
        prompt = self.before
        for start, text in self.entries:
            if start > time:
                break
            prompt = text
        return prompt

    def first(self):
        return self.prompt_at(0)

    def changes(self):
        """Times after 0 at which the prompt changes: each forces a pick."""
        out, last = [], self.first()
        for start, text in self.entries:
            if start > 0 and text != last:
                out.append((start, text))
            last = text
        return out

    def prompts(self):
        return sorted({p for p in [self.before] + [t for _, t in
                                                  self.entries] if p})

    def check_length(self, duration, name):
        """A time past the end of the input is a mistake."""
        if duration is None or duration < 0:
            return
        for start, _text in self.entries:
            if start >= duration:
                fail(EXIT_USAGE, "%s: %s is past the end of %s (%s)" % (
                    self.source, fmt_fine(start), name, fmt_fine(duration)))

    def lines(self):
        rows = []
        if self.before and (not self.entries or self.entries[0][0] > 0):
            rows.append((0, self.before))
        rows += self.entries
        return ["  %s  %s" % (fmt_fine(t), p) for t, p in rows]


def from_args(args):
    """The schedule the options give, or None for one prompt."""
    if args.prompt_at:
        entries = []
        for item in args.prompt_at:
            when, sep, text = item.partition("=")
            start = parse_time(when) if sep else None
            if start is None:
                fail(EXIT_USAGE, "--prompt-at %s: write TIME=PROMPT, e.g. "
                     "0:12.5=\"oil painting\"" % item)
            if not one_line(text):
                fail(EXIT_USAGE, "--prompt-at %s: the prompt is empty" % item)
            entries.append((start, one_line(text)))
        entries.sort(key=lambda e: e[0])
        for (a, _), (b, _) in zip(entries, entries[1:]):
            if a == b:
                fail(EXIT_USAGE, "--prompt-at: two prompts at %s" %
                     fmt_fine(a))
        schedule = Schedule(args.prompt, entries, "--prompt-at")
    elif args.prompts:
        schedule = Schedule(args.prompt, read_cues(args.prompts),
                            args.prompts)
    else:
        return None
    if schedule.first() is None:
        fail(EXIT_USAGE, "%s starts at %s: give --prompt for the frames "
             "before it" % (schedule.source, fmt_fine(
                 schedule.entries[0][0])))
    return schedule


def read_cues(path):
    """Each cue of a subtitle file: (start, prompt), checked for
    overlaps."""
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        fail(EXIT_USAGE, "cannot read the schedule %s: %s" % (
            path, "it is a directory" if os.path.isdir(path) else
            "no such file" if not os.path.exists(path) else
            "permission denied"))
    pipeline = Gst.Pipeline.new("schedule")
    src = make("filesrc", location=path)
    parse = make("subparse")
    sink = make("appsink", sync=False, emit_signals=False)
    for e in (src, parse, sink):
        pipeline.add(e)
    src.link(parse)
    parse.link(sink)
    pipeline.set_state(Gst.State.PLAYING)
    cues, error = [], None
    while True:
        sample = sink.emit("try-pull-sample", 10 * SECOND)
        if sample is None:
            msg = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
            if msg is not None:
                error = msg.parse_error()[0].message
            break
        buf = sample.get_buffer()
        markup = sample.get_caps().get_structure(0) \
            .get_value("format") == "pango-markup"
        ok, info = buf.map(Gst.MapFlags.READ)
        raw = bytes(info.data) if ok else b""
        if ok:
            buf.unmap(info)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            fail(EXIT_USAGE, "%s: the cue at %s is not UTF-8" % (
                path, fmt_fine(buf.pts)))
        plain = strip_markup(text) if markup else text
        if plain is None:
            fail(EXIT_USAGE, "%s: the cue at %s is not valid markup" % (
                path, fmt_fine(buf.pts)))
        end = buf.pts + buf.duration \
            if buf.duration != Gst.CLOCK_TIME_NONE else None
        if one_line(plain):
            cues.append((buf.pts, end, one_line(plain)))
    pipeline.set_state(Gst.State.NULL)
    if error is not None and not cues:
        fail(EXIT_USAGE, "cannot read the schedule %s: it is not a subtitle "
             "file subparse reads (%s)" % (path, error))
    if not cues:
        fail(EXIT_USAGE, "the schedule %s has no cues" % path)
    cues.sort(key=lambda c: c[0])
    for (a, a_end, _), (b, _, _) in zip(cues, cues[1:]):
        if a_end is not None and b < a_end:
            fail(EXIT_USAGE, "%s: the cue at %s overlaps the one at %s (it "
                 "ends at %s): one prompt at a time" % (
                     path, fmt_fine(b), fmt_fine(a), fmt_fine(a_end)))
    return [(start, text) for start, _end, text in cues]
