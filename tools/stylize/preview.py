"""--preview N: N of the full run's own picks (found by a run that sends
nothing), spread over the file, restyled as the full run would request
them (so that it finds them in the cache), on a contact sheet: each input
frame above its result, the time code under them."""
import os

from .common import (EXIT_FAILED, EXIT_OK, EXIT_USAGE, SECOND, GLib, Gst,
                     GstVideo, fail, fmt_cents, fmt_fine, make, say, uri_of)
from . import element
from .batch import estimate
from .run import ScheduleFeeder, stream_time, upright

THUMB_W = 240                   # a multiple of 4: RGB rows without padding
MARGIN = 8
PER_ROW = 4
SCALE = 2                       # of the 5x7 digits of the time codes
GLYPHS = {
    "0": "01110 10001 10011 10101 11001 10001 01110",
    "1": "00100 01100 00100 00100 00100 00100 01110",
    "2": "01110 10001 00001 00010 00100 01000 11111",
    "3": "11110 00001 00001 01110 00001 00001 11110",
    "4": "00010 00110 01010 10010 11111 00010 00010",
    "5": "11111 10000 11110 00001 00001 10001 01110",
    "6": "00110 01000 10000 11110 10001 10001 01110",
    "7": "11111 00001 00010 00100 01000 01000 01000",
    "8": "01110 10001 10001 01110 10001 10001 01110",
    "9": "01110 10001 10001 01111 00001 00010 01100",
    ":": "00000 01100 01100 00000 01100 01100 00000",
    ".": "00000 00000 00000 00000 00000 01100 01100",
}


def spread(times, n):
    """n of the times, evenly over them, the first and last included."""
    if n == 1:
        return [times[len(times) // 2]]
    return [times[round(i * (len(times) - 1) / (n - 1))] for i in range(n)]


def sheet_path(job):
    return job.output.stem + ".preview.png"


def run(args, job, progress):
    code, before, times = estimate(args, job, progress, record_picks=True)
    if code != EXIT_OK:
        return code
    if args.preview > len(times):
        fail(EXIT_USAGE, "--preview %d: the full run of %s has only %d "
             "picks (nothing was sent)" % (args.preview, job.input,
                                           len(times)))
    chosen = spread(times, args.preview)
    pairs, code, s = restyle(args, job, chosen)
    if code != EXIT_OK:
        return code
    path = sheet_path(job)
    write_png(path, *contact_sheet(pairs))
    print("preview: %d picks restyled (%d requests, %s cents): %s" % (
        len(pairs), s["requests"], fmt_cents(s["spent-credits"]), path))
    misses = before["cache-misses"]
    price = before["estimated-credits"] / misses if misses else 0
    if args.coherence == "previous-result":
        print("with --coherence previous-result each result depends on the "
              "one before, so the full run cannot reuse these previews")
        left = misses
    else:
        left = max(misses - s["requests"], 0)
    print("the full run: %d picks, %d requests to send, about %s cents" % (
        len(times), left, fmt_cents(price * left)))
    return EXIT_OK


def restyle(args, job, chosen):
    """Only the chosen frames reach the element, each forced to be a pick
    with the prompt in force at its time: the full run's requests."""
    pipeline = Gst.Pipeline.new("preview")
    src = make("uridecodebin", uri=uri_of(job.input))
    remix = element.new_remix(args, prompt=job.first_prompt)
    out = make("fakesink", sync=False)
    convert = make("videoconvert")
    chain = [make("queue"), make("videoconvert"), upright(), convert, remix,
             out]
    for e in [src] + chain:
        pipeline.add(e)
    for a, b in zip(chain, chain[1:]):
        a.link(b)
    inputs, results = {}, []
    ScheduleFeeder(remix, job.schedule, only=set(chosen)).attach(
        convert.get_static_pad("src"))
    remix.get_static_pad("sink").add_probe(
        Gst.PadProbeType.BUFFER, lambda pad, info: keep(
            inputs, pad, info, key=True))
    remix.get_static_pad("src").add_probe(
        Gst.PadProbeType.BUFFER, lambda pad, info: keep(
            results, pad, info))

    def on_pad(_src, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        if caps.get_structure(0).get_name().startswith("video/") and \
                not chain[0].get_static_pad("sink").is_linked():
            pad.link(chain[0].get_static_pad("sink"))
            return
        sink = make("fakesink", sync=False, **{"async": False})
        pipeline.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))
    src.connect("pad-added", on_pad)
    code, error = play(pipeline)
    s = element.stats(remix)
    pipeline.set_state(Gst.State.NULL)
    if error:
        say(error)
    if code == EXIT_OK and (s["failed"] or len(results) < len(chosen)):
        say("the preview's picks failed: nothing written")
        code = EXIT_FAILED
    pairs = [(t, inputs.get(t), r) for t, r in zip(chosen, results)]
    return pairs, code, s


def keep(store, pad, info, key=False):
    buf = info.get_buffer()
    sample = Gst.Sample.new(buf, pad.get_current_caps(), None, None)
    if key:
        store[stream_time(pad, buf.pts)] = sample
    else:
        store.append(sample)
    return Gst.PadProbeReturn.OK


def play(pipeline):
    loop = GLib.MainLoop()
    outcome = [EXIT_OK, None]

    def on_message(_bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            outcome[:] = [EXIT_FAILED, msg.parse_error()[0].message]
            loop.quit()
        elif msg.type == Gst.MessageType.EOS:
            loop.quit()
    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    bus.remove_signal_watch()
    return outcome


def rgb(sample, height):
    caps = Gst.Caps.from_string(
        "video/x-raw,format=RGB,width=%d,height=%d,pixel-aspect-ratio=1/1"
        % (THUMB_W, height))
    small = GstVideo.video_convert_sample(sample, caps, 10 * SECOND)
    buf = small.get_buffer()
    return buf.extract_dup(0, buf.get_size())


def contact_sheet(pairs):
    s = pairs[0][1].get_caps().get_structure(0)
    thumb_h = max(2, round(THUMB_W * s.get_value("height") /
                           s.get_value("width") / 2) * 2)
    band = 7 * SCALE + 2 * MARGIN
    cols = min(len(pairs), PER_ROW)
    rows = (len(pairs) + PER_ROW - 1) // PER_ROW
    cell_w, cell_h = THUMB_W + MARGIN, 2 * thumb_h + MARGIN + band
    width, height = cols * cell_w + MARGIN, rows * cell_h + MARGIN
    sheet = bytearray(b"\x20" * (width * height * 3))
    for i, (t, before, after) in enumerate(pairs):
        x = MARGIN + (i % PER_ROW) * cell_w
        y = MARGIN + (i // PER_ROW) * cell_h
        for top, sample in ((y, before), (y + thumb_h + MARGIN // 2, after)):
            paste(sheet, width, x, top, rgb(sample, thumb_h), THUMB_W,
                  thumb_h)
        draw_text(sheet, width, x, y + 2 * thumb_h + MARGIN, fmt_fine(t))
    return bytes(sheet), width, height


def paste(sheet, width, x, y, pixels, w, h):
    for row in range(h):
        at = ((y + row) * width + x) * 3
        sheet[at:at + w * 3] = pixels[row * w * 3:(row + 1) * w * 3]


def draw_text(sheet, width, x, y, text):
    for n, ch in enumerate(text):
        rows = GLYPHS.get(ch, "").split()
        for gy, bits in enumerate(rows):
            for gx, bit in enumerate(bits):
                if bit != "1":
                    continue
                for dy in range(SCALE):
                    for dx in range(SCALE):
                        px = x + (n * 6 + gx) * SCALE + dx
                        at = ((y + gy * SCALE + dy) * width + px) * 3
                        sheet[at:at + 3] = b"\xff\xff\xff"


def write_png(path, pixels, width, height):
    caps = Gst.Caps.from_string(
        "video/x-raw,format=RGB,width=%d,height=%d,framerate=0/1" % (
            width, height))
    sample = Gst.Sample.new(Gst.Buffer.new_wrapped(pixels), caps, None, None)
    png = GstVideo.video_convert_sample(
        sample, Gst.Caps.from_string("image/png"), 10 * SECOND)
    buf = png.get_buffer()
    temp = path + ".unfinished"
    with open(temp, "wb") as f:
        f.write(buf.extract_dup(0, buf.get_size()))
    os.replace(temp, path)
