"""main(): everything is checked before anything is written or sent."""
import os
import sys

from .common import (EXIT_CANNOT_WRITE, EXIT_FAILED, EXIT_INTERRUPTED,
                     EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE, GI_MISSING, Gst,
                     discover, fail)
from . import batch, element, options, preview, schedule as schedules
from .output import Output
from .progress import Progress


def duration_of(path):
    """The input's duration, or None when it cannot be told here (the
    run then says what is wrong with the file)."""
    info = discover(path)
    d = info.get_duration() if info is not None else None
    return d if d and d != Gst.CLOCK_TIME_NONE else None


def check_input(path):
    if not Gst.uri_is_valid(path) and not os.path.isfile(path):
        fail(EXIT_UNREADABLE, "cannot read %s: %s" % (
            path, "it is a directory" if os.path.isdir(path)
            else "no such file"))


def check_out_dir(path):
    if not os.path.isdir(path):
        try:
            os.makedirs(path)
        except OSError as e:
            fail(EXIT_CANNOT_WRITE, "cannot write into %s: %s" % (
                path, e.strerror))
    if not os.access(path, os.W_OK | os.X_OK):
        fail(EXIT_CANNOT_WRITE, "cannot write into %s: permission denied" %
             path)


def make_jobs(args, schedule):
    jobs, outs = [], set()
    if args.out_dir and not args.dry_run:
        check_out_dir(args.out_dir)
    for path, out in args.jobs:
        check_input(path)
        output = None
        if out is not None and not args.dry_run:
            if os.path.exists(out) and not Gst.uri_is_valid(path) \
                    and os.path.samefile(path, out):
                fail(EXIT_USAGE, "OUT is IN" if not args.out_dir else
                     "%s would be written over itself" % path)
            if os.path.abspath(out) in outs:
                fail(EXIT_USAGE, "two inputs would both be written to %s" %
                     out)
            outs.add(os.path.abspath(out))
            output = Output(out, args.overwrite)
        if schedule is not None:
            schedule.check_length(duration_of(path), path)
        jobs.append(batch.Job(path, output, schedule, args.first_prompt))
    return jobs


def main(argv, version_text):
    args = options.parse_args(argv, version_text)
    if GI_MISSING is not None:
        fail(EXIT_FAILED, "needs python3-gi and gir1.2-gstreamer-1.0 (%s)" %
             GI_MISSING)
    Gst.init(None)
    schedule = schedules.from_args(args)
    args.first_prompt = schedule.first() if schedule else args.prompt
    jobs = make_jobs(args, schedule)
    element.check_settings(args, schedule.prompts() if schedule else [])
    several = len(jobs) > 1 or args.out_dir is not None

    def progress_for(job):
        return Progress(args, job.input if several else None)
    try:
        if args.preview is not None:
            worst = EXIT_OK
            for job in jobs:
                worst = max(worst, preview.run(args, job, progress_for(job)))
            return worst
        if several:
            return batch.run_many(args, jobs, progress_for)
        job = jobs[0]
        if args.dry_run:
            code, s, _ = batch.estimate(args, job, progress_for(job))
            if code == EXIT_OK:
                batch.print_estimate(args, job, s)
            return code
        return batch.Stylize(args, job, progress_for(job)).run()
    finally:
        for job in jobs:
            if job.output is not None:
                job.output.discard()


def run(argv, version_text):
    try:
        sys.exit(main(argv, version_text))
    except KeyboardInterrupt:
        # Ctrl-C while the options are checked, before the run
        fail(EXIT_INTERRUPTED, "interrupted before the run started: nothing "
             "written, nothing sent")
