"""What to ask: a whole bank script, or a practice mix filtered by category and difficulty."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from oral_sim.engine.bank import Bank, Question
from oral_sim.engine.session import SessionPlan
from oral_sim.errors import UsageError


@dataclass
class MixOptions:
    """Filters for a practice mix."""

    categories: Sequence[str] = ()
    """Only these categories (empty: all)."""
    difficulties: Sequence[str] = ()
    """Only these difficulties (empty: all)."""
    count: int = 5
    """Number of questions."""
    shuffle: bool = True
    """Random order (else bank order)."""
    weak_first: bool = False
    """Questions with the lowest scores / most missed key points / unseen longest first."""
    seed: int | None = None
    """Random seed for a reproducible mix."""
    scripts: Sequence[str] = field(default_factory=tuple)
    """Only questions from these scripts (empty: all)."""


def plan_for_script(
    bank: Bank, script_id: str, count: int | None = None, mode: str = "live"
) -> SessionPlan:
    """The script's questions in order (a conversation keeps its opening and closing lines)."""
    script = bank.script(script_id)
    questions = list(script.questions)
    if count is not None:
        if count < 1:
            raise UsageError("the number of questions must be at least 1")
        questions = questions[:count]
    return SessionPlan(
        script_id=script.id,
        script_title=script.title,
        questions=questions,
        mode=mode,
        opening=script.opening,
        closing=script.closing
        if count is None or count >= len(script.questions)
        else script.closing,
    )


def plan_mix(bank: Bank, options: MixOptions, store: Any = None, mode: str = "live") -> SessionPlan:
    """A practice mix across the bank."""
    pool: list[Question] = []
    for script in bank.scripts:
        if options.scripts and script.id not in options.scripts:
            continue
        pool.extend(script.questions)
    if options.categories:
        pool = [q for q in pool if q.category in options.categories]
    if options.difficulties:
        pool = [q for q in pool if q.difficulty in options.difficulties]
    if not pool:
        raise UsageError(
            "no question matches these filters",
            "loosen the category/difficulty filters (see `oral-sim bank list`)",
        )
    if options.count < 1:
        raise UsageError("the number of questions must be at least 1")
    if options.weak_first and store is not None:
        from oral_sim.engine.progress import weak_first_mix

        order = weak_first_mix(store, pool, options.count)
        by_id = {q.id: q for q in pool}
        chosen = [by_id[i] for i in order if i in by_id][: options.count]
    else:
        chosen = list(pool)
        if options.shuffle:
            random.Random(options.seed).shuffle(chosen)
        chosen = chosen[: options.count]
    title = "Practice mix"
    if options.categories:
        title += ": " + ", ".join(options.categories)
    return SessionPlan(script_id="mix", script_title=title, questions=chosen, mode=mode)
