"""The command line.  Each option group is one function, so that a new
option is one line in the group it belongs to."""
import argparse
import math
import os

from .common import EXIT_USAGE, fail
from . import encoding


class Parser(argparse.ArgumentParser):
    def error(self, message):
        # every usage error exits 1 (argparse's own 2 means an unreadable
        # input here), in one sentence
        fail(EXIT_USAGE, "%s (see --help)" % message)


EPILOG = (
    "Exit codes: 0 done, 1 usage error (bad option or value, unknown "
    "model, a model without a seed field for --seed, a bad schedule, OUT "
    "exists without -y, several files estimated over --max-cost), 2 "
    "unreadable input, 3 no video stream in the "
    "input, 4 service or pipeline failure, or picks that failed for good "
    "(OUT is written unless every pick failed), 5 OUT cannot be written "
    "(unwritable, or an extension it does not write), 130 interrupted by "
    "Ctrl-C (the part done is kept as STEM.partial.EXT); a second Ctrl-C "
    "or SIGTERM kills at once (the shell's 130, 143).  With several files: "
    "0 when every file succeeded, else the highest code.  A failed run "
    "leaves an existing OUT as it was.  Results are cached: a rerun sends "
    "nothing.  Environment: RUNAPI_API_KEY, RUNAPI_BASE_URL.")


def add_files(p):
    p.add_argument("paths", nargs="+", metavar="IN [OUT] | IN... --out-dir",
                   help="the video file to stylise and the file to write "
                   "(%s; OUT not needed with --dry-run); or several files "
                   "with --out-dir" % ", ".join(
                       "." + e for e in encoding.EXTENSIONS))
    p.add_argument("-y", "--overwrite", action="store_true",
                   help="replace OUT if it exists (without it, an existing "
                   "OUT is refused at once: exit 1); with several files, "
                   "each")
    p.add_argument("--out-dir", metavar="DIR",
                   help="write each IN as DIR/STEM.EXT (several files: one "
                   "estimate for all first, a line per file and a total)")
    p.add_argument("--ext", metavar="EXT",
                   help="with --out-dir: the extension of the files written "
                   "(default: each input's own)")


def add_prompts(p):
    p.add_argument("--prompt",
                   help="how to restyle the frames (with a schedule: the "
                   "prompt before its first time)")
    p.add_argument("--prompt-at", action="append", default=[],
                   metavar="TIME=PROMPT",
                   help="from TIME (0:12.5, 1:02:03, 75) on, PROMPT "
                   "(repeatable); a change forces a pick at that time")
    p.add_argument("--prompts", metavar="FILE",
                   help="a schedule: each subtitle cue of FILE (what "
                   "subparse reads: .srt, .vtt...) is the prompt from its "
                   "start on")
    p.add_argument("--seed", type=int, metavar="N",
                   help="the model's seed field, the same for every pick "
                   "(flickers less); a model without one: exit 1")


def add_element(p):
    p.add_argument("--model", help="the model (imagegenremix's model "
                   "property; default: the element's)")
    p.add_argument("--provider", help="the image service (the elements' "
                   "provider property, where the plugin has one)")
    p.add_argument("--extra", metavar="FIELDS",
                   help="model-specific request fields as a GstStructure, "
                   "e.g. 'extra, seed=(int)7' (the elements' extra "
                   "property, where the plugin has one)")
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


def add_encoding(p):
    p.add_argument("--quality", choices=list(encoding.QUALITY),
                   default=encoding.DEFAULT_QUALITY,
                   help="video quality of OUT (default %s)" %
                   encoding.DEFAULT_QUALITY)
    p.add_argument("--video-bitrate", type=int, metavar="KBIT/S",
                   help="a video bitrate instead of --quality")


def add_run(p, version_text):
    p.add_argument("--cache-dir", default=None,
                   help="where results are kept (default %s)" %
                   "$XDG_CACHE_HOME/gst-imagegen/results")
    p.add_argument("--no-cache", action="store_true",
                   help="neither read nor keep results")
    p.add_argument("--max-cost", type=int, metavar="CENTS",
                   help="send nothing more once this much is spent; with "
                   "several files, the bound of the whole run: refused up "
                   "front (exit 1) when their estimate is over it, and each "
                   "file gets what the files before it left")
    p.add_argument("--dry-run", action="store_true",
                   help="count the picks, those the cache holds and the cost "
                   "of the rest; show the schedule and seed; send nothing, "
                   "write nothing")
    p.add_argument("--preview", type=int, metavar="N", help="restyle N of "
                   "the full run's picks, spread over the file, for a "
                   "contact sheet STEM.preview.png beside OUT; print the "
                   "full run's cost and stop")
    p.add_argument("--progress", choices=["line", "json"], default="line",
                   help="json: one JSON object per update on stdout instead "
                   "of the progress line")
    p.add_argument("--quiet", action="store_true",
                   help="no progress lines")
    p.add_argument("--version", action="version", version=version_text)


def parse_args(argv, version_text):
    p = Parser(
        prog="imagegen-stylize",
        description="Stylise a video file with the image service: picked "
        "frames are restyled, every frame shows the result of the latest "
        "pick, the audio is kept.", epilog=EPILOG)
    add_files(p)
    add_prompts(p)
    add_element(p)
    add_encoding(p)
    add_run(p, version_text)
    args = p.parse_args(argv)
    check(p, args)
    return args


def check(p, args):
    """What argparse cannot judge alone; sets args.jobs: (IN, OUT) pairs."""
    if args.prompt is None and not args.prompt_at and not args.prompts:
        p.error("--prompt, --prompt-at or --prompts is needed")
    if args.prompt_at and args.prompts:
        p.error("--prompt-at and --prompts cannot be combined: one schedule")
    if not args.interval > 0 or math.isinf(args.interval):
        p.error("--interval must be a number of seconds more than 0, not %s"
                % args.interval)
    if args.seed is not None and args.seed < 0:
        p.error("--seed must be 0 or more, not %d" % args.seed)
    if args.preview is not None and args.preview < 1:
        p.error("--preview must be 1 or more, not %d" % args.preview)
    if args.video_bitrate is not None and args.video_bitrate < 1:
        p.error("--video-bitrate must be 1 or more kbit/s, not %d" %
                args.video_bitrate)
    if args.preview is not None and args.dry_run:
        p.error("--preview and --dry-run cannot be combined")
    if args.ext and not args.out_dir:
        p.error("--ext needs --out-dir")
    if args.out_dir:
        args.jobs = [(path, out_path(args, path)) for path in args.paths]
        return
    if len(args.paths) > 2:
        p.error("several input files need --out-dir")
    if len(args.paths) == 1 and not args.dry_run:
        p.error("OUT is needed unless --dry-run")
    args.jobs = [(args.paths[0], args.paths[1] if len(args.paths) == 2
                  else None)]


def out_path(args, path):
    stem, ext = os.path.splitext(os.path.basename(path))
    if args.ext:
        ext = "." + args.ext.lstrip(".")
    return os.path.join(args.out_dir, stem + ext)
