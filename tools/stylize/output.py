"""OUT is written under a temporary name beside it and renamed over it only
when the run has finished: a failed run leaves any earlier OUT."""
import os
import tempfile

from .common import EXIT_CANNOT_WRITE, EXIT_USAGE, fail
from . import encoding


def written_types():
    return ", ".join("." + e for e in encoding.EXTENSIONS)


class Output:
    def __init__(self, path, overwrite):
        self.path = path
        self.temp = None
        if os.path.isdir(path):
            fail(EXIT_CANNOT_WRITE, "cannot write %s: it is a directory" %
                 path)
        stem, ext = os.path.splitext(path)
        self.ext = ext.lower().lstrip(".")
        self.stem = stem
        self.partial = stem + ".partial" + ext
        if os.path.lexists(path) and not overwrite:
            fail(EXIT_USAGE, "%s exists: pass -y (--overwrite) to replace it"
                 % path)
        if not self.ext:
            fail(EXIT_CANNOT_WRITE, "cannot write %s: it has no extension "
                 "(use %s)" % (path, written_types()))
        if self.ext not in encoding.CONTAINERS:
            fail(EXIT_CANNOT_WRITE, "cannot write .%s files: use %s" % (
                self.ext, written_types()))
        lacking = encoding.missing(self.ext)
        if lacking:
            fail(EXIT_CANNOT_WRITE, "no %s here to write .%s files (install "
                 "its GStreamer plugin)" % (lacking, self.ext))
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            fail(EXIT_CANNOT_WRITE, "cannot write %s: there is no folder %s"
                 % (path, folder))
        if not os.access(folder, os.W_OK | os.X_OK):
            fail(EXIT_CANNOT_WRITE, "cannot write %s: the folder %s is not "
                 "writable" % (path, folder))

    def open(self):
        folder, name = os.path.split(os.path.abspath(self.path))
        try:
            fd, self.temp = tempfile.mkstemp(
                dir=folder, prefix="." + name + ".", suffix=".unfinished")
            os.close(fd)
            # as any new file: mkstemp's 0600 would hide OUT from others
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(self.temp, 0o666 & ~mask)
        except OSError as e:
            fail(EXIT_CANNOT_WRITE, "cannot write %s: %s" % (
                self.path, e.strerror))
        return self.temp

    def keep(self, path):
        try:
            os.replace(self.temp, path)
        except OSError as e:
            fail(EXIT_CANNOT_WRITE, "cannot write %s: %s" % (path, e.strerror))
        self.temp = None

    def discard(self):
        if self.temp is not None:
            try:
                os.unlink(self.temp)
            except FileNotFoundError:
                pass
            self.temp = None
