"""Session reports: JSON (everything), Markdown (readable), and one self-contained HTML file
(styles and matplotlib SVG charts inline, no script, no network) that opens offline."""

from __future__ import annotations

import bisect
import html
import io
import json
import re
from dataclasses import asdict
from typing import Any

from oral_sim.engine.shown import whole
from oral_sim.engine.store import SessionRecord

WINDOW_S = 10.0


def session_dict(record: SessionRecord) -> dict:
    """The whole session as plain data."""
    return asdict(record)


def to_json(record: SessionRecord) -> str:
    return json.dumps(session_dict(record), indent=2)


def _filler_indexes(feedback: dict, words: list[dict]) -> set[int]:
    """Indexes of transcript words that are fillers (matched by time, then text)."""
    items = (feedback.get("fillers") or {}).get("items") or []
    marks: set[int] = set()
    for it in items:
        for i, w in enumerate(words):
            if it.get("start_s") is not None and abs(w.get("start_s", -9) - it["start_s"]) < 0.05:
                marks.update(range(i, i + len(it["text"].split())))
                break
    return marks


def _words_and_marks(attempt: Any) -> tuple[list[dict], set[int], set[int]]:
    words = attempt.transcript.get("words") or []
    fb = attempt.feedback or {}
    fillers = _filler_indexes(fb, words)
    longs = {round(p["start_s"], 2) for p in ((fb.get("pace") or {}).get("pauses") or {}).get("long", [])}
    pause_after = {i for i, w in enumerate(words) if round(w.get("end_s", -1), 2) in longs}
    return words, fillers, pause_after


def _runs(words: list[dict], fillers: set[int], pauses: set[int]) -> list[tuple[str, bool, bool]]:
    """The transcript as (text, a filler, a long pause after it) runs: neighbouring filler words
    are one run, so "you know" is marked once (it was bolded word by word, "**You** **know,**")."""
    runs: list[tuple[str, bool, bool]] = []
    for i, w in enumerate(words):
        marked = i in fillers
        if runs and marked and runs[-1][1] and not runs[-1][2]:
            runs[-1] = (f"{runs[-1][0]} {w['word']}", True, i in pauses)
        else:
            runs.append((w["word"], marked, i in pauses))
    return runs


def question_numbers(record: SessionRecord) -> list[int]:
    """Per asked question, its number among the planned ones (a follow-up has its question's)."""
    out, n = [], 0
    for q in record.questions:
        n += not q.is_follow_up
        out.append(max(n, 1))
    return out


def attempt_note(attempts: list[Any], attempt: Any) -> str | None:
    """Which answer the session's figures count, for a question answered more than once (the
    last; the answers before it stay in the history): "answer 1 of 2, replaced by answer 2 in
    the session's figures" / "answer 2 of 2, the one the session's figures count". None for a
    question answered once."""
    if len(attempts) < 2:
        return None
    n, last = len(attempts), attempts[-1]
    if attempt is last:
        return f"answer {n} of {n}, the one the session's figures count"
    number = attempts.index(attempt) + 1
    return f"answer {number} of {n}, replaced by answer {n} in the session's figures"


def unanswered(record: SessionRecord, question: Any) -> str:
    """What a question asked but never answered was: skipped, or where the session ended ("Not
    answered." said both)."""
    ended = record.status != "completed" and record.questions and question is record.questions[-1]
    return "Not answered: the session ended here." if ended else "Skipped."


def overall(record: SessionRecord) -> str:
    """One line of the session's figures, each question counted with its last answer (as the
    history's averages): "4 of 5 questions answered; average score 62; 141 WPM; 7 fillers"."""
    from oral_sim.engine.store import PLANNED_KEY, planned_of

    last = [q.attempts[-1] for q in record.questions if q.attempts]
    scores = [a.score for a in last if a.score is not None]
    wpms = [a.wpm for a in last if a.wpm]
    fillers = sum(a.fillers_count or 0 for a in last if not a.typed)
    # questions apart from follow-up probes, of those the session set out to ask (a follow-up
    # made "3 of 3 answered" of a 3-question session killed before its third)
    main = [q for q in record.questions if not q.is_follow_up]
    of = planned_of(record.settings.get(PLANNED_KEY), len(main))
    out = [f"{sum(bool(q.attempts) for q in main)} of {of} questions answered"]
    probes = sum(bool(q.attempts) for q in record.questions if q.is_follow_up)
    if probes:
        out[0] += f", and {probes} follow-up" + ("" if probes == 1 else "s")
    if scores:
        out.append(f"average score {whole(sum(scores) / len(scores))}")
    if wpms:
        out.append(f"{whole(sum(wpms) / len(wpms))} WPM")
    if any(not a.typed for a in last):
        out.append(f"{fillers} filler" + ("" if fillers == 1 else "s"))
    return "; ".join(out)


def to_markdown(record: SessionRecord) -> str:
    lines = [f"# {record.script_title}", "",
             f"Session `{record.id}`, {record.started_at} ({record.mode}, {record.status})", "",
             f"**{overall(record)}**", ""]
    for q, number in zip(record.questions, question_numbers(record), strict=True):
        tag = "Follow-up" if q.is_follow_up else f"Question {number}"
        lines += [f"## {tag}: {q.prompt}", "", f"`{q.question_id}` - {q.category}, timebox {q.timebox_s} s", ""]
        if not q.attempts:
            lines += [f"_{unanswered(record, q)}_", ""]
        for a in q.attempts:
            lines.append(f"### Attempt {a.attempt}" + (" (typed)" if a.typed else ""))
            lines.append("")
            if note := attempt_note(q.attempts, a):
                lines += [f"_{note.capitalize()}._", ""]
            nums = [f"score {a.score:.0f}" if a.score is not None else None,
                    f"{a.wpm:.0f} WPM" if a.wpm else None,
                    (f"{a.fillers_count} filler" + ("" if a.fillers_count == 1 else "s"))
                    if a.fillers_count is not None else None,
                    f"latency {a.latency_s:.1f} s" if a.latency_s is not None else None,
                    f"{whole(a.length_s)} s" if a.length_s else None]
            lines.append(", ".join(n for n in nums if n) or "no metrics")
            lines.append("")
            words, fillers, pauses = _words_and_marks(a)
            if words:
                out = []
                for text, marked, pause in _runs(words, fillers, pauses):
                    out.append(f"**{text}**" if marked else text)
                    if pause:
                        out.append("[long pause]")
                lines += ["> " + " ".join(out), ""]
            elif a.transcript.get("text"):
                lines += ["> " + a.transcript["text"], ""]
            content = (a.feedback or {}).get("content") or {}
            for kp in content.get("key_points") or []:
                lines.append(f"- [{'x' if kp['covered'] else ' '}] {kp['text']}"
                             + (f" (your answer says otherwise: \"{kp['contradicted']}\")"
                                if kp.get("contradicted") else ""))
            if content.get("key_points"):
                lines.append("")
            if a.audio_path and a.audio_file() is None:
                lines += [f"_Audio file {a.audio_path} is missing._", ""]
    return "\n".join(lines)


def _svg(fig: Any) -> str:
    import matplotlib
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    # ids from a fixed salt, not uuid4: the same session gives the same file (exported again
    # over itself it is seen to be unchanged, and nothing is lost)
    with matplotlib.rc_context({"svg.hashsalt": "oral-sim"}):
        fig.savefig(buf, format="svg", bbox_inches="tight")

    plt.close(fig)
    text = buf.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)  # dates and licence RDF
    return text[text.index("<svg"):]


def pace_windows(words: list[dict]) -> tuple[list[float], list[float]]:
    """Words per minute in WINDOW_S windows from the first word to the last: (window middles,
    rates). Each rate is over its window's own length, and a last window shorter than half a
    window joins the one before: over a full window, a last partial one read as the speaker
    slowing to a crawl (about 20 WPM)."""
    start = min(w["start_s"] for w in words)
    end = max(w["end_s"] for w in words)
    edges = [start]
    while edges[-1] + WINDOW_S < end:
        edges.append(edges[-1] + WINDOW_S)
    if len(edges) > 1 and end - edges[-1] < WINDOW_S / 2:
        edges.pop()
    edges.append(end)
    counts = [0] * (len(edges) - 1)
    for w in words:
        counts[bisect.bisect_right(edges, w["start_s"], 1, len(edges) - 1) - 1] += 1
    windows = list(zip(edges, edges[1:], strict=False))
    return ([(a + b) / 2 for a, b in windows],
            [c * 60.0 / max(b - a, 1e-6) for c, (a, b) in zip(counts, windows, strict=True)])


def pace_chart(attempt: Any) -> str | None:
    """Words per minute over the answer (10 s windows), fillers as red ticks, long pauses shaded."""
    words = [w for w in attempt.transcript.get("words") or [] if w.get("source") != "voiced_gap"]
    if len(words) < 3:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "path"  # text as shapes: no font needed where it is opened
    xs, wpm = pace_windows(words)
    fig, ax = plt.subplots(figsize=(7, 2.2))
    ax.plot(xs, wpm, marker="o", color="#2b6cb0", label="words per minute")
    ax.axhspan(100, 165, color="#c6f6d5", alpha=0.5, label="100-165 WPM")
    fb = attempt.feedback or {}
    for it in (fb.get("fillers") or {}).get("items") or []:
        if it.get("start_s") is not None:
            ax.axvline(it["start_s"], color="#e53e3e", alpha=0.7, linewidth=1)
    for p in ((fb.get("pace") or {}).get("pauses") or {}).get("long", []):
        ax.axvspan(p["start_s"], p["start_s"] + p["duration_s"], color="#a0aec0", alpha=0.5)
    ax.set_xlabel("seconds into the answer (red: fillers, grey: long pauses)")
    # room above the fastest point and the recommended band (its marker was cut at the top)
    ax.set_ylim(0, max(max(wpm, default=0), 165) * 1.15)
    ax.legend(loc="best", fontsize=7)
    return _svg(fig)


def counted_scores(record: SessionRecord) -> list[tuple[str, float]]:
    """(label, score) of the answer the session's figures count at each question (`overall`:
    the last, when it has a score), labelled as the report's sections are: "Q2", "Q2 F"."""
    out = []
    for q, number in zip(record.questions, question_numbers(record), strict=True):
        if q.attempts and q.attempts[-1].score is not None:
            out.append((f"Q{number} F" if q.is_follow_up else f"Q{number}", q.attempts[-1].score))
    return out


def scores_chart(record: SessionRecord) -> str | None:
    """The counted score of each question (`counted_scores`) as bars."""
    bars = counted_scores(record)
    labels, scores = [b[0] for b in bars], [b[1] for b in bars]
    if not scores:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "path"
    fig, ax = plt.subplots(figsize=(7, 2.2))
    ax.bar(labels, scores, color="#2b6cb0")
    ax.set_ylim(0, 100)
    ax.set_ylabel("score")
    return _svg(fig)


STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a202c}
h1{margin-bottom:.2rem} .meta{color:#4a5568} section{border-top:1px solid #e2e8f0;margin-top:1.5rem}
.transcript{line-height:1.7;background:#f7fafc;padding:.8rem;border-radius:6px}
mark{background:#fed7d7;padding:0 .15rem;border-radius:3px} .pause{color:#718096;font-size:.85em}
.nums span{display:inline-block;margin-right:1rem} .kp li.miss{color:#c53030} .kp li.hit{color:#276749}
.chart svg{max-width:100%;height:auto}
"""


def to_html(record: SessionRecord) -> str:
    e = html.escape
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{e(record.script_title)} - oral-sim</title><style>{STYLE}</style></head><body>",
             f"<h1>{e(record.script_title)}</h1>",
             f"<p class='meta'>Session {e(record.id)} &middot; {e(record.started_at)} &middot; "
             f"{e(record.mode)} &middot; {e(record.status)}</p>",
             f"<p class='overall'><b>{e(overall(record))}</b></p>"]
    chart = scores_chart(record)
    if chart:
        parts.append(f"<div class='chart' id='scores'>{chart}</div>")
    for q, number in zip(record.questions, question_numbers(record), strict=True):
        tag = "Follow-up" if q.is_follow_up else f"Question {number}"
        parts.append(f"<section><h2>{tag}: {e(q.prompt)}</h2>"
                     f"<p class='meta'>{e(q.question_id)} &middot; {e(q.category)} &middot; "
                     f"timebox {q.timebox_s} s</p>")
        if not q.attempts:
            parts.append(f"<p><em>{e(unanswered(record, q))}</em></p>")
        for a in q.attempts:
            parts.append(f"<h3>Attempt {a.attempt}{' (typed)' if a.typed else ''}</h3>")
            if note := attempt_note(q.attempts, a):
                parts.append(f"<p class='counted'><em>{e(note.capitalize())}.</em></p>")
            parts.append("<p class='nums'>")
            for label, value, digits, unit in (
                    ("score", a.score, 0, ""), ("WPM", a.wpm, 0, ""),
                    ("fillers", a.fillers_count, 0, ""), ("started after", a.latency_s, 1, " s"),
                    ("length", None if a.typed or not a.length_s else whole(a.length_s), 0,
                     " s")):
                if value is not None:
                    shown = f"{value:.{digits}f}" if isinstance(value, float) else f"{value}"
                    parts.append(f"<span>{label}: <b>{shown}</b>{unit}</span>")
            parts.append("</p>")
            words, fillers, pauses = _words_and_marks(a)
            if words:
                out = []
                for text, marked, pause in _runs(words, fillers, pauses):
                    out.append(f"<mark>{e(text)}</mark>" if marked else e(text))
                    if pause:
                        out.append("<span class='pause'>[long pause]</span>")
                parts.append(f"<p class='transcript'>{' '.join(out)}</p>")
            elif a.transcript.get("text"):
                parts.append(f"<p class='transcript'>{e(a.transcript['text'])}</p>")
            pc = pace_chart(a)
            if pc:
                parts.append(f"<div class='chart pace'>{pc}</div>")
            content = (a.feedback or {}).get("content") or {}
            if content.get("key_points"):
                parts.append("<ul class='kp'>")
                for kp in content["key_points"]:
                    cls = "hit" if kp["covered"] else "miss"
                    against = (f" <small>(your answer says otherwise: “{e(kp['contradicted'])}”)"
                               "</small>" if kp.get("contradicted") else "")
                    parts.append(f"<li class='{cls}'>{'&#10003;' if kp['covered'] else '&#10007;'} "
                                 f"{e(kp['text'])}{against}</li>")
                parts.append("</ul>")
            if a.audio_path and a.audio_file() is None:
                parts.append(f"<p><em>Audio file {e(a.audio_path)} is missing.</em></p>")
        parts.append("</section>")
    parts.append("<p class='meta'>Made by oral-sim, offline.</p></body></html>")
    return "\n".join(parts)


def export(record: SessionRecord, fmt: str) -> str:
    """The report in `fmt` (md, html or json)."""
    if fmt == "json":
        return to_json(record)
    if fmt == "md":
        return to_markdown(record)
    if fmt == "html":
        return to_html(record)
    from oral_sim.errors import UsageError

    raise UsageError(f"unknown format {fmt!r}", "use md, html or json")
