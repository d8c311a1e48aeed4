"""Fillers with their context rules, pace and pauses on hand-computed timings, the timebox, and
arbitrary text never breaking the metrics."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oral_sim.engine.fillers import find_fillers, tokens_from_text
from oral_sim.engine.metrics import analyze_delivery
from oral_sim.engine.transcript import Segment, Transcript, Word


def fillers(text: str) -> list[tuple[str, str]]:
    return [(i.text, i.kind) for i in find_fillers(tokens_from_text(text))]


@pytest.mark.parametrize(("text", "expected"), [
    ("Um, I think so.", [("um", "filled_pause")]),
    ("Uh the model, erm, hmm, converged.", [("uh", "filled_pause"), ("erm", "filled_pause"),
                                              ("hmm", "filled_pause")]),
    ("So, we trained it.", [("so", "discourse_marker")]),
    ("Um, so I tried it.", [("um", "filled_pause"), ("so", "discourse_marker")]),
    ("It was, like, really slow.", [("like", "discourse_marker")]),
    ("It took like 20 minutes.", [("like", "discourse_marker")]),
    ("Like, we retrained it.", [("like", "discourse_marker")]),
    ("It was, like really slow.", [("like", "discourse_marker")]),
    ("It is, you know, hard.", [("you know", "discourse_marker")]),
    ("I mean, it works.", [("i mean", "discourse_marker")]),
    ("It is kind of slow.", [("kind of", "discourse_marker")]),
    ("We sort of retrained it.", [("sort of", "discourse_marker")]),
    ("Basically, we cached it.", [("basically", "discourse_marker")]),
    ("It scales, right?", [("right", "discourse_marker")]),
    ("I I think the the loss fell.", [("i", "repetition"), ("the", "repetition")]),
    ("We can we can ship it.", [("we can", "repetition")]),
])
def test_fillers_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert fillers(text) == expected


@pytest.mark.parametrize("text", [
    "I like Python.",
    "Models like BERT look like magic.",
    "It trains on labeled examples, like spam filters.",
    "It finds structure, like clustering customers.",
    "Like I said, the model overfits.",
    "What kind of model is it?",
    "That sort of problem is common.",
    "Do you know how attention works?",
    "I mean it when I say tests matter.",
    "It actually works in production.",
    "We cached it so that latency fell.",
    "The right model is the simplest one.",
    "It works well.",
    "We had had enough.",
    "It was fine. It was fast.",
])
def test_real_uses_are_not_fillers(text: str) -> None:
    assert fillers(text) == []


def _timed(spec: list[tuple[str, float, float]], source: str = "asr") -> Transcript:
    words = [Word(w, s, e, 0.9, source) for w, s, e in spec]
    return Transcript(words=words, segments=[Segment(spec[0][1], spec[-1][2],
                                                     " ".join(w for w, _, _ in spec))],
                      duration_s=spec[-1][2] + 1.0)


def test_pace_pauses_and_latency_by_hand() -> None:
    # 12 words from 1.0 s to 7.0 s (6 s speaking); one 0.5 s pause and one 2.5 s pause
    spec = [(f"w{i}", 1.0 + i * 0.25, 1.0 + i * 0.25 + 0.2) for i in range(6)]  # 1.0 .. 2.45
    spec += [(f"v{i}", 2.95 + i * 0.2, 2.95 + i * 0.2 + 0.15) for i in range(3)]  # pause 0.5 s
    spec += [(f"x{i}", 6.0 + i * 0.3, 6.0 + i * 0.3 + 0.3) for i in range(3)]  # pause 2.5 s
    d = analyze_delivery(_timed(spec), question_end_s=0.4, timebox_s=60)
    pace = d.pace
    assert pace is not None
    speaking = spec[-1][2] - spec[0][1]
    assert pace.speaking_s == pytest.approx(speaking)
    assert pace.wpm == pytest.approx(12 / (speaking / 60))
    assert pace.response_latency_s == pytest.approx(0.6)
    assert pace.pauses.count == 2 and pace.pauses.long_count == 1
    assert pace.pauses.longest_s == pytest.approx(2.5, abs=1e-6)
    assert pace.pauses.long_pauses[0][0] == pytest.approx(spec[8][2])
    assert pace.articulation_wpm == pytest.approx(12 / ((speaking - 3.0) / 60), rel=1e-3)
    assert d.timebox.status == "under" and d.timebox.delta_s == pytest.approx(spec[-1][2] - 0.4 - 60)


def test_fillers_per_minute_and_voiced_gap_counts_as_filled_pause() -> None:
    spec = [("So,", 0.0, 0.3), ("um", 0.5, 0.8), ("we", 1.0, 1.2), ("cached", 1.3, 1.7),
            ("it.", 1.8, 2.0)]
    t = _timed(spec)
    t.words.insert(3, Word("um", 1.21, 1.29, 0.0, "voiced_gap"))
    d = analyze_delivery(t)
    kinds = [(i.text, i.kind) for i in d.fillers.items]
    assert kinds == [("so", "discourse_marker"), ("um", "filled_pause"), ("um", "filled_pause")]
    assert d.words == 4
    assert d.fillers.per_min == pytest.approx(3 / (2.0 / 60))
    assert d.fillers.per_100_words == pytest.approx(75.0)
    assert d.fillers.items[2].start_s == pytest.approx(1.21)


@pytest.mark.parametrize(("duration", "status"), [(20, "under"), (60, "within"), (95, "within"),
                                                  (120, "over")])
def test_timebox_status(duration: float, status: str) -> None:
    t = _timed([("a", 0.0, 0.5), ("b", duration - 0.5, duration)])
    assert analyze_delivery(t, timebox_s=90).timebox.status == status


def test_typed_answer_has_no_pace_and_no_division_by_zero() -> None:
    t = Transcript(segments=[Segment(0, 0, "Um, basically we used L2 regularization.")])
    d = analyze_delivery(t, timebox_s=90)
    assert d.pace is None and d.fillers.per_min is None
    assert d.fillers.count == 2 and d.fillers.per_100_words == pytest.approx(40.0)
    assert d.to_dict()["pace"] is None


def test_empty_and_long_answers() -> None:
    assert analyze_delivery(Transcript()).fillers.count == 0
    spec = [(f"word{i}", i * 0.4, i * 0.4 + 0.3) for i in range(3000)]  # a 20-minute answer
    d = analyze_delivery(_timed(spec), timebox_s=120)
    assert d.pace is not None and d.pace.wpm == pytest.approx(150, rel=0.01)
    assert d.timebox.status == "over"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.lists(st.floats(0, 600, allow_nan=False), max_size=30))
def test_arbitrary_text_and_timings_never_break(text: str, times: list[float]) -> None:
    parts = text.split() or [text]
    words = [Word(p, t, t + 0.1) for p, t in zip(parts, sorted(times), strict=False)]
    t = Transcript(words=words, segments=[Segment(0, 1, text)], duration_s=max(times, default=0))
    d = analyze_delivery(t, question_end_s=0.0, timebox_s=60)
    d.to_dict()
    assert d.fillers.count >= 0
