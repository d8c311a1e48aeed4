"""The scripts bank: the loader's validation (one broken file per kind of mistake), the shipped
content against the seed documents, and the `bank` CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oral_sim import locations
from oral_sim.cli import main
from oral_sim.engine.bank import Bank, load_bank, load_script, parse_script_text
from oral_sim.errors import BankError

FIXTURES = Path(__file__).parent / "fixtures" / "bank"
SEEDS = locations.PROJECT_ROOT.parent / "shared" / "seeds"

# (fixture, line the message must name, words the message must contain)
BROKEN = [
    ("syntax.yaml", 4, "YAML syntax: a [list] that is not closed with ']'"),
    ("missing_field.yaml", 4, "missing required field `reference_answer`"),
    ("duplicate_id.yaml", 14, "'t-1' is already used"),
    ("duplicate_key.yaml", 8, "`difficulty` appears twice"),
    ("few_key_points.yaml", 10, "3 to 8 key points, found 2"),
    ("many_key_points.yaml", 10, "3 to 8 key points, found 9"),
    ("negative_timebox.yaml", 8, "timebox_s must be between"),
    ("zero_timebox.yaml", 8, "got 0"),
    ("unknown_category.yaml", 6, "unknown category 'philosophy'"),
    ("unknown_difficulty.yaml", 7, "unknown difficulty 'brutal'. Use one of: easy"),
    ("unknown_field.yaml", 6, "unknown field `promt`"),
    ("bad_id.yaml", 4, "not a valid id"),
    ("follow_up_range.yaml", 16, "question 1 (t-1): a follow-up probes key point 7"),  # at its line
    ("follow_up_answer_alone.yaml", 15, "needs its own key_points too"),
    ("no_questions.yaml", 3, "no questions"),
    ("empty.yaml", 1, "empty"),
    ("not_utf8.yaml", 2, "not UTF-8"),
    ("empty_reference.yaml", 9, "`reference_answer` must not be empty"),
    ("example_empty.yaml", 13, "`examples` needs 1 to 20 sentences, found 0"),
    ("example_unknown_field.yaml", 15, "unknown field `sample`"),
    ("key_point_not_text.yaml", 12, "a key point is text, or a mapping with `point` and `examples`"),
    ("key_point_bad_part.yaml", 15, "unknown part 'result'; did you mean `results`? Use one of: situation_task, actions"),
]


@pytest.mark.parametrize(("name", "line", "words"), BROKEN, ids=[b[0] for b in BROKEN])
def test_each_mistake_is_reported_with_file_and_line(name: str, line: int, words: str) -> None:
    path = FIXTURES / name
    with pytest.raises(BankError) as info:
        load_script(path)
    assert str(info.value).startswith(f"{path}:{line}: "), str(info.value)
    assert words in info.value.problem
    assert info.value.line == line


@pytest.mark.parametrize("name", ["syntax.yaml", "unknown_category.yaml", "empty.yaml"])
def test_validate_cli_prints_location_and_exits_2(name: str, capsys: pytest.CaptureFixture) -> None:
    code = main(["bank", "validate", str(FIXTURES / name)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{FIXTURES / name}:" in err
    assert "Traceback" not in err


def _validate(capsys: pytest.CaptureFixture, path: Path) -> tuple[int, list[tuple[str, int, str]], str]:
    """Run `oral-sim bank validate PATH`: its exit code, the (file, line, problem) it printed,
    and all it printed on stderr."""
    code = main(["bank", "validate", str(path)])
    err = capsys.readouterr().err
    found = [(m[1], int(m[2]), m[3]) for m in re.finditer(r"^(\S+\.yaml):(\d+): (.*)$", err, re.M)]
    return code, found, err


# (line, words) of every problem in many_problems.yaml, in line order
MANY = [
    (4, "question 1 (m-1): missing required field `reference_answer`"),
    (17, "question 2 (m-2): `timebox_s`: Input should be a valid integer"),
    (31, "question 3 (m-3): `key_points` item 2 must not be empty"),
    (35, "question 4 (m-4): unknown field `promt`; did you mean `prompt`?"),
    (38, "`difficulty` appears twice here"),
    (43, "question 4 (m-4): `key_points`: a key point is text, or a mapping"),
    (44, "question 4 (m-4): missing required field `examples`"),
    (45, "question 4 (m-4): unknown field `sample`; did you mean `examples`?"),
    (48, "question id 'm-1' is already used in many_problems.yaml:4"),
    (50, "question 5 (m-1): unknown category 'philosophy'"),
]


def test_validate_reports_every_problem_of_a_file_by_line(capsys: pytest.CaptureFixture) -> None:
    """Schema errors in five questions, a duplicate key and an id used twice: all of them at
    once, each once (a bad key point is not also reported against the other form it could
    take), in line order, then the count."""
    path = FIXTURES / "many_problems.yaml"
    code, found, err = _validate(capsys, path)
    assert code == 2
    assert {f for f, _, _ in found} == {str(path)}
    assert [line for _, line, _ in found] == [line for line, _ in MANY]
    for (_, _, problem), (line, words) in zip(found, MANY, strict=True):
        assert problem.startswith(words), (line, problem)
    assert err.splitlines()[-1] == "10 problems in 1 file (of 1 bank file checked)"


def test_loading_a_file_with_many_problems_names_the_first_and_counts_the_rest() -> None:
    path = FIXTURES / "many_problems.yaml"
    with pytest.raises(BankError) as info:
        load_script(path)
    assert info.value.line == 4 and "missing required field `reference_answer`" in info.value.problem
    assert info.value.hint == f"9 more problems: `oral-sim bank validate {path}` lists them all"


def test_validate_stops_at_a_yaml_syntax_error_and_says_so(capsys: pytest.CaptureFixture) -> None:
    code, found, err = _validate(capsys, FIXTURES / "syntax.yaml")
    assert (code, [line for _, line, _ in found]) == (2, [4])  # the line where the [ opens
    assert "hint: nothing after a YAML syntax error is checked" in err
    assert err.splitlines()[-1] == "1 problem in 1 file (of 1 bank file checked)"


DEFAULTS_GONE_WRONG = """script: fixture-d
title: A bad default
defaults:
  category: philosophy
questions:
  - id: d-1
    prompt: What is overfitting?
    difficulty: easy
    timebox_s: 90
    reference_answer: A model that learns the noise of its training data.
    key_points: [learns noise, fails to generalize, regularization helps]
  - id: d-2
    prompt: What is underfitting?
    difficulty: easy
    difficulty: easy
    timebox_s: 90
    reference_answer: A model too simple for its data.
    key_points: [too simple, high bias, more capacity helps]
"""


def test_validate_reports_problems_of_every_file_and_ids_across_them(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Every file is checked, whatever the others hold: an id another file uses, a bad value,
    a file that is not text, and a bad `defaults` reported once where it is written (not again
    in each question that takes it)."""
    good = (FIXTURES / "good.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(good, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(
        good.replace("fixture-good", "fixture-b").replace("difficulty: easy", "difficulty: brutal"),
        encoding="utf-8")
    (tmp_path / "c.yaml").write_bytes(b"script: c\ntitle: \xff\n")
    (tmp_path / "d.yaml").write_text(DEFAULTS_GONE_WRONG, encoding="utf-8")
    code, found, err = _validate(capsys, tmp_path)
    assert code == 2
    assert [(Path(f).name, line) for f, line, _ in found] == [
        ("b.yaml", 4), ("b.yaml", 7), ("c.yaml", 2), ("d.yaml", 4), ("d.yaml", 15)]
    assert found[0][2] == "question id 't-1' is already used in a.yaml:4"
    assert found[1][2].startswith("question 1 (t-1): unknown difficulty 'brutal'")
    assert found[2][2].startswith("not UTF-8")
    assert found[3][2].startswith("unknown category 'philosophy'")
    assert found[4][2] == "`difficulty` appears twice here"
    assert err.splitlines()[-1] == "5 problems in 3 files (of 4 bank files checked)"


def test_duplicate_question_id_across_files(tmp_path: Path) -> None:
    with pytest.raises(BankError) as info:
        load_bank(FIXTURES / "crossdup")
    assert info.value.path.endswith("b.yaml")
    assert "already used in a.yaml:4" in info.value.problem


def test_good_fixture_loads_with_follow_up_and_lines() -> None:
    script = load_script(FIXTURES / "good.yaml")
    (q,) = script.questions
    assert (q.id, q.category, q.difficulty, q.timebox_s) == ("t-1", "conceptual", "easy", 90)
    assert q.key_points == ["learns noise", "fails to generalize", "regularization helps"]
    # The file says key_point: 2 (1-based); the engine uses 0-based indexes.
    assert q.follow_ups[0].key_point == 1
    assert q.source_line == 4
    assert q.script_id == "fixture-good"


def test_defaults_fill_missing_fields(tmp_path: Path) -> None:
    text = (FIXTURES / "good.yaml").read_text().replace("    category: conceptual\n", "")
    text = text.replace("questions:\n", "defaults:\n  category: debugging\n  timebox_s: 45\nquestions:\n")
    text = text.replace("    timebox_s: 90\n", "")
    q = parse_script_text(text, tmp_path / "d.yaml").questions[0]
    assert (q.category, q.timebox_s) == ("debugging", 45)


def test_missing_folder_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(BankError, match="no such bank"):
        load_bank(tmp_path / "nope")
    with pytest.raises(BankError, match=r"no bank files"):
        load_bank(tmp_path)


def test_parsed_bank_is_cached_and_edits_are_seen(tmp_path: Path) -> None:
    """A second load reads the kept bank (no YAML, no validation: 0.3 s of the first screen);
    an edited file, a damaged cache and nowhere to write are all parsed again, never an error."""
    import oral_sim.engine.bank as bank_module

    folder = tmp_path / "bank"
    folder.mkdir()
    source = (locations.bank_dir() / "system-design.yaml").read_text(encoding="utf-8")
    (folder / "design.yaml").write_text(source, encoding="utf-8")
    first = load_bank(folder)
    kept = list((locations.cache_dir() / "bank").glob("*.pickle"))
    assert len(kept) == 1

    calls = []
    real = bank_module._parse_bank_file

    def counting(path, raw):
        calls.append(path)
        return real(path, raw)

    bank_module._parse_bank_file = counting
    try:
        assert load_bank(folder) == first and calls == []  # from the cache

        edited = source.replace("title: '", "title: 'Edited ", 1)
        (folder / "design.yaml").write_text(edited, encoding="utf-8")
        assert load_bank(folder).scripts[0].title.startswith("Edited ")
        assert len(calls) == 1
        assert len(list((locations.cache_dir() / "bank").glob("*.pickle"))) == 1  # newest only

        for cached in (locations.cache_dir() / "bank").glob("*.pickle"):
            cached.write_bytes(b"not a pickle")
        assert load_bank(folder).scripts[0].title.startswith("Edited ")
        assert len(calls) == 2

        (folder / "broken.yaml").write_text("script: [\n", encoding="utf-8")
        with pytest.raises(BankError, match=r"broken.yaml:\d+: YAML syntax"):
            load_bank(folder)  # a broken file is never hidden by a cache
    finally:
        bank_module._parse_bank_file = real


def test_bank_loads_when_the_cache_cannot_be_written(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setattr(locations, "cache_dir", lambda: blocker)
    assert load_bank().all_questions()
    assert blocker.is_file()


# --- the shipped bank against the seeds ------------------------------------------------------


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank()


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip().lower()


def _seed(prefix: str) -> str:
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"seed documents not found in {SEEDS}")
    return matches[0].read_text(encoding="utf-8")


def test_shipped_bank_loads_with_all_scripts(bank: Bank) -> None:
    ids = {s.id for s in bank.scripts}
    assert {"ml-questions", "oral-interview", "project-deep-dive", "system-design"} <= ids
    questions = bank.all_questions()
    assert len({q.id for q in questions}) == len(questions)
    for q in questions:
        assert 3 <= len(q.key_points) <= 8, q.id
        assert q.reference_answer.strip() and q.prompt.strip(), q.id


def test_every_question_of_the_54_question_seed_is_in_the_bank(bank: Bank) -> None:
    seed = _seed("003")
    lines = seed.splitlines()
    pairs = [
        (line.rstrip("▾ ").strip(), lines[i + 1].strip())
        for i, line in enumerate(lines)
        if line.rstrip().endswith("▾")
    ]
    assert len(pairs) == 54
    script = bank.script("ml-questions")
    by_prompt = {_norm(q.prompt): q for q in script.questions}
    for question, answer in pairs:
        assert _norm(question) in by_prompt, question
        assert _norm(by_prompt[_norm(question)].reference_answer) == _norm(answer), question
    assert [_norm(q) for q, _ in pairs] == [_norm(q.prompt) for q in script.questions]


def test_every_interviewer_turn_of_the_oral_interview_is_in_order(bank: Bank) -> None:
    seed = _seed("004")
    turns: list[str] = []
    speaker = None
    for line in seed.splitlines():
        label = line.strip().rstrip(":")
        if line.strip() in ("Interviewer:", "Candidate:"):
            speaker = label
            if speaker == "Interviewer":
                turns.append("")
            continue
        if speaker == "Interviewer" and line.strip():
            turns[-1] = (turns[-1] + " " + line.strip()).strip()
    assert len(turns) >= 15
    script = bank.script("oral-interview")
    assert script.kind == "conversation"
    spoken = [_norm(script.opening or "")] + [_norm(q.prompt) for q in script.questions]
    spoken.append(_norm(script.closing or ""))
    position = 0
    for turn in turns:
        hits = [i for i, text in enumerate(spoken) if _norm(turn) in text and i >= position]
        assert hits, f"interviewer turn missing or out of order: {turn!r}"
        position = hits[0]
    assert script.closing, "the interviewer's closing line is kept"


def test_project_and_design_scripts_carry_their_frameworks(bank: Bank) -> None:
    deep = bank.script("project-deep-dive")
    assert deep.framework and any(q.follow_ups for q in deep.questions)
    assert any(q.timebox_s >= 240 for q in deep.questions)
    design = bank.script("system-design")
    assert len(design.framework) == 5
    assert any("youtube" in _norm(q.prompt + q.reference_answer) for q in design.questions)


# --- CLI ---------------------------------------------------------------------------------------


def test_bank_list_json_shape(capsys: pytest.CaptureFixture) -> None:
    assert main(["bank", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scripts"]
    for script in data["scripts"]:
        assert {"id", "title", "questions"} <= set(script)
        for q in script["questions"]:
            assert {"id", "prompt", "category", "difficulty", "timebox_s", "reference_answer",
                    "key_points"} <= set(q)


def test_bank_show_question_and_unknown_id(capsys: pytest.CaptureFixture) -> None:
    assert main(["bank", "show", "t-1", "--bank", str(FIXTURES / "good.yaml")]) == 0
    out = capsys.readouterr().out
    assert "What is overfitting?" in out and "2. fails to generalize" in out
    assert main(["bank", "show", "nope", "--bank", str(FIXTURES / "good.yaml")]) == 2
    assert "no question 'nope'" in capsys.readouterr().err
    # an id in other case, or nearly right, gets a suggestion (it got only the list command)
    assert main(["bank", "show", "MLQ-001"]) == 2
    assert "did you mean mlq-001?" in capsys.readouterr().err
    assert main(["bank", "show", "mlq-01"]) == 2  # the same number, other zeros
    assert "did you mean mlq-001?" in capsys.readouterr().err
    assert main(["bank", "show", "mlq-0011"]) == 2
    assert re.search(r"did you mean [^?]*\bmlq-001\b", capsys.readouterr().err)


def test_validate_console_script_on_the_shipped_bank(capsys: pytest.CaptureFixture) -> None:
    exe = Path(sys.executable).parent / "oral-sim"
    out = subprocess.run([str(exe), "bank", "validate"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert re.match(r"ok: \d+ scripts, \d+ questions", out.stdout)
    assert main(["bank", "validate", str(FIXTURES / "good.yaml")]) == 0  # not "1 scripts"
    assert capsys.readouterr().out.startswith("ok: 1 script, 1 question\n")


# --- anything thrown at the loader -------------------------------------------------------------


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_text_gives_a_script_or_a_bank_error(text: str) -> None:
    try:
        parse_script_text(text, "fuzz.yaml")
    except BankError as exc:
        assert str(exc).startswith("fuzz.yaml:")


@settings(max_examples=60, deadline=None)
@given(
    st.builds(
        lambda q: "script: f\ntitle: t\nquestions:\n  - " + q,
        st.text(alphabet=st.sampled_from(list("abc:-[]{}'\"\n #|>0123456789")), max_size=200),
    )
)
def test_yaml_shaped_junk_gives_a_bank_error(text: str) -> None:
    with pytest.raises(BankError):
        parse_script_text(text, "junk.yaml")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_in_a_file(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bytes.yaml"
    path.write_bytes(data)
    try:
        load_script(path)
    except BankError as exc:
        assert str(exc).startswith(f"{path}:")


def test_a_key_point_can_carry_examples(tmp_path: Path) -> None:
    path = tmp_path / "ex.yaml"
    path.write_text("""script: ex
title: Examples
questions:
  - id: ex-1
    prompt: Walk me through a project.
    category: project-deep-dive
    difficulty: hard
    timebox_s: 120
    reference_answer: A story.
    key_points:
      - The problem and why it mattered
      - point: 'Role and ownership: your scope'
        examples:
          - I was the tech lead, with two engineers reporting to me.
          - I owned the model from data to deployment.
      - point: Results with numbers
        part: results
        examples:
          - Latency fell by a third.
""", encoding="utf-8")
    q = load_script(path).questions[0]
    assert q.key_points == ["The problem and why it mattered", "Role and ownership: your scope",
                            "Results with numbers"]
    assert q.examples_of(0) == [] and len(q.examples_of(1)) == 2 and q.examples_of(5) == []
    assert [q.part_of(i) for i in range(4)] == [None, None, "results", None]
    from oral_sim.engine.bank import question_to_dict

    assert question_to_dict(q)["key_point_examples"][1][0].startswith("I was the tech lead")
    assert question_to_dict(q)["key_point_parts"] == [None, None, "results"]


def test_shipped_rubric_points_carry_examples(bank: Bank) -> None:
    """Project deep-dives and the three own-story questions have rubric key points (what a good
    story holds, not the model answer's facts): every one has examples."""
    rubric = [q for q in bank.all_questions()
              if q.script_id == "project-deep-dive" or q.id in ("mlq-038", "mlq-039", "mlq-041")]
    assert len(rubric) >= 12
    for question in rubric:
        assert len(question.key_point_examples) == len(question.key_points)
        assert all(len(ex) >= 5 for ex in question.key_point_examples), question.id
    story = bank.question("mlq-039")
    assert not any("14%" in k or "churn" in k.lower() for k in story.key_points)
    # the rubric's story parts: "Results" points are results, "hindsight" points hindsight
    for question in rubric:
        for i, point in enumerate(question.key_points):
            if point.startswith("Results:"):
                assert question.part_of(i) == "results", (question.id, point)
            if point.lower().startswith("defense and hindsight"):
                assert question.part_of(i) == "hindsight", (question.id, point)


# (file text, line named, words) for YAML mistakes people make, said in words
YAML_MISTAKES = [
    ("script: s\ntitle: T\nquestions:\n  - id: a\n    prompt: Why: because\n", 5,
     "quote a value that contains ': '"),
    ("script: s\ntitle: T\n\tquestions: []\n", 3, "a tab: YAML indents with spaces only"),
    ('script: s\ntitle: "T\nquestions: []\n', 2, "a quote that is never closed"),
    ("script: s\ntags: [a, b\ntitle: T\n", 2, "a [list] that is not closed"),
    ("script: s\ntitle: T\n---\nscript: t\n", 3, "a second document (a '---' line)"),
]


@pytest.mark.parametrize(("text", "line", "words"), YAML_MISTAKES,
                         ids=["colon", "tab", "quote", "bracket", "two-documents"])
def test_yaml_mistakes_are_said_in_words_on_the_line_they_start(
        tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "mistake.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BankError) as info:
        load_script(path)
    assert info.value.line == line, str(info.value)
    assert words in info.value.problem
    assert "(PyYAML: " in info.value.problem  # the parser's own words stay for searching


def test_a_whole_file_problem_names_no_line_zero(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"#" * (6 * 1024 * 1024))
    with pytest.raises(BankError) as info:
        load_script(path)
    assert str(info.value).startswith(f"{path}: "), str(info.value)
    assert ":0:" not in str(info.value)


def test_practice_and_demo_refuse_an_unknown_script_before_any_screen(
        capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """`practice --script ml-question` opened the start screen on the first script, saying
    nothing; `--questions 0` was taken."""
    from oral_sim.ui import app as app_module

    def no_app(*args, **kwargs):
        raise AssertionError("no screen for a script that does not exist")

    monkeypatch.setattr(app_module, "make_app", no_app)
    for command in ("practice", "demo"):
        assert main([command, "--script", "ml-question"]) == 2
        err = capsys.readouterr().err
        assert "no script 'ml-question' in the bank; did you mean ml-questions?" in err, err
    with pytest.raises(SystemExit):
        main(["demo", "--headless", "--questions", "0"])
    assert "give 1 or more" in capsys.readouterr().err
    # the candidate's and the voice's numbers are checked before a session is stored (-1
    # fillers and NaN speed crashed mid-session and left an empty "interrupted" one)
    for option, value in (("--fillers", "-1"), ("--speed", "nan"), ("--speed", "0"),
                          ("--answer-sentences", "0")):
        with pytest.raises(SystemExit):
            main(["demo", "--headless", option, value])
        assert f"argument {option}" in capsys.readouterr().err


def test_a_huge_bank_file_without_aliases_is_not_blamed_on_aliases(tmp_path: Path) -> None:
    """26,000 questions written out (2.3 MB, no alias) were refused as "the YAML aliases (*name)
    expand to more than 200,000 values" (helper's sweep, 2026-12-04 midday)."""
    from oral_sim.engine.bank import check_bank

    lines = ["id: big", "title: Big", "kind: questions", "questions:"]
    for i in range(25_000):
        lines += [f"  - id: q{i:05d}", f"    prompt: What is concept {i}?",
                  "    key_points: [one, two, three]"]
    big = tmp_path / "big.yaml"
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (problem,) = check_bank(big).problems
    assert "the file holds more than 200,000 values" in str(problem)
    assert "alias" not in str(problem)


def test_nested_yaml_aliases_are_refused_at_once(tmp_path: Path) -> None:
    """Aliases of aliases nine deep ("billion laughs") kept `bank validate` busy for minutes
    (helper's sweep, 2026-12-04); the file is refused before anything is built. An alias used
    the ordinary way still works."""
    import time

    from oral_sim.engine.bank import check_bank

    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("script: bomb\ntitle: Bomb\n" + "\n".join(levels) + "\n", encoding="utf-8")
    start = time.perf_counter()
    problems = check_bank(bomb).problems
    assert time.perf_counter() - start < 5
    assert len(problems) == 1 and "aliases (*name) expand to more than 200,000" in str(problems[0])
    shared = tmp_path / "shared.yaml"
    points = "[learns noise not signal, fails on new data, regularization helps it]"
    shared.write_text(
        "script: shared\ntitle: Shared\nquestions:\n"
        f"  - {{id: a-1, prompt: What is overfitting?, category: conceptual, difficulty: easy,"
        f" timebox_s: 60, reference_answer: It learns noise., key_points: &kp {points}}}\n"
        "  - {id: a-2, prompt: And underfitting?, category: conceptual, difficulty: easy,"
        " timebox_s: 60, reference_answer: Too simple., key_points: *kp}\n", encoding="utf-8")
    assert check_bank(shared).problems == []


def test_an_unknown_option_is_said_with_its_commands_usage(capsys) -> None:
    """`oral-sim bank list --bogus` printed the top-level usage (helper's sweep, 2026-12-04)."""
    import pytest

    from oral_sim.cli import main

    with pytest.raises(SystemExit) as info:
        main(["bank", "list", "--bogus"])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "usage: oral-sim bank list" in err and "unrecognized arguments: --bogus" in err
