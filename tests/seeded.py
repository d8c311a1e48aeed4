"""Histories made directly in the store, for the tests of what the reports and screens show."""

from __future__ import annotations

from oral_sim.engine.bank import load_bank
from oral_sim.engine.store import Store


def answered_twice(also_once: bool = True) -> str:
    """A typed session whose first question was answered twice (71, then 48) and, with
    `also_once`, whose second was answered once (55): what `a` in the interview leaves behind.
    Returns the session id."""
    q = load_bank().question("mlq-002")
    with Store() as store:
        rec = store.start_session("ml-questions", "ML questions", "typed", {})
        first = store.add_question(rec.id, 1, q.id, q.prompt, q.category, q.timebox_s)
        for score in (71.0, 48.0):
            store.add_attempt(first, None, {}, {}, True, score=score)
        if also_once:
            second = store.add_question(rec.id, 2, q.id, q.prompt, q.category, q.timebox_s)
            store.add_attempt(second, None, {}, {}, True, score=55.0)
        store.finish_session(rec.id, "completed")
    return rec.id
