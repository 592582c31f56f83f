#!/usr/bin/env python3
"""gst-imagegen benchmark suite (issue 7).  Python standard library only.

    python3 tools/bench/bench.py [--build DIR] [--out FILE.json] [--quick]
                                 [--only latency,parallel,...] [--plot FILE.png]

Runs everything against imagegen-emulator on 127.0.0.1, compares the
elements with a baseline measured in the same run, prints a table and
writes the same figures (plus every raw sample) as JSON.  It never asserts a
timing: the machine is shared and noisy, so every figure comes with the
baseline it is compared with.  See docs/performance.md.

Sections (all by default, in this order):
  oneimage  one fresh gst-launch-1.0 process per image (what most users
            run): wall time minus the server's task time minus an empty
            videotestsrc num-buffers=1 ! fakesink process, median of 5,
            with an empty poll-history cache (cold) and a learned one
            (warm), broken down by the emulator's log and GST_DEBUG.
  latency   added latency: emulator marks a task completed -> the decoded
            buffer leaves imagegensrc, for a fixed 3 s task time and for
            task times drawn uniformly from 3-8 s; polls per task.  The
            baseline is a Python client doing what an official-SDK user
            writes (create, poll at once and then every 2 s, download,
            decode with gst-launch-1.0).
  parallel  images/s with 1 s task time and N = 1, 4, 8, 16 requests in
            flight, for imagegensrc and imagegenremix (offline), with the
            emulator rendering each result and with --prerendered, and
            with the emulator's --max-active cap (429s); peak RSS per
            request.
  decode    decode + scale of a 1 MP PNG and JPEG to 1080p RGBA vs
            filesrc ! pngdec|jpegdec ! videoconvert ! videoscale.
  encode    the remix upload path (scale + JPEG + base64) of a 1080p frame vs
            jpegenc alone; upload size per upload-max-side.
  live      CPU per frame of imagegenremix in live mode on 1080p60 vs
            identity in the same pipeline; frames later than one frame.
            (Live imagegensrc is measured too once the element has is-live.)
"""

import argparse
import base64
import re
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

T2I = "/api/v1/flux_2/text_to_image"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def now_us():
    return int(time.time() * 1e6)


def median(xs):
    return statistics.median(xs) if xs else None


def mean(xs):
    return statistics.fmean(xs) if xs else None


def pct(xs, p):
    if not xs:
        return None
    s = sorted(xs)
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# ---------------------------------------------------------------- emulator

class Emulator:
    def __init__(self, binary, *args, log_file=None):
        self.log_file = log_file
        cmd = [binary, "--port", "0", "--seed", "7"] + list(args)
        if log_file:
            cmd += ["--log", log_file]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().strip()
        prefix = "imagegen-emulator listening on "
        if not line.startswith(prefix):
            self.proc.kill()
            raise RuntimeError("emulator did not start: %r" % line)
        self.url = line[len(prefix):]

    def stats(self):
        with urllib.request.urlopen(self.url + "/emulator/stats") as r:
            return json.load(r)

    def log_events(self):
        out = []
        if self.log_file and os.path.exists(self.log_file):
            with open(self.log_file) as f:
                for line in f:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass
        return out

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


def http_json(method, url, body=None, key="bench"):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", "application/json")
    req.add_header("Authorization", "Bearer " + key)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def http_bytes(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


# ---------------------------------------------------------------- helpers

class Tools:
    def __init__(self, build, tmpdir):
        self.build = os.path.abspath(build)
        self.emulator = os.path.join(self.build, "tools/emulator/imagegen-emulator")
        self.pipeline = os.path.join(self.build, "tools/bench/imagegen-bench-pipeline")
        self.codec = os.path.join(self.build, "tools/bench/imagegen-bench-codec")
        self.plugin_dir = os.path.join(self.build, "gst-plugin/elements")
        for p in (self.emulator, self.pipeline, self.codec):
            if not os.path.exists(p):
                sys.exit("missing %s: build first (meson setup %s && ninja -C %s)"
                         % (p, build, build))
        self.env = dict(os.environ)
        self.env["GST_PLUGIN_PATH"] = self.plugin_dir
        self.env["RUNAPI_API_KEY"] = "bench-key"
        self.env.pop("GST_DEBUG", None)
        # never the user's own poll history: each section says whether it
        # runs cold (an empty directory) or warm (one it filled itself)
        self.env["IMAGEGEN_POLL_CACHE"] = "0"
        # a registry of our own, scanned once here: the user's is shared
        # with every other GST_PLUGIN_PATH on the machine, and a process
        # that finds it changed rescans and rewrites it (tens of ms, and
        # millions of instructions in the callgrind counts)
        self.env["GST_REGISTRY"] = os.path.join(tmpdir, "registry.bin")
        subprocess.run(["gst-inspect-1.0", "imagegensrc"], env=self.env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def run_pipeline(self, desc, probe=None, base_url=None, timeout=300,
                     poll_cache=None):
        env = dict(self.env)
        if base_url:
            env["RUNAPI_BASE_URL"] = base_url
        if poll_cache:
            env["IMAGEGEN_POLL_CACHE"] = poll_cache
        cmd = [self.pipeline, "--timeout", str(timeout)]
        if probe:
            cmd += ["--probe", probe]
        cmd.append(desc)
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True,
                           timeout=timeout + 30)
        try:
            res = json.loads(p.stdout)
        except ValueError:
            res = {"error": "helper failed: " + p.stderr[-500:], "buffers": []}
        return res

    def element_has_property(self, element, prop):
        p = subprocess.run(["gst-inspect-1.0", element], env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           text=True)
        return ("  %s " % prop) in p.stdout or ("  %s:" % prop) in p.stdout


# ---------------------------------------------------------------- baseline

def decode_with_gst_launch(data, tmpdir):
    """What an SDK user writes: save the bytes, decode with gst-launch-1.0."""
    png = data[:4] == b"\x89PNG"
    path = os.path.join(tmpdir, "result-%d.%s" % (threading.get_ident(),
                                                   "png" if png else "jpg"))
    with open(path, "wb") as f:
        f.write(data)
    subprocess.run(["gst-launch-1.0", "-q", "filesrc", "location=" + path,
                    "!", "pngdec" if png else "jpegdec", "!", "videoconvert",
                    "!", "video/x-raw,format=RGBA", "!", "fakesink"],
                   check=True, stdout=subprocess.DEVNULL)


def baseline_stream(base_url, prompt, n, tmpdir, out):
    """n sequential images: create, poll at once then every 2 s (fixed, as
    the official SDKs do), download, decode."""
    for _ in range(n):
        task = http_json("POST", base_url + T2I,
                         {"model": "flux-2-pro-text-to-image",
                          "prompt": prompt, "aspect_ratio": "1:1",
                          "output_resolution": "1k"})
        tid = task["id"]
        while True:
            st = http_json("GET", base_url + T2I + "/" + tid)
            if st["status"] in ("completed", "success"):
                break
            if st["status"] in ("failed", "error"):
                raise RuntimeError("baseline task failed: %s" % st)
            time.sleep(2.0)
        data = http_bytes(st["images"][0]["url"])
        decode_with_gst_launch(data, tmpdir)
        out.append({"task_id": tid, "done_us": now_us()})


# ---------------------------------------------------------------- one image

GST_TS = re.compile(r"^(\d+):(\d+):(\d+)\.(\d+)")


def gst_debug_times(stderr):
    """Milestones (ms since gst_init) of one GST_DEBUG run, by the first
    line that names each."""
    marks = {"plugin_load_start": 'attempt to load plugin "' ,
             "plugin_loaded": 'libgstimagegen.so" loaded',
             "element_start": "gst_imagegen_src_start",
             "job_started": "job started",
             "create_answered": "created, status",
             "task_completed": "completed after",
             "download_answered": "/emulator/results/",
             "job_done": "job done"}
    out = {}
    for line in stderr.splitlines():
        m = GST_TS.match(line)
        if not m:
            continue
        h, mi, sec, frac = m.groups()
        ms = ((int(h) * 60 + int(mi)) * 60 + int(sec)) * 1000 + int(frac[:9].ljust(9, "0")) / 1e6
        for key, text in marks.items():
            if key not in out and text in line and (key != "plugin_load_start" or "libgstimagegen" in line):
                out[key] = ms
    return out


def one_process(tools, argv, env):
    t0 = now_us()
    m0 = time.monotonic()
    p = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, timeout=120)
    wall_ms = (time.monotonic() - m0) * 1000
    return {"start_us": t0, "end_us": t0 + int(wall_ms * 1000), "wall_ms": wall_ms,
            "rc": p.returncode, "stderr": p.stderr}


def oneimage_runs(tools, runs, tmpdir):
    """gst-launch-1.0 imagegensrc num-images=1 ! fakesink, fresh processes:
    cold (an empty poll-history directory each time) and warm (a directory
    a previous process filled), interleaved with the empty-pipeline floor."""
    logf = os.path.join(tmpdir, "emu-oneimage.log")
    warm_cache = os.path.join(tmpdir, "poll-cache-oneimage-warm")
    floor_argv = ["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=1", "!", "fakesink"]
    rows = {"cold": [], "warm": [], "floor": [], "debug": {"cold": [], "warm": []}}
    with Emulator(tools.emulator, "--latency", "3000", log_file=logf) as emu:
        env = dict(tools.env, RUNAPI_BASE_URL=emu.url)

        def argv(prompt):
            return ["gst-launch-1.0", "-q", "imagegensrc", "prompt=" + prompt,
                    "num-images=1", "!", "fakesink"]
        # the warm directory learns from one process first
        one_process(tools, argv("bench one-image warm-up"),
                    dict(env, IMAGEGEN_POLL_CACHE=warm_cache))
        for i in range(runs):
            log("one-image: round %d of %d (cold, warm, floor)" % (i + 1, runs))
            cold_cache = os.path.join(tmpdir, "poll-cache-oneimage-cold-%d" % i)
            for mode, cache in (("cold", cold_cache), ("warm", warm_cache)):
                r = one_process(tools, argv("bench one-image %s %d" % (mode, i)),
                                dict(env, IMAGEGEN_POLL_CACHE=cache))
                r["prompt"] = "bench one-image %s %d" % (mode, i)
                rows[mode].append(r)
            rows["floor"].append(one_process(tools, floor_argv, env))
        # where the time goes inside the process: GST_DEBUG timestamps, in
        # runs of their own (debug output slows a process down)
        for mode in ("cold", "warm"):
            for i in range(2):
                cache = warm_cache if mode == "warm" else os.path.join(tmpdir, "poll-cache-oneimage-dbg-%d" % i)
                r = one_process(tools, argv("bench one-image debug %s %d" % (mode, i)),
                                dict(env, IMAGEGEN_POLL_CACHE=cache, GST_DEBUG_NO_COLOR="1",
                                     GST_DEBUG="GST_PLUGIN_LOADING:5,imagegensrc:5,imagegen:5"))
                rows["debug"][mode].append(gst_debug_times(r["stderr"]))
        stats = emu.stats()
        events = emu.log_events()
    tasks = {t["prompt"]: t for t in stats["tasks"]}
    by_task = {}
    for e in events:
        if e.get("task_id"):
            by_task.setdefault(e["task_id"], []).append(e)
    floor = median([r["wall_ms"] for r in rows["floor"]])
    out = {"floor_ms": floor, "runs": runs}
    for mode in ("cold", "warm"):
        parts = []
        for r in rows[mode]:
            t = tasks.get(r["prompt"])
            if not t or r["rc"] != 0:
                continue
            ev = by_task.get(t["id"], [])
            create = next((e["t_us"] for e in ev if e.get("method") == "POST"), None)
            done = t["completed_at_us"]
            seen = next((e["t_us"] for e in ev if e.get("method") == "GET"
                         and e.get("path", "").startswith(T2I) and e["t_us"] >= done), None)
            dl = next((e["t_us"] for e in ev if e.get("method") == "GET"
                       and "/emulator/results/" in e.get("path", "")), None)
            task_ms = (done - t["created_at_us"]) / 1000
            parts.append({"wall_ms": r["wall_ms"], "task_ms": task_ms, "polls": t["polls"],
                          "extra_ms": r["wall_ms"] - task_ms - floor,
                          "start_to_create_ms": (create - r["start_us"]) / 1000 if create else None,
                          "poll_lag_ms": (seen - done) / 1000 if seen else None,
                          "seen_to_download_ms": (dl - seen) / 1000 if dl and seen else None,
                          "download_to_exit_ms": (r["end_us"] - dl) / 1000 if dl else None})
        summ = {"n": len(parts), "raw": parts}
        for key in ("wall_ms", "extra_ms", "polls", "start_to_create_ms", "poll_lag_ms",
                    "seen_to_download_ms", "download_to_exit_ms"):
            vals = [p[key] for p in parts if p[key] is not None]
            summ[key] = median(vals)
        dbg = rows["debug"][mode]

        def span(a, b):
            vals = [d[b] - d[a] for d in dbg if a in d and b in d]
            return median(vals)
        summ["debug_ms"] = {"plugin_load": span("plugin_load_start", "plugin_loaded"),
                            "gst_init_to_element_start": span("plugin_load_start", "element_start"),
                            "element_start_to_job_started": span("element_start", "job_started"),
                            "create_round_trip": span("job_started", "create_answered"),
                            "completed_to_download_answered": span("task_completed", "download_answered"),
                            "raw": dbg}
        out[mode] = summ
    return out


# ---------------------------------------------------------------- latency

def latency_scenario(tools, name, latency, streams, per_stream, tmpdir,
                     warm_per_stream=2):
    log("latency %s: emulator --latency %s, %d element + %d baseline streams x %d tasks"
        % (name, latency, streams, streams, per_stream))
    logf = os.path.join(tmpdir, "emu-latency-%s.log" % name)
    # starts empty (cold: every stream's first task); the warm streams
    # afterwards start from what these processes saved
    cache = os.path.join(tmpdir, "poll-cache-latency-%s" % name)
    with Emulator(tools.emulator, "--latency", latency, log_file=logf) as emu:
        el_results = [None] * streams
        bl_results = [[] for _ in range(streams)]
        threads = []

        def stream(prompt, n):
            desc = ('imagegensrc name=s prompt="%s" num-images=%d max-in-flight=1 ! '
                    'video/x-raw,format=RGBA ! fakesink' % (prompt, n))
            return tools.run_pipeline(desc, "s", emu.url, poll_cache=cache)

        def run_element(i):
            el_results[i] = stream("bench element stream %d" % i, per_stream)

        def run_baseline(i):
            try:
                baseline_stream(emu.url, "bench baseline stream %d" % i,
                                per_stream, tmpdir, bl_results[i])
            except Exception as e:  # reported, not fatal
                bl_results[i].append({"error": str(e)})

        for i in range(streams):
            threads.append(threading.Thread(target=run_element, args=(i,)))
            threads.append(threading.Thread(target=run_baseline, args=(i,)))
        for t in threads:
            t.start()
            time.sleep(0.13)        # do not start everything on one tick
        for t in threads:
            t.join()
        log("latency %s: %d warm element streams x %d tasks" % (name, streams, warm_per_stream))
        warm_results = [None] * streams

        def run_warm(i):
            warm_results[i] = stream("bench warm stream %d" % i, warm_per_stream)
        threads = [threading.Thread(target=run_warm, args=(i,)) for i in range(streams)]
        for t in threads:
            t.start()
            time.sleep(0.13)
        for t in threads:
            t.join()
        stats = emu.stats()
        events = emu.log_events()

    by_prompt = {}
    for t in stats["tasks"]:
        by_prompt.setdefault(t["prompt"], []).append(t)
    for v in by_prompt.values():
        v.sort(key=lambda t: t["created_at_us"])
    # first GET of the task at or after its completion: when the client saw it
    gets = {}
    for e in events:
        if e.get("method") == "GET" and e.get("task_id") and \
                e.get("path", "").startswith(T2I):
            gets.setdefault(e["task_id"], []).append(e["t_us"])

    def record(task, done_us, index, stream):
        seen = [t for t in gets.get(task["id"], []) if t >= task["completed_at_us"]]
        seen_us = min(seen) if seen else None
        return {"stream": stream, "index": index, "task_id": task["id"],
                "task_ms": (task["completed_at_us"] - task["created_at_us"]) / 1000,
                "polls": task["polls"],
                "added_ms": (done_us - task["completed_at_us"]) / 1000,
                "poll_lag_ms": (seen_us - task["completed_at_us"]) / 1000 if seen_us else None,
                "fetch_decode_ms": (done_us - seen_us) / 1000 if seen_us else None}

    errors = []
    element, baseline, warm = [], [], []
    for i in range(streams):
        for res, prompt, rows in ((el_results[i], "bench element stream %d", element),
                                  (warm_results[i], "bench warm stream %d", warm)):
            tasks = by_prompt.get(prompt % i, [])
            if res.get("error"):
                errors.append("%s: %s" % (prompt % i, res["error"]))
            for k, (buf, task) in enumerate(zip(res.get("buffers", []), tasks)):
                rows.append(record(task, buf["t_us"], k, i))
        tasks = by_prompt.get("bench baseline stream %d" % i, [])
        for k, r in enumerate(bl_results[i]):
            if "error" in r:
                errors.append("baseline stream %d: %s" % (i, r["error"]))
                continue
            task = next(t for t in tasks if t["id"] == r["task_id"])
            baseline.append(record(task, r["done_us"], k, i))
    return {"latency": latency, "streams": streams, "per_stream": per_stream,
            "element": element, "baseline": baseline, "warm": warm,
            "errors": errors,
            "element_cpu_us": [r.get("cpu_us") for r in el_results],
            "element_maxrss_kb": [r.get("maxrss_kb") for r in el_results]}


def summarize_latency(sc):
    def summ(rows):
        added = [r["added_ms"] for r in rows]
        lag = [r["poll_lag_ms"] for r in rows if r["poll_lag_ms"] is not None]
        fd = [r["fetch_decode_ms"] for r in rows if r["fetch_decode_ms"] is not None]
        return {"n": len(rows), "added_median_ms": median(added),
                "added_mean_ms": mean(added), "added_p90_ms": pct(added, 90),
                "polls_mean": mean([r["polls"] for r in rows]),
                "poll_lag_median_ms": median(lag),
                "fetch_decode_median_ms": median(fd)}
    out = {}
    for side in ("element", "baseline", "warm"):
        rows = sc.get(side, [])
        out[side] = {"all": summ(rows),
                     "first": summ([r for r in rows if r["index"] == 0]),
                     "steady": summ([r for r in rows if r["index"] >= 1])}
    return out


# ---------------------------------------------------------------- parallel

def created_window(stats, prompt):
    ts = [t for t in stats["tasks"] if t["prompt"] == prompt]
    if not ts:
        return None, 0
    return min(t["created_at_us"] for t in ts), len(ts)


def max_overlap(stats, prompt):
    """The most tasks of @prompt the emulator had unfinished at once."""
    edges = []
    for t in stats["tasks"]:
        if t["prompt"] == prompt:
            edges.append((t["created_at_us"], 1))
            edges.append((t["completed_at_us"] or t["created_at_us"], -1))
    best = cur = 0
    for _, d in sorted(edges):
        cur += d
        best = max(best, cur)
    return best


def parallel_runs(tools, ns, tmpdir, rounds, max_active=None, label="",
                  prerendered=False):
    args = ["--latency", "1000"]
    if max_active:
        args += ["--max-active", str(max_active)]
    if prerendered:
        args.append("--prerendered")
    rows = []
    # warm: one short run per element fills the poll history first, so the
    # first round of every measured run starts from the learned 1 s
    cache = os.path.join(tmpdir, "poll-cache-parallel-%s" % (label or "plain"))
    with Emulator(tools.emulator, *args) as emu:
        for element, desc in (
                ("imagegensrc", 'imagegensrc prompt="warm-up" num-images=2 ! '
                 'video/x-raw,format=RGBA ! fakesink'),
                ("imagegenremix", 'videotestsrc num-buffers=2 ! '
                 'video/x-raw,width=1280,height=720,framerate=30/1 ! '
                 'imagegenremix mode=offline interval=0 prompt="warm-up" ! fakesink')):
            log("parallel%s: warm-up %s" % (label and " " + label, element))
            tools.run_pipeline(desc, None, emu.url, timeout=60, poll_cache=cache)
        for n in ns:
            count = max(4, rounds * n)
            for element in ("imagegensrc", "imagegenremix"):
                prompt = "bench parallel %s n%d %s" % (element, n, label)
                if element == "imagegensrc":
                    desc = ('imagegensrc name=e prompt="%s" num-images=%d '
                            'max-in-flight=%d ! video/x-raw,format=RGBA ! fakesink'
                            % (prompt, count, n))
                else:
                    desc = ('videotestsrc num-buffers=%d pattern=smpte ! '
                            'video/x-raw,width=1280,height=720,framerate=30/1 ! '
                            'imagegenremix name=e mode=offline interval=0 '
                            'max-in-flight=%d prompt="%s" ! fakesink'
                            % (count, n, prompt))
                log("parallel%s: %s N=%d (%d images)" % (label and " " + label, element, n, count))
                res = tools.run_pipeline(desc, "e", emu.url, timeout=180,
                                         poll_cache=cache)
                stats = emu.stats()
                t0, tasks = created_window(stats, prompt)
                bufs = res.get("buffers", [])
                t_last = bufs[-1]["t_us"] if bufs else None
                secs = (t_last - t0) / 1e6 if (t0 and t_last) else None
                ips = len(bufs) / secs if secs else None
                # without the first round (no learned task time yet): the
                # rate of a long run
                steady = None
                if len(bufs) > n and bufs[-1]["t_us"] > bufs[n - 1]["t_us"]:
                    steady = (len(bufs) - n) / ((bufs[-1]["t_us"] - bufs[n - 1]["t_us"]) / 1e6)
                rows.append({"element": element, "n": n, "images": count,
                             "buffers": len(bufs), "tasks": tasks,
                             "seconds": secs, "images_per_s": ips,
                             "ideal_per_s": n / 1.0,
                             "ratio": ips / n if ips else None,
                             "steady_per_s": steady,
                             "steady_ratio": steady / n if steady else None,
                             "error": res.get("error"),
                             "warnings": res.get("warnings", []),
                             "cpu_us": res.get("cpu_us"),
                             "maxrss_kb": res.get("maxrss_kb"),
                             "max_active": max_active,
                             "prerendered": prerendered,
                             "max_overlap": max_overlap(stats, prompt)})
        st = emu.stats()
        rows_meta = {"create_requests": st["requests"].get("create_text_to_image", 0)
                     + st["requests"].get("create_remix", 0),
                     "tasks_created": st["tasks_created"],
                     "faults_fired": st.get("faults_fired")}
    return rows, rows_meta


# ---------------------------------------------------------------- decode / encode

def fetch_sample_images(tools, tmpdir):
    files = {}
    for fmt in ("png", "jpeg"):
        with Emulator(tools.emulator, "--latency", "50", "--image-format", fmt) as emu:
            t = http_json("POST", emu.url + T2I,
                          {"model": "flux-2-pro-text-to-image",
                           "prompt": "a lighthouse at dusk, oil painting"})
            while True:
                st = http_json("GET", emu.url + T2I + "/" + t["id"])
                if st["status"] == "completed":
                    break
                time.sleep(0.05)
            data = http_bytes(st["images"][0]["url"])
        path = os.path.join(tmpdir, "sample.%s" % ("png" if fmt == "png" else "jpg"))
        with open(path, "wb") as f:
            f.write(data)
        files[fmt] = path
    return files


def run_codec(tools, *args):
    p = subprocess.run([tools.codec] + list(args), env=tools.env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    if p.returncode != 0:
        return {"error": p.stderr[-500:]}
    return json.loads(p.stdout)


def callgrind_instructions(tools, path, fmt_name, side, iterations, repeat=2):
    """Instructions of one imagegen-bench-codec encode --side run, all
    threads, under valgrind --tool=callgrind; the fewest of @repeat runs (a
    run that finds the registry changed rescans it: 30 M more); None
    without valgrind."""
    if not shutil.which("valgrind"):
        return None
    counts = [callgrind_once(tools, path, fmt_name, side, iterations)
              for _ in range(repeat)]
    counts = [c for c in counts if c]
    return min(counts) if counts else None


def callgrind_once(tools, path, fmt_name, side, iterations):
    with tempfile.NamedTemporaryFile(prefix="callgrind-", delete=False) as f:
        out = f.name
    try:
        p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                            tools.codec, "encode", "--file", path, "--format", fmt_name,
                            "--iterations", str(iterations), "--side", side],
                           env=tools.env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, timeout=600)
    finally:
        os.unlink(out)
    m = re.search(r"Collected : (\d+)", p.stderr)
    return int(m.group(1)) if m and p.returncode == 0 else None


def callgrind_encode(tools, path, fmt_name, few=1, many=4):
    """Instructions per frame of each side: the difference between a run of
    @many frames and one of @few, over (many - few), so start-up and
    one-time costs cancel.  Repeatable to a fraction of a percent on a
    loaded machine, unlike CPU time."""
    out = {"command": "valgrind --tool=callgrind %s encode --file F --format %s "
                      "--iterations N --side SIDE (N = %d and %d)"
                      % (os.path.relpath(tools.codec, ROOT), fmt_name, few, many)}
    for side in ("element", "baseline"):
        a = callgrind_instructions(tools, path, fmt_name, side, few)
        b = callgrind_instructions(tools, path, fmt_name, side, many)
        out[side] = (b - a) / (many - few) if a and b else None
    if out["element"] and out["baseline"]:
        out["ratio"] = out["element"] / out["baseline"]
    return out


def summarize_codec(res):
    out = {}
    for side in ("element", "element_decode_only", "baseline"):
        if side in res:
            out[side + "_wall_median_ms"] = median(res[side]["wall_us"]) / 1000
            out[side + "_cpu_median_ms"] = median(res[side]["cpu_us"]) / 1000
    if "element_cpu_median_ms" in out:
        out["cpu_ratio"] = out["element_cpu_median_ms"] / out["baseline_cpu_median_ms"]
        out["wall_ratio"] = out["element_wall_median_ms"] / out["baseline_wall_median_ms"]
    return out


# ---------------------------------------------------------------- live

def live_runs(tools, seconds, tmpdir):
    frames = int(seconds * 60)
    caps = "video/x-raw,format=I420,width=1920,height=1080,framerate=60/1"
    rows = {}
    with Emulator(tools.emulator, "--latency", "1000") as emu:
        shapes = {
            "identity": "videotestsrc is-live=true num-buffers=%d pattern=ball ! %s ! "
                        "identity name=e ! fakesink sync=true" % (frames, caps),
            "imagegenremix": "videotestsrc is-live=true num-buffers=%d pattern=ball ! %s ! "
                             "imagegenremix name=e mode=live interval=500000000 "
                             "max-in-flight=2 prompt=\"bench live\" ! fakesink sync=true"
                             % (frames, caps),
        }
        if tools.element_has_property("imagegensrc", "is-live"):
            shapes["identity-src"] = ("videotestsrc is-live=true num-buffers=%d "
                                      "pattern=solid-color ! %s ! identity name=e ! "
                                      "fakesink sync=true" % (frames, caps.replace("I420", "RGBA")))
            shapes["imagegensrc-live"] = ("imagegensrc is-live=true name=s num-buffers=%d "
                                          "prompt=\"bench live src\" ! %s ! identity name=e ! "
                                          "fakesink sync=true" % (frames, caps.replace("I420", "RGBA")))
        for name, desc in shapes.items():
            log("live: %s (%d frames at 1080p60)" % (name, frames))
            res = tools.run_pipeline(desc, "e", emu.url, timeout=int(seconds * 4 + 30))
            bufs = res.get("buffers", [])
            late = [b["late_ns"] / 1e6 for b in bufs if "late_ns" in b]
            rows[name] = {"frames": len(bufs), "cpu_us": res.get("cpu_us"),
                          "cpu_per_frame_ms": res["cpu_us"] / 1000 / len(bufs) if bufs else None,
                          "late_median_ms": median(late), "late_max_ms": max(late) if late else None,
                          "late_ms": late, "error": res.get("error"),
                          "maxrss_kb": res.get("maxrss_kb")}
        st = emu.stats()
        rows["remix_requests"] = st["requests"].get("create_remix", 0)
    frame_ms = 1000 / 60
    if "identity" in rows and rows["identity"]["late_median_ms"] is not None:
        ref = rows["identity"]["late_median_ms"]
        for name in ("identity", "imagegenremix"):
            r = rows[name]
            r["frames_late_over_1_frame"] = sum(1 for x in r["late_ms"] if x > ref + frame_ms)
    if rows.get("identity-src") and rows["identity-src"]["late_median_ms"] is not None:
        ref = rows["identity-src"]["late_median_ms"]
        for name in ("identity-src", "imagegensrc-live"):
            r = rows[name]
            r["frames_late_over_1_frame"] = sum(1 for x in r["late_ms"] if x > ref + frame_ms)
    return rows


# ---------------------------------------------------------------- table

def fmt(x, nd=0, unit=""):
    if x is None:
        return "-"
    if isinstance(x, float):
        return ("%." + str(nd) + "f%s") % (x, unit)
    return "%s%s" % (x, unit)


def build_table(R):
    rows = []   # (figure, element, baseline, ratio, target)

    oi = R.get("oneimage")
    if oi:
        for mode in ("cold", "warm"):
            m = oi[mode]
            rows.append(("one-image process, wall - task - floor, %s cache (median of %d)" % (mode, m["n"]),
                         fmt(m["extra_ms"], 0, " ms"), "floor %s" % fmt(oi["floor_ms"], 0, " ms"), "",
                         "<=80 ms" if mode == "warm" else "report"))
            rows.append(("  %s: start -> create / poll lag / seen -> download / download -> exit" % mode,
                         " / ".join(fmt(m[k], 0) for k in ("start_to_create_ms", "poll_lag_ms",
                                                          "seen_to_download_ms", "download_to_exit_ms")) + " ms",
                         "", "", ""))
            d = m["debug_ms"]
            rows.append(("  %s (GST_DEBUG): plugin load / init -> start / start -> job / create RTT" % mode,
                         " / ".join(fmt(d[k], 1) for k in ("plugin_load", "gst_init_to_element_start",
                                                          "element_start_to_job_started",
                                                          "create_round_trip")) + " ms",
                         "", "", ""))
            rows.append(("  %s: polls" % mode, fmt(m["polls"], 0), "", "", ""))

    for key, label in (("fixed3", "3 s fixed"), ("uniform", "3-8 s uniform")):
        if key not in R.get("latency", {}):
            continue
        s = R["latency"][key]["summary"]
        for part in ("first", "steady", "all"):
            e, b = s["element"][part], s["baseline"][part]
            tgt = "median<=200 ms" if key == "uniform" and part == "all" else ""
            rows.append(("added latency median, %s, %s (n=%d/%d)" % (label, part, e["n"], b["n"]),
                         fmt(e["added_median_ms"], 0, " ms"), fmt(b["added_median_ms"], 0, " ms"),
                         fmt(e["added_median_ms"] / b["added_median_ms"] if b["added_median_ms"] else None, 2),
                         tgt))
        w = s.get("warm")
        if w:
            for part, what in (("first", "first task of a process, warm cache"),
                               ("all", "all tasks of the warm processes")):
                rows.append(("added latency median, %s, %s (n=%d)" % (label, what, w[part]["n"]),
                             fmt(w[part]["added_median_ms"], 0, " ms"), "", "",
                             "<=300 ms" if key == "uniform" and part == "first" else ""))
        e, b = s["element"]["all"], s["baseline"]["all"]
        rows.append(("added latency mean, %s" % label, fmt(e["added_mean_ms"], 0, " ms"),
                     fmt(b["added_mean_ms"], 0, " ms"),
                     fmt(e["added_mean_ms"] / b["added_mean_ms"] if b["added_mean_ms"] else None, 2), ""))
        rows.append(("  of which poll lag (median), %s" % label, fmt(e["poll_lag_median_ms"], 0, " ms"),
                     fmt(b["poll_lag_median_ms"], 0, " ms"), "", ""))
        rows.append(("  of which download+decode (median), %s" % label,
                     fmt(e["fetch_decode_median_ms"], 0, " ms"),
                     fmt(b["fetch_decode_median_ms"], 0, " ms"), "", ""))
        for part in ("first", "steady", "all"):
            e, b = s["element"][part], s["baseline"][part]
            rows.append(("polls per task, %s, %s" % (label, part), fmt(e["polls_mean"], 1),
                         fmt(b["polls_mean"], 1),
                         fmt(e["polls_mean"] / b["polls_mean"] if b["polls_mean"] else None, 2),
                         "mean<=10" if key == "uniform" and part == "all" else ""))

    for r in R.get("parallel", {}).get("rows", []):
        cap = " --max-active %d" % r["max_active"] if r["max_active"] else ""
        if r.get("prerendered"):
            cap = " --prerendered"
        what = "frames/s" if r["element"] == "imagegenremix" else "images/s"
        rows.append(("%s %s, 1 s task, N=%d%s%s" % (r["element"], what, r["n"], cap,
                                                     " ERROR" if r["error"] else ""),
                     fmt(r["images_per_s"], 2), "ideal %s" % fmt(r["ideal_per_s"], 1),
                     fmt(r["ratio"], 2), (">=0.9" if r.get("prerendered") else "report")
                     if not r["max_active"] else "no error"))
        if not r["max_active"]:
            rows.append(("  most tasks active at once (emulator)", fmt(r.get("max_overlap")),
                         "", "", "N"))
            rows.append(("  same, after the first round (learned task time)",
                         fmt(r["steady_per_s"], 2), "", fmt(r["steady_ratio"], 2), ""))
    rss = R.get("parallel", {}).get("rss_per_request_kb", {})
    for el, v in rss.items():
        rows.append(("peak RSS per request in flight, %s (slope N=1..16)" % el,
                     fmt(v / 1024, 1, " MiB"), "", "", "~1 encoded + 1 decoded image"))

    for fmt_name in ("png", "jpeg"):
        d = R.get("decode", {}).get(fmt_name)
        if d and "cpu_ratio" in d:
            rows.append(("decode+scale 1 MP %s -> 1080p RGBA, CPU" % fmt_name.upper(),
                         fmt(d["element_cpu_median_ms"], 1, " ms"), fmt(d["baseline_cpu_median_ms"], 1, " ms"),
                         fmt(d["cpu_ratio"], 2), "<=1.3"))
            rows.append(("decode+scale 1 MP %s -> 1080p RGBA, wall" % fmt_name.upper(),
                         fmt(d["element_wall_median_ms"], 1, " ms"), fmt(d["baseline_wall_median_ms"], 1, " ms"),
                         fmt(d["wall_ratio"], 2), ""))
    for key, e in R.get("encode", {}).items():
        if "cpu_ratio" not in e:
            continue
        rows.append(("upload prep 1080p %s (scale+JPEG+base64) vs jpegenc, CPU" % key,
                     fmt(e["element_cpu_median_ms"], 1, " ms"), fmt(e["baseline_cpu_median_ms"], 1, " ms"),
                     fmt(e["cpu_ratio"], 2), "<=1.3"))
        cg = e.get("callgrind")
        if cg and cg.get("ratio"):
            rows.append(("upload prep 1080p %s vs jpegenc, instructions per frame (callgrind)" % key,
                         fmt(cg["element"] / 1e6, 1, " M"), fmt(cg["baseline"] / 1e6, 1, " M"),
                         fmt(cg["ratio"], 2), "<=1.3"))
        rows.append(("  upload bytes (upload-max-side=%d) vs full-frame jpegenc" % e["max_side"],
                     fmt(e["element_bytes"]), fmt(e["baseline_bytes"]), "", "bounded"))
    enc = R.get("encode", {}).get("I420")
    if enc:
        for s in enc.get("sizes", []):
            rows.append(("  upload size, upload-max-side=%d -> %dx%d" % (s["max_side"], s["width"], s["height"]),
                         fmt(s["bytes"], 0, " B"), "", "", ""))

    lv = R.get("live", {})
    if lv.get("identity") and lv.get("imagegenremix"):
        a, b = lv["imagegenremix"], lv["identity"]
        rows.append(("live 1080p60 CPU per frame: imagegenremix vs identity%s" % (" ERROR" if a["error"] else ""),
                     fmt(a["cpu_per_frame_ms"], 2, " ms"), fmt(b["cpu_per_frame_ms"], 2, " ms"),
                     fmt(a["cpu_per_frame_ms"] / b["cpu_per_frame_ms"] if b["cpu_per_frame_ms"] else None, 2),
                     "<=1.2"))
        rows.append(("live 1080p60 frames later than 1 frame (of %d / %d)" % (a["frames"], b["frames"]),
                     fmt(a.get("frames_late_over_1_frame")), fmt(b.get("frames_late_over_1_frame")), "", "0"))
        rows.append(("live 1080p60 remix requests during the run", fmt(lv.get("remix_requests")), "", "", ""))
    if lv.get("imagegensrc-live") and lv.get("identity-src"):
        a, b = lv["imagegensrc-live"], lv["identity-src"]
        rows.append(("live imagegensrc 1080p60 CPU per frame vs videotestsrc",
                     fmt(a["cpu_per_frame_ms"], 2, " ms"), fmt(b["cpu_per_frame_ms"], 2, " ms"),
                     fmt(a["cpu_per_frame_ms"] / b["cpu_per_frame_ms"] if a["cpu_per_frame_ms"] and b["cpu_per_frame_ms"] else None, 2),
                     "<=1.2"))
    return rows


def render_table(rows):
    head = ("figure", "element", "baseline", "ratio", "target")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(5)]
    lines = ["| " + " | ".join(str(h).ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="meson build directory (default: build)")
    ap.add_argument("--out", default="bench-results.json", help="JSON output")
    ap.add_argument("--only", default="oneimage,latency,parallel,decode,encode,live",
                    help="comma-separated sections")
    ap.add_argument("--quick", action="store_true", help="fewer samples (a smoke run)")
    ap.add_argument("--plot", default=None, help="also write the latency plot (PNG)")
    args = ap.parse_args()

    tmpdir = tempfile.mkdtemp(prefix="imagegen-bench-")
    tools = Tools(args.build, tmpdir)
    sections = set(args.only.split(","))
    t_start = time.time()
    R = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                     "python": platform.python_version()},
         "started": time.strftime("%Y-%m-%d %H:%M:%S"),
         "command": " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])}
    try:
        if "oneimage" in sections:
            R["oneimage"] = oneimage_runs(tools, 3 if args.quick else 5, tmpdir)
        if "latency" in sections:
            streams, k3, k8 = (2, 3, 3) if args.quick else (3, 8, 8)
            R["latency"] = {}
            # the two scenarios run at the same time, on two emulators:
            # halves the wall time; the clients mostly sleep
            res = {}

            def scen(key, lat, k):
                res[key] = latency_scenario(tools, key, lat, streams, k, tmpdir)
            ths = [threading.Thread(target=scen, args=("fixed3", "3000", k3)),
                   threading.Thread(target=scen, args=("uniform", "3000-8000", k8))]
            for t in ths:
                t.start()
            for t in ths:
                t.join()
            for key in ("fixed3", "uniform"):
                res[key]["summary"] = summarize_latency(res[key])
                R["latency"][key] = res[key]
        if "parallel" in sections:
            ns = [1, 4] if args.quick else [1, 4, 8, 16]
            rounds = 2 if args.quick else 3
            rows, meta = parallel_runs(tools, ns, tmpdir, rounds)
            capped, cmeta = parallel_runs(tools, [8] if not args.quick else [4],
                                          tmpdir, rounds, max_active=4 if not args.quick else 2,
                                          label="capped")
            pre, pmeta = parallel_runs(tools, ns, tmpdir, rounds, label="prerendered",
                                       prerendered=True)
            R["parallel"] = {"rows": rows + pre + capped, "emulator": meta,
                             "prerendered_emulator": pmeta, "capped_emulator": cmeta}
            rss = {}
            for el in ("imagegensrc", "imagegenremix"):
                pts = [(r["n"], r["maxrss_kb"]) for r in rows + pre
                       if r["element"] == el and r["maxrss_kb"] and r["prerendered"]]
                if len(pts) >= 2:
                    (n0, r0), (n1, r1) = pts[0], pts[-1]
                    rss[el] = (r1 - r0) / (n1 - n0)
            R["parallel"]["rss_per_request_kb"] = rss
        if "decode" in sections or "encode" in sections:
            files = fetch_sample_images(tools, tmpdir)
            R["sample_files"] = {k: os.path.getsize(v) for k, v in files.items()}
        if "decode" in sections:
            iters = "8" if args.quick else "30"
            R["decode"] = {}
            for k, path in files.items():
                log("decode: %s x %s" % (k, iters))
                raw = run_codec(tools, "decode", "--file", path, "--iterations", iters)
                R["decode"][k] = dict(summarize_codec(raw), raw=raw)
        if "encode" in sections:
            iters = "8" if args.quick else "30"
            R["encode"] = {}
            for f in ("I420", "BGRx"):
                log("encode: 1080p %s x %s" % (f, iters))
                raw = run_codec(tools, "encode", "--file", files["png"], "--format", f,
                                "--iterations", iters)
                R["encode"][f] = dict(summarize_codec(raw), raw=raw,
                                      element_bytes=raw.get("element_bytes"),
                                      baseline_bytes=raw.get("baseline_bytes"),
                                      max_side=raw.get("max_side"), sizes=raw.get("sizes"))
            log("encode: 1080p I420 instruction counts (callgrind)")
            R["encode"]["I420"]["callgrind"] = callgrind_encode(tools, files["png"], "I420")
        if "live" in sections:
            R["live"] = live_runs(tools, 4 if args.quick else 10, tmpdir)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)

    R["elapsed_s"] = time.time() - t_start
    rows = build_table(R)
    R["table"] = [dict(zip(("figure", "element", "baseline", "ratio", "target"), r)) for r in rows]
    table = render_table(rows)
    print(table)
    print("\n%d s in all; JSON: %s" % (R["elapsed_s"], args.out))
    with open(args.out, "w") as f:
        json.dump(R, f, indent=1)
    if args.plot:
        sys.path.insert(0, HERE)
        import plot
        plot.plot_file(args.out, args.plot)
        print("plot: %s" % args.plot)


if __name__ == "__main__":
    main()
