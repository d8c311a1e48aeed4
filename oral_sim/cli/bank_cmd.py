"""`oral-sim bank list|show|validate|import`: look into, check and grow the scripts bank."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from oral_sim.cli import counted, text_width, write_text_file

if TYPE_CHECKING:
    from oral_sim.engine.bank import Script


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `bank` command."""
    bank = sub.add_parser("bank", help="list, show, validate or import interview scripts")
    bsub = bank.add_subparsers(dest="bank_command", metavar="ACTION", required=True)

    p = bsub.add_parser("list", help="scripts and their questions")
    p.add_argument("path", nargs="?", help="bank folder or file (default: scripts_bank/)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run_list)

    p = bsub.add_parser("show", help="one question in full (or a whole script)")
    p.add_argument("id", help="question id (e.g. mlq-003) or script id")
    p.add_argument("--bank", help="bank folder or file (default: scripts_bank/)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run_show)

    p = bsub.add_parser("validate", help="check bank files; prints file:line: problem")
    p.add_argument("path", nargs="?", help="bank folder or file (default: scripts_bank/)")
    p.set_defaults(func=run_validate)

    p = bsub.add_parser("import", help="turn prep notes (Q/A list, dialogue, markdown) into a bank file")
    p.add_argument("file", help="plain-text or markdown file")
    p.add_argument("-o", "--output", help="write the bank file here (default: stdout); an "
                   "existing file is kept unless --force")
    p.add_argument("--id", dest="script_id",
                   help="script id (default: from the output file's name, else the notes')")
    p.add_argument("--force", action="store_true", help="overwrite the output file")
    p.set_defaults(func=run_import)


def run_list(args: argparse.Namespace) -> int:
    from oral_sim.engine.bank import load_bank, script_to_dict

    bank = load_bank(args.path)
    if args.json:
        print(json.dumps({"scripts": [script_to_dict(s) for s in bank.scripts]}, indent=2))
        return 0
    for script in bank.scripts:
        minutes = sum(q.timebox_s for q in script.questions) / 60
        print(f"{script.id}  {script.title}  [{script.kind}, {len(script.questions)} questions, "
              f"~{minutes:.0f} min]")
        for q in script.questions:
            prompt = textwrap.shorten(q.prompt, 70, placeholder="...")
            print(f"  {q.id:<12} {q.category:<17} {q.difficulty:<6} {q.timebox_s:>4}s  {prompt}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from oral_sim.engine.bank import (
        follow_up_question,
        load_bank,
        parent_id,
        question_to_dict,
        script_to_dict,
    )
    from oral_sim.errors import UsageError

    bank = load_bank(args.bank)
    try:
        question = bank.question(args.id)
    except UsageError:
        if args.id not in {s.id for s in bank.scripts}:
            raise
        script = bank.script(args.id)
        if args.json:
            print(json.dumps(script_to_dict(script), indent=2))
            return 0
        print(f"{script.title}  ({script.id}, {script.kind}, {script.path})")
        if script.description:
            print(textwrap.fill(script.description, text_width()))
        if script.framework:
            print("Framework:")
            for step in script.framework:
                print(f"  - {step}")
        if script.opening:
            print(f"Opening: {script.opening}")
        for q in script.questions:
            print(f"  {q.id:<12} {q.prompt}")
        if script.closing:
            print(f"Closing: {script.closing}")
        return 0
    if args.json:
        print(json.dumps(question_to_dict(question), indent=2))
        return 0
    print(f"{question.id}  [{question.category}, {question.difficulty}, {question.timebox_s} s]")
    print(f"  from {question.source_path}:{question.source_line}")
    if question.probes:
        parent = parent_id(question.id)
        print(textwrap.fill(f"a follow-up, asked when an answer to {parent} misses: "
                            f"{question.probes}", text_width(), initial_indent="  ",
                            subsequent_indent="    "))
    print()
    print(textwrap.fill(question.prompt, text_width()))
    print("\nKey points:")
    width = text_width()
    for i, kp in enumerate(question.key_points, 1):
        print(textwrap.fill(f"{i}. {kp}", width, initial_indent="  ", subsequent_indent="     "))
    if question.follow_ups:
        print("\nFollow-ups:")
        for f in question.follow_ups:
            probe = f" (probes key point {f.key_point + 1})" if f.key_point is not None else ""
            # its id, for `bank show` and `analyze --question`
            print(textwrap.fill(f"- {follow_up_question(question, f).id}: {f.prompt}{probe}",
                                width, initial_indent="  ", subsequent_indent="    "))
    print("\nReference answer:")
    print(textwrap.indent(textwrap.fill(question.reference_answer, text_width() - 2), "  "))
    if question.notes:
        print("\nNotes:")
        print(textwrap.indent(textwrap.fill(question.notes, text_width() - 2), "  "))
    return 0


def run_validate(args: argparse.Namespace) -> int:
    """Every problem of every bank file as `file:line: problem` (by file, then line) and a
    count, on stderr; exit code 2 when there is any."""
    from oral_sim.engine.bank import check_bank
    from oral_sim.errors import BankError

    check = check_bank(args.path)
    if check.bank is not None:
        total = len(check.bank.all_questions())
        print(f"ok: {counted(len(check.bank.scripts), 'script')}, {counted(total, 'question')}")
        return 0
    for problem in check.problems:
        print(problem.message, file=sys.stderr)
        if problem.hint:
            print(f"  hint: {problem.hint}", file=sys.stderr)
    broken = len({p.path for p in check.problems})
    print(f"{_count(len(check.problems), 'problem')} in {_count(broken, 'file')} "
          f"(of {_count(len(check.files), 'bank file')} checked)", file=sys.stderr)
    return BankError.exit_code


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def run_import(args: argparse.Namespace) -> int:
    from oral_sim.engine.bank import parse_script_text
    from oral_sim.engine.bank_import import import_file

    target = Path(args.output) if args.output else None
    if target is not None:
        _check_import_target(target, args.force)
    # a bank file is named after its script: `-o bank/ml-basics.yaml` makes script ml-basics
    script_id = args.script_id or (target.stem if target is not None else None)
    result = import_file(args.file, script_id=script_id)
    text = result.to_yaml()
    where = target or Path(f"<{result.script_id}>.yaml")
    # The importer's output must load; if it does not, that is our bug, and it must not be written.
    script = parse_script_text(text, where)
    if target is not None:
        _check_ids_free(target, script)
    for item in result.unplaced:
        print(f"{args.file}:{item.line}: not placed ({item.reason}): "
              f"{textwrap.shorten(item.text, 80, placeholder='...')}", file=sys.stderr)
    if target is None:
        sys.stdout.write(text)
        return 0
    write_text_file(target, text)
    print(f"wrote {target}: {_count(len(result.questions), 'question')} ({result.shape})"
          + (f", {_count(len(result.unplaced), 'passage')} not placed (see above)"
             if result.unplaced else ""),
          file=sys.stderr)
    return 0


def _check_import_target(target: Path, force: bool) -> None:
    """Refuse, before any work, a target that is a folder, sits in no folder, or would
    overwrite a file without --force (a reviewed import would be lost)."""
    from oral_sim.errors import UsageError

    if target.is_dir():
        raise UsageError(f"{target} is a folder", f"name the file, e.g. {target / 'my-notes.yaml'}")
    if target.suffix.lower() not in (".yaml", ".yml"):
        # written as mine.txt, the bank never read it, and nothing said so
        raise UsageError(f"{target}: the bank reads only .yaml or .yml files",
                         f"name it {target.with_suffix('.yaml').name}")
    if not target.parent.is_dir():
        raise UsageError(f"cannot write {target}: no folder {target.parent}",
                         "create the folder first, or write somewhere else")
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; not overwritten",
                         "add --force to replace it, or choose another -o file")


def _check_ids_free(target: Path, new: Script) -> None:
    """The new file's script and question ids are not used by the bank files beside it (a
    clash would stop the whole bank from loading)."""
    from oral_sim.engine.bank import check_bank
    from oral_sim.errors import BankError, UsageError

    others = [p for p in target.parent.glob("*.y*ml") if p.resolve() != target.resolve()]
    if not others:
        return
    taken: dict[str, str] = {}
    for other in others:
        try:
            bank = check_bank(other).bank
        except BankError:
            continue
        if bank is None:  # a broken neighbour: validate says why, not import
            continue
        for sc in bank.scripts:
            taken[sc.id] = other.name
            taken.update({q.id: other.name for q in sc.questions})
    clashes = [i for i in [new.id, *(q.id for q in new.questions)] if i in taken]
    if clashes:
        raise UsageError(f"id {clashes[0]!r} is already used by {taken[clashes[0]]}"
                         + (f" ({len(clashes) - 1} more)" if len(clashes) > 1 else ""),
                         "choose another script id with --id (question ids follow it)")
