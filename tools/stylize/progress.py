"""Progress: a line (redrawn on a terminal, plain lines otherwise), or with
--progress json one JSON object per update on stdout."""
import json
import sys

from .common import SECOND, fmt_cents, fmt_time


class Progress:
    def __init__(self, args, name=None):
        self.json = args.progress == "json"
        self.quiet = args.quiet
        self.name = name            # the input, named when there are several
        self.tty = sys.stderr.isatty() and not self.json

    def status(self, text, final=False):
        """A message line; progress updates are not final."""
        if self.quiet and not final:
            return
        if self.tty:
            sys.stderr.write("\r\033[K" + text + ("\n" if final else ""))
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def update(self, pos, dur, frames, s, in_flight, eta, event="progress"):
        if self.json:
            self.emit(event, position_s=seconds(pos), duration_s=seconds(dur),
                      frames=frames, requests_done=s["succeeded"],
                      in_flight=in_flight, failed=s["failed"],
                      cached=s["cache-hits"], skipped=s["picks-skipped"],
                      eta_s=seconds(eta), spent_cents=s["spent-credits"])
            return
        self.status("%s / %s  frames %d  requests %d done, %d in flight, %d "
                    "failed  cached %d  skipped %d  ETA %s  spent %s¢" % (
                        fmt_time(pos), fmt_time(dur), frames, s["succeeded"],
                        in_flight, s["failed"], s["cache-hits"],
                        s["picks-skipped"], fmt_time(eta),
                        fmt_cents(s["spent-credits"])),
                    final=event != "progress")

    def emit(self, event, **fields):
        if not self.json:
            return
        record = {"event": event}
        if self.name is not None:
            record["file"] = self.name
        record.update(fields)
        print(json.dumps(record), flush=True)


def seconds(ns):
    return None if ns is None or ns < 0 else round(ns / SECOND, 3)
