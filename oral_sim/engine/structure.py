"""Structure of a behavioural or project answer, after the seeds' STAR+AT frame: Situation &
Task, Actions, Results (with measurable numbers), Architecture & Trade-offs, and hindsight (what
you would do differently). Each sentence is assigned to a part by the example sentences it is
nearest to (`data/star_examples.json`, embedded with the scoring model; a "none" class catches
filler and transitions), nudged by keyword rules where its wording signals a part, and read in
the story's order (a situation comes before the actions, results before hindsight;
`sequence_parts`). The time spent on each part comes from the word timings. Measured against
sentence labels in `calibration.evaluate_structure` (BENCHMARKS.md).
"""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from typing import Any

import numpy as np

from oral_sim.engine.bank_format import STORY_PART_LABELS, STORY_PARTS
from oral_sim.engine.scoring import split_sentences

PARTS = STORY_PARTS
LABELS = STORY_PART_LABELS
# Checked in this order: the first part whose pattern matches a sentence takes it.
PATTERNS = {
    "hindsight": r"\b(hindsight|looking back|in retrospect|differently|next time|lessons?|learn(ed|t)"
                 r"|would (have|change|do|invest|start|add)|i'd (have|change|do|invest|start))\b",
    "results": r"(\d+(\.\d+)?\s*(%|percent|ms|milliseconds|x\b|times|users|k\b|million|hours|"
               r"minutes|days|weeks|points|pp\b)|\b(reduced|improved|increased|cut|saved|lifted|"
               r"boosted|lowered|grew|dropped|result(ed|s)?|outcome|impact|achiev)\w*)",
    "tradeoffs": r"\b(trade-?offs?|instead of|rather than|versus|vs\.?|over (a|the)\b|constraints?|"
                 r"alternatives?|optimi[sz]ed for|chose|choice|considered|budget)\b",
    "actions": r"\b(i|we) (built|designed|implemented|led|owned|decided|trained|added|wrote|set up|"
               r"migrated|ran|created|deployed|optimi[sz]ed|proposed|introduced|used|moved|"
               r"replaced|tested|shipped|worked|partnered|coordinated|profiled|fixed|rolled)\b",
    "situation_task": r"\b(problem|goal|context|challenge|task|needed to|had to|situation|"
                      r"responsible|my role|our team|the team|project|company|customers?|"
                      r"was to|were to|aim)\b",
}


#: A quantity said with digits or in words, as the recognizer may write either ("60%", "sixty
#: percent", "fell by a third"). "one" is left out: "one of the features" is no measurement, nor
#: is "after a quarter" (a fraction counts after "by", or before "of" but for "quarter").
_NUMBER = re.compile(
    r"\d|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|percent|half|"
    r"double|doubled|twice|triple|tripled|tenfold|halved)\b"
    r"|\bby (a|one) (third|quarter|fifth|tenth)\b|\b(a|one) (third|fifth|tenth) of\b", re.I)


def has_number(text: str) -> bool:
    """Does the text state a quantity (digits or number words)?"""
    return bool(_NUMBER.search(text or ""))


def classify(sentence: str) -> str | None:
    """The STAR+AT part a sentence belongs to, or None."""
    low = sentence.lower()
    for part, pattern in PATTERNS.items():
        if re.search(pattern, low):
            return part
    return None


#: The part scores: a part's score is the mean cosine of the sentence to its NEAREST_K closest
#: examples; "none" scores at least NEAREST_FLOOR, so a sentence near no part's examples has no
#: part. A keyword rule that fires adds KEYWORD_BONUS to its part. The parts of a story are then
#: read as a sequence (Viterbi): each step adds ORDER_WEIGHT x log P(part | part before), from
#: part-to-part counts in the labelled tuning stories (`order_counts`), add-ORDER_SMOOTHING.
#: All five were picked on the first 24 labelled answers (`calibration.evaluate_structure`); the
#: other 16 are held out. Seeds and candidates tell a story in order (situation, actions,
#: results, hindsight), and the order is the cue a sentence alone lacks: "I rewrote the image
#: pipeline" after the set-up is an action, not more of the situation.
NEAREST_K = 3
NEAREST_FLOOR = 0.30
KEYWORD_BONUS = 0.10
ORDER_WEIGHT = 0.025
ORDER_SMOOTHING = 0.5
CLASSES = (*PARTS, "none")
METHODS = ("sequence", "nearest", "keywords")


@lru_cache(maxsize=1)
def _data() -> dict:
    from oral_sim import locations

    return json.loads(locations.star_examples_file().read_text(encoding="utf-8"))


def examples() -> dict[str, list[str]]:
    """Example sentences per part (and "none"), from the shipped data file."""
    data = _data()
    return {part: list(data[part]) for part in CLASSES}


def order_counts() -> dict:
    """How often each part opens a story and follows each other part in the labelled tuning
    stories (`{"start": {part: n}, "next": {part: {part: n}}}`), shipped with the examples;
    `calibration.star_order_counts` recounts them from the labels."""
    return _data()["order"]


@lru_cache(maxsize=1)
def _log_order() -> tuple[np.ndarray, np.ndarray]:
    """log P(first part) and log P(part | part before), smoothed."""
    counts = order_counts()
    start = np.array([counts["start"].get(c, 0) for c in CLASSES], float) + ORDER_SMOOTHING
    step = np.array([[counts["next"].get(a, {}).get(b, 0) for b in CLASSES] for a in CLASSES],
                    float) + ORDER_SMOOTHING
    return np.log(start / start.sum()), np.log(step / step.sum(axis=1, keepdims=True))


def _example_texts() -> tuple[list[str], list[str]]:
    ex = examples()
    return [t for p in ex for t in ex[p]], [p for p in ex for _ in ex[p]]


_example_vecs: np.ndarray | None = None
_example_lock = threading.Lock()


def _example_vectors() -> np.ndarray:
    """The examples' embeddings, made once per process and kept here (not in the scoring
    cache, which a long grading run would evict them from): small batches, then the freed
    buffers returned, so memory does not jump (`scoring.WARM_BATCH`)."""
    global _example_vecs
    with _example_lock:
        if _example_vecs is None:
            from oral_sim.engine.malloc import release_free_memory
            from oral_sim.engine.scoring import WARM_BATCH, _encode

            _example_vecs = _encode(_example_texts()[0], cache=False, batch_size=WARM_BATCH)
            release_free_memory()
        return _example_vecs


def warm_examples() -> None:
    """Embed the example sentences now (once per process), so no answer waits for them."""
    _example_vectors()


def part_scores(sentences: list[str]) -> np.ndarray:
    """One row per sentence, one column per class (`CLASSES`): the mean cosine to that class's
    NEAREST_K nearest examples, "none" raised to NEAREST_FLOOR."""
    if not sentences:
        return np.zeros((0, len(CLASSES)))
    from oral_sim.engine.scoring import _encode, clean_spoken

    labels = np.asarray(_example_texts()[1])
    sims = _encode([clean_spoken(s) or s for s in sentences]) @ _example_vectors().T
    scores = np.stack([np.sort(sims[:, labels == c], axis=1)[:, -NEAREST_K:].mean(axis=1)
                       for c in CLASSES], axis=1)
    none = CLASSES.index("none")
    scores[:, none] = np.maximum(scores[:, none], NEAREST_FLOOR)
    return scores


def nearest_parts(sentences: list[str]) -> list[str | None]:
    """Each sentence's best-scoring class on its own, or None (the method of 2026-12-01)."""
    return [_part(int(np.argmax(row))) for row in part_scores(sentences)]


def _part(index: int) -> str | None:
    return None if CLASSES[index] == "none" else CLASSES[index]


def sequence_parts(sentences: list[str]) -> list[str | None]:
    """The parts of a story read as a whole: the best path through the sentences' part scores
    (keyword bonus added) and the part-to-part order (Viterbi)."""
    scores = part_scores(sentences)
    for row, part in zip(scores, (classify(s) for s in sentences), strict=True):
        if part is not None:
            row[CLASSES.index(part)] += KEYWORD_BONUS
    if not len(scores):
        return []
    log_start, log_step = _log_order()
    best = scores[0] + ORDER_WEIGHT * log_start
    back = []
    for row in scores[1:]:
        paths = best[:, None] + ORDER_WEIGHT * log_step  # [before, now]
        back.append(paths.argmax(axis=0))
        best = paths.max(axis=0) + row
    path = [int(best.argmax())]
    for pointers in reversed(back):
        path.append(int(pointers[path[-1]]))
    return [_part(i) for i in reversed(path)]


def classify_all(sentences: list[str], method: str = "sequence") -> list[str | None]:
    """Each sentence's part. "sequence" (default): nearest examples, keyword bonus and story
    order together (`sequence_parts`); "nearest": the keyword rules where they fire, the nearest
    examples elsewhere (2026-12-01); "keywords": the keyword rules alone (before that)."""
    if method == "sequence":
        return sequence_parts(sentences)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; one of {', '.join(METHODS)}")
    parts = [classify(s) for s in sentences]
    todo = [i for i, p in enumerate(parts) if p is None]
    if method == "nearest" and todo:
        for i, part in zip(todo, nearest_parts([sentences[i] for i in todo]), strict=True):
            parts[i] = part
    return parts


def analyze_structure(answer_text: str, transcript: Any = None) -> dict:
    """Which parts appear, with their sentences and seconds (when words have timings), and the
    advice the seeds give about what is missing."""
    sentences = split_sentences(answer_text)
    words = list(getattr(transcript, "words", []) or [])
    words = [w for w in words if getattr(w, "source", "asr") != "voiced_gap"]
    parts: dict[str, dict] = {p: {"present": False, "sentences": 0, "seconds": 0.0} for p in PARTS}
    cursor = 0
    classified = classify_all(sentences)
    for sentence, part in zip(sentences, classified, strict=True):
        n = len(sentence.split())
        seconds = 0.0
        if words and cursor < len(words):
            chunk = words[cursor : cursor + n]
            if chunk:
                seconds = max(0.0, chunk[-1].end_s - chunk[0].start_s)
        cursor += n
        if part is None:
            continue
        parts[part]["present"] = True
        parts[part]["sentences"] += 1
        parts[part]["seconds"] = round(parts[part]["seconds"] + seconds, 1)
    results_with_numbers = any(p == "results" and has_number(s)
                               for s, p in zip(sentences, classified, strict=True))
    missing = [LABELS[p] for p in PARTS if not parts[p]["present"]]
    advice = []
    if not parts["situation_task"]["present"]:
        advice.append("Open with the situation and your task in one or two sentences.")
    if not parts["results"]["present"]:
        advice.append("Say what came of it: a measurable result.")
    elif not results_with_numbers:
        advice.append("Put a number on the result (%, latency, cost, users).")
    if not parts["tradeoffs"]["present"]:
        advice.append("Name a trade-off you made and what you optimized for.")
    if not parts["hindsight"]["present"]:
        advice.append("Close with what you would do differently.")
    total = sum(p["seconds"] for p in parts.values())
    if total > 0 and parts["situation_task"]["seconds"] > 0.4 * total:
        advice.append("Too long on the set-up: spend most of the time on actions and results.")
    return {
        "parts": parts,
        "results_have_numbers": results_with_numbers,
        "missing": missing,
        "advice": advice,
    }
