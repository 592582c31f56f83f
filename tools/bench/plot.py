#!/usr/bin/env python3
"""Plot of added latency per task, imagegensrc against the SDK-style
baseline, from a bench.py JSON file.  Python standard library only: a tiny
raster canvas with a 5x7 bitmap font, written as PNG with zlib.

    python3 tools/bench/plot.py bench-results.json docs/performance-latency.png
"""

import json
import struct
import sys
import zlib

# 5x7 glyphs, one string of 7 rows of 5 bits each ('#' = ink)
FONT = {
    "0": " ### #   ##  ### # ###  ##   # ### ", "1": "  #   ##    #    #    #    #   ### ",
    "2": " ### #   #    #   #   #   #   #####", "3": "#####   #   #     #     ##   # ### ",
    "4": "   #   ##  # # #  # #####   #    # ", "5": "######    ####     #    ##   # ### ",
    "6": "  ##  #   #    #### #   ##   # ### ", "7": "#####    #   #   #   #    #    #   ",
    "8": " ### #   ##   # ### #   ##   # ### ", "9": " ### #   ##   # ####    #   #  ##  ",
    "A": " ### #   ##   #######   ##   ##   #", "B": "#### #   ##   ##### #   ##   ##### ",
    "C": " ### #   ##    #    #    #   # ### ", "D": "#### #   ##   ##   ##   ##   ##### ",
    "E": "######    #    #### #    #    #####", "F": "######    #    #### #    #    #    ",
    "G": " ### #   ##    # ####   ##   # ####", "H": "#   ##   ##   #######   ##   ##   #",
    "I": " ###   #    #    #    #    #   ### ", "J": "  ###   #    #    #    # #  #  ##  ",
    "K": "#   ##  # # #  ##   # #  #  # #   #", "L": "#    #    #    #    #    #    #####",
    "M": "#   ### ### # ## # ##   ##   ##   #", "N": "#   ##   ###  ## # ##  ###   ##   #",
    "O": " ### #   ##   ##   ##   ##   # ### ", "P": "#### #   ##   ##### #    #    #    ",
    "Q": " ### #   ##   ##   ## # ##  #  ## #", "R": "#### #   ##   ##### # #  #  # #   #",
    "S": " #####    #     ###     #    ##### ", "T": "#####  #    #    #    #    #    #  ",
    "U": "#   ##   ##   ##   ##   ##   # ### ", "V": "#   ##   ##   ##   ##   # # #   #  ",
    "W": "#   ##   ##   ## # ## # ## # # # # ", "X": "#   ##   # # #   #   # # #   ##   #",
    "Y": "#   ##   # # #   #    #    #    #  ", "Z": "#####    #   #   #   #   #    #####",
    " ": " " * 35, "-": "          #####                    ", ".": "                          ##   ##  ",
    ":": "      ##   ##        ##   ##       ", "/": "    #    #   #   #   #    #        ",
    "(": "   #   #   #    #    #     #     # ", ")": " #     #     #    #    #   #   #   ",
    "=": "     #####     #####               ", "%": "##   ##  #   #   #   #   #  ##   ##",
    ",": "                    ##   ##   #    ", "+": "       #    #  #####  #    #       ",
    "<": "   #   #   #   #     #     #     # ", ">": " #     #     #     #   #   #   #   ",
}

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
GREY = (200, 200, 200)
BLUE = (31, 119, 180)
ORANGE = (255, 127, 14)


class Canvas:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.px = bytearray(WHITE * (w * h))

    def set(self, x, y, c):
        if 0 <= x < self.w and 0 <= y < self.h:
            i = (y * self.w + x) * 3
            self.px[i:i + 3] = bytes(c)

    def rect(self, x0, y0, x1, y1, c):
        for y in range(max(0, y0), min(self.h, y1)):
            for x in range(max(0, x0), min(self.w, x1)):
                self.set(x, y, c)

    def hline(self, x0, x1, y, c):
        self.rect(x0, y, x1 + 1, y + 1, c)

    def vline(self, x, y0, y1, c):
        self.rect(x, y0, x + 1, y1 + 1, c)

    def dot(self, cx, cy, r, c):
        for y in range(cy - r, cy + r + 1):
            for x in range(cx - r, cx + r + 1):
                if (x - cx) ** 2 + (y - cy) ** 2 <= r * r + r:
                    self.set(x, y, c)

    def ring(self, cx, cy, r, c):
        for y in range(cy - r, cy + r + 1):
            for x in range(cx - r, cx + r + 1):
                d = (x - cx) ** 2 + (y - cy) ** 2
                if (r - 1) ** 2 <= d <= r * r + r:
                    self.set(x, y, c)

    def text(self, x, y, s, c=BLACK, scale=2):
        for ch in s.upper():
            g = FONT.get(ch, FONT[" "])
            for row in range(7):
                for col in range(5):
                    if g[row * 5 + col] == "#":
                        self.rect(x + col * scale, y + row * scale,
                                  x + (col + 1) * scale, y + (row + 1) * scale, c)
            x += 6 * scale
        return x

    @staticmethod
    def text_width(s, scale=2):
        return len(s) * 6 * scale

    def png(self):
        raw = b"".join(b"\x00" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3])
                       for y in range(self.h))

        def chunk(t, d):
            return struct.pack(">I", len(d)) + t + d + \
                struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
        return (b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def nice_step(span, n=5):
    raw = span / n
    for e in range(0, 6):
        for m in (1, 2, 2.5, 5):
            s = m * 10 ** e
            if s >= raw:
                return s
    return raw


def panel(cv, x0, y0, w, h, title, series, ymax):
    """series: list of (colour, filled, [(x_index, y_ms)]); x from 1..n."""
    cv.text(x0, y0 - 26, title)
    px0, py0, px1, py1 = x0 + 70, y0, x0 + w, y0 + h
    nmax = max([x for _, _, pts in series for x, _ in pts] + [1])
    step = nice_step(ymax)
    v = 0
    while v <= ymax + 1e-9:
        y = py1 - int((py1 - py0) * v / ymax)
        cv.hline(px0, px1, y, GREY)
        lab = "%d" % v
        cv.text(px0 - 8 - cv.text_width(lab), y - 7, lab)
        v += step
    cv.vline(px0, py0, py1, BLACK)
    cv.hline(px0, px1, py1, BLACK)
    for i in range(1, nmax + 1):
        x = px0 + int((px1 - px0) * (i - 0.5) / nmax)
        cv.vline(x, py1, py1 + 5, BLACK)
        cv.text(x - 5, py1 + 10, str(i))
    cv.text(px0 + (px1 - px0) // 2 - 100, py1 + 34, "TASK NO. IN STREAM")
    for colour, filled, pts in series:
        for k, (xi, yv) in enumerate(pts):
            jitter = ((k % 5) - 2) * 5
            x = px0 + int((px1 - px0) * (xi - 0.5) / nmax) + jitter
            y = py1 - int((py1 - py0) * min(yv, ymax) / ymax)
            (cv.dot if filled else cv.ring)(x, y, 4, colour)


def plot_file(json_path, png_path):
    with open(json_path) as f:
        R = json.load(f)
    lat = R.get("latency", {})
    keys = [(k, t) for k, t in (("fixed3", "TASKS 3 S FIXED"),
                                 ("uniform", "TASKS 3-8 S UNIFORM")) if k in lat]
    W, PH = 1000, 330
    H = 90 + len(keys) * (PH + 110)
    cv = Canvas(W, H)
    cv.text(20, 16, "ADDED LATENCY PER TASK (MS): COMPLETED -> DECODED BUFFER", scale=2)
    lx = 20
    cv.dot(lx + 6, 54, 5, BLUE)
    lx = cv.text(lx + 18, 47, "IMAGEGENSRC", BLUE) + 30
    cv.ring(lx + 6, 54, 5, ORANGE)
    cv.text(lx + 18, 47, "BASELINE (SDK-STYLE, POLL EVERY 2 S)", ORANGE)
    y = 110
    for key, title in keys:
        sc = lat[key]
        el = [(r["index"] + 1, r["added_ms"]) for r in sc["element"]]
        bl = [(r["index"] + 1, r["added_ms"]) for r in sc["baseline"]]
        ymax = max([v for _, v in el + bl] + [100]) * 1.05
        s = sc.get("summary", {})
        med_e = s.get("element", {}).get("all", {}).get("added_median_ms")
        med_b = s.get("baseline", {}).get("all", {}).get("added_median_ms")
        if med_e is not None and med_b is not None:
            title += ": MEDIAN %d VS %d MS" % (round(med_e), round(med_b))
        panel(cv, 20, y + 30, W - 60, PH, title,
              [(ORANGE, False, bl), (BLUE, True, el)], ymax)
        y += PH + 110
    with open(png_path, "wb") as f:
        f.write(cv.png())


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: plot.py RESULTS.json OUT.png")
    plot_file(sys.argv[1], sys.argv[2])
