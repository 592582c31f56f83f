#!/usr/bin/env python3
"""Plot of added latency per task, imagegensrc against the SDK-style
baseline, from a bench.py JSON file, drawn with matplotlib (Debian's
python3-matplotlib).

    python3 tools/bench/plot.py bench-results.json docs/performance-latency.png
"""

import json
import sys

SCENARIOS = (("fixed3", "Tasks of 3 s"), ("uniform", "Tasks of 3-8 s, uniform"))
ELEMENT_COLOUR, BASELINE_COLOUR = "tab:blue", "tab:orange"


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        sys.exit("plot.py: matplotlib is missing; install Debian's "
                 "python3-matplotlib")
    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt
    return plt


def _points(rows):
    return [r["index"] + 1 for r in rows], [r["added_ms"] for r in rows]


def _title(title, summary):
    med_e = summary.get("element", {}).get("all", {}).get("added_median_ms")
    med_b = summary.get("baseline", {}).get("all", {}).get("added_median_ms")
    if med_e is None or med_b is None:
        return title
    return "%s: median %d ms vs %d ms" % (title, round(med_e), round(med_b))


def plot_file(json_path, png_path):
    plt = _pyplot()
    with open(json_path) as f:
        latency = json.load(f).get("latency", {})
    shown = [(key, title) for key, title in SCENARIOS if key in latency]
    if not shown:
        sys.exit("plot.py: %s has no latency figures" % json_path)
    fig, axes = plt.subplots(len(shown), 1, figsize=(10, 3.6 * len(shown)),
                             squeeze=False)
    fig.suptitle("Added latency per task: completed → decoded buffer")
    for ax, (key, title) in zip(axes[:, 0], shown):
        scenario = latency[key]
        ax.scatter(*_points(scenario["baseline"]), facecolors="none",
                   edgecolors=BASELINE_COLOUR,
                   label="baseline (SDK style, a poll every 2 s)")
        ax.scatter(*_points(scenario["element"]), color=ELEMENT_COLOUR,
                   label="imagegensrc")
        ax.set_title(_title(title, scenario.get("summary", {})))
        ax.set_xlabel("task number in the stream")
        ax.set_ylabel("added latency (ms)")
        ax.set_ylim(bottom=0)
        ax.grid(True, color="0.85")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=2,
               bbox_to_anchor=(0.5, 0.955), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    fig.savefig(png_path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: plot.py RESULTS.json OUT.png")
    plot_file(sys.argv[1], sys.argv[2])
