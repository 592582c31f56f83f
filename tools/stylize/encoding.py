"""What OUT's extension means: the container, the video encoder, the audio
copied as it is or encoded, through GStreamer's encoding profiles
(encodebin).  One table: every reader asks it."""
from .common import GObject, Gst, GstPbutils

# video codecs: encodebin format, the encoder (its preset name), the raw
# format it is fed (4:2:0: the profile every player takes), even sizes only
VIDEO = {
    "h264": ("video/x-h264", "x264enc", "video/x-raw,format=I420", True),
    "vp9": ("video/x-vp9", "vp9enc", "video/x-raw,format=I420", False),
}
# audio codecs a file gets when its audio cannot be copied
AUDIO = {
    "aac": ("audio/mpeg,mpegversion=4", "avenc_aac"),
    "opus": ("audio/x-opus", "opusenc"),
}
MUXER_TAKES = None  # copy: whatever the muxer's audio (subtitle) pads take
# webmmux inherits matroskamux's subtitle pads, but WebM's only subtitles
# are WebVTT, which it does not write: none go into .webm
NOTHING = ""

# extension -> (container caps, muxer, video, audio, audio copied as it is,
# subtitles copied as they are)
CONTAINERS = {
    "mp4": ("video/quicktime,variant=iso", "mp4mux", "h264", "aac",
            "audio/mpeg,mpegversion=4; audio/mpeg,mpegversion=1,layer=3",
            MUXER_TAKES),
    "m4v": ("video/quicktime,variant=iso", "mp4mux", "h264", "aac",
            "audio/mpeg,mpegversion=4; audio/mpeg,mpegversion=1,layer=3",
            MUXER_TAKES),
    "mov": ("video/quicktime,variant=apple", "qtmux", "h264", "aac",
            "audio/mpeg,mpegversion=4; audio/mpeg,mpegversion=1,layer=3",
            MUXER_TAKES),
    "mkv": ("video/x-matroska", "matroskamux", "h264", "opus", MUXER_TAKES,
            MUXER_TAKES),
    "webm": ("video/webm", "webmmux", "vp9", "opus",
             "audio/x-opus; audio/x-vorbis", NOTHING),
}
EXTENSIONS = list(CONTAINERS)
# muxers that start a text track at its first cue, whatever its time (it
# would show at 0): the time before it is given an empty cue
TEXT_FROM_FIRST_CUE = ("mp4mux", "qtmux")

# --quality: each encoder's settings per level; --video-bitrate instead
QUALITY = {
    "low": {"x264enc": {"pass": "quant", "quantizer": 28},
            "vp9enc": {"end-usage": "q", "cq-level": 48}},
    "medium": {"x264enc": {"pass": "quant", "quantizer": 20},
               "vp9enc": {"end-usage": "q", "cq-level": 36}},
    "high": {"x264enc": {"pass": "quant", "quantizer": 16},
             "vp9enc": {"end-usage": "q", "cq-level": 28}},
}
DEFAULT_QUALITY = "medium"
# a good file for watching, not a stream: quality over latency, within
# what a small machine encodes in reasonable time
ALWAYS = {"x264enc": {"speed-preset": "medium"},
          "vp9enc": {"deadline": 1, "cpu-used": 4}}


def bitrate_settings(encoder, kbps):
    return {"x264enc": {"pass": "cbr", "bitrate": kbps},
            "vp9enc": {"end-usage": "vbr",
                       "target-bitrate": kbps * 1000}}[encoder]


def names(ext):
    """The elements .EXT needs: muxer, video encoder, audio encoder."""
    mux, video, audio = CONTAINERS[ext][1:4]
    return mux, VIDEO[video][1], AUDIO[audio][1]


def even_sizes(ext):
    return VIDEO[CONTAINERS[ext][2]][3]


def taken_as_is(ext, column, template):
    """What the table says goes into .EXT untouched, or what the muxer's
    pads of TEMPLATE take."""
    copy = CONTAINERS[ext][column]
    if copy is not MUXER_TAKES:
        return Gst.Caps.from_string(copy)
    mux = Gst.ElementFactory.make(CONTAINERS[ext][1], None)
    templ = mux.get_pad_template(template)
    return templ.get_caps() if templ else Gst.Caps.new_empty()


def copy_caps(ext):
    """Audio that goes into .EXT as it is."""
    return taken_as_is(ext, 4, "audio_%u")


def subtitle_caps(ext):
    """Subtitles .EXT takes (mp4: plain text; Matroska: more; WebM:
    none)."""
    return taken_as_is(ext, 5, "subtitle_%u")


def text_from_start(ext):
    """Whether a text track into .EXT needs an empty cue before its
    first."""
    return CONTAINERS[ext][1] in TEXT_FROM_FIRST_CUE


def keeps_chapters(ext):
    """Chapters go into .EXT where its muxer writes a table of contents
    (a GstTocSetter: matroskamux and webmmux; mp4mux and qtmux are not)."""
    mux = Gst.ElementFactory.find(CONTAINERS[ext][1])
    return GObject.type_is_a(mux.get_element_type(), Gst.TocSetter)


def decoded_caps(ext):
    """What uridecodebin stops at: raw streams, and the audio and
    subtitles .EXT takes as they are (kept untouched)."""
    caps = Gst.Caps.from_string(
        "video/x-raw(ANY); audio/x-raw(ANY); text/x-raw(ANY); "
        "subpicture/x-dvd; subpicture/x-dvb; subpicture/x-pgs")
    if ext is not None:
        caps = caps.merge(copy_caps(ext)).merge(subtitle_caps(ext))
    return caps


def audio_copied(ext, caps):
    return not caps.get_structure(0).get_name() == "audio/x-raw" and \
        caps.can_intersect(copy_caps(ext))


def profile(ext, audio_caps):
    """The encoding profile of .EXT; audio_caps: the input's audio as it
    arrives (None: no audio).  Copied audio keeps its format: encodebin
    passes a stream already in the profile's format through."""
    caps, mux, video, audio = CONTAINERS[ext][:4]
    container = GstPbutils.EncodingContainerProfile.new(
        ext, None, Gst.Caps.from_string(caps), None)
    container.set_preset_name(ranked(mux))
    vcaps, venc, restriction, _even = VIDEO[video]
    v = GstPbutils.EncodingVideoProfile.new(
        Gst.Caps.from_string(vcaps), None,
        Gst.Caps.from_string(restriction), 0)
    v.set_preset_name(ranked(venc))
    # every frame as it comes, at its own time: no videorate
    v.set_variableframerate(True)
    container.add_profile(v)
    if audio_caps is not None:
        if audio_copied(ext, audio_caps):
            a = GstPbutils.EncodingAudioProfile.new(
                copy_format(audio_caps), None, None, 0)
        else:
            acaps, aenc = AUDIO[audio]
            a = GstPbutils.EncodingAudioProfile.new(
                Gst.Caps.from_string(acaps), None, None, 0)
            a.set_preset_name(ranked(aenc))
        container.add_profile(a)
    return container


def ranked(factory):
    """encodebin takes ranked encoders only, and avenc_aac (Debian's AAC
    encoder) has no rank: in this process, the one named gets one."""
    feature = Gst.ElementFactory.find(factory)
    if feature is not None and feature.get_rank() < Gst.Rank.MARGINAL:
        feature.set_rank(Gst.Rank.MARGINAL)
    return factory


def copy_format(caps):
    """The codec of copied audio, without the stream's own details."""
    s = caps.get_structure(0)
    fields = {"audio/mpeg": ("mpegversion", "layer")}.get(s.get_name(), ())
    text = s.get_name()
    for f in fields:
        if s.has_field(f):
            text += ",%s=(int)%d" % (f, s.get_value(f))
    return Gst.Caps.from_string(text)


def encoder_settings(factory, args):
    """Properties for an encoder encodebin made, by factory name."""
    settings = dict(ALWAYS.get(factory, {}))
    if factory not in ALWAYS:
        return settings
    if args.video_bitrate:
        settings.update(bitrate_settings(factory, args.video_bitrate))
    else:
        settings.update(QUALITY[args.quality][factory])
    return settings


def missing(ext):
    """The first element .EXT needs that is not installed, or None."""
    for name in names(ext) + ("encodebin",):
        if Gst.ElementFactory.find(name) is None:
            return name
    return None
