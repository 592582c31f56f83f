"""Subtitle text and chapters carried into OUT: Matroska's text tracks reach
the muxer as Pango markup, which no muxer takes, and become plain UTF-8
text (what matroskamux, mp4mux and qtmux take) with their times kept."""
import html
import re
import xml.etree.ElementTree as ElementTree

from .common import Gst

PLAIN = "text/x-raw,format=utf8"
TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def strip_markup(text):
    """Pango markup to plain text: tags dropped, entities unescaped; None
    when it is not markup."""
    try:
        root = ElementTree.fromstring("<markup>%s</markup>" % text)
    except ElementTree.ParseError:
        return None
    return "".join(root.itertext())


def plain_text(markup):
    """A cue's plain text, also from markup a parser refuses (a stray < or
    an HTML entity): its tags dropped, its entities unescaped."""
    text = strip_markup(markup)
    return text if text is not None else html.unescape(TAG.sub("", markup))


def is_markup(caps):
    s = caps.get_structure(0) if caps.get_size() else None
    return s is not None and s.get_name() == "text/x-raw" and \
        s.get_string("format") == "pango-markup"


class PlainText(Gst.Element):
    """Subtitle text in (Pango markup or plain), plain UTF-8 text out: each
    cue pushed again as its plain text with its own times; the stream's
    segment, gaps and EOS pass as they are.  An element of its own, not a
    probe: its pads answer for their own caps (Python cannot rewrite a caps
    query in a probe), so neither side negotiates with the other.  Markup
    is parsed by the one function that cleans a schedule's cues.
    from_start: the time before the first cue gets an empty cue, for a
    muxer that would start the track at its first cue."""
    __gtype_name__ = "ImagegenStylizePlainText"

    def __init__(self, from_start):
        super().__init__()
        self.sinkpad = self.new_pad("sink", Gst.PadDirection.SINK,
                                    "text/x-raw,format={pango-markup,utf8}")
        self.srcpad = self.new_pad("src", Gst.PadDirection.SRC, PLAIN)
        self.sinkpad.set_chain_function_full(self.chain)
        self.sinkpad.set_event_function_full(self.event)
        self.markup = False
        self.start = 0 if from_start else None  # None: filled, or no need

    def new_pad(self, name, direction, caps):
        template = Gst.PadTemplate.new(name, direction,
                                       Gst.PadPresence.ALWAYS,
                                       Gst.Caps.from_string(caps))
        pad = Gst.Pad.new_from_template(template, name)
        self.add_pad(pad)
        return pad

    def chain(self, _pad, _parent, buf):
        ok, info = buf.map(Gst.MapFlags.READ)
        raw = bytes(info.data) if ok else b""
        if ok:
            buf.unmap(info)
        text = raw.decode("utf-8", "replace").rstrip("\0")
        if self.start is not None and buf.pts != Gst.CLOCK_TIME_NONE:
            if buf.pts > self.start:
                self.srcpad.push(cue("", self.start, buf.pts - self.start))
            self.start = None
        return self.srcpad.push(cue(plain_text(text) if self.markup else
                                    text, buf.pts, buf.duration))

    def event(self, pad, parent, event):
        if event.type == Gst.EventType.CAPS:
            self.markup = is_markup(event.parse_caps())
            return self.srcpad.push_event(
                Gst.Event.new_caps(Gst.Caps.from_string(PLAIN)))
        if event.type == Gst.EventType.SEGMENT and self.start is not None:
            self.start = event.parse_segment().start
        return Gst.Pad.event_default(pad, parent, event)


def cue(text, pts, duration):
    # new_wrapped() takes no empty text (a cue of tags alone)
    out = Gst.Buffer.new_wrapped(text.encode("utf-8")) if text \
        else Gst.Buffer.new()
    out.pts, out.duration = pts, duration
    return out


def chapter_count(toc):
    """The chapters of a table of contents (an edition holds them)."""
    def count(entries):
        return sum((e.get_entry_type() == Gst.TocEntryType.CHAPTER) +
                   count(e.get_sub_entries()) for e in entries)
    return count(toc.get_entries()) if toc is not None else 0
