#!/usr/bin/env python3
"""Offline model of poll schedules (no network): how much latency a poll
schedule adds and how many polls it costs, for task times drawn from a
distribution.  Used to design the client's schedule before measuring it for
real with bench.py; see docs/performance.md.

    python3 tools/bench/pollsim.py [--tasks 2000] [--overhead-ms 10]

Schedules:
  sdk        first poll at once, then every 2 s (the official SDKs)
  current    port of gst-plugin/client/imagegen-poll-schedule.c: learns the
             min/max of the last 16 durations, sleeps to 0.9 min, polls every
             poll_min (150 ms) until 1.1 max, then backs off 1.5x
  hazard     proposal: same history and the same sleep to 0.9 min, but inside
             the window [0.9 min, 1.1 max] the spacing follows the chance that
             the task ends soon: d(t) = sqrt(2 * cost * (end - t)), clamped to
             [poll_min, poll_max], where end = 1.1 max and cost is the latency
             (ms) one poll is worth.  This minimises E[lag] + E[polls] * cost
             for task times spread evenly over the window (dense where most
             pending tasks are about to end, sparse early); with a single
             observed duration the window is narrow and it degenerates to the
             current schedule.
"""

import argparse
import math
import random
import statistics


class Current:
    name = "current"

    def __init__(self, pmin=150, pmax=2000, hist=16):
        self.pmin, self.pmax, self.hist, self.d = pmin, pmax, hist, []

    def observe(self, dur):
        self.d = (self.d + [dur])[-self.hist:]

    def first_delay(self):
        return self.next_delay(0)

    def grow(self, since):
        return min(max(since / 2 + self.pmin, self.pmin), self.pmax)

    def window(self):
        return min(self.d) * 0.9, max(self.d) * 1.1

    def next_delay(self, e):
        if not self.d:
            return self.grow(e)
        lo, hi = self.window()
        if e + self.pmin < lo:
            return min(lo - e, self.pmax)
        if e < hi:
            return self.dense(e, lo, hi)
        return self.grow(e - hi)

    def dense(self, e, lo, hi):
        return self.pmin


class Hazard(Current):
    def __init__(self, cost=25, pmin=50, pmax=2000, hist=16):
        super().__init__(pmin, pmax, hist)
        self.cost = cost
        self.name = "hazard(cost=%d,min=%d)" % (cost, pmin)

    def dense(self, e, lo, hi):
        d = math.sqrt(2 * self.cost * max(hi - e, 0))
        return min(max(d, self.pmin), self.pmax)


class Sdk:
    name = "sdk(2 s)"

    def observe(self, dur):
        pass

    def first_delay(self):
        return 0

    def next_delay(self, e):
        return 2000


def run(schedule, durations, overhead_ms, rtt_ms=2):
    lags, polls = [], []
    for T in durations:
        t = schedule.first_delay()
        n = 0
        while True:
            n += 1
            t += rtt_ms
            if t >= T:
                break
            t += schedule.next_delay(t)
        schedule.observe(t)
        lags.append(t - T + overhead_ms)
        polls.append(n)
    return lags, polls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=2000)
    ap.add_argument("--overhead-ms", type=float, default=10,
                    help="download + decode after the poll that sees it")
    args = ap.parse_args()
    rnd = random.Random(1)
    dists = {"fixed 3 s": [3000.0] * args.tasks,
             "uniform 3-8 s": [rnd.uniform(3000, 8000) for _ in range(args.tasks)]}
    scheds = [Sdk, Current] + [lambda c=c, m=m: Hazard(c, m)
                               for c in (10, 20, 25, 40) for m in (50, 100)]
    print("%-16s %-26s %9s %9s %9s %7s" % ("tasks", "schedule", "median", "mean",
                                           "p90", "polls"))
    for dn, durs in dists.items():
        for mk in scheds:
            s = mk()
            lags, polls = run(s, durs, args.overhead_ms)
            lags, polls = lags[16:], polls[16:]      # steady state
            q = statistics.quantiles(lags, n=10)
            print("%-16s %-26s %7.0f ms %7.0f ms %7.0f ms %7.1f" % (
                dn, s.name, statistics.median(lags), statistics.fmean(lags),
                q[8], statistics.fmean(polls)))


if __name__ == "__main__":
    main()
