"""Rich renderables for the screens: transcripts with fillers highlighted, feedback cards,
summaries. Pure functions of engine data, so every screen shows the same thing the same way."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from oral_sim.engine.bank_format import STORY_PART_LABELS, told_as
from oral_sim.engine.session import answered_text
from oral_sim.engine.shown import mmss, timebox_verdict, whole

FILLER_STYLE = "bold black on #f6ad55"
PAUSE_MARK = " ⏸ "
#: How a compared metric is named, and its decimals (`progress.COMPARED`).
CHANGE_LABELS = {"score": ("score", 0), "wpm": ("WPM", 0), "fillers_per_min": ("fillers/min", 1),
                 "latency_s": ("latency (s)", 1), "key_points_missed": ("key points missed", 0)}


def transcript_text(transcript: dict, feedback: dict | None = None) -> Text:
    """The words of an answer; fillers highlighted, long pauses marked."""
    words = transcript.get("words") or []
    if not words:
        return Text(transcript.get("text") or "", style="italic")
    fb = feedback or {}
    starts = {}
    for item in (fb.get("fillers") or {}).get("items") or []:
        if item.get("start_s") is not None:
            starts[round(item["start_s"], 2)] = len(item["text"].split())
    long_after = {round(p["start_s"], 2) for p in ((fb.get("pace") or {}).get("pauses") or {}).get("long", [])}
    text = Text()
    highlight = 0
    for w in words:
        key = round(w.get("start_s", -1), 2)
        if key in starts:
            highlight = starts[key]
        style = FILLER_STYLE if highlight > 0 else ""
        text.append(w["word"], style=style)
        highlight = max(0, highlight - 1)
        if round(w.get("end_s", -1), 2) in long_after:
            text.append(PAUSE_MARK, style="bold magenta")
        else:
            text.append(" ")
    return text


def live_transcript(transcript: Any) -> Text:
    """The growing transcript during an answer, filled pauses highlighted as they appear."""
    from oral_sim.engine.fillers import is_filled_pause

    text = Text()
    if not transcript.words:  # a typed answer: its text as written
        return Text(transcript.text, style="italic")
    for w in transcript.words:
        filled = w.source == "voiced_gap" or is_filled_pause(w.word)
        text.append(w.word, style=FILLER_STYLE if filled else "")
        text.append(" ")
    return text


def against_before(fb: dict, before: dict, answer: int = 2) -> Text:
    """One line: how this answer's figures moved from the answer before to the same question
    (green better, red worse, dim unchanged)."""
    from oral_sim.engine.progress import changes_between
    from oral_sim.engine.session import feedback_numbers

    line = Text(f"Answer {answer} against answer {answer - 1}: ", style="bold")
    shown = []
    for ch in changes_between(feedback_numbers(before), feedback_numbers(fb)):
        if ch.before is None or ch.after is None:
            continue
        label, digits = CHANGE_LABELS.get(ch.metric, (ch.metric, 1))
        style = "dim" if ch.better is None else "green" if ch.better else "red"
        if round(ch.before, digits) == round(ch.after, digits):
            shown.append((f"{label} {ch.after:.{digits}f} (same)", "dim"))
        else:
            shown.append((f"{label} {ch.before:.{digits}f} → {ch.after:.{digits}f}", style))
    for i, (text, style) in enumerate(shown):
        line.append(", " if i else "")
        line.append(text, style=style)
    return line


def feedback_card(fb: dict, prompt: str | None = None, before: dict | None = None,
                  answer: int = 2) -> Group:
    """The card shown after an answer: score and parts, key points with evidence, delivery.
    `before`: the answer before to the same question (`to_dict()`), when this one answers it
    again (its `answer`-th answer): a line says what moved."""
    parts: list[Any] = []
    if prompt:
        parts.append(Text(prompt, style="bold"))
    if before is not None:
        parts.append(against_before(fb, before, answer))
    content = fb.get("content")
    if content:
        score = content["score"]
        colour = "green" if score >= 70 else "yellow" if score >= 45 else "red"
        head = Text()
        head.append(f" {score} ", style=f"bold reverse {colour}")
        head.append("/100  ")
        head.append(f"similarity {content['similarity']:.2f}", style="dim")
        cp = content.get("parts") or {}
        from oral_sim.engine.scoring import score_parts  # not at import: keeps numpy off startup

        made = [f"{points:.0f} {label}" for points, label in score_parts(cp)]
        if len(made) > 1:
            head.append(f"  ({' + '.join(made)})", style="dim")
        parts.append(head)
        missing = content.get("terms_missing") or []
        if missing:
            line = Text("Key terms not used: ", style="bold")
            from oral_sim.engine.feedback import missing_terms_text

            line.append(", ".join(missing_terms_text(missing, content.get("terms_heard_as"), 10))
                        + (" …" if len(missing) > 10 else ""), style="yellow")
            parts.append(line)
        kp_table = Table.grid(padding=(0, 1))
        kp_table.add_column(width=2)
        kp_table.add_column(ratio=1)
        for kp in content.get("key_points") or []:
            mark = Text("✓", style="bold green") if kp["covered"] else Text("✗", style="bold red")
            cell = Text(kp["text"], style="" if kp["covered"] else "red")
            if kp["covered"] and kp.get("evidence"):
                cell.append(f"\n  “{kp['evidence']}”", style="dim italic")
                cell.append(told_as(kp.get("part")), style="dim")
            elif kp.get("contradicted"):  # why a point talked about was not credited
                cell.append(f"\n  your answer says otherwise: “{kp['contradicted']}”",
                            style="yellow")
            elif kp.get("hint"):
                cell.append(f"\n  for example: “{kp['hint']}”", style="dim")
            kp_table.add_row(mark, cell)
        parts.append(kp_table)
        st = content.get("structure")
        if st:
            found = [STORY_PART_LABELS.get(name, name) for name, v in st["parts"].items()
                     if v["present"]]
            line = Text("Structure: ", style="bold")
            line.append(", ".join(found) or "no STAR+AT parts found")
            parts.append(line)
            for tip in st.get("advice") or []:
                parts.append(Text(f"  • {tip}", style="yellow"))
        for note in content.get("notes") or []:
            parts.append(Text(f"note: {note}", style="italic dim"))
    delivery = Table.grid(padding=(0, 2))
    delivery.add_column(style="bold")
    delivery.add_column()
    f = fb.get("fillers") or {}
    if f:
        rate = f" ({f['per_min']:.1f}/min)" if f.get("per_min") is not None else ""
        what = ", ".join(f"{k} ×{v}" for k, v in (f.get("by_text") or {}).items())
        times = [mmss(i["start_s"]) for i in f.get("items", []) if i.get("start_s") is not None]
        # the first six, and how many more (the list stopped at six as if that were all)
        where = ", ".join(times[:6]) + (f" … (+{len(times) - 6} more)" if len(times) > 6 else "")
        delivery.add_row("Fillers", f"{f['count']}{rate}" + (f": {what}" if what else "")
                         + (f"  at {where}" if where else ""))
    p = fb.get("pace")
    if p:
        delivery.add_row("Pace", f"{p['wpm']:.0f} WPM ({p['verdict']}; 100–165 recommended), "
                                 f"{p['articulation_wpm']:.0f} without the pauses")
        ps = p["pauses"]
        longs = ", ".join(f"{mmss(x['start_s'])} ({x['duration_s']:.1f} s)" for x in ps["long"])
        delivery.add_row("Pauses", f"{ps['count']}, longest {ps['longest_s']:.1f} s"
                         + (f"; long at {longs}" if longs else ""))
        if p.get("response_latency_s") is not None:
            delivery.add_row("Started", f"{p['response_latency_s']:.1f} s after the question")
    tb = fb.get("timebox") or {}
    if tb.get("timebox_s") and fb.get("typed"):
        delivery.add_row("Time", f"typed, not timed (timebox {mmss(tb['timebox_s'])})")
    elif tb.get("timebox_s"):
        delivery.add_row("Time", f"{mmss(tb['duration_s'], nearest=True)} of "
                                 f"{mmss(tb['timebox_s'])} — {timebox_verdict(tb)}")
    parts.append(delivery)
    return Group(*parts)


def summary_table(summary: Any) -> Group:
    """The end-of-session summary."""
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold")
    t.add_column()
    t.add_row("Answered", answered_text(summary))
    t.add_row("Average score", "-" if summary.avg_score is None else f"{whole(summary.avg_score)}/100")
    t.add_row("Pace", "-" if summary.avg_wpm is None else f"{whole(summary.avg_wpm)} WPM")
    if summary.fillers_per_min is not None:
        fillers = f"{summary.fillers_per_min:.1f}/min ({summary.fillers} in all)"
    elif summary.fillers:
        fillers = f"{summary.fillers} in all (typed answers: no rate per minute)"
    else:
        fillers = "-" if not summary.answered else "none"
    t.add_row("Fillers", fillers)
    t.add_row("Response latency", "-" if summary.avg_latency_s is None else f"{summary.avg_latency_s:.1f} s")
    parts: list[Any] = [t]
    if summary.missed_key_points:
        parts.append(Text("\nKey points to work on:", style="bold"))
        # the point wraps under itself, not under the mark (it went back to column 2)
        points = Table.grid(padding=(0, 1))
        points.add_column(no_wrap=True)
        points.add_column()
        for qid, text in summary.missed_key_points[:12]:
            tag = qid.replace("#follow-up", " follow-up").replace("follow-up-", "follow-up ")
            points.add_row(Text(f"  ✗ [{tag}]", style="red"), Text(text, style="red"))
        parts.append(points)
    return Group(*parts)
