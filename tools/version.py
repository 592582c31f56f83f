#!/usr/bin/env python3
"""The version gst-imagegen reports: meson's project version, plus a
`git describe` suffix when built from a git checkout.

  version.py SOURCE_ROOT PROJECT_VERSION
      prints the version
  version.py SOURCE_ROOT PROJECT_VERSION TEMPLATE OUTPUT
      writes TEMPLATE to OUTPUT with @IMAGEGEN_VERSION@ replaced, only when
      OUTPUT would change (so nothing rebuilds for nothing), keeping
      TEMPLATE's file mode
  version.py --dist PROJECT_VERSION
      as a meson dist script: records the version in the tarball's
      .tarball-version, so a build from the tarball reports the same one

Suffix: -N-gHASH after a tag vPROJECT_VERSION (N commits on top of it),
-gHASH when there is no such tag, and -dirty when tracked files differ
from HEAD.  A tree that is not a git checkout (a tarball, a copy) reports
its .tarball-version if it has one, else the bare project version.
"""
import os
import re
import shutil
import subprocess
import sys


def git(root, *args):
    if shutil.which("git") is None:
        return None
    try:
        out = subprocess.run(["git", "-C", root, *args], capture_output=True,
                             text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def version(root, project_version):
    root = os.path.realpath(root)
    top = git(root, "rev-parse", "--show-toplevel")
    # only our own checkout: a tarball unpacked inside some other git
    # repository must not take that repository's commits
    if top is not None and os.path.realpath(top) == root:
        desc = git(root, "describe", "--long", "--always", "--dirty",
                   "--abbrev=8", "--match", "v" + project_version)
        if desc:
            m = re.fullmatch(r"v.*-(\d+)-(g[0-9a-f]+)(-dirty)?", desc)
            if m:  # on or after the release tag
                n, sha, dirty = m.groups()
                suffix = "" if n == "0" else "-%s-%s" % (n, sha)
            else:  # no tag: describe --always gives the abbreviated hash
                m = re.fullmatch(r"([0-9a-f]+)(-dirty)?", desc)
                if not m:
                    return project_version
                suffix, dirty = "-g" + m.group(1), m.group(2)
            return project_version + suffix + (dirty or "")
    try:
        with open(os.path.join(root, ".tarball-version")) as f:
            recorded = f.read().strip()
        if recorded.startswith(project_version):
            return recorded
    except OSError:
        pass
    return project_version


def uninstalled():
    """What a build of this source tree would report: for the commands
    run from the tree, whose @IMAGEGEN_VERSION@ is not filled in."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    try:
        with open(os.path.join(root, "meson.build")) as f:
            project = re.search(r"version\s*:\s*'([^']+)'", f.read()).group(1)
        return version(root, project)
    except (OSError, AttributeError):
        return "unknown (uninstalled)"


def write_if_changed(template, output, text):
    try:
        with open(output) as f:
            if f.read() == text:
                return
    except OSError:
        pass
    tmp = output + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    shutil.copymode(template, tmp)
    os.replace(tmp, output)


def main(argv):
    if len(argv) == 3 and argv[1] == "--dist":
        dist = os.environ["MESON_DIST_ROOT"]
        src = os.environ["MESON_SOURCE_ROOT"]
        with open(os.path.join(dist, ".tarball-version"), "w") as f:
            f.write(version(src, argv[2]) + "\n")
        return 0
    if len(argv) == 3:
        print(version(argv[1], argv[2]))
        return 0
    if len(argv) == 5:
        with open(argv[3]) as f:
            text = f.read().replace("@IMAGEGEN_VERSION@",
                                    version(argv[1], argv[2]))
        write_if_changed(argv[3], argv[4], text)
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
