"""The feedback on one answer: transcript + delivery (fillers, pace, pauses, timebox) + content
(score, key points with evidence, structure), as one object, one JSON shape and one text card."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from oral_sim.engine.bank_format import STORY_PART_LABELS, told_as
from oral_sim.engine.metrics import NATURAL_PAUSE_S, WPM_RANGE, Delivery, analyze_delivery
from oral_sim.engine.scoring import ContentScore, score_parts
from oral_sim.engine.shown import mmss, timebox_verdict
from oral_sim.engine.transcript import Transcript


@dataclass
class Feedback:
    """Feedback on one answer. `to_dict()` is the shape stored in the history and printed by
    `analyze --json`; `from_dict()` reads it back."""

    question_id: str
    """The bank question answered."""
    transcript: Transcript
    """What was said."""
    delivery: Delivery | None
    """How it was said (None when read back from a dict)."""
    content: ContentScore | None
    """Content score (None when not scored)."""
    typed: bool = False
    """The answer was typed, not spoken."""
    _raw: dict | None = None

    def to_dict(self) -> dict:
        if self._raw is not None:
            return self._raw
        d = self.delivery.to_dict() if self.delivery else {}
        t = self.transcript.to_dict()
        return {
            "question_id": self.question_id,
            "typed": self.typed,
            "transcript": t,
            "words": d.get("words"),
            "fillers": d.get("fillers"),
            "pace": d.get("pace"),
            "timebox": d.get("timebox"),
            "content": self.content.to_dict() if self.content else None,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Feedback:
        """A Feedback read back from its dict (history, export)."""
        t = Transcript.from_dict(data.get("transcript") or {})
        return cls(str(data.get("question_id", "")), t, None, None, bool(data.get("typed")),
                   _raw=data)


def build_feedback(
    transcript: Transcript,
    question: Any,
    question_end_s: float = 0.0,
    typed: bool = False,
    score: bool = True,
    config: Any = None,
) -> Feedback:
    """Everything about one answer to `question` (a bank Question)."""
    delivery = analyze_delivery(transcript, question_end_s=question_end_s,
                                timebox_s=getattr(question, "timebox_s", None))
    content = None
    if score and (question.reference_answer or question.key_points):
        from oral_sim.engine.scoring import score_answer

        content = score_answer(transcript.text, question, transcript=transcript, config=config)
    return Feedback(question.id, transcript, delivery, content, typed)


def missing_terms_text(missing: list[str], heard_as: dict[str, str] | None,
                       limit: int | None = None) -> list[str]:
    """The missed key terms to show (at most `limit`), each with what the recognizer heard where
    it sounds alike, and those first: 'gating (heard as "getting")' is where the feedback
    itself may be wrong."""
    heard_as = heard_as or {}
    ordered = sorted(missing, key=lambda t: t not in heard_as)  # stable: reference order kept
    return [f'{t} (heard as "{heard_as[t]}")' if t in heard_as else t for t in ordered][:limit]


def _wrap(text: str, width: int, hang: int = 4) -> str:
    """`text` wrapped at word breaks to `width` columns, its indentation kept and later lines
    indented `hang` more (a word was cut to "aug..." at the margin)."""
    indent = text[: len(text) - len(text.lstrip())]
    return textwrap.fill(" ".join(text.split()), width, initial_indent=indent,
                         subsequent_indent=indent + " " * hang, break_long_words=False,
                         break_on_hyphens=False)


def render_text(feedback: Feedback, width: int = 88) -> str:
    """A plain-text card a person can read in a terminal."""
    d = feedback.to_dict()
    out: list[str] = []
    c = d.get("content")
    if c:
        parts = c.get("parts") or {}
        cov = c.get("coverage")
        out.append(
            f"Score {c['score']}/100  (similarity to the model answer {c['similarity']:.2f}"
            + (f"; key points covered {cov * 100:.0f}%" if cov is not None else "")
            + (f"; key terms used {c['term_recall'] * 100:.0f}%"
               if c.get("term_recall") is not None else "")
            + ")"
        )
        made = [f"{points} {label}" for points, label in score_parts(parts)]
        if len(made) > 1:
            out.append("  points: " + " + ".join(made))
        if c.get("terms_missing"):
            out.append(_wrap("  key terms not used: " + ", ".join(
                missing_terms_text(c["terms_missing"], c.get("terms_heard_as"), 12)), width))
        for kp in c.get("key_points") or []:
            mark = "[x]" if kp["covered"] else "[ ]"
            out.append(_wrap(f"  {mark} {kp['text']}", width))
            if kp["covered"] and kp.get("evidence"):
                out.append(_wrap(f"        you said{told_as(kp.get('part'))}: \"{kp['evidence']}\"",
                                 width, hang=2))
            elif kp.get("contradicted"):  # why a point talked about was not credited
                out.append(_wrap(f"        your answer says otherwise: \"{kp['contradicted']}\"",
                                 width, hang=2))
            elif kp.get("hint"):  # a model sentence: wrapped, not cut
                out.append(textwrap.fill(f"for example: \"{kp['hint']}\"", width,
                                         initial_indent=" " * 8, subsequent_indent=" " * 10))
        st = c.get("structure")
        if st:
            present = [STORY_PART_LABELS.get(k, k) for k, v in st["parts"].items() if v["present"]]
            out.append("  Structure: " + (", ".join(present) or "none of STAR+AT found")
                       + (" (results have numbers)" if st.get("results_have_numbers") else ""))
            for tip in st.get("advice", []):
                out.append(f"    - {tip}")
        for note in c.get("notes") or []:
            out.append(f"  note: {note}")
    f = d.get("fillers") or {}
    if f:
        rate = f" ({f['per_min']:.1f}/min)" if f.get("per_min") is not None else ""
        out.append(f"Fillers: {f['count']}{rate}" + (
            ": " + ", ".join(f"{k} x{v}" for k, v in (f.get("by_text") or {}).items())
            if f["count"] else ""))
        timed = [it for it in f.get("items", []) if it.get("start_s") is not None][:8]
        if timed:
            out.append("  at " + ", ".join(f"{mmss(it['start_s'])} {it['text']}" for it in timed))
    p = d.get("pace")
    if p:
        out.append(
            f"Pace: {p['wpm']:.0f} WPM ({p['verdict']}; {WPM_RANGE[0]:.0f}-{WPM_RANGE[1]:.0f} "
            f"recommended), articulation {p['articulation_wpm']:.0f} WPM; "
            f"started {p['response_latency_s']:.1f} s after the question"
        )
        ps = p["pauses"]
        out.append(
            f"Pauses: {ps['count']} (longest {ps['longest_s']:.1f} s; {ps['per_min']:.1f}/min; "
            f"{NATURAL_PAUSE_S[0]}-{NATURAL_PAUSE_S[1]} s reads as natural)"
            + (": long at " + ", ".join(f"{mmss(x['start_s'])} ({x['duration_s']:.1f} s)"
                                        for x in ps["long"]) if ps["long"] else "")
        )
    tb = d.get("timebox") or {}
    if tb.get("timebox_s") and d.get("typed"):
        out.append(f"Time: typed, not timed (timebox {mmss(tb['timebox_s'])})")
    elif tb.get("timebox_s"):
        out.append(
            f"Time: {mmss(tb['duration_s'], nearest=True)} of {mmss(tb['timebox_s'])} - "
            f"{timebox_verdict(tb)}")
    # any line still too long (the score, pace and pause lines) is wrapped like the rest
    return "\n".join(line if len(line) <= width or "\n" in line else _wrap(line, width)
                     for line in out)
