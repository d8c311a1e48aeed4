"""Progress over time and what to practise next, from the history store."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass
class Point:
    """One session's figures, for the progress charts."""

    session_id: str
    started_at: str
    """ISO time."""
    score: float | None
    fillers_per_min: float | None
    wpm: float | None
    latency_s: float | None


#: Who answered, in the session list: the user by microphone, typing or file, or the simulated
#: candidate (its sessions are not in the progress charts).
MODE_LABELS = {"live": "mic", "typed": "typed", "file": "file", "demo": "sim"}


def own_sessions(store: Any) -> list[Any]:
    """The user's sessions, newest first: the simulated candidate's (`SIMULATED_MODE`) are not
    the user's practice and would lift their progress and hide their weak questions."""
    from oral_sim.engine.store import SIMULATED_MODE

    return [s for s in store.list_sessions() if s.mode != SIMULATED_MODE]


def simulated_count(store: Any) -> int:
    """Sessions the simulated candidate answered (left out of progress: say so)."""
    from oral_sim.engine.store import SIMULATED_MODE

    return sum(1 for s in store.list_sessions() if s.mode == SIMULATED_MODE and s.answered)


def simulated_note(count: int) -> str:
    """The line under a progress view that leaves `count` simulated sessions out."""
    sessions = "session" if count == 1 else "sessions"
    return (f"Your own answers only: {count} simulated-candidate {sessions} (demo) left out.")


def series(store: Any) -> list[Point]:
    """Per session of the user's own, oldest first (sessions with no answers are left out)."""
    points = [
        Point(s.id, s.started_at, s.avg_score, s.fillers_per_min, s.avg_wpm, s.avg_latency_s)
        for s in own_sessions(store)
        if s.answered
    ]
    return list(reversed(points))


def session_ticks(count: int, most: int = 10) -> list[int]:
    """Whole session numbers 1..count to label a chart's x axis with (at most `most`): a
    plotting library left alone labels 1.25, 1.50..."""
    step = max(1, -(-count // most))
    return list(range(1, count + 1, step))


def value_range(metric: str, values: list[float]) -> tuple[float, float]:
    """The y range of a progress chart, so that a small change looks small: the score on its
    whole 0-100 scale, WPM with the recommended 100-165 band in view, fillers per minute and
    latency from 0 (a chart left alone spans only the values: 150.7-152.9 WPM)."""
    top = max(values) if values else 0.0
    if metric == "score":
        return 0.0, 100.0
    if metric == "wpm":
        return min(90.0, min(values, default=90.0) - 10), max(175.0, top + 10)
    if metric == "latency_s":
        return 0.0, max(2.0, top * 1.2)
    return 0.0, max(5.0, top * 1.2)


def by_category(store: Any) -> dict[str, list[float]]:
    """Scores per question category, oldest first. A question answered again in a session
    counts with its last answer, as in the session's averages."""
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for summary in own_sessions(store):
        record = store.get_session(summary.id)
        for q in record.questions:
            scored = [a for a in q.attempts if a.score is not None]
            if scored:
                out[q.category].append((scored[-1].created_at, float(scored[-1].score)))
    return {cat: [s for _, s in sorted(vals)] for cat, vals in sorted(out.items())}


def weak_first_mix(store: Any, pool: list, count: int) -> list[str]:
    """Question ids of `pool` ordered for practice: never answered first (in pool order), then
    answered ones from weakest (lowest last score, most missed key points) and least recently
    seen."""
    stats = store.question_stats()
    unseen = [q.id for q in pool if q.id not in stats]
    seen = [q for q in pool if q.id in stats]

    def weakness(q: Any) -> tuple:
        st = stats[q.id]
        score = st["last_score"] if st["last_score"] is not None else 0.0
        missed = st["missed"] or 0.0
        return (score - 10.0 * missed, st["last_seen"] or "")

    ordered = unseen + [q.id for q in sorted(seen, key=weakness)]
    return ordered[:count]


@dataclass
class Change:
    """How one attempt differs from the previous attempt at the same question."""

    metric: str
    before: float | None
    after: float | None
    better: bool | None
    """True when the change is an improvement (None: no direction)."""


LOWER_IS_BETTER = {"fillers_per_min", "latency_s", "key_points_missed"}


#: The metrics two attempts are compared on, in the order they are shown.
COMPARED = ("score", "wpm", "fillers_per_min", "latency_s", "key_points_missed")


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """What changed from one attempt's numbers to the next one's (`session.feedback_numbers`, or
    a stored attempt's columns): one Change per metric of `COMPARED`."""
    changes = []
    for metric in COMPARED:
        b, c = before.get(metric), after.get(metric)
        better = None
        if b is not None and c is not None and b != c:
            better = (c < b) if metric in LOWER_IS_BETTER else (c > b)
            if metric == "wpm":  # closer to the 100-165 range is better
                better = abs(c - 132.5) < abs(b - 132.5)
        changes.append(Change(metric, b, c, better))
    return changes


def _plain(word: str) -> str:
    return "".join(ch for ch in word.lower() if ch.isalnum())


def word_diff(before: str, after: str) -> list[str]:
    """Words dropped (`-word`) and added (`+word`) from one transcript to the next, as the
    later one writes them. Case and punctuation do not count: "data." and "data," are the same
    word said (the compare view showed such pairs as changes)."""
    old, new = before.split(), after.split()
    matcher = difflib.SequenceMatcher(a=[_plain(w) for w in old], b=[_plain(w) for w in new],
                                      autojunk=False)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        out += ["-" + w for w in old[i1:i2] if _plain(w)]
        out += ["+" + w for w in new[j1:j2] if _plain(w)]
    return out


def compare_attempts(store: Any, question_id: str, simulated: bool = False) -> list[dict]:
    """All attempts at one question, each with what changed since the one before: metrics and a
    word-level transcript diff (`+word` added, `-word` dropped). The user's own attempts, or
    with `simulated=True` (compare opened from one of its sessions) the simulated candidate's
    only: its answers are no yardstick for the user's, nor the user's for it."""
    attempts = store.attempts_for_question(question_id, simulated=simulated)
    out = []
    prev = None
    for a in attempts:
        changes: list[Change] = []
        diff: list[str] = []
        if prev is not None:
            changes = changes_between({m: getattr(prev, m) for m in COMPARED},
                                      {m: getattr(a, m) for m in COMPARED})
            diff = word_diff(prev.transcript.get("text") or "", a.transcript.get("text") or "")
        out.append({"attempt": a, "changes": changes, "diff": diff})
        prev = a
    return out
