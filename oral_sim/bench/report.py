"""The benchmark table, and `BENCHMARKS.md` with every recorded run kept (newest first)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: New runs are inserted after this line, so earlier figures stay below for comparison.
MARKER = "<!-- runs: newest first; `oral-sim bench --record` inserts here -->"

HEADER = f"""# Benchmarks

Measured by `oral-sim bench` (see `oral_sim/bench/`). Each run measures our approach and the
peers' approach side by side in the same process, so read the ratios, not the absolute numbers:
these machines are noisy. Goals come from the issues: end-of-answer latency <= 0.5 s and <= 0.2 x
batch; first screen <= 1 s; first question audio <= 2 s; peak RSS <= 1 GB.

Reproduce: `make bench` (full run, records here) or `.venv/bin/oral-sim bench --quick` (smoke).

{MARKER}
"""


def _slash(figures: dict, *keys: str) -> str:
    """Several figures of one result, "0.82 / 0.847 / 0.833"."""
    return " / ".join(_fmt(figures.get(key)) for key in keys)


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    else:
        text = str(value)
    return f"{text}{unit}"


def rows(results: dict) -> list[tuple[str, str, str, str, str]]:
    """(metric, ours, peer/baseline, ratio, goal) rows for whatever sections ran."""
    s = results.get("sections", {})
    out: list[tuple[str, str, str, str, str]] = []
    lat = s.get("latency", {})
    for a in lat.get("answers", []):
        when = (f"stop {a['pause_before_stop_s']} s after the last word"
                if a.get("pause_before_stop_s") else "stop at the last word")
        out.append((f"end-of-answer latency ({when}), {a['answer_s']:.0f} s answer",
                    _fmt(a["ours_s"], " s"),
                    _fmt(a["batch_s"], " s"), _fmt(a["ratio"]), "<= 0.5 s, <= 0.2"))
        if a.get("ours_transcript_s") is not None:
            out.append((f"  of which to the final transcript ({when}), {a['answer_s']:.0f} s answer",
                        _fmt(a["ours_transcript_s"], " s"), _fmt(a.get("batch_transcript_s"), " s"),
                        "", "<= 0.5 s"))
    if "end_of_answer_latency_s" in lat:
        out.append(("end-of-answer latency (stop at the last word), median", _fmt(lat["end_of_answer_latency_s"], " s"),
                    _fmt(lat.get("batch_latency_s"), " s"), _fmt(lat.get("latency_ratio_vs_batch")),
                    "<= 0.5 s, <= 0.2"))
    se = lat.get("silence_ended") or {}
    if se.get("event_to_feedback_s") is not None:
        out.append((f"end of answer by {se['end_of_answer_silence_s']} s silence ({se['answer_s']:.0f}"
                    " s answer): event -> feedback", _fmt(se["event_to_feedback_s"], " s"), "", "",
                    "<= 0.5 s"))
    if lat.get("ours_wer") is not None:
        out.append(("WER of those live answers (real-time input)", _fmt(lat["ours_wer"]),
                    _fmt(lat.get("batch_wer")), "", "no worse"))
    tr = s.get("transcription", {})
    if "pipeline" in tr:
        p, b = tr["pipeline"], tr.get("plain", {})
        out.append(("read speech WER", _fmt(p.get("wer")), _fmt(b.get("wer")), "", "lower"))
        text = tr.get("fillers_in_read_text") or {}
        if text.get("words"):
            kinds = text.get("by_kind") or {}
            out.append((f"fillers the rules find in LJ Speech's book text ({text['words']} words): "
                        "discourse / repetition",
                        f"{kinds.get('discourse_marker', 0)} / {kinds.get('repetition', 0)}", "",
                        "", "few"))
        gap = tr.get("wer_difference") or {}
        if gap.get("ci95"):
            out.append(("read speech WER, ours minus plain (95% interval, paired bootstrap)",
                        f"{_fmt(gap['ours_minus_plain'])} [{_fmt(gap['ci95'][0])}, "
                        f"{_fmt(gap['ci95'][1])}]", "", "", "<= 0"))
        if p.get("errors") and b.get("errors"):
            e, f = p["errors"], b["errors"]
            out.append(("read speech word errors: substituted / deleted / inserted",
                        f"{e['substitutions']} / {e['deletions']} / {e['insertions']}",
                        f"{f['substitutions']} / {f['deletions']} / {f['insertions']}", "",
                        "deletions no more than plain"))
        ce = tr.get("compound_word_errors") or {}
        if ce.get("ours") is not None:
            out.append(("read speech word errors, compounds joined either way (wood cutters = "
                        "woodcutters)", str(ce["ours"]), str(ce.get("plain")), "",
                        "no more than plain"))
        if p.get("wer_whisper_normalizer") is not None:
            out.append(("read speech WER, Whisper's text normalizer", _fmt(p["wer_whisper_normalizer"]),
                        _fmt(b.get("wer_whisper_normalizer")), "", "lower"))
        out.append(("read speech real-time factor", _fmt(p.get("rtf")), _fmt(b.get("rtf")), "", "lower"))
        if "discourse_false_positives" in tr:
            out.append(("discourse fillers found in read speech (all false)",
                        str(tr["discourse_false_positives"]), "", "", "0"))
        wh = tr.get("wpm_vs_hand") or {}
        if wh.get("mean_abs_error") is not None:
            out.append(("WPM vs hand count: mean / max error, clips within 5%",
                        f"{wh['mean_abs_error']:.1%} / {wh['max_abs_error']:.1%}, "
                        f"{wh['within_5_percent']}/{wh['clips']}", "", "", "within 5%"))
            if wh.get("pooled_error") is not None:
                out.append(("WPM vs hand count, all clips pooled", f"{wh['pooled_error']:.1%} error",
                            "", "", "within 5%"))
    fi = s.get("fillers", {})
    if "pipeline" in fi:
        p, b = fi["pipeline"], fi.get("plain", {})
        out.append(("filled-pause recall", _fmt(p.get("recall")), _fmt(b.get("recall")), "", ">= 0.85"))
        out.append(("filled-pause precision", _fmt(p.get("precision")), _fmt(b.get("precision")), "",
                    ">= 0.9"))
        pc, bc = p.get("by_count") or {}, b.get("by_count") or {}
        if pc:
            out.append(("filled-pause recall / precision, counts per channel (before 2026-11-30 "
                        "evening)", _slash(pc, 'recall', 'precision'),
                        _slash(bc, 'recall', 'precision'), "",
                        ">= 0.85 / >= 0.9"))
        ph, bh = p.get("in_the_audio") or {}, b.get("in_the_audio") or {}
        if ph:
            out.append((f"filled-pause recall / precision, the {fi.get('reference_filled_pauses_in_the_audio')} "
                        "in the audio (without those the clip window cut off)",
                        _slash(ph, 'recall', 'precision'),
                        _slash(bh, 'recall', 'precision'), "",
                        ">= 0.85 / >= 0.9"))
    text = fi.get("labelled_text") or {}
    for group, label in (("held_out", "held out"), ("all", "all")):
        for kind, name in (("discourse_marker", "discourse fillers"), ("repetition", "repetitions"),
                           ("filled_pause", "filled pauses")):
            got = (text.get(group) or {}).get(kind)
            if got:
                out.append((f"{name} in labelled text, {label} ({got['marked']} marked): "
                            "precision / recall",
                            _slash(got, 'precision', 'recall'), "", "",
                            ""))
    spoken = fi.get("labelled_spoken") or {}
    for kind, name in (("discourse_marker", "discourse fillers"), ("repetition", "repetitions"),
                       ("filled_pause", "filled pauses")):
        got, typed = (spoken.get("spoken") or {}).get(kind), (spoken.get("text") or {}).get(kind)
        if got and typed:
            out.append((f"{name}, {spoken['set']} utterances spoken by the piper voice and "
                        f"transcribed ({got['marked']} marked): precision / recall",
                        _slash(got, 'precision', 'recall'),
                        _slash(typed, 'precision', 'recall'), "",
                        "as text (peer column)"))
    sim = fi.get("simulated_candidate") or {}
    if sim.get("recall") is not None:
        out.append((f"filled-pause recall / precision, simulated candidate ({sim['answers']} "
                    f"answers, {sim['filled_pauses']} put in)",
                    _slash(sim, 'recall', 'precision'), "", "",
                    ">= 0.85 / >= 0.9"))
    tts = s.get("tts", {})
    if tts:
        out.append(("TTS first audio, uncached", _fmt(tts.get("first_audio_uncached_s"), " s"), "", "", ""))
        out.append(("TTS first audio, cached", _fmt(tts.get("first_audio_cached_s"), " s"), "", "", ""))
        out.append(("TTS real-time factor", _fmt(tts.get("real_time_factor")), "", "", "< 1"))
    st = s.get("startup", {})
    if st:
        out.append(("first interactive screen", _fmt(st.get("first_screen_s"), " s"), "", "", "<= 1 s"))
        if st.get("first_screen_first_launch_s") is not None:
            out.append(("first interactive screen, first launch (the bank parsed)",
                        _fmt(st["first_screen_first_launch_s"], " s"), "", "", "<= 1 s"))
        out.append(("first question audio" + (", returning user (bank and question audio cached)"
                                              if "first_question_audio_launches" in st else ""),
                    _fmt(st.get("first_question_audio_s"), " s"), "", "", "<= 2 s"))
        if st.get("first_question_audio_first_launch_s") is not None:
            out.append(("first question audio, first launch (nothing cached)",
                        _fmt(st["first_question_audio_first_launch_s"], " s"), "", "", "<= 2 s"))
        if st.get("first_question_audio_new_machine_s") is not None:
            out.append(("first question audio, first launch on a machine (Whisper's threads "
                         "measured meanwhile)", _fmt(st["first_question_audio_new_machine_s"], " s"),
                         "", "", "<= 2 s"))
        out.append((f"peak RSS, {st.get('questions')}-question session"
                    + (" (peer: the scorer's first load, sentence-transformers)"
                       if st.get("peak_rss_first_scorer_load_mb") is not None else ""),
                    _fmt(st.get("peak_rss_mb"), " MB"),
                    _fmt(st.get("peak_rss_first_scorer_load_mb"), " MB"), "", "<= 1000 MB"))
        if st.get("scorer_load_s") is not None:
            out.append(("scorer load in a new process, imports included (peer: its first load, "
                        "sentence-transformers, which also exports it)",
                        _fmt(st["scorer_load_s"], " s"), _fmt(st.get("scorer_load_first_s"), " s"),
                        "", ""))
    sc = s.get("scoring", {})
    if sc.get("grade_answers_per_s") is not None:
        out.append(("grade throughput", _fmt(sc["grade_answers_per_s"], " answers/s"), "", "", ""))
    long_ = sc.get("grade_long") or {}
    if long_.get("answers_per_s") is not None:
        out.append((f"grade throughput, {long_['items']} long answers (~{long_['mean_words']} "
                    "words; peer: plain cosine of answer and reference)",
                    _fmt(long_["answers_per_s"], " answers/s"),
                    _fmt(long_.get("plain_cosine_answers_per_s"), " answers/s"), "", ""))
    agree = sc.get("agreement", {}) or {}
    ours, base = agree.get("ours", {}), agree.get("baseline", {})
    for key in ("pearson", "spearman", "auc"):
        if key in ours:
            out.append((f"human-label agreement ({key})", _fmt(ours.get(key)), _fmt(base.get(key)),
                        "", "higher than cosine"))
    kp = sc.get("key_points", {}) or {}
    for group, label in (("all", "all"), ("project-deep-dive", "project deep-dives")):
        ours, plain = (kp.get("ours") or {}).get(group), (kp.get("without_examples") or {}).get(group)
        if ours and plain:
            out.append((f"key points, {label} ({ours['labels']} labels): precision / recall / F1",
                        _slash(ours, 'precision', 'recall', 'f1'),
                        _slash(plain, 'precision', 'recall', 'f1'), "", "higher F1 than the point text alone"))
    for group, label in (("all", "all"), ("project-deep-dive", "project deep-dives")):
        before = (kp.get("without_story_parts") or {}).get(group)
        if before:
            out.append((f"key points, {label}, without story parts: precision / recall / F1",
                        _slash(before, 'precision', 'recall', 'f1'), "", "", ""))
    uncontradicted = (kp.get("without_contradictions") or {}).get("all")
    if uncontradicted and (kp.get("ours") or {}).get("all"):
        mine = kp["ours"]["all"]
        out.append(("key points, all, crediting windows that say the opposite: P / R / F1",
                    _slash(mine, 'precision', 'recall', 'f1'),
                    _slash(uncontradicted, 'precision', 'recall', 'f1'),
                    "", ""))
    unfiltered = (kp.get("without_says_nothing_filter") or {}).get("all")
    if unfiltered and (kp.get("ours") or {}).get("all"):
        mine = kp["ours"]["all"]
        out.append(("key points, all, counting restatements and admissions: P / R / evidence right",
                    _slash(mine, 'precision', 'recall', 'evidence_right'),
                    _slash(unfiltered, 'precision', 'recall', 'evidence_right'), "", ""))
        false = mine.get("false_cover") or {}
        out.append(("key points not made but counted: mentioned only / wrong / omitted",
                    " / ".join(str(false.get(k, "-")) for k in
                               ("mentioned_not_made", "wrong", "omitted")), "", "", "fewer"))
    if (kp.get("ours") or {}).get("all"):
        mine = kp["ours"]["all"]
        out.append((f"key points: evidence is the labelled span ({mine.get('true_covers')} "
                    "rightly covered)", _fmt(mine.get("evidence_right")), "", "", ""))
    short = sc.get("short_answers", {}) or {}
    for split in ("test", "development"):
        ours, plain = ((short.get(v) or {}).get(split) for v in ("ours", "without_question_margin"))
        if not ours or not plain:
            continue
        n = ours["answers"]
        out.append((f"short answers, {split} split ({n.get('vacuous', 0)} naming only the topic): "
                    "key points credited to them (beside it: without the question margin)",
                    str(ours["points_credited_to_vacuous_answers"]),
                    str(plain["points_credited_to_vacuous_answers"]), "", "none"))
        out.append((f"short answers, {split} split ({n.get('short', 0) + n.get('medium', 0)} "
                    "making points): precision / recall", f"{_fmt(ours.get('precision'))} / "
                    f"{_fmt(ours.get('recall'))}", f"{_fmt(plain.get('precision'))} / "
                    f"{_fmt(plain.get('recall'))}", "", ""))
        out.append((f"short answers, {split} split: mean score, naming only the topic / short / "
                    "medium", " / ".join(_fmt(ours["mean_score"].get(k)) for k in
                                         ("vacuous", "short", "medium")),
                    " / ".join(_fmt(plain["mean_score"].get(k)) for k in
                               ("vacuous", "short", "medium")), "", "the first well below"))
    terse = sc.get("terse_points", {}) or {}
    for form, label in (("terse", "1-4 words"), ("short", "5-8 words"),
                        ("key_points", "as the bank has them")):
        ours, plain = ((terse.get(v) or {}).get(form) for v in ("ours", "without_allowance"))
        if not ours or not plain:
            continue
        for h, name in (("B", "held-out half"), ("A", "half the allowance was chosen on")):
            out.append((f"key points written in {label}, {name}: precision / recall (beside it: "
                        "without the short-point allowance)",
                        _slash(ours[h], 'precision', 'recall'),
                        _slash(plain[h], 'precision', 'recall'),
                        "", ""))
    contra = sc.get("contradictions", {}) or {}
    ours, plain = contra.get("ours"), contra.get("without_contradictions")
    if ours and plain:
        kinds = ("agrees", "negated", "number", "opposite")
        out.append((f"key points, one-sentence answers ({contra.get('answers')}) credited: making "
                    "them / negating them / other numbers / antonyms (beside it: without the "
                    "rule)",
                    " / ".join(str(ours.get(f"{k}_credited", "-")) for k in kinds),
                    " / ".join(str(plain.get(f"{k}_credited", "-")) for k in kinds), "",
                    "first high, others low"))
    st_eval = sc.get("structure", {}) or {}
    for group, label in (("held_out", "held out"), ("all", "all")):
        ours, kw = (st_eval.get(group) or {}).get("ours"), (st_eval.get(group) or {}).get("keywords_only")
        if ours and kw:
            out.append((f"STAR parts per sentence, {label} ({ours['sentences']}): accuracy / macro F1",
                        _slash(ours, 'accuracy', 'macro_f1'),
                        _slash(kw, 'accuracy', 'macro_f1'), "",
                        "above keyword rules"))
    near = (st_eval.get("held_out") or {}).get("nearest_examples")
    if near:
        out.append(("STAR parts, held out, nearest examples without story order: acc. / macro F1",
                    _slash(near, 'accuracy', 'macro_f1'), "", "", ""))
    sp = s.get("spoken", {})
    if sp.get("answers"):
        e, kp, kt = sp["word_errors"], sp["key_points"], sp["key_terms"]
        out.append((f"labelled answers spoken by the piper voice ({sp['answers']}): word errors "
                    f"S / D / I of {sp['words']}", f"{e['substitutions']} / {e['deletions']} / "
                    f"{e['insertions']} ({sp['wer']:.2%})", "", "", ""))
        for side in ("spoken", "written"):
            c = kp[side]
            out.append((f"key points, {side} ({c['labels']} labels): precision / recall / F1",
                        _slash(c, 'precision', 'recall', 'f1'), "", "", "spoken near written"))
        out.append(("key terms missed, written / spoken; lost by the recognizer",
                    f"{kt['missed_written']} / {kt['missed_spoken']}; {kt['lost_by_recognizer']}",
                    "", "", "fewer lost"))
        out.append(("missed key terms shown 'heard as': on lost terms / all shown",
                    f"{kt['hints_on_lost_terms']} / {kt['hints_shown']}", "", "", "most on lost"))
    so = s.get("soak", {})
    if "answers" in so:
        out.append((f"soak: {so['answer_audio_min']} min of answers, stored",
                    f"{so['stored_attempts']}/{so['answers']}", "", "", "all"))
        out.append(("soak: RSS warm -> end", f"{so['rss_warm_mb']} -> {so['rss_end_mb']} MB", "", "",
                    "flat"))
    for name, err in results.get("errors", {}).items():
        out.append((f"{name} section", "FAILED", err[:60], "", ""))
    return out


def table(results: dict) -> str:
    """A plain-text table for the terminal."""
    head = ("metric", "ours", "peer / baseline", "ratio", "goal")
    body = rows(results)
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(head, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in body]
    return "\n".join(lines)


def _threads_note(choice: dict | None) -> str:
    """"; Whisper on N threads (measured: 1 thread 0.58 s, 2 threads 0.40 s)" for the header."""
    if not choice:
        return ""
    timed = ", ".join(f"{n} thread{'s' if int(n) > 1 else ''} {s} s"
                      for n, s in choice.get("seconds", {}).items())
    return (f"; Whisper on {choice['threads']} thread{'s' if choice['threads'] > 1 else ''} "
            f"({choice['source']}{': ' + timed if timed else ''})")


def markdown(results: dict) -> str:
    """One run as a markdown section."""
    m = results.get("machine", {})
    versions = ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items())
    parts = [
        f"## {results['date']}{' (quick)' if results.get('quick') else ''}",
        "",
        f"Command: `{results['command']}`  ",
        f"Machine: {m.get('cpu')}, {m.get('cores')} cores, {m.get('ram_gb')} GB RAM, "
        f"Python {m.get('python')}; {versions}" + _threads_note(m.get("whisper_threads")),
        "",
        "| metric | ours | peer / baseline | ratio | goal |",
        "|---|---|---|---|---|",
    ]
    parts += ["| " + " | ".join(r) + " |" for r in rows(results)]
    parts += ["", "<details><summary>JSON</summary>", "", "```json",
              json.dumps(results, indent=1), "```", "</details>", ""]
    return "\n".join(parts)


def record(results: dict, path: Path) -> None:
    """Insert this run at the top of the runs in `path`, keeping every earlier run."""
    text = path.read_text(encoding="utf-8") if path.is_file() else HEADER
    if MARKER not in text:
        text = text.rstrip() + "\n\n" + MARKER + "\n"
    before, after = text.split(MARKER, 1)
    path.write_text(before + MARKER + "\n\n" + markdown(results) + after.lstrip("\n"), encoding="utf-8")
