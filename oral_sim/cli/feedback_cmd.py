"""`oral-sim analyze AUDIO --question ID [--json]` and `oral-sim grade FILE.jsonl`."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path
from typing import Any

from oral_sim.cli import text_width


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="feedback on a recorded answer to a bank question")
    p.add_argument("audio", help="the recorded answer (wav, flac, mp3, ogg ...)")
    p.add_argument("--question", required=True, metavar="ID",
                   help="bank question id (its words are given to the recognizer, as in an "
                   "interview; `transcribe --question ID` hears the file the same way)")
    p.add_argument("--bank", type=Path, help="bank file or folder (default: scripts_bank/)")
    p.add_argument("--json", action="store_true", help="the full feedback as JSON")
    p.add_argument("--asr-model", metavar="NAME",
                   help="Whisper CTranslate2 folder in models/ or a path (default: "
                   "$ORAL_SIM_ASR_MODEL, else the bundled tiny.en)")
    p.set_defaults(func=run_analyze)

    p = sub.add_parser("grade", help="score typed answers: one JSON object per line")
    p.add_argument("file", help='JSONL with "reference" and "answer" (optional "id", "question", '
                                '"alternatives", and "key_points": texts, or {"point": ..., '
                                '"examples": [...]} as in a bank file, each checked as the bank '
                                'checks a point; up to 20 of them; a point\'s "part" is checked '
                                'but not used: grade does not know whether the question asks for '
                                'a story)')
    p.add_argument("--json", action="store_true",
                   help="accepted for symmetry with the other commands: the output is always "
                   "JSON, one line per answer")
    p.set_defaults(func=run_grade)


def bank_question(question_id: str, bank: Path | None) -> Any:
    """The bank question `question_id` (of the bank `bank`, else scripts_bank/), or a
    UsageError that says where the ids are listed."""
    from oral_sim.engine.bank import load_bank
    from oral_sim.errors import UsageError

    try:
        return load_bank(bank).question(question_id)
    except UsageError as exc:
        if bank is None:
            raise
        raise UsageError(exc.message, f"`oral-sim bank list {bank}` shows its ids") from None


def run_analyze(args: argparse.Namespace) -> int:
    from oral_sim.cli.interview_cmd import settings_from_args
    from oral_sim.engine.asr import load_whisper
    from oral_sim.engine.audiofile import check_readable
    from oral_sim.engine.feedback import build_feedback, render_text
    from oral_sim.engine.pipeline import transcribe_file
    from oral_sim.engine.scoring import preload_in_background

    settings = settings_from_args(args)
    question = bank_question(args.question, args.bank)  # fail fast on a wrong id
    check_readable(args.audio)  # and on a file that cannot be read, before the models load
    # Whisper first: on a machine's first run its load times the thread counts
    # (`engine.threads`), which the scorer's import beside it would skew
    load_whisper(settings.asr)
    preload_in_background(settings.scoring)  # loads while the audio is transcribed
    from oral_sim.cli import progress_line

    progress = progress_line()  # on a terminal only
    try:
        result = transcribe_file(args.audio, settings, asked=question.prompt,
                                 spell=question.written, on_update=progress)
    finally:
        if progress is not None:
            progress.done()  # type: ignore[attr-defined]
    feedback = build_feedback(result.transcript, question)
    if args.json:
        from oral_sim.engine.metrics import pace_without_speech

        out = feedback.to_dict()
        out["pace"] = out.get("pace") or pace_without_speech()  # as transcribe --json has it
        print(json.dumps(out, indent=2))
        return 0
    print(f"{question.id}: {question.prompt}\n")
    print(result.transcript.text or "(no speech recognised)")
    print()
    print(render_text(feedback, width=text_width()))
    return 0


def _line_problem(obj: dict) -> tuple[object | None, str | None]:
    """A `grade` line checked against its schema (`bank_schema.GradeLineModel`): (the validated
    line, None) or (None, the first problem in words, as the bank's messages put it)."""
    from pydantic import ValidationError

    from oral_sim.engine import bank_problems
    from oral_sim.engine.bank_schema import GradeLineModel

    fields = list(GradeLineModel.model_fields)
    for key in obj:
        near = difflib.get_close_matches(key, fields, n=1, cutoff=0.8) if key not in fields else []
        if near:  # "keypoints" was left alone as a label of the user's, and no point was checked
            return None, f'unknown field "{key}"; did you mean "{near[0]}"?'
    try:
        line = GradeLineModel.model_validate(obj)
    except ValidationError as exc:
        error, loc = bank_problems.schema_errors(exc.errors(), obj, obj)[0]
    else:
        from oral_sim.engine.scoring import has_words

        if not has_words(line.reference):  # "..." gave any answer like it 100
            return None, '"reference" has no words: there is nothing to grade the answer against'
        for n, point in enumerate(line.key_points or [], 1):  # "..." could never be made
            if not has_words(point if isinstance(point, str) else point.point):
                return None, f'"key_points" has a point with no words (key point {n})'
        return line, None
    kind, top = error["type"], loc[0] if loc else ""
    if top == "reference" and kind == "string_too_short":
        return None, 'empty "reference": there is nothing to grade the answer against'
    if top in ("reference", "answer") and kind in ("missing", "string_type"):
        return None, f'missing or non-text "{top}"'
    if top == "key_points" and kind in ("list_type", "key_point_type"):
        return None, ('"key_points" must be a list of texts, or of {"point": ..., "examples": '
                      '[...]} as in a bank file')
    if top == "key_points" and len(loc) == 1 and kind == "too_long":
        from oral_sim.engine.bank_schema import MAX_GRADE_KEY_POINTS

        return None, (f'"key_points" has {len(obj["key_points"])}: at most '
                      f"{MAX_GRADE_KEY_POINTS} (a bank question has 3 to 8)")
    if top == "key_points" and len(loc) == 2 and kind == "string_too_short":
        return None, f'"key_points" has an empty text (key point {loc[1] + 1})'
    if top == "alternatives":
        return None, ('"alternatives" has an empty text' if kind == "string_too_short"
                      else '"alternatives" must be a list of texts')
    if kind == "string_type" and len(loc) == 1:
        return None, f'"{top}" must be text'
    said = bank_problems.describe(error, loc, obj)
    if top == "key_points" and len(loc) > 2 and isinstance(loc[1], int):
        return None, f"key point {loc[1] + 1}: {said}"
    return None, said


def _id_text(value: object) -> str:
    """An item's id as printed: a text as it is, anything else as JSON (not Python's repr)."""
    return value if isinstance(value, str) else json.dumps(value)


def _refuse_one_document(path: Path, text: str, lines: list[str]) -> None:
    """A pretty-printed JSON file or one JSON array is refused as a whole, with how to make it
    one object per line (it was reported as "not JSON" once per line of the file)."""
    from oral_sim.errors import UsageError

    first = next((line for line in lines if line.strip()), "")
    try:
        json.loads(first)
        return
    except (json.JSONDecodeError, RecursionError):
        pass
    try:
        whole = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return
    if isinstance(whole, (list, dict)):
        kind = "a JSON array" if isinstance(whole, list) else "one JSON object over several lines"
        raise UsageError(f"{path} is {kind}: grade reads one JSON object per line (JSON Lines)",
                         "put each answer on a line of its own, e.g. `jq -c '.[]' "
                         f"{path} > answers.jsonl`" if isinstance(whole, list) else
                         "put the object on one line, e.g. `jq -c . "
                         f"{path} > answers.jsonl`")


def run_grade(args: argparse.Namespace) -> int:
    from oral_sim.engine import textfile
    from oral_sim.engine.scoring import GradeItem, grade_iter
    from oral_sim.errors import UsageError

    path = Path(args.file)
    # a file saved with a byte-order mark (Windows editors) keeps its first line
    text = textfile.read(path)
    lines = text.splitlines()
    _refuse_one_document(path, text, lines)
    items: list[GradeItem] = []
    bad = 0
    lines_of: dict[str, list[int]] = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            print(f"{path}:{n}: not JSON ({exc.msg})", file=sys.stderr)
            bad += 1
            continue
        except RecursionError:  # "[[[[..." 100,000 deep crashed the whole run
            print(f"{path}:{n}: not an answer (JSON nested too deep)", file=sys.stderr)
            bad += 1
            continue
        if not isinstance(obj, dict):
            print(f"{path}:{n}: expected a JSON object", file=sys.stderr)
            bad += 1
            continue
        line, problem = _line_problem(obj)
        if problem:
            print(f"{path}:{n}: {problem}", file=sys.stderr)
            bad += 1
            continue
        item_id = _id_text(obj.get("id", n))
        lines_of.setdefault(item_id, []).append(n)
        given = line.key_points
        points = None if given is None else [kp if isinstance(kp, str) else kp.point for kp in given]
        examples = [[] if isinstance(kp, str) else list(kp.examples) for kp in given or []]
        items.append(GradeItem(reference=obj["reference"], answer=obj["answer"],
                               id=item_id, key_points=points,
                               question=line.question, alternatives=line.alternatives,
                               examples=examples if any(examples) else None))
    if not items and not bad:  # it printed nothing at all and said it had succeeded
        raise UsageError(f"{path} has no answers to grade (it is empty)",
                         'give one JSON object per line: {"reference": "...", "answer": "..."}')
    repeated = {i: ns for i, ns in lines_of.items() if len(ns) > 1}
    for item_id, ns in list(repeated.items())[:3]:
        print(f"note: id {item_id!r} is on lines {', '.join(map(str, ns))}: their results cannot be "
              "told apart by id", file=sys.stderr)
    terse = sorted({k for item in items for k in item.key_points or [] if len(k.split()) <= 2})
    if terse:
        print(f"note: {len(terse)} key point{'s are' if len(terse) > 1 else ' is'} one or two "
              f"words ({', '.join(repr(k) for k in terse[:3])}{', ...' if len(terse) > 3 else ''})"
              ": so short a point is far in meaning from a sentence that makes it and is often "
              "missed; write each as a phrase that states it (\"stop training when validation "
              "loss rises\", not \"early stopping\")", file=sys.stderr)
    for result in grade_iter(items):  # printed a chunk at a time, as they are scored
        print(json.dumps({"id": result.id, "score": result.score, "similarity": result.similarity,
                          "coverage": result.coverage, "term_recall": result.term_recall,
                          "key_points": [{"point": k.text, "covered": k.covered,
                                          "evidence": k.evidence,
                                          "similarity": round(k.similarity, 3)}
                                         for k in result.key_points],
                          "notes": result.notes}), flush=True)
    return 2 if bad else 0
