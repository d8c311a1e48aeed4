"""The schema of a scripts-bank file, and of a line of `oral-sim grade` input, as pydantic models (validation only; the loader in
`bank.py` turns validated data into the engine's dataclasses and errors into `file:line:` messages).

The format is documented for people in `scripts_bank/README.md`; keep the two in step.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, model_validator

from oral_sim.engine.bank_format import (
    CATEGORIES,
    DIFFICULTIES,
    ID_PATTERN,
    KINDS,
    MAX_EXAMPLES,
    MAX_KEY_POINTS,
    MAX_TIMEBOX_S,
    MIN_KEY_POINTS,
    MIN_TIMEBOX_S,
    SCRIPT_ID_PATTERN,
    STORY_PARTS,
)

Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Difficulty = Literal[DIFFICULTIES]  # type: ignore[valid-type]
Kind = Literal[KINDS]  # type: ignore[valid-type]
StoryPart = Literal[STORY_PARTS]  # type: ignore[valid-type]


#: Text with something in it (whitespace is stripped first). A constraint on each item rather
#: than a check of the whole list, so pydantic reports every blank item, at its own line.
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FollowUpModel(_Strict):
    """A probe asked when the key point it names was missed."""

    prompt: str = Field(min_length=1)
    key_point: StrictInt | None = Field(default=None, ge=1)
    reference_answer: str | None = Field(default=None, min_length=1)
    """A model answer to the probe itself; with `key_points`, the answer to the probe is scored
    against these (without them, against the key point it probes)."""
    key_points: list[Text] = Field(default_factory=list, max_length=MAX_KEY_POINTS)

    @model_validator(mode="after")
    def _answer_and_points_together(self) -> FollowUpModel:
        if bool(self.reference_answer) != bool(self.key_points):
            raise ValueError("a follow-up with its own reference_answer needs its own key_points "
                             "too, and the other way round")
        return self


class KeyPointModel(_Strict):
    """A key point written with examples: how candidates actually say it. For rubric-style points
    ("Role and ownership: your scope...") that a concrete spoken sentence never resembles."""

    point: str = Field(min_length=1)
    examples: list[Text] = Field(min_length=1, max_length=MAX_EXAMPLES)
    part: StoryPart | None = None
    """The part of a story this point is (optional): a sentence the story classifier gives that
    part also makes the point, if it is on topic at all (`scoring.score_texts`). For rubric
    points of behavioural and project questions ("Results: measurable outcomes")."""


class QuestionModel(_Strict):
    """One question as written in the file."""

    id: str = Field(pattern=ID_PATTERN)
    prompt: str = Field(min_length=1)
    category: Category
    difficulty: Difficulty
    timebox_s: StrictInt = Field(ge=MIN_TIMEBOX_S, le=MAX_TIMEBOX_S)
    reference_answer: str = Field(min_length=1)
    key_points: list[Text | KeyPointModel] = Field(min_length=MIN_KEY_POINTS,
                                                   max_length=MAX_KEY_POINTS)
    follow_ups: list[FollowUpModel] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    notes: str | None = None

    @model_validator(mode="after")
    def _follow_ups_point_at_key_points(self) -> QuestionModel:
        for probe in self.follow_ups:
            if probe.key_point is not None and probe.key_point > len(self.key_points):
                raise ValueError(
                    f"a follow-up probes key point {probe.key_point}, but the question has only "
                    f"{len(self.key_points)} key points"
                )
        return self


class DefaultsModel(_Strict):
    """Values filled into every question that does not set them."""

    category: Category | None = None
    difficulty: Difficulty | None = None
    timebox_s: StrictInt | None = Field(default=None, ge=MIN_TIMEBOX_S, le=MAX_TIMEBOX_S)


class ScriptModel(_Strict):
    """A whole bank file."""

    script: str = Field(pattern=SCRIPT_ID_PATTERN)
    title: str = Field(min_length=1)
    kind: Kind = "questions"
    source: str | None = None
    description: str | None = None
    opening: str | None = None
    closing: str | None = None
    framework: list[str] = Field(default_factory=list)
    defaults: DefaultsModel | None = None
    questions: list[QuestionModel] = Field(min_length=1)


class GradeKeyPointModel(KeyPointModel):
    """A key point of a `grade` line written as a mapping: as in a bank file, but its examples
    may be left out (the point alone is then matched as a text point is)."""

    examples: list[Text] = Field(default_factory=list, max_length=MAX_EXAMPLES)


#: A text of a list that must say something (strict: a number is not taken for a text).
StrictText = Annotated[StrictStr, Field(min_length=1)]


#: The most key points a `grade` line may have: 40 were all "made" by one short sentence, a
#: list that long is a document, not an answer's talking points.
MAX_GRADE_KEY_POINTS = 20


class GradeLineModel(BaseModel):
    """One line of `oral-sim grade` input (README: grade). Fields not named here are left alone
    (grading data often carries its own labels)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    reference: StrictText
    answer: StrictStr
    """May be empty: an empty answer is graded, and told why it scores 0."""
    id: object = None
    question: StrictStr | None = None
    alternatives: list[StrictText] | None = None
    key_points: list[StrictText | GradeKeyPointModel] | None = Field(
        default=None, max_length=MAX_GRADE_KEY_POINTS)
    """Any number up to MAX_GRADE_KEY_POINTS (a bank question has 3-8; grading data may have one
    or two); none or [] grades on similarity and key terms."""
