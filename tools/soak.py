#!/usr/bin/python3
"""Soak test: many jobs against the emulator with random faults; RSS and open
file descriptors at start and end must not grow.

  tools/soak.py --build build [--jobs 1000] [--remix-minutes 10]

Part 1 runs a live imagegensrc that asks for a new image every few frames
until --jobs tasks have ended; part 2 runs a live imagegenremix for
--remix-minutes.  Meanwhile a fault (429, 5xx, reset, hung or slow answers,
truncated or non-image downloads, failed or moderated tasks) is injected
into the emulator at random every 200 ms while fewer than two are waiting
to fire.  Needs python3-gi.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time
import urllib.request

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

FAULTS = [
    "create:429@1", "create:500", "create:503", "create:reset",
    "poll:502", "poll:badjson", "poll:hang",
    "download:truncate", "download:notimage", "download:404", "download:slow",
    "upload:500",
    "task:failed", "task:moderated",
]


def start_emulator(binary):
    proc = subprocess.Popen([binary, "--port", "0", "--latency", "20-200"],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    prefix = "imagegen-emulator listening on "
    if not line.startswith(prefix):
        proc.kill()
        sys.exit("emulator did not start: " + line)
    return proc, line[len(prefix):]


def post(url, body):
    req = urllib.request.Request(url, data=body.encode(), method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        r.read()


def emulator_stats(base):
    with urllib.request.urlopen(base + "/emulator/stats", timeout=5) as r:
        return json.load(r)


def resources():
    rss = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return rss, len(os.listdir("/proc/self/fd"))


def run(description, base, until, rng, label):
    """Runs a pipeline, injecting faults; until(stats) says when to stop."""
    pipeline = Gst.parse_launch(description)
    loop = GLib.MainLoop()
    state = {"ended": 0, "warnings": 0, "errors": 0, "samples": [],
             "injected": 0}
    fired_before = emulator_stats(base)["faults_fired"]

    def on_message(bus, msg):
        if msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s and s.get_name() == "imagegen-task" and \
                    s.get_string("event") != "submitted":
                state["ended"] += 1
        elif msg.type == Gst.MessageType.WARNING:
            state["warnings"] += 1
        elif msg.type == Gst.MessageType.ERROR:
            err, _ = msg.parse_error()
            print(label, "error:", err.message)
            state["errors"] += 1
            loop.quit()

    def tick():
        # at most two faults waiting: the load decides how often they fire,
        # so most requests still succeed
        try:
            fired = emulator_stats(base)["faults_fired"] - fired_before
            if state["injected"] - fired < 2:
                post(base + "/emulator/fail", rng.choice(FAULTS))
                state["injected"] += 1
        except OSError:
            pass
        state["samples"].append(resources())
        if until(state):
            loop.quit()
            return False
        return True

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    pipeline.set_state(Gst.State.PLAYING)
    GLib.timeout_add(200, tick)
    start = time.monotonic()
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    bus.remove_signal_watch()
    elapsed = time.monotonic() - start
    samples = state["samples"]
    # "start" is after warming up: the first tenth of the run
    warm = samples[max(1, len(samples) // 10)] if samples else (0, 0)
    end = resources()
    print(f"{label}: {state['ended']} tasks ended in {elapsed:.0f} s, "
          f"{state['injected']} faults injected, "
          f"{state['warnings']} warnings, {state['errors']} errors; "
          f"RSS {warm[0] / 1024:.1f} -> {end[0] / 1024:.1f} MiB "
          f"(peak {max(s[0] for s in samples) / 1024:.1f}), "
          f"open fds {warm[1]} -> {end[1]}", flush=True)
    return state, warm, end


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default="build")
    p.add_argument("--jobs", type=int, default=1000)
    p.add_argument("--remix-minutes", type=float, default=10)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    os.environ["GST_PLUGIN_PATH"] = os.path.join(args.build,
                                                 "gst-plugin/elements")
    Gst.init(None)
    rng = random.Random(args.seed)
    emu, base = start_emulator(os.path.join(
        args.build, "tools/emulator/imagegen-emulator"))
    common = (f"api-key=soak base-url={base} poll-interval=20 "
              f"request-timeout=2 job-timeout=10 retries=2")
    ok = True
    try:
        src, _, _ = run(
            f"imagegensrc is-live=true prompt=\"a soak test\" {common} "
            f"max-in-flight=8 regenerate-interval=40000000 "
            f"! video/x-raw,width=256,height=256,framerate=50/1 "
            f"! fakesink sync=true",
            base, lambda s: s["ended"] >= args.jobs, rng, "imagegensrc")
        remix_end = time.monotonic() + args.remix_minutes * 60
        remix, _, _ = run(
            f"videotestsrc is-live=true ! video/x-raw,width=320,height=240,"
            f"framerate=30/1 ! imagegenremix prompt=\"a soak test\" {common} "
            f"interval=100000000 max-in-flight=4 ! fakesink sync=true",
            base, lambda s: time.monotonic() >= remix_end, rng,
            "imagegenremix")
        ok = src["errors"] == 0 and remix["errors"] == 0
        stats = emulator_stats(base)
        print("emulator: %d tasks created, %d faults fired" %
              (stats["tasks_created"], stats["faults_fired"]))
    finally:
        emu.terminate()
        emu.wait()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
