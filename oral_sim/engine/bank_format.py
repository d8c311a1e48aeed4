"""The scripts bank's vocabulary: categories, difficulties, kinds, story parts, id patterns and
limits. Plain values, so the screens and the feedback can name them without importing the
validation (`bank_schema.py`, pydantic: 0.2 s of a launch that only reads a cached bank).
"""

from __future__ import annotations

#: Question categories, in the order the start screen lists them.
CATEGORIES: tuple[str, ...] = (
    "opening",
    "conceptual",
    "rapid-fire",
    "scenario",
    "debugging",
    "coding",
    "system-design",
    "behavioral",
    "project-deep-dive",
    "closing",
)
#: Difficulty levels, easiest first.
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
#: Script kinds: a list of questions, or an ordered conversation that can be replayed.
KINDS: tuple[str, ...] = ("questions", "conversation")
#: The parts of a story, after the seeds' STAR+AT frame (`structure.py` finds them in answers).
STORY_PARTS: tuple[str, ...] = ("situation_task", "actions", "results", "tradeoffs", "hindsight")
#: How each part is named to the user.
STORY_PART_LABELS: dict[str, str] = {
    "situation_task": "Situation & task",
    "actions": "Actions",
    "results": "Results",
    "tradeoffs": "Trade-offs",
    "hindsight": "Hindsight",
}


def told_as(part: str | None) -> str:
    """" (your hindsight)" after evidence that made a point as that part of the story; "" for
    no part or an unknown one."""
    return f" (your {STORY_PART_LABELS[part].lower()})" if part in STORY_PART_LABELS else ""


#: Ids end up in file names and URLs: lower-case letters, digits, dot, dash, underscore.
ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
SCRIPT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,47}$"
MIN_TIMEBOX_S = 10
MAX_TIMEBOX_S = 1200
MIN_KEY_POINTS = 3
MAX_KEY_POINTS = 8
MAX_EXAMPLES = 20
