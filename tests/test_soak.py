"""Long use, compressed: many answers of real speech through the real runner, pipeline, scorer
and store. Every answer is stored with its audio, and memory does not climb with each answer."""

from __future__ import annotations

from pathlib import Path

from oral_sim import locations
from oral_sim.bench import soak
from oral_sim.config import Settings


def test_many_answers_are_all_stored_and_memory_stays_flat(tmp_path: Path) -> None:
    out = soak.run(Settings(), locations.eval_dir(), tmp_path, minutes=4.0, answer_s=30.0,
                   log=lambda m: None)
    assert out["answers"] == 8
    assert out["stored_attempts"] == out["answers"] == out["stored_with_audio"]
    # Growth from the warm state to the end; a leak of one answer's audio + transcript per answer
    # (about 1 MB a 30 s answer, plus model buffers) would show well above this over 8 answers.
    assert out["rss_growth_mb"] < 60, out["rss_per_answer_mb"]
