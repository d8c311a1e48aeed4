"""Ids that come from files (bank question ids, imported script ids, session ids) never become
paths outside the data home."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oral_sim import locations
from oral_sim.engine.bank import parse_script_text
from oral_sim.errors import BankError, UsageError


@pytest.mark.parametrize("name", ["../x", "../../etc/passwd", "/etc/passwd", "a/../../b", "..",
                                  "~root", "c:\\windows", "x\x00y", "q01-a1.wav"])
def test_safe_child_stays_inside(tmp_path: Path, name: str) -> None:
    try:
        child = locations.safe_child(tmp_path, name)
    except UsageError:
        return
    assert tmp_path.resolve() in child.parents
    assert "/" not in child.name


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_safe_child_never_escapes(name: str) -> None:
    base = Path("/tmp/oral-sim-base")
    try:
        child = locations.safe_child(base, name)
    except UsageError:
        return
    assert child.parent == base.resolve()


@pytest.mark.parametrize("bad", ["../evil", "a/b", "/abs", "UPPER", "x y", ".hidden", "a" * 65])
def test_bank_refuses_ids_that_are_not_plain_names(tmp_path: Path, bad: str) -> None:
    text = (
        "script: s\ntitle: t\nquestions:\n"
        f"  - id: {bad!r}\n    prompt: p\n    category: conceptual\n    difficulty: easy\n"
        "    timebox_s: 60\n    reference_answer: r\n    key_points: [a, b, c]\n"
    )
    with pytest.raises(BankError, match="not a valid id"):
        parse_script_text(text, tmp_path / "s.yaml")
