"""`oral-sim bench [--json] [--quick] [--eval PATH] [--record] [--only SECTION...]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    from oral_sim.bench import EXTRA_SECTIONS, SECTIONS

    p = sub.add_parser("bench", help="measure latency, accuracy, TTS, startup and scoring against peers")
    p.add_argument("--json", action="store_true", help="print the results as JSON (progress on stderr)")
    p.add_argument("--quick", action="store_true", help="smoke run in under two minutes")
    p.add_argument("--eval", type=Path, metavar="PATH", help="evaluation data (default ../shared/eval)")
    p.add_argument("--record", action="store_true", help="add the results to BENCHMARKS.md")
    p.add_argument("--only", nargs="+", choices=SECTIONS + EXTRA_SECTIONS, metavar="SECTION",
                   help=f"run only these sections ({', '.join(SECTIONS + EXTRA_SECTIONS)})")
    p.add_argument("--soak-minutes", type=float, default=10.0, metavar="MIN",
                   help="minutes of answer audio in the soak section (default 10)")
    p.set_defaults(func=run_bench_cmd)


def run_bench_cmd(args: argparse.Namespace) -> int:
    from oral_sim import locations
    from oral_sim.bench import SECTIONS, BenchOptions, run_bench
    from oral_sim.bench.report import record, table
    from oral_sim.errors import UsageError

    eval_root = args.eval or locations.eval_dir()
    if args.eval and not eval_root.is_dir():
        raise UsageError(f"no evaluation data folder at {eval_root}")
    options = BenchOptions(
        quick=args.quick,
        eval_root=eval_root,
        sections=tuple(args.only) if args.only else SECTIONS,
        soak_minutes=args.soak_minutes,
        command="oral-sim " + " ".join(sys.argv[1:]) if sys.argv[1:] else "oral-sim bench",
    )

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results = run_bench(options, log=log)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(table(results))
    if args.record:
        record(results, locations.benchmarks_file())
        log(f"recorded in {locations.benchmarks_file()}")
    return 1 if results["errors"] else 0
