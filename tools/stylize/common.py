"""Exit codes, messages, time formats and GStreamer helpers."""
import sys

try:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GLib", "2.0")
    gi.require_version("GstPbutils", "1.0")
    gi.require_version("GstVideo", "1.0")
    from gi.repository import GLib, GObject, Gst  # noqa: F401
    from gi.repository import GstPbutils, GstVideo  # noqa: F401
    GI_MISSING = None
except (ImportError, ValueError) as e:  # --help and --version work without
    GI_MISSING = e
    GLib = GObject = Gst = GstPbutils = GstVideo = None

EXIT_OK, EXIT_USAGE, EXIT_UNREADABLE, EXIT_NO_VIDEO, EXIT_FAILED, \
    EXIT_CANNOT_WRITE = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130
SECOND = 1000000000

WHERE_MODELS = "every model: docs/models.md, or gst-inspect-1.0 imagegenremix"


def say(message):
    print("imagegen-stylize: " + message, file=sys.stderr)


def fail(code, message):
    say(message)
    sys.exit(code)


def fmt_cents(cents):
    """Cents with the fractions they have (the element's -credits stats,
    exact to a nanocent): 160, 9.20016."""
    return ("%.9f" % cents).rstrip("0").rstrip(".")


def fmt_time(ns):
    if ns is None or ns < 0:
        return "--:--"
    s = int(ns // SECOND)
    return "%d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60) if s >= 3600 \
        else "%d:%02d" % (s // 60, s % 60)


def fmt_fine(ns):
    if ns is None:
        return "the end"
    return "%d:%05.2f" % (ns // (60 * SECOND), ns % (60 * SECOND) / SECOND)


def make(factory, **props):
    e = Gst.ElementFactory.make(factory, None)
    if e is None:
        raise LookupError(factory)
    for k, v in props.items():
        e.set_property(k, v)
    return e


def discover(path):
    """What GstDiscoverer tells of PATH (duration, chapters), or None when
    it cannot be told here (the run then says what is wrong with it)."""
    try:
        return GstPbutils.Discoverer.new(30 * SECOND).discover_uri(
            uri_of(path))
    except Exception:  # noqa: BLE001 (GLib.Error: judged by the run)
        return None


def uri_of(path):
    return path if Gst.uri_is_valid(path) else \
        Gst.filename_to_uri(__import__("os").path.abspath(path))
