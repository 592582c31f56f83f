#!/usr/bin/python3
"""imagegenremix's reference-images from plain PyGObject (no gst-python
overrides) and from gst-launch syntax.

props:  set_property with a Python list, get_property gives the same list
        back; a parse_launch description with "<a, b>" and with one bare
        file name gives the same strings.
run:    a PyGObject application sets a real PNG as the one reference and
        runs 10 s of videotestsrc (interval 2 s) through the remix to EOS:
        the emulator stores one more file than tasks created (the
        reference, uploaded once per run beside each frame's upload).
"""

import os
import sys
import tempfile

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pipetest  # noqa: E402
from pipetest import Gst, Checks  # noqa: E402


def test_props(c):
    remix = Gst.ElementFactory.make("imagegenremix", None)
    refs = ["style one.png", "https://example.invalid/ref.png"]
    remix.set_property("reference-images", refs)
    got = remix.get_property("reference-images")
    c.check("props: a Python list set is the list read back", list(got) == refs, repr(got))
    remix.set_property("reference-images", [])
    got = remix.get_property("reference-images")
    c.check("props: an empty list clears it", not got, repr(got))

    p = Gst.parse_launch(
        'fakesrc ! imagegenremix name=r reference-images="<\\"style one.png\\", '
        'https://example.invalid/ref.png>" ! fakesink')
    got = p.get_by_name("r").get_property("reference-images")
    c.check("props: gst-launch array syntax gives the same strings", list(got) == refs,
            repr(got))
    p = Gst.parse_launch("fakesrc ! imagegenremix name=r reference-images=style.png ! fakesink")
    got = p.get_by_name("r").get_property("reference-images")
    c.check("props: one bare file name is a one-item list", list(got) == ["style.png"],
            repr(got))


def test_run(c, tmp, url):
    ref = os.path.join(tmp, "style.png")
    made = pipetest.run_counting(
        "videotestsrc num-buffers=1 pattern=ball ! video/x-raw,width=64,height=64 ! "
        "pngenc ! filesink location=%s" % ref)
    c.check("run: reference PNG written", made["eos"] and os.path.getsize(ref) > 0,
            str(made["errors"]))
    before = pipetest.stats(url)
    p = Gst.parse_launch(
        "videotestsrc num-buffers=250 ! video/x-raw,width=160,height=120,framerate=25/1 ! "
        "imagegenremix name=r mode=offline interval=2000000000 prompt=watercolour ! "
        "fakesink")
    p.get_by_name("r").set_property("reference-images", [ref])
    res = pipetest.run_until_eos(p)
    c.check("run: EOS without an error", res["eos"] and not res["errors"],
            "hung" if res["hung"] else str(res["errors"]))
    after = pipetest.stats(url)
    created = after["tasks_created"] - before["tasks_created"]
    files = after["requests"].get("files", 0) - before["requests"].get("files", 0)
    print("run: %d tasks, %d files uploaded" % (created, files), flush=True)
    c.check("run: 5 picks made 5 tasks", created == 5, "%d tasks" % created)
    c.check("run: the reference was uploaded once, beside each frame",
            files == created + 1, "%d files for %d tasks" % (files, created))


def main():
    c = Checks()
    with tempfile.TemporaryDirectory() as tmp, \
            pipetest.Emulator(pipetest.emulator_binary()) as emu:
        os.environ["RUNAPI_BASE_URL"] = emu.url
        os.environ.setdefault("RUNAPI_API_KEY", "pipeline-test")
        test_props(c)
        test_run(c, tmp, emu.url)
    c.finish()


if __name__ == "__main__":
    main()
