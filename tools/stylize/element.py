"""imagegenremix with the user's settings, judged by the element itself
before anything is written or sent (its ranges, its model table)."""
import argparse
import difflib
import math
import os
import re
import sys

from .common import (EXIT_FAILED, EXIT_USAGE, WHERE_MODELS, GLib, GObject,
                     Gst, fail, make)


def default_cache_dir():
    return os.path.join(GLib.get_user_cache_dir(), "gst-imagegen", "results")


def extra_text(args):
    """--extra with --seed's field added: the model's own seed field."""
    if args.seed is None:
        return args.extra
    extra = args.extra or "extra"
    return "%s, seed=(int)%d" % (extra.rstrip().rstrip(";"), args.seed)


def set_if_present(element, name, value):
    """Sets a property by name when the plugin has it; says so if not."""
    spec = element.find_property(name)
    if spec is None:
        fail(EXIT_USAGE, "this imagegenremix has no %s property (an older "
             "plugin?)" % name)
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


def new_remix(args, probe=False, prompt=None):
    """imagegenremix with the user's settings.  probe: for checking them
    only (no references, which are uploaded at start; no cache; a stand-in
    key, so that only the values are judged)."""
    a = args
    try:
        r = make("imagegenremix", mode="offline")
    except LookupError:
        fail(EXIT_FAILED, "the imagegen plugin is not installed (no "
             "imagegenremix; set GST_PLUGIN_PATH?)")
    prompt = prompt if prompt is not None else a.first_prompt
    if prompt is not None:
        r.set_property("prompt", prompt)
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
    if extra_text(a):
        set_if_present(r, "extra", extra_text(a))
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
    else:
        # the end line's steadiness figure (costs a flow a frame)
        set_if_present(r, "measure-flicker", True)
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


def check_settings(args, prompts):
    """A typo in the model or its values, a prompt the model refuses or a
    seed it has no field for is a usage error, found before anything is
    written or sent."""
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
        for text in prompts:
            error = start_error(new_remix(args, probe=True, prompt=text))
            if error is not None:
                fail(EXIT_USAGE, "the prompt \"%s\": %s" % (text, error))
        return
    if args.model:
        bare = argparse.Namespace(**vars(args))
        bare.extra = bare.resolution = bare.aspect_ratio = bare.seed = None
        # the model alone: motion=flow is refused without the feature
        bare.motion = "hold"
        model_error = start_error(new_remix(bare, probe=True))
        # refused alone, and not one of the ids the element names
        if model_error is not None and \
                args.model not in model_ids(bare, ""):
            fail(EXIT_USAGE, "--model %s: imagegenremix has no such model%s "
                 "(%s)" % (args.model, did_you_mean(bare, model_error),
                           WHERE_MODELS))
    if args.seed is not None:
        unseeded = argparse.Namespace(**vars(args))
        unseeded.seed = None
        if start_error(new_remix(unseeded, probe=True)) is None:
            model = args.model or new_remix(args, probe=True) \
                .get_property("model")
            fail(EXIT_USAGE, "--seed: model %s has no seed field (%s)" % (
                model, WHERE_MODELS))
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


def flicker_line(remix, args):
    """The end line on how steady the output is beside the input, or why
    there is no figure."""
    s = remix.get_property("stats")
    if s.has_field("flicker-output"):
        return ("flicker: output %.1f, input %.1f (mean difference between "
                "consecutive frames carried along the input's motion; lower "
                "is steadier)" % (s.get_value("flicker-output"),
                                  s.get_value("flicker-input")))
    flow = argparse.Namespace(**dict(vars(args), motion="flow"))
    if start_error(new_remix(flow, probe=True)) is not None:
        return ("flicker: no figure: this plugin was built without the "
                "motion feature (OpenCV optical flow) that measures it")
    return "flicker: no figure: no two consecutive frames were measured"


def stats(remix):
    s = remix.get_property("stats")
    return {k: s.get_value(k) for k in
            ("requests", "succeeded", "failed", "cancelled",
             "spent-credits", "cache-hits", "cache-misses",
             "estimated-credits", "picks", "picks-skipped",
             "picks-at-cuts")}
