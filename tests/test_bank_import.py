"""The importer: the seed documents' shapes, a markdown notes file, unplaced content reported with
line numbers, and nothing but ImportProblem on junk."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oral_sim.cli import main
from oral_sim.engine.bank import parse_script_text
from oral_sim.engine.bank_import import import_file, import_text, key_points
from oral_sim.errors import ImportProblem

SEEDS = Path(__file__).parents[2] / "shared" / "seeds"
NOTES = Path(__file__).parent / "fixtures" / "import" / "ml_notes.md"


def _seed(prefix: str) -> Path:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seeds not found in {SEEDS}")
    return found[0]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip().lower()


def test_qa_list_seed_gives_all_54_questions_in_order() -> None:
    path = _seed("003")
    expected = [line.rstrip("▾ ").strip() for line in path.read_text().splitlines()
                if line.rstrip().endswith("▾")]
    result = import_file(path)
    assert result.shape == "qa-list"
    assert [q["prompt"] for q in result.questions] == expected
    assert all(3 <= len(q["key_points"]) <= 8 for q in result.questions)
    assert result.unplaced == []


def test_dialogue_seed_keeps_every_interviewer_turn_in_order() -> None:
    path = _seed("004")
    result = import_file(path)
    assert result.shape == "dialogue"
    text = path.read_text()
    turns = re.findall(r"Interviewer:\s*\n\s*\n?(.+)", text)
    spoken = [_norm(q["prompt"]) for q in result.questions] + [_norm(result.closing or "")]
    assert spoken == [_norm(t) for t in turns]
    assert result.closing == "That's all. Thank you."
    assert "7 years of experience" in result.questions[0]["reference_answer"]


@pytest.mark.parametrize(("prefix", "question"), [
    ("000", "Walk me through two recent projects you contributed to or led."),
    ("001", "Walk me through four projects on your resume."),
    ("002", "Design a system to rank videos on the YouTube home page."),
])
def test_question_pages_give_their_question(prefix: str, question: str) -> None:
    result = import_file(_seed(prefix))
    assert any(q["prompt"].startswith(question) for q in result.questions)


def test_markdown_notes_with_headings_bold_and_list_items() -> None:
    result = import_file(NOTES)
    assert result.shape == "markdown"
    assert result.title == "My ML interview notes"
    prompts = [q["prompt"] for q in result.questions]
    assert prompts == ["What is a learning rate?", "Why do we normalize inputs?",
                       "What does dropout do?",
                       "How would you serve a model with a 20 ms latency budget?",
                       "Tell me about a time you disagreed with a teammate?"]
    cats = [q["category"] for q in result.questions]
    assert cats == ["conceptual", "conceptual", "conceptual", "system-design", "behavioral"]
    assert result.questions[3]["timebox_s"] == 240
    # the empty question and the stray line are reported with their lines, not dropped
    reasons = {(u.line, u.reason) for u in result.unplaced}
    lines = NOTES.read_text().splitlines()
    weak = lines.index("### What is your biggest weakness?") + 1
    assert (weak, "question without an answer") in reasons
    assert any(u.text.startswith("A stray line") for u in result.unplaced)


def test_q_and_a_notes_lose_their_labels_and_keep_every_question() -> None:
    """"Q:" / "A:" notes came out as markdown with the labels in the text, and a question with
    no answer was folded into the answer before it."""
    text = ("# My prep\n\nQ: What is overfitting?\nA: When a model learns the noise in its "
            "training data\nand fails to generalize.\n\nQuestion 2: What is dropout?\n"
            "Answer: Randomly zeroing activations during training.\n\nQ: Empty one?\nA:\n")
    result = import_text(text, "notes.md")
    assert result.shape == "q-and-a" and result.title == "My prep"
    assert [q["prompt"] for q in result.questions] == ["What is overfitting?", "What is dropout?"]
    assert result.questions[0]["reference_answer"] == ("When a model learns the noise in its "
                                                       "training data and fails to generalize.")
    assert [(u.line, u.reason) for u in result.unplaced] == [(10, "question without an answer")]


def test_requests_without_a_question_mark_are_prompts_and_stray_text_is_not_an_answer() -> None:
    """"Tell me about a time..." was not placed (no "?"), and a paragraph back at the margin
    after a list item's indented answer was glued onto that answer (and became a key point)."""
    text = ("# Behavioural\n\n"
            "- Tell me about a time you disagreed with your manager.\n"
            "  I disagreed about the launch date. I gathered data and showed it in a meeting.\n"
            "\n"
            "  We delayed two weeks, and the launch had zero incidents.\n"
            "\n"
            "Some random paragraph that is not a question at all.\n"
            "\n"
            "**Walk me through your last project**\n"
            "I built a fraud model. It cut losses by 12 percent.\n")
    result = import_text(text, "notes.md")
    assert [q["prompt"] for q in result.questions] == [
        "Tell me about a time you disagreed with your manager.",
        "Walk me through your last project"]
    first = result.questions[0]["reference_answer"]
    assert "zero incidents" in first and "random paragraph" not in first  # indented: kept
    assert [(u.line, u.reason) for u in result.unplaced] == [(8, "text outside any question")]


@pytest.mark.parametrize("prefix", ["003", "004"])
def test_round_trip_import_then_load(tmp_path: Path, prefix: str) -> None:
    result = import_file(_seed(prefix))
    text = result.to_yaml()
    assert isinstance(yaml.safe_load(text), dict)
    script = parse_script_text(text, tmp_path / "imported.yaml")
    assert len(script.questions) == len(result.questions)
    assert script.kind == ("conversation" if prefix == "004" else "questions")


def test_cli_import_writes_a_valid_bank_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "notes.yaml"
    assert main(["bank", "import", str(NOTES), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "wrote" in err and "not placed" in err and "ml_notes.md:" in err
    assert main(["bank", "validate", str(out)]) == 0


def test_cli_import_keeps_what_is_there_and_names_ids_after_the_output(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """The same notes imported twice into one bank folder: the second file used to take the
    first's ids (from the notes' name), and the folder stopped loading; an existing file was
    overwritten without a word; a folder that is not there was an unexpected error."""
    from oral_sim.engine.bank import load_bank

    first, second = tmp_path / "basics.yaml", tmp_path / "basics-again.yaml"
    assert main(["bank", "import", str(NOTES), "-o", str(first)]) == 0
    reviewed = first.read_text(encoding="utf-8") + "# reviewed\n"
    first.write_text(reviewed, encoding="utf-8")
    capsys.readouterr()
    assert main(["bank", "import", str(NOTES), "-o", str(first)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err
    assert first.read_text(encoding="utf-8") == reviewed  # the review is not lost
    assert main(["bank", "import", str(NOTES), "-o", str(second)]) == 0
    scripts = {s.id for s in load_bank(tmp_path).scripts}  # the folder loads: no id twice
    assert scripts == {"basics", "basics-again"}
    # an id the folder already uses is refused before anything is written
    assert main(["bank", "import", str(NOTES), "-o", str(tmp_path / "x.yaml"), "--id", "basics"]) == 2
    assert "already used by basics.yaml" in capsys.readouterr().err
    assert not (tmp_path / "x.yaml").exists()
    assert main(["bank", "import", str(NOTES), "-o", str(first), "--force"]) == 0
    assert "# reviewed" not in first.read_text(encoding="utf-8")
    assert main(["bank", "import", str(NOTES), "-o", str(tmp_path / "no" / "x.yaml")]) == 2
    assert "no folder" in capsys.readouterr().err
    # a file the bank would never read (mine.txt was written, and ignored by every bank command)
    assert main(["bank", "import", str(NOTES), "-o", str(tmp_path / "mine.txt")]) == 2
    assert "the bank reads only .yaml or .yml files" in capsys.readouterr().err
    assert not (tmp_path / "mine.txt").exists()


def test_key_points_are_informative_sentences() -> None:
    points = key_points("Overfitting is learning noise. It hurts generalization to new data. "
                        "Use L2 regularization with a weight of 0.01. Early stopping also helps a lot. "
                        "That is it.")
    assert 3 <= len(points) <= 8
    assert any("0.01" in p for p in points)


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\x00\x01binary\x00", b"\xff\xfe\xfa"])
def test_unusable_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(content)
    with pytest.raises(ImportProblem, match="x.txt"):
        import_file(path)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=600))
def test_arbitrary_text_only_raises_import_problem(text: str) -> None:
    try:
        result = import_text(text, "fuzz.md")
    except ImportProblem:
        return
    parse_script_text(result.to_yaml(), "fuzz.yaml")  # whatever it makes, loads


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["Interviewer:", "Candidate:", "What is X?", "**Bold?**", "- item?",
                                 "## Heading", "Answer text here.", "", "Q?▾", "Quick Answer: x"]),
                max_size=30))
def test_shaped_junk_only_raises_import_problem(parts: list[str]) -> None:
    try:
        result = import_text("\n".join(parts), "shaped.md")
    except ImportProblem:
        return
    parse_script_text(result.to_yaml(), "shaped.yaml")


MIXED = """# My interview notes

## ML basics

### What is overfitting?
When the model memorizes noise in the training data and generalizes poorly. Use
regularization, dropout and early stopping.

**Q: What is the bias-variance tradeoff?**
A: Bias is error from a too-simple model, variance is sensitivity to the training set.

- What is a confusion matrix?
  A table of true and false positives and negatives for a classifier.

Explain gradient descent.
It moves the parameters against the gradient of the loss, a learning rate at a time.
"""


def test_notes_mixing_q_and_a_with_other_shapes_keep_every_question() -> None:
    """Two Q:/A: labels made the whole file Q:/A: notes: the heading question before them was
    dropped and the two after were read as part of the answer before them (1 question of 4)."""
    result = import_text(MIXED, "notes.md")
    prompts = [q["prompt"] for q in result.questions]
    assert prompts == ["What is overfitting?", "What is the bias-variance tradeoff?",
                       "What is a confusion matrix?", "Explain gradient descent."], prompts
    answers = [q["reference_answer"] for q in result.questions]
    assert answers[0].startswith("When the model memorizes") and "early stopping" in answers[0]
    assert answers[1].endswith("the training set.")  # nothing of the questions after it
    assert answers[3].startswith("It moves the parameters")
    assert "ML basics" not in " ".join(answers)  # a section title is part of no answer


def test_short_questions_in_plain_paragraphs_each_import_with_every_word_kept() -> None:
    """Three "question?" + answer paragraphs gave 1 question: "What is overfitting?" (3 words)
    became the title and the rest a description, and nothing said so. A one-sentence answer's
    drafted key points dropped its last word ("fails to generalize to new")."""
    from oral_sim.engine.bank_import import import_text, key_points

    text = ("What is overfitting?\nOverfitting is when a model memorizes the training data.\n\n"
            "What is dropout?\nDropout randomly zeroes activations during training.\n\n"
            "What is a learning rate?\nThe learning rate sets the step size of gradient descent.\n")
    result = import_text(text, "p.txt", "p")
    assert [q["prompt"] for q in result.questions] == [
        "What is overfitting?", "What is dropout?", "What is a learning rate?"]
    # an interviewer's request on a line of its own is a prompt too (the helper's notes: 1
    # question of 3, the other two glued into the first answer, nothing said)
    text = ("What is overfitting?\nOverfitting is learning noise, so it fails on new data.\n\n"
            "Describe a time you led a project.\nI led our feature store migration and cut "
            "latency by 40 percent.\n\nWalk me through your last model launch.\nWe shadow-"
            "deployed it for two weeks, then ramped traffic from 5 to 100 percent.\n")
    result = import_text(text, "n.txt", "n")
    assert [q["prompt"] for q in result.questions] == [
        "What is overfitting?", "Describe a time you led a project.",
        "Walk me through your last model launch."]
    assert "feature store" not in result.questions[0]["reference_answer"]
    answer = ("Overfitting is when a model memorizes the training data and fails to generalize "
              "to new data.")
    points = key_points(answer)
    assert len(points) == 3 and " ".join(points).split() == answer.rstrip(".").split()
