"""Scoring figures: `grade` throughput (answers per second, batched) and agreement with human
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
        "agreement": agreement,
        # shipped with the project, small: the same in a quick run
        "key_points": calibration.evaluate_key_points(),
        "short_answers": calibration.evaluate_short_answers(),
        "terse_points": calibration.evaluate_terse_points(),
        "contradictions": calibration.evaluate_contradictions(),
        "structure": calibration.evaluate_structure(),
    }
