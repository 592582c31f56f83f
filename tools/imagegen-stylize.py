#!/usr/bin/python3
"""Stylises a video file with imagegenremix, in one command.

Reads anything decodebin reads, sends picked frames to the image service
(imagegenremix mode=offline: every frame waits for the result of the latest
pick at or before it), and writes OUT with the video restyled and the audio
kept.  The container follows OUT's extension, through encodebin:
.mp4/.m4v/.mov (H.264 + AAC), .mkv (H.264, the audio as it was), .webm
(VP9 + Opus); audio the container takes as it is is copied untouched, the
rest encoded.  Prompts can change over time (--prompt-at, --prompts), and
--preview shows a contact sheet of a few picks before paying for all.

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
exists without -y, several files estimated over --max-cost); 2 the input cannot be read (missing, not a media file);
3 the input has no video stream; 4 the service failed (key, credits...), the
pipeline failed, or picks failed for good (OUT is then written, unless every
pick failed); 5 OUT cannot be written (unwritable, no encoder for its
extension); 130 interrupted by Ctrl-C; 143 terminated (SIGTERM, or a second
Ctrl-C: the shell reports 130).

Needs Debian's python3-gi and gir1.2-gstreamer-1.0, and the plugin (installed,
or on GST_PLUGIN_PATH).  The service is RunAPI (RUNAPI_API_KEY,
RUNAPI_BASE_URL), as for the elements.

The code is the stylize package (tools/stylize/), installed beside the
other shared files of gst-imagegen.
"""
import os
import sys

# The build puts the version in the installed copy (tools/version.py).
VERSION = "@IMAGEGEN_VERSION@"


def package_dir():
    """Where the stylize package is: beside this file (the source and
    build trees), or in the installed tree's share directory."""
    here = os.path.dirname(os.path.realpath(__file__))
    for d in (here, os.path.join(here, "..", "share", "gst-imagegen",
                                 "python")):
        if os.path.isfile(os.path.join(d, "stylize", "__init__.py")):
            return d
    sys.exit("imagegen-stylize: its stylize package is not installed "
             "beside it (%s)" % here)


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    sys.path.insert(0, package_dir())
    if VERSION.startswith("@"):
        # run from the source tree: what a build of it would say
        import version as version_py  # noqa: E402 (tools/version.py)
        VERSION = version_py.uninstalled()
    from stylize import cli  # noqa: E402
    cli.run(sys.argv[1:], "imagegen-stylize " + VERSION)
