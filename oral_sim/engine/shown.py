"""How figures are written for a person: whole numbers and lengths of time, rounded one way
everywhere (the card, the history, the reports and the CLI)."""

from __future__ import annotations

import math


def whole(x: float) -> int:
    """`x` to the nearest whole number, halves up: every figure shown in whole units rounds
    the same way (Python's `round` and `:.0f` round a half to even, so 82.5 showed as 82 in
    one place and a 5.5 s answer as 0:05 in another and "6 s" in a third)."""
    return math.floor(x + 0.5)


def mmss(seconds: float | None, nearest: bool = False) -> str:
    """Seconds as m:ss ("-" for None). A moment (where a filler was, the running clock) is
    cut to its second, as a clock shows it; a length (`nearest`) is rounded with `whole`, as
    every "N s" of the same length is."""
    if seconds is None:
        return "-"
    s = whole(seconds) if nearest else int(seconds)
    return f"{s // 60}:{s % 60:02d}"


def figure(x: float | None, digits: int = 0) -> str:
    """A figure to `digits` decimals ("-" for None); whole numbers by `whole`."""
    if x is None:
        return "-"
    return str(whole(x)) if digits == 0 else f"{x:.{digits}f}"


def timebox_verdict(timebox: dict) -> str:
    """A timebox's status (`metrics.Timebox` as a dict) in words, with how much: "over by 0:18",
    "within (0:03 past it, in the 10% grace)", "under: 0:36 or more is expected". The card said
    "0:48 of 0:45 - within" with no word of the grace, "under" with no amount, and "over by
    1096 s"."""
    from oral_sim.engine.metrics import TIMEBOX_GRACE_FRACTION, TIMEBOX_UNDER_FRACTION

    status, box = timebox.get("status"), timebox.get("timebox_s")
    if not box or status not in ("over", "within", "under"):
        return str(status or "-")
    said, allowed = whole(timebox["duration_s"]), whole(box)
    if status == "over":
        return f"over by {mmss(max(1, said - allowed))}"
    if status == "under":
        return (f"under: {mmss(box * TIMEBOX_UNDER_FRACTION, nearest=True)} or more is expected "
                f"({whole(100 * TIMEBOX_UNDER_FRACTION)}% of the timebox)")
    if said > allowed:
        return (f"within ({mmss(said - allowed)} past it, in the "
                f"{whole(100 * TIMEBOX_GRACE_FRACTION)}% grace)")
    return "within"
