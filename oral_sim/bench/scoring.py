"""Scoring figures: `grade` throughput (answers per second, batched: on SemEval's short answers,
and on the labelled long answers to bank questions beside plain cosine on the same lines) and
agreement with human
labels beside plain cosine, both from the calibration module on the grading data; key-point
coverage (long answers, and short ones that may only name the topic) and STAR+AT structure
against the labelled answers shipped in `oral_sim/bench/data/`."""

from __future__ import annotations

import time
from pathlib import Path

from oral_sim.config import Settings


def run(settings: Settings, eval_root: Path, quick: bool = False) -> dict:
    from oral_sim.engine import calibration
    from oral_sim.engine.scoring import get_embedder, grade_batch

    get_embedder(settings.scoring)  # load time is startup, not throughput
    items = calibration.load_items(eval_root=eval_root, limit=200 if quick else 2000)
    if not items:
        return {"skipped": f"no grading data under {eval_root}/grading"}
    t0 = time.perf_counter()
    graded = grade_batch(items)
    elapsed = time.perf_counter() - t0
    agreement = calibration.evaluate(limit=300 if quick else None, eval_root=eval_root)
    return {
        "grade_items": len(graded),
        "grade_answers_per_s": round(len(graded) / elapsed, 1) if elapsed > 0 else None,
        "grade_long": grade_long_answers(),
        "agreement": agreement,
        # shipped with the project, small: the same in a quick run
        "key_points": calibration.evaluate_key_points(),
        "short_answers": calibration.evaluate_short_answers(),
        "terse_points": calibration.evaluate_terse_points(),
        "contradictions": calibration.evaluate_contradictions(),
        "structure": calibration.evaluate_structure(),
    }


def grade_long_answers() -> dict:
    """`grade` on the labelled answers to bank questions (spoken-style answers of about 150
    words, the bank's references, key points and examples), beside plain cosine of each answer
    and its reference on the same lines, in one run: each from a cold cache."""
    from oral_sim.engine import calibration, scoring
    from oral_sim.engine.scoring import GradeItem, grade_iter, plain_cosine

    labelled, questions, _ = calibration.labelled_in_bank()
    items = []
    for a in labelled:
        q = questions[a.question_id]
        examples = [list(e) for e in q.key_point_examples]
        items.append(GradeItem(q.reference_answer, a.answer, id=a.question_id,
                               key_points=list(q.key_points), question=q.prompt,
                               examples=examples if any(examples) else None))
    if not items:
        return {}
    scoring.clear_cache()
    t0 = time.perf_counter()
    graded = list(grade_iter(items))
    ours = time.perf_counter() - t0
    scoring.clear_cache()
    t0 = time.perf_counter()
    plain_cosine([(i.answer, i.reference) for i in items])
    plain = time.perf_counter() - t0
    return {"items": len(graded),
            "mean_words": round(sum(len(i.answer.split()) for i in items) / len(items)),
            "answers_per_s": round(len(graded) / ours, 1) if ours > 0 else None,
            "plain_cosine_answers_per_s": round(len(items) / plain, 1) if plain > 0 else None}
