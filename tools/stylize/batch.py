"""Runs over files: the estimate (a run that sends nothing), and many files
with one estimate for all first, a line per file and a total."""
import argparse
import json

from .common import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, fmt_cents, say
from . import element
from .run import Stylize


class Job:
    def __init__(self, path, output, schedule, first_prompt):
        self.input = path
        self.output = output        # an Output, None for a dry run
        self.schedule = schedule
        self.first_prompt = first_prompt


def estimate(args, job, progress, record_picks=False):
    """Decodes and picks as the real run does, answering from the cache
    only: (exit code, stats, pick times)."""
    dry = argparse.Namespace(**vars(args))
    dry.dry_run = True
    run = Stylize(dry, Job(job.input, None, job.schedule, job.first_prompt),
                  progress, record_picks=record_picks)
    code = run.run()
    return code, element.stats(run.remix), run.pick_times


def print_estimate(args, job, s):
    print("picks: %d" % (s["cache-hits"] + s["cache-misses"]))
    print("in the cache: %d" % s["cache-hits"])
    print("requests to send: %d" % s["cache-misses"])
    print("estimated cost: %s cents" % fmt_cents(s["estimated-credits"]))
    print("picks skipped as similar: %d" % s["picks-skipped"])
    print("picks at shot changes: %d" % s["picks-at-cuts"])
    print("motion between picks: %s" % args.motion)
    if args.seed is not None:
        print("seed: %d" % args.seed)
    if job.schedule is not None:
        print("schedule (%s):" % job.schedule.source)
        for line in job.schedule.lines():
            print(line)


def run_many(args, jobs, progress_for):
    """Every file is estimated first (nothing sent), then run in turn."""
    total = {"picks": 0, "hits": 0, "cents": 0}
    for job in jobs:
        code, s, _ = estimate(args, job, progress_for(job))
        if code != EXIT_OK:
            say("%s: cannot be estimated; nothing was sent" % job.input)
            return code
        picks = s["cache-hits"] + s["cache-misses"]
        tell(args, "%s: %d picks, %d in the cache, %d requests to send, "
             "about %s cents" % (job.input, picks, s["cache-hits"],
                                 s["cache-misses"],
                                 fmt_cents(s["estimated-credits"])),
             "estimate", file=job.input, picks=picks, cached=s["cache-hits"],
             requests=s["cache-misses"], estimated_cents=s["estimated-credits"])
        total["picks"] += picks
        total["hits"] += s["cache-hits"]
        total["cents"] += s["estimated-credits"]
    tell(args, "total: %d files, %d picks, %d in the cache, about %s cents"
         % (len(jobs), total["picks"], total["hits"],
            fmt_cents(total["cents"])),
         "estimate-total", files=len(jobs), picks=total["picks"],
         cached=total["hits"], estimated_cents=total["cents"])
    if args.max_cost and total["cents"] > args.max_cost:
        say("the %d files would cost about %s cents, more than --max-cost "
            "%d for the whole run: nothing was sent" % (
                len(jobs), fmt_cents(total["cents"]), args.max_cost))
        return EXIT_USAGE
    if args.dry_run:
        return EXIT_OK
    results = []
    for job in jobs:
        try:
            run = Stylize(args, job, progress_for(job))
            if args.max_cost:
                budget(args, run.remix, job, sum(r[2] for r in results))
            code = run.run()
            spent = element.stats(run.remix)["spent-credits"]
        except SystemExit as e:     # a file that cannot be written
            code, spent = e.code, 0
        finally:
            job.output.discard()
        results.append((job, code, spent))
        if code == EXIT_INTERRUPTED:
            break               # Ctrl-C stops the whole batch
    worst = max(code for _, code, _ in results)
    ok = sum(1 for _, code, _ in results if code == EXIT_OK)
    for job, code, spent in results:
        tell(args, "%s -> %s: %s, %s cents" % (
            job.input, job.output.path, "done" if code == EXIT_OK else
            "failed (exit %d)" % code, fmt_cents(spent)), "file-done", file=job.input,
            output=job.output.path, exit_code=code, spent_cents=spent)
    spent = sum(spent for _, _, spent in results)
    tell(args, "total: %d of %d files done, %s cents" % (
        ok, len(jobs), fmt_cents(spent)), "total", files=len(jobs), done=ok,
        spent_cents=spent, exit_code=worst)
    return worst


def budget(args, remix, job, spent):
    """--max-cost bounds the whole run: a file may spend exactly what the
    files before it left (max-cost-credits takes cents with fractions), so
    that the total never passes it and no cent of it is lost to rounding."""
    left = args.max_cost - spent
    # sums of exact figures in floats: a hair over nothing is nothing (and
    # a bound of 0 would mean no limit at all)
    some = left >= 1e-6
    tell(args, "%s: %s cents of --max-cost %d left%s" % (
        job.input, fmt_cents(max(left, 0)), args.max_cost, "" if some else
        ": only what the cache holds"), "budget",
        file=job.input, left_cents=max(left, 0), max_cost=args.max_cost)
    if some:
        remix.set_property("max-cost-credits", left)
    else:
        remix.set_property("cache-only", True)


def tell(args, text, event, **fields):
    """A line for people, or with --progress json an object for scripts:
    stdout then holds JSON only."""
    if args.progress == "json":
        print(json.dumps(dict(event=event, **fields)), flush=True)
    else:
        print(text, flush=True)
