"""The simulated candidate: real piper voice, checked by the real Whisper tiny.en."""

from __future__ import annotations

import re

import numpy as np
import pytest

from oral_sim.config import AsrConfig, TtsConfig
from oral_sim.engine.asr import FILLER_PROMPT
from oral_sim.engine.candidate import SimulatedCandidate
from oral_sim.engine.fillers import is_filled_pause
from oral_sim.engine.tts import get_voice

pytestmark = pytest.mark.slow

ANSWER = (
    "I would start by measuring where the time goes. Then I would add an index to the slow "
    "query, and cache the results that rarely change. Finally I would load test it."
)


@pytest.fixture(scope="module")
def voice():
    return get_voice(TtsConfig())


@pytest.fixture(scope="module")
def whisper():
    from faster_whisper import WhisperModel

    from oral_sim.engine import models, threads

    path = models.whisper_model_dir()
    return WhisperModel(str(path), compute_type="int8",
                        cpu_threads=threads.whisper_threads(path, AsrConfig()).threads)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def _transcribe(whisper, frames: list[bytes]) -> str:
    audio = np.frombuffer(b"".join(frames), np.int16).astype(np.float32) / 32768
    segments, _ = whisper.transcribe(
        audio, beam_size=5, language="en", initial_prompt=FILLER_PROMPT
    )
    return " ".join(s.text.strip() for s in segments)


def test_plain_answer_frames_timeline_and_script(voice):
    candidate = SimulatedCandidate(voice, ANSWER, start_silence_s=0.6, end_silence_s=0.3)
    frames = list(candidate)
    assert {len(f) for f in frames} == {960}
    assert candidate.script == ANSWER and candidate.filler_count == 0
    audio = np.frombuffer(b"".join(frames), np.int16)
    # The response latency is silence; speech follows.
    assert not audio[: int(0.6 * 16000)].any()
    assert np.abs(audio).max() > 10000
    pieces = candidate.timeline
    assert [p.text for p in pieces] == [
        "I would start by measuring where the time goes.",
        "Then I would add an index to the slow query, and cache the results that rarely change.",
        "Finally I would load test it.",
    ]
    assert pieces[0].start_s == pytest.approx(0.6)
    for before, after in zip(pieces, pieces[1:], strict=False):
        assert 0.3 <= after.start_s - before.end_s <= 0.95  # a natural pause between sentences
    assert len(audio) / 16000 == pytest.approx(pieces[-1].end_s + 0.3, abs=0.04)


def test_fillers_are_deterministic_and_counted(voice):
    a = SimulatedCandidate(voice, ANSWER, fillers=1.0, seed=3)
    b = SimulatedCandidate(voice, ANSWER, fillers=1.0, seed=3)
    assert a.script == b.script and a.filler_count == b.filler_count == 3
    fillers_in_script = re.findall(r"\b(um|uh|you know)\b", a.script.lower())
    assert len(fillers_in_script) == 3
    # The text handed to piper uses the spellings Whisper hears as fillers.
    assert "umm" in a.spoken_text.lower() or "ah," in a.spoken_text.lower()
    # Removing the fillers gives back the answer.
    stripped = re.sub(r"\b(um|uh|you know), ", "", a.script, flags=re.I)
    assert _words(stripped) == _words(ANSWER)
    assert SimulatedCandidate(voice, ANSWER, fillers=0.5, seed=4).script != a.script


def test_whisper_hears_the_answer_and_the_fillers(voice, whisper):
    candidate = SimulatedCandidate(voice, ANSWER, fillers=1.0, seed=1)
    heard = _transcribe(whisper, list(candidate))
    words = _words(heard)
    expected = _words(ANSWER)
    # Content: almost every word of the answer comes back.
    assert sum(1 for w in expected if w in words) >= 0.85 * len(expected), heard
    # Fillers: Whisper writes them as um/umm/uh/uhh (a spoken "uh" now and then as "ah" or
    # "er"), counted as the feedback counts them; most of the inserted ones are heard.
    heard_fillers = [w for w in words if is_filled_pause(w)]
    heard_fillers += ["you know"] * heard.lower().count("you know")
    assert candidate.filler_count >= 2
    assert len(heard_fillers) >= candidate.filler_count - 1, (candidate.script, heard)


def test_the_demo_candidate_leaves_out_written_section_headings() -> None:
    """"Problem and context." before "Goal: ..." is a heading of the written model answer: the
    simulated candidate does not say it (it would come back as evidence for a key point);
    sentences, labels and numbers stay."""
    from oral_sim.engine.bank import load_bank
    from oral_sim.engine.live import candidate_text

    q = load_bank().question("pdd-01")
    said = candidate_text(q)
    assert "Problem and context." not in said and "Key trade-offs and decisions." not in said
    assert said.startswith("Goal: Reduce false activations")
    assert "CNN vs. RNN/Transformer: Chose TC-ResNet" in said
    assert candidate_text(load_bank().question("pdd-08")).count("Guardrails prevented") == 1
    plain = load_bank().question("mlq-002")
    assert candidate_text(plain) == plain.reference_answer
    assert candidate_text(q, 2).startswith("Goal:") and candidate_text(q, 2).count(":") == 2
