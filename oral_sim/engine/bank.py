"""The scripts bank: interview scripts loaded from human-edited YAML files in `scripts_bank/`.

Every mistake in a bank file is reported as `file:line: what is wrong` (a `BankError`): YAML syntax,
a duplicate key, a missing or unknown field, a bad value, an id used twice anywhere in the bank.
Loading raises the first; `check_bank` finds them all (`oral-sim bank validate`).
The format is documented in `scripts_bank/README.md`; the schema lives in `bank_schema.py`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from oral_sim import locations
from oral_sim.engine import bank_format as fmt
from oral_sim.engine import bank_problems, textfile
from oral_sim.errors import BankError, UsageError

if TYPE_CHECKING:
    from oral_sim.engine import bank_schema as schema

#: Bank files larger than this are refused (a bank file is text a person edits).
MAX_FILE_BYTES = 5_000_000
#: File name patterns the loader reads in a bank folder.
BANK_SUFFIXES = (".yaml", ".yml")


@dataclass
class FollowUp:
    """A probe the interviewer asks when an answer misses a key point."""

    prompt: str
    """What the interviewer says."""
    key_point: int | None
    """0-based index into the parent question's key points that this probes (None: always a candidate)."""
    reference_answer: str | None = None
    """A model answer to the probe itself (None: the answer is held against the probed point)."""
    key_points: list[str] = field(default_factory=list)
    """What an answer to the probe should say (empty: the probed key point alone)."""


#: A follow-up probe's question id is its question's id with this after it.
FOLLOW_UP_SUFFIX = "#follow-up"


@dataclass
class Question:
    """One interview question with what a strong answer contains."""

    id: str
    """Stable id, unique across the bank (safe as a file name)."""
    prompt: str
    """The question as the interviewer says it."""
    category: str
    """One of `bank_format.CATEGORIES`."""
    difficulty: str
    """easy | medium | hard."""
    timebox_s: int
    """How long a good answer takes, in seconds."""
    reference_answer: str
    """A model answer."""
    key_points: list[str]
    """3-8 talking points a strong answer must hit."""
    follow_ups: list[FollowUp]
    """Probes asked when a key point is missed."""
    source_line: int
    """Line of the question in its bank file (1-based)."""
    source_path: Path | None = None
    """The bank file the question came from."""
    script_id: str = ""
    """Id of the script the question belongs to."""
    tags: list[str] = field(default_factory=list)
    """Free-form tags."""
    notes: str | None = None
    """Coaching notes shown with the feedback."""
    key_point_examples: list[list[str]] = field(default_factory=list)
    """Per key point (same order; empty when none, or for all when this is empty): sentences
    showing how a candidate says it. Coverage also matches the answer against these."""

    key_point_parts: list[str | None] = field(default_factory=list)
    """Per key point (same order; None when not set, or for all when this is empty): the part
    of a story it is (`bank_format.STORY_PARTS`); a sentence telling that part of the story
    also makes the point."""

    probes: str | None = None
    """On a follow-up question only: the key point of its question that it probes. Answered
    well, that point is made after all (`session.summarize`)."""

    @property
    def written(self) -> str:
        """The reference answer and key points as one text: what the recognizer is shown the
        spellings of the subject's terms from (`asr.spelling_terms`)."""
        points = [p if p.rstrip().endswith((".", "?", "!")) else p.rstrip() + "." for p in self.key_points]
        return " ".join([self.reference_answer.rstrip(), *points])

    def examples_of(self, index: int) -> list[str]:
        """The examples written for key point `index` (0-based), or []."""
        ex = self.key_point_examples
        return list(ex[index]) if index < len(ex) else []

    def part_of(self, index: int) -> str | None:
        """The story part of key point `index` (0-based), or None."""
        parts = self.key_point_parts
        return parts[index] if index < len(parts) else None


@dataclass
class Script:
    """One bank file: an ordered interview script or a set of questions."""

    id: str
    """Stable script id."""
    title: str
    """Human title."""
    kind: str
    """"questions" or "conversation" (an ordered oral interview that can be replayed)."""
    opening: str | None
    """The interviewer's opening line, or None."""
    closing: str | None
    """The interviewer's closing line, or None."""
    questions: list[Question]
    """Questions in script order."""
    path: Path
    """The file it was loaded from."""
    description: str | None = None
    """One paragraph about the script."""
    source: str | None = None
    """The seed document it was written from."""
    framework: list[str] = field(default_factory=list)
    """Steps of the answer framework the script teaches (e.g. STAR+AT)."""


@dataclass
class Bank:
    """All scripts of a bank folder."""

    scripts: list[Script]
    """Scripts in file-name order."""

    def script(self, script_id: str) -> Script:
        """The script with this id; UsageError naming the known ids otherwise."""
        for script in self.scripts:
            if script.id == script_id:
                return script
        ids = [s.id for s in self.scripts]
        near = _nearest_ids(script_id, ids, 1)
        raise UsageError(f"no script {script_id!r} in the bank"
                         + (f"; did you mean {near[0]}?" if near else ""),
                         f"known scripts: {', '.join(ids)}")

    def question(self, question_id: str) -> Question:
        """The question with this id; UsageError otherwise. A follow-up's id (`FOLLOW_UP_SUFFIX`
        after its question's, as sessions record it) gives the follow-up as it is asked and
        scored (`follow_up_question`); where the question has several, `#follow-up-N` names
        the N-th."""
        for script in self.scripts:
            for question in script.questions:
                if question.id == question_id:
                    return question
        if (probe := _follow_up_id(question_id)) is not None:
            return self._follow_up(*probe)
        near = _nearest_ids(question_id, [q.id for q in self.all_questions()], 3)
        raise UsageError(
            f"no question {question_id!r} in the bank"
            + (f"; did you mean {', '.join(near)}?" if near else ""),
            "`oral-sim bank list` shows the ids")

    def asked(self, question_id: str, prompt: str) -> Question:
        """The question a session recorded as asked (its id and the prompt said), as it was
        asked: for a follow-up, the probe of that prompt among its question's. UsageError when
        it is no longer in the bank."""
        if (probe := _follow_up_id(question_id)) is None:
            return self.question(question_id)
        parent = self.question(probe[0])
        for follow_up in parent.follow_ups:
            if follow_up.prompt == prompt:
                return follow_up_question(parent, follow_up)
        raise UsageError(f"{parent.id} no longer has the follow-up {prompt!r}",
                         f"`oral-sim bank show {parent.id}` lists its follow-ups")

    def _follow_up(self, parent_id: str, number: int | None) -> Question:
        parent = self.question(parent_id)
        probes = parent.follow_ups
        name = parent.id + FOLLOW_UP_SUFFIX
        if not probes:
            raise UsageError(f"{parent.id} has no follow-up questions",
                             f"`oral-sim bank show {parent.id}` shows the question")
        if number is None and len(probes) > 1:
            raise UsageError(
                f"{parent.id} has {len(probes)} follow-ups; name one: "
                + ", ".join(f"{name}-{n}" for n in range(1, len(probes) + 1)),
                f"`oral-sim bank show {parent.id}` lists them in that order")
        if number is not None and not 1 <= number <= len(probes):
            raise UsageError(f"{parent.id} has {len(probes)} follow-up"
                             f"{'s' if len(probes) > 1 else ''}, not {number}",
                             f"`oral-sim bank show {parent.id}` lists them")
        return follow_up_question(parent, probes[(number or 1) - 1])

    def all_questions(self) -> list[Question]:
        """Every question of every script, in bank order."""
        return [q for s in self.scripts for q in s.questions]


def parent_id(question_id: str) -> str | None:
    """The question a follow-up id ("mlq-001#follow-up", "pdd-01#follow-up-2") belongs to; None
    for an id that names no follow-up."""
    found = _follow_up_id(question_id)
    return found[0] if found is not None else None


def _follow_up_id(question_id: str) -> tuple[str, int | None] | None:
    """("mlq-001", None) for "mlq-001#follow-up", ("mlq-001", 2) for "mlq-001#follow-up-2";
    None for an id that names no follow-up."""
    found = re.fullmatch(rf"(.+){re.escape(FOLLOW_UP_SUFFIX)}(?:-([1-9][0-9]*))?", question_id.strip())
    if found is None:
        return None
    return found.group(1), int(found.group(2)) if found.group(2) else None


def follow_up_question(parent: Question, probe: FollowUp) -> Question:
    """A follow-up probe as a question of its own: scored against its own model answer and key
    points where the bank gives them, else against the missed key point it probes. Its id is
    the parent's with `FOLLOW_UP_SUFFIX`, and "-N" where the parent has several (pdd-01's two
    were both recorded as "pdd-01#follow-up", which named neither)."""
    index = probe.key_point if probe.key_point is not None else 0
    number = next((n for n, p in enumerate(parent.follow_ups, 1) if p == probe), 1)
    suffix = FOLLOW_UP_SUFFIX + (f"-{number}" if len(parent.follow_ups) > 1 else "")
    if probe.key_points:
        reference = probe.reference_answer or " ".join(probe.key_points)
        points, examples = list(probe.key_points), []
    else:
        reference = parent.key_points[index]
        points, examples = [reference], [parent.examples_of(index)]
    return Question(
        id=parent.id + suffix,
        prompt=probe.prompt,
        category=parent.category,
        difficulty=parent.difficulty,
        timebox_s=max(30, parent.timebox_s // 2),
        reference_answer=reference,
        key_points=points,
        follow_ups=[],
        source_line=parent.source_line,
        source_path=parent.source_path,
        script_id=parent.script_id,
        key_point_examples=examples,
        probes=parent.key_points[index] if 0 <= index < len(parent.key_points) else None,
    )


def _nearest_ids(given: str, ids: list[str], n: int) -> list[str]:
    """The ids a mistyped one most likely meant, best first (at most `n`): the same id in
    another case ("MLQ-001"), the same number with other zeros ("mlq-01": mlq-001, where the
    closest spellings were mlq-051, mlq-041, mlq-031), else the closest spellings."""
    import difflib

    lowered = {i.lower(): i for i in ids}
    wanted = given.strip().lower()
    near = ([lowered[wanted]] if wanted in lowered else
            [lowered[k] for k in difflib.get_close_matches(wanted, list(lowered), n=n, cutoff=0.6)])
    if (numbered := re.fullmatch(r"(.*?)(\d+)", wanted)) is not None:
        stem, number = numbered.group(1), int(numbered.group(2))
        same = [lowered[k] for k in lowered
                if (m := re.fullmatch(r"(.*?)(\d+)", k)) is not None
                and m.group(1) == stem and int(m.group(2)) == number]
        # zeros left out ("mlq-01") mean that one; zeros added ("mlq-0011") may be a typo of a
        # close id as well
        others = [] if same and len(wanted) < len(same[0]) else near
        near = same + [q for q in others if q not in same][: max(0, n - 1)]
    return near[:n]


#: PyYAML's loader over libyaml when the wheel has it (the bank's four files load in 0.04 s
#: against 0.32 s with the pure-Python one, which held the first screen back; the same nodes,
#: line marks and errors), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_bank(path: str | Path | None = None) -> Bank:
    """Load a bank folder (every *.yaml in it) or a single bank file; default `locations.bank_dir()`.
    A broken bank raises its first problem as a `BankError` (`check_bank` lists them all)."""
    root = Path(path) if path is not None else locations.bank_dir()
    files = _bank_files(root)
    contents = [(f, _read_bank_file(f)) for f in files]
    cache = _cache_file(contents)
    cached = _read_cache(cache)
    if cached is not None:
        return cached
    checked = [_parse_bank_file(f, raw) for f, raw in contents]
    bank_problems.raise_first(_problems_of(checked), root)
    bank = Bank([c.script for c in checked if c.script is not None])
    _write_cache(cache, bank)
    return bank


@dataclass
class BankCheck:
    """What `check_bank` found."""

    files: list[Path]
    """The bank files checked."""
    problems: list[BankError]
    """Every problem found, file by file in `files` order, each file's by line."""
    bank: Bank | None
    """The bank, when there is no problem."""


def check_bank(path: str | Path | None = None) -> BankCheck:
    """Check a bank folder or file like `load_bank`, but find every problem of every file
    instead of stopping at the first (`oral-sim bank validate`). The bank cache is not used.
    A missing folder, or one without bank files, still raises a `BankError`."""
    files = _bank_files(Path(path) if path is not None else locations.bank_dir())
    checked = [_check_file(f) for f in files]
    problems = _problems_of(checked)
    bank = None if problems else Bank([c.script for c in checked if c.script is not None])
    return BankCheck(files, problems, bank)


def _bank_files(root: Path) -> list[Path]:
    """The bank files of a folder (by name), or the file itself; BankError when there are none."""
    if root.is_dir():
        files = sorted(p for p in root.iterdir() if p.suffix in BANK_SUFFIXES and p.is_file())
        if not files:
            raise BankError(
                str(root), 0, "no bank files (*.yaml) in this folder", "see scripts_bank/README.md"
            )
        return files
    if root.is_file():
        return [root]
    raise BankError(str(root), 0, "no such bank file or folder", "check the path or ORAL_SIM_BANK")


#: Bumped when the cached form of a bank changes in a way the loader's source does not show.
CACHE_FORMAT = 1


def _cache_file(contents: list[tuple[Path, bytes]]) -> Path:
    """Where the bank parsed from exactly these files is kept: the name is a digest of their
    paths and bytes, of the loader's own source and of the Python version, so an edited bank
    file or a changed loader is parsed again."""
    digest = hashlib.sha256(f"{CACHE_FORMAT} {sys.version}".encode())
    for module in (__file__, fmt.__file__, bank_problems.__file__,
                   Path(__file__).with_name("bank_schema.py")):
        digest.update(Path(module).read_bytes())
    for path, raw in contents:
        digest.update(str(path.resolve()).encode() + b"\0" + hashlib.sha256(raw).digest())
    return locations.cache_dir() / "bank" / f"{digest.hexdigest()[:32]}.pickle"


def _read_cache(path: Path) -> Bank | None:
    """The bank kept at `path`, or None (not there, unreadable, or not a bank)."""
    try:
        with path.open("rb") as f:
            bank = pickle.load(f)
    except Exception:  # not there, or damaged: parsed again, never an error
        return None
    return bank if isinstance(bank, Bank) else None


def _write_cache(path: Path, bank: Bank) -> None:
    """Keep the parsed bank for the next launch (YAML and validation cost 0.3 s of the first
    screen; the cached bank loads in a few ms). Only the newest is kept; nowhere to write is
    no error."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        locations.ensure_private_dir(path.parent)
        for old in path.parent.glob("*.pickle"):
            old.unlink(missing_ok=True)
        with tmp.open("wb") as f:
            pickle.dump(bank, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def load_script(path: str | Path) -> Script:
    """Load and validate one bank file; its first problem raises a `BankError`."""
    path = Path(path)
    checked = _parse_bank_file(path, _read_bank_file(path))
    bank_problems.raise_first(_problems_of([checked]), path)
    assert checked.script is not None
    return checked.script


def _read_bank_file(path: Path) -> bytes:
    """The bytes of one bank file; BankError when it cannot be read or is too large."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BankError(str(path), 0, f"cannot read the file ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise BankError(str(path), 0, f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    return raw


def parse_script_text(text: str, path: str | Path) -> Script:
    """Parse and validate bank-file text; `path` is used in messages and as `Script.path`.
    The first problem (by line) raises a `BankError` whose hint counts the others."""
    checked = _check_text(text, Path(path))
    bank_problems.raise_first(_problems_of([checked]), Path(path))
    assert checked.script is not None
    return checked.script


def script_to_dict(script: Script) -> dict[str, Any]:
    """The JSON shape of `oral-sim bank list --json` for one script."""
    return {
        "id": script.id,
        "title": script.title,
        "kind": script.kind,
        "questions": [question_to_dict(q) for q in script.questions],
    }


def question_to_dict(question: Question) -> dict[str, Any]:
    """The JSON shape of one question."""
    return {
        "id": question.id,
        "prompt": question.prompt,
        "category": question.category,
        "difficulty": question.difficulty,
        "timebox_s": question.timebox_s,
        "reference_answer": question.reference_answer,
        "key_points": list(question.key_points),
        "key_point_examples": [question.examples_of(i) for i in range(len(question.key_points))],
        "key_point_parts": [question.part_of(i) for i in range(len(question.key_points))],
        "follow_ups": [
            {"prompt": f.prompt, "key_point": None if f.key_point is None else f.key_point + 1,
             "reference_answer": f.reference_answer, "key_points": list(f.key_points)}
            for f in question.follow_ups
        ],
        **({"probes": question.probes} if question.probes else {}),
    }


# --- internals -------------------------------------------------------------------------------


@dataclass
class _Checked:
    """One bank file, checked on its own (ids used twice across files: `_duplicate_ids`)."""

    path: Path
    """The bank file."""
    problems: list[BankError] = field(default_factory=list)
    """What is wrong in the file, in the order found."""
    script: Script | None = None
    """The script, when the file has no problem of its own."""
    script_id: tuple[str, int] | None = None
    """The script id the file declares and its line, read before validation (None: none)."""
    question_ids: list[tuple[str, int]] = field(default_factory=list)
    """The question ids it declares and their lines, read before validation."""


def _check_file(path: Path) -> _Checked:
    """One bank file read and checked; a file that cannot be read is its one problem."""
    try:
        raw = _read_bank_file(path)
    except BankError as exc:
        return _Checked(path, [exc])
    return _parse_bank_file(path, raw)


def _parse_bank_file(path: Path, raw: bytes) -> _Checked:
    """One bank file's bytes, decoded, parsed and checked."""
    try:
        text = textfile.to_text(raw)
    except UnicodeDecodeError as exc:
        line, words = textfile.undecodable(raw, exc)
        return _Checked(path, [BankError(str(path), line, f"{words}; is this a bank file?",
                                         textfile.SAVE_AS_UTF8)])
    return _check_text(text, path)


def _check_text(text: str, path: Path) -> _Checked:
    """Every problem of one file's text that can be found: all of its duplicate keys and schema
    errors together; a problem that leaves nothing to check (binary data, YAML syntax, an empty
    file, not a mapping) alone."""
    where = str(path)
    checked = _Checked(path)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        checked.problems.append(BankError(where, line, "binary data in a text file"))
        return checked
    try:
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            if node is not None and bank_problems.expanded_nodes(node) > bank_problems.MAX_NODES:
                # aliases of aliases ("billion laughs"): 9 levels took minutes to build
                if bank_problems.written_nodes(node) > bank_problems.MAX_NODES:
                    # no alias to blame: 26,000 questions written out (a bank holds dozens)
                    checked.problems.append(BankError(
                        where, 0, f"the file holds more than {bank_problems.MAX_NODES:,} "
                        "values: far more than a bank holds",
                        "split it into bank files of at most a few hundred questions"))
                else:
                    checked.problems.append(BankError(
                        where, 0, f"the YAML aliases (*name) expand to more than "
                        f"{bank_problems.MAX_NODES:,} values: far more than a bank holds",
                        "write the questions out, or use fewer nested aliases"))
                return checked
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        line, problem = bank_problems.yaml_problem(exc)
        checked.problems.append(BankError(where, line, problem, bank_problems.SYNTAX_HINT))
        return checked
    except yaml.YAMLError as exc:
        checked.problems.append(BankError(where, 0, f"YAML: {exc}", bank_problems.SYNTAX_HINT))
        return checked
    except RecursionError:
        checked.problems.append(BankError(where, 0, "nesting too deep"))
        return checked
    if node is None:
        checked.problems.append(BankError(where, 1, "the file is empty", "see scripts_bank/README.md"))
        return checked
    checked.problems += bank_problems.duplicate_keys(node, where)
    if not isinstance(data, dict):
        checked.problems.append(
            BankError(where, 1, "a bank file is a mapping with `script`, `title` and `questions`")
        )
        return checked
    checked.script_id, checked.question_ids = _ids_of(data, node)
    filled = _apply_defaults(data)
    from pydantic import ValidationError

    from oral_sim.engine import bank_schema as schema

    try:
        model = schema.ScriptModel.model_validate(filled)
    except ValidationError as exc:
        checked.problems += [
            BankError(where, bank_problems.line_of(node, loc),
                      bank_problems.describe(error, loc, filled))
            for error, loc in bank_problems.schema_errors(exc.errors(), data, filled)
        ]
    else:
        if not checked.problems:
            checked.script = _to_script(model, node, path)
    return checked


def _problems_of(checked: list[_Checked]) -> list[BankError]:
    """Every problem of these files, ids used twice among them included: file by file, each
    file's by line."""
    found: dict[str, list[BankError]] = {str(c.path): list(c.problems) for c in checked}
    for problem in _duplicate_ids(checked):
        found[problem.path].append(problem)
    return [p for problems in found.values() for p in sorted(problems, key=lambda p: p.line)]


def _ids_of(data: dict[str, Any], root: yaml.Node) -> tuple[tuple[str, int] | None,
                                                            list[tuple[str, int]]]:
    """The script id and question ids a file declares, with their lines, as written (stripped,
    as the schema strips them): read before validation, so that an id used twice is reported
    with the file's other problems."""
    script = data.get("script")
    script_id = ((script.strip(), bank_problems.line_of(root, ("script",)))
                 if isinstance(script, str) else None)
    questions = data.get("questions")
    question_ids = [
        (q["id"].strip(), bank_problems.line_of(root, ("questions", index)))
        for index, q in enumerate(questions if isinstance(questions, list) else [])
        if isinstance(q, dict) and isinstance(q.get("id"), str)
    ]
    return script_id, question_ids


def _duplicate_ids(checked: list[_Checked]) -> list[BankError]:
    """A script id or question id declared a second time, in these files together; reported
    where it is declared again."""
    problems = []
    scripts: dict[str, Path] = {}
    questions: dict[str, tuple[Path, int]] = {}
    for file in checked:
        if file.script_id is not None:
            script_id, line = file.script_id
            if script_id in scripts:
                problems.append(BankError(
                    str(file.path), line,
                    f"script id {script_id!r} is already used by {scripts[script_id].name}",
                ))
            scripts.setdefault(script_id, file.path)
        for question_id, line in file.question_ids:
            if question_id in questions:
                other, other_line = questions[question_id]
                problems.append(BankError(
                    str(file.path), line,
                    f"question id {question_id!r} is already used in {other.name}:{other_line}",
                ))
            questions.setdefault(question_id, (file.path, line))
    return problems


def _apply_defaults(data: dict[str, Any]) -> dict[str, Any]:
    defaults = data.get("defaults")
    questions = data.get("questions")
    if not isinstance(defaults, dict) or not isinstance(questions, list):
        return data
    filled = []
    for q in questions:
        if isinstance(q, dict):
            q = {**{k: v for k, v in defaults.items() if v is not None and k not in q}, **q}
        filled.append(q)
    return {**data, "questions": filled}


def _to_script(model: schema.ScriptModel, root: yaml.Node, path: Path) -> Script:
    questions_node = bank_problems.child(root, "questions")
    questions = []
    for index, q in enumerate(model.questions):
        qnode = bank_problems.child(questions_node, index)
        line = qnode.start_mark.line + 1 if qnode is not None else 0
        questions.append(
            Question(
                id=q.id,
                prompt=q.prompt,
                category=q.category,
                difficulty=q.difficulty,
                timebox_s=q.timebox_s,
                reference_answer=q.reference_answer,
                key_points=[k if isinstance(k, str) else k.point for k in q.key_points],
                key_point_examples=[[] if isinstance(k, str) else list(k.examples)
                                    for k in q.key_points],
                key_point_parts=[None if isinstance(k, str) else k.part for k in q.key_points],
                follow_ups=[
                    FollowUp(f.prompt, None if f.key_point is None else f.key_point - 1,
                             f.reference_answer, list(f.key_points))
                    for f in q.follow_ups
                ],
                source_line=line,
                source_path=path,
                script_id=model.script,
                tags=list(q.tags),
                notes=q.notes,
            )
        )
    return Script(
        id=model.script,
        title=model.title,
        kind=model.kind,
        opening=model.opening,
        closing=model.closing,
        questions=questions,
        path=path,
        description=model.description,
        source=model.source,
        framework=list(model.framework),
    )
