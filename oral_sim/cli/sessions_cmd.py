"""`oral-sim sessions list|show|export|progress` and `oral-sim replay`."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("sessions", help="your practice history: list, show, export, progress")
    ssub = s.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)
    p = ssub.add_parser("list", help="all sessions, newest first")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run_list)
    p = ssub.add_parser("show", help="one session with its answers")
    p.add_argument("id")
    p.set_defaults(func=run_show)
    p = ssub.add_parser("export", help="a report: md, html (self-contained) or json")
    p.add_argument("id")
    p.add_argument("--format", choices=("md", "html", "json"),
                   help="md, html or json (default: from the -o file's ending, else md)")
    p.add_argument("-o", "--output", help="file to write (default, or -: stdout); an existing file "
                   "that is not an oral-sim report is kept unless --force")
    p.add_argument("--force", action="store_true", help="overwrite any existing output file")
    p.set_defaults(func=run_export)
    p = ssub.add_parser("progress", help="charts of score, fillers, pace and latency over time")
    p.set_defaults(func=run_progress)

    r = sub.add_parser("replay", help="replay a bank script as a conversation, or a session")
    r.add_argument("script", nargs="?", help="bank script id (e.g. oral-interview)")
    r.add_argument("--session", help="replay a recorded session instead")
    r.add_argument("--no-audio", action="store_true", help="print only, do not play")
    r.set_defaults(func=run_replay)


def _fmt(x, unit: str = "", digits: int = 0) -> str:
    from oral_sim.engine.shown import figure

    return "-" if x is None else figure(x, digits) + unit


def run_list(args: argparse.Namespace) -> int:
    from oral_sim.engine.progress import MODE_LABELS
    from oral_sim.engine.store import Store

    with Store() as store:
        sessions = store.list_sessions()
    if args.json:
        print(json.dumps({"sessions": [asdict(s) for s in sessions]}, indent=2))
        return 0
    if not sessions:
        print("No sessions yet: `oral-sim` or `oral-sim demo` to start one.")
        return 0
    width = max(6, *(len(s.script_id) for s in sessions))  # "project-deep-div" was cut
    print(f"{'id':<22} {'date':<17} {'script':<{width}} {'by':<5} {'status':<11} {'answered':>8} "
          f"{'score':>5} {'fill/min':>8} {'WPM':>5}")
    for s in sessions:
        answered = s.done  # "2/3+1": 2 of 3 questions, and a follow-up
        print(f"{s.id:<22} {s.started_at[:16].replace('T', ' '):<17} {s.script_id:<{width}} "
              f"{MODE_LABELS.get(s.mode, s.mode)[:5]:<5} {s.status:<11} {answered:>8} "
              f"{_fmt(s.avg_score):>5} "
              f"{_fmt(s.fillers_per_min, digits=1):>8} {_fmt(s.avg_wpm):>5}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from oral_sim.engine.export import to_markdown
    from oral_sim.engine.store import Store

    with Store() as store:
        record = store.get_session(args.id)
    print(to_markdown(record))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from oral_sim.cli import write_text_file
    from oral_sim.engine.export import export
    from oral_sim.engine.store import Store
    from oral_sim.errors import UsageError

    if args.output == "-":  # the usual name for standard output; it wrote a file called "-"
        args.output = None
    suffix = Path(args.output).suffix.lower() if args.output else ""
    if suffix and suffix not in EXPORT_ENDINGS and not args.format:
        # report.pdf got Markdown in it, under a name that promised something else
        raise UsageError(f"{args.output}: oral-sim cannot write a {suffix} file",
                         "end the name in .md, .html or .json (open the .html in a browser "
                         "to print it as PDF)")
    fmt = args.format or _format_of(args.output)
    if args.output and args.format and _format_of(args.output, None) not in (None, args.format):
        raise UsageError(f"{args.output} is not a {args.format} file name",
                         f"end it in .{args.format}, or leave out --format")
    if args.output and Path(args.output).is_dir():
        raise UsageError(f"{args.output} is a folder", "give a file name, e.g. -o report.html")
    if args.output:
        from oral_sim.engine.textfile import check_target

        check_target(args.output)  # a device or a pipe is no report file: never read nor written
    with Store() as store:
        record = store.get_session(args.id)
    text = export(record, fmt)
    if args.output:
        if _check_export_target(Path(args.output), text, args.force):
            write_text_file(args.output, text)
            print(f"wrote {args.output}", file=sys.stderr)
        else:
            print(f"{args.output} already holds this report", file=sys.stderr)
    else:
        sys.stdout.write(text + "\n")
    return 0


#: Words an oral-sim report has near its top (Markdown, HTML, JSON): said when one is kept.
REPORT_MARKS = ("Session `", " - oral-sim</title>", '"started_at"')


def _check_export_target(target: Path, text: str, force: bool) -> bool:
    """Whether to write `text` to `target`. An existing file is kept unless `force`, when it
    holds anything but `text` itself (`-o notes.md` replaced the user's notes; a report the user
    added notes to, or another session's, was replaced too): False when it already holds
    `text`."""
    from oral_sim.errors import UsageError

    if force or not target.exists():
        return True
    try:
        with target.open("rb") as f:  # no more than the report and a byte: enough to compare
            old = f.read(len(text.encode("utf-8")) + 1)
    except OSError:
        old = b""
    if old == text.encode("utf-8"):
        return False
    head = old[: 1 << 16].decode("utf-8", "replace")
    what = ("holds another report (or this one with changes of yours)"
            if any(mark in head for mark in REPORT_MARKS) else "is not an oral-sim report")
    raise UsageError(f"{target} exists and {what}: it is kept",
                     "add --force to replace it, or choose another -o file")


def run_progress(args: argparse.Namespace) -> int:
    import plotext as plt

    from oral_sim.engine.progress import (
        by_category,
        series,
        session_ticks,
        simulated_count,
        simulated_note,
        value_range,
    )
    from oral_sim.engine.store import Store

    with Store() as store:
        points = series(store)
        cats = by_category(store)
        simulated = simulated_count(store)
    if not points:
        print("No answered sessions of your own yet." + (f" ({simulated_note(simulated)})"
                                                          if simulated else ""))
        return 0
    if simulated:
        print(simulated_note(simulated))
    xs = list(range(1, len(points) + 1))
    for metric, title, values in (
            ("score", "score", [p.score for p in points]),
            ("fillers_per_min", "fillers per minute", [p.fillers_per_min for p in points]),
            ("wpm", "words per minute", [p.wpm for p in points]),
            ("latency_s", "response latency (s)", [p.latency_s for p in points])):
        pairs = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
        if not pairs:
            print(f"{title}: no spoken answers yet")
            continue
        plt.clear_figure()
        plt.plotsize(70, 12)
        plt.plot([x for x, _ in pairs], [v for _, v in pairs], marker="dot")
        plt.xticks(session_ticks(len(xs)))
        plt.xlim(0.5, len(xs) + 0.5)
        plt.ylim(*value_range(metric, [v for _, v in pairs]))
        plt.title(f"{title} by session")
        chart = plt.build()
        # no colour codes into a file or a pipe
        print(chart if sys.stdout.isatty() else plt.uncolorize(chart))
    for cat, scores in cats.items():
        print(f"{cat:<18} {len(scores):>3} answers, last {_fmt(scores[-1])}, "
              f"mean {_fmt(sum(scores) / len(scores))}")
    return 0


def run_replay(args: argparse.Namespace) -> int:
    from oral_sim.cli import text_width
    from oral_sim.engine.replay import replay_cli

    return replay_cli(args.script, args.session, play=not args.no_audio, width=text_width())


#: File endings and the export format they name.
EXPORT_ENDINGS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


def _format_of(output: str | None, default: str | None = "md") -> str | None:
    """The export format an output file's ending names (`default` for none or another)."""
    return EXPORT_ENDINGS.get(Path(output).suffix.lower(), default) if output else default
