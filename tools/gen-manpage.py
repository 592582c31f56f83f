#!/usr/bin/env python3
"""Writes a man page for a command from what the command itself says: its
--help (GLib GOption or Python argparse layout) and its --version.  The
page cannot drift from the command's options, because it is made from them
at every build.

  gen-manpage.py --output FILE [--section N] [--docdir DIR]
                 [--see-also PAGE]... -- COMMAND [ARG]...
"""
import argparse
import datetime
import os
import re
import subprocess
import sys

OPTION = re.compile(r"^ {1,8}(-\S.*?)(?: {2,}(\S.*))?$")
OPTION_LIKE = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def run(command, arg):
    env = dict(os.environ, LC_ALL="C.UTF-8", COLUMNS="80")
    # a sanitizer build's --help must not fail on GLib's one-time allocations
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    out = subprocess.run(command + [arg], env=env, capture_output=True,
                         text=True, check=True)
    return out.stdout.replace("\u2026", "...")


def esc(text):
    """roff-escapes running text; option names get real minus signs."""
    text = text.replace("\\", "\\e")
    text = OPTION_LIKE.sub(lambda m: m.group(1).replace("-", "\\-"), text)
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def option_head(spec):
    """'-h, --help' / '--port=N' / '--prompt PROMPT' in bold and italics."""
    parts = []
    for alt in spec.split(", "):
        m = re.match(r"(-[^=\s]+)(?:([=\s])(.*))?$", alt)
        if not m:
            parts.append(esc(alt))
            continue
        head = "\\fB" + m.group(1).replace("-", "\\-") + "\\fR"
        if m.group(3):
            head += m.group(2) + "\\fI" + esc(m.group(3)) + "\\fR"
        parts.append(head)
    return ", ".join(parts)


def roff_paragraphs(paragraphs):
    out = []
    for n, para in enumerate(paragraphs):
        if n:
            out.append(".PP")
        if any(line.startswith(" ") for line in para):
            # laid out for a terminal: keep the layout
            out.append(".nf")
            out.extend(esc(line) for line in para)
            out.append(".fi")
        else:
            out.extend(esc(line.strip()) for line in para)
    return out


def parse_help(text):
    """Returns (synopsis, summary, paragraphs, options, n), paragraphs[:n]
    coming before the options in --help and the rest after them."""
    lines = text.splitlines()
    synopsis, summary = [], None
    paragraphs, options = [], []
    before_options = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        m = re.match(r"^usage:\s*(.*)$", line, re.I)
        if m and not synopsis:
            if m.group(1):
                synopsis.append(m.group(1))
            i += 1
            while i < len(lines) and lines[i].startswith(" "):
                synopsis.append(lines[i].strip())
                i += 1
            continue
        if (line.endswith(":") and not line.startswith(" ")
                and i + 1 < len(lines) and OPTION.match(lines[i + 1])):
            i += 1
            if before_options is None:
                before_options = len(paragraphs)
            while i < len(lines) and lines[i].strip():
                m = OPTION.match(lines[i])
                if m:
                    options.append([m.group(1), m.group(2) or ""])
                elif options:
                    options[-1][1] = (options[-1][1] + " "
                                      + lines[i].strip()).strip()
                i += 1
            continue
        para = []
        while i < len(lines) and lines[i].strip():
            para.append(lines[i].rstrip())
            i += 1
        paragraphs.append(para)
    synopsis = " ".join(synopsis)
    if " - " in synopsis:  # GOption: "NAME [OPTION...] - summary"
        synopsis, summary = synopsis.split(" - ", 1)
    elif paragraphs and len(paragraphs[0]) == 1:  # argparse: the description
        summary = paragraphs.pop(0)[0]
        before_options -= 1
    return (synopsis, (summary or "").rstrip("."), paragraphs, options,
            len(paragraphs) if before_options is None else before_options)


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--output", required=True)
    ap.add_argument("--section", default="1")
    ap.add_argument("--docdir")
    ap.add_argument("--see-also", action="append", default=[])
    ap.add_argument("command", nargs="+")
    args = ap.parse_args()

    name = os.path.basename(args.command[0])
    name = re.sub(r"\.py$", "", name)
    version_words = run(args.command, "--version").split()
    version = version_words[-1] if version_words else "unknown"
    synopsis, summary, paragraphs, options, n_before = parse_help(
        run(args.command, "--help"))
    if not options:
        sys.exit("gen-manpage.py: no options found in %s --help" % name)
    synopsis = re.sub(r"^\S+", "", synopsis).strip()
    # GOption writes its ellipsis as '?' outside a UTF-8 locale
    synopsis = synopsis.replace("[OPTION?]", "[OPTION...]")

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
            if epoch else datetime.datetime.now(datetime.timezone.utc))

    out = [
        '.\\" Generated by tools/gen-manpage.py from %s --help; do not edit.'
        % name,
        '.TH "%s" "%s" "%s" "gst-imagegen %s" "User Commands"'
        % (name.upper(), args.section, when.strftime("%Y-%m-%d"), version),
        ".SH NAME",
        "%s \\- %s" % (name, esc(summary or name)),
        ".SH SYNOPSIS",
        ".B %s" % name,
        esc(synopsis),
    ]
    # the sections in the order of --help, so that its "see below" holds
    if paragraphs[:n_before]:
        out.append(".SH DESCRIPTION")
        out += roff_paragraphs(paragraphs[:n_before])
    out.append(".SH OPTIONS")
    for spec, desc in options:
        out += [".TP", option_head(spec), esc(desc) if desc else "\\&"]
    if paragraphs[n_before:]:
        out.append(".SH DESCRIPTION" if n_before == 0 else ".SH NOTES")
        out += roff_paragraphs(paragraphs[n_before:])
    see = [esc(s) for s in args.see_also]
    if see or args.docdir:
        out.append(".SH SEE ALSO")
        if see:
            out.append(", ".join(see))
        if args.docdir:
            if see:
                out.append(".PP")
            out.append("The documentation in")
            out.append(".IR %s ." % esc(args.docdir))
    tmp = args.output + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(out) + "\n")
    os.replace(tmp, args.output)


if __name__ == "__main__":
    main()
