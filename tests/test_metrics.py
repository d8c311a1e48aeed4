"""Fillers with their context rules, pace and pauses on hand-computed timings, the timebox, words
counted as spoken (numerals), the speaking time measured from the voice, and arbitrary text never
breaking the metrics."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oral_sim.engine.fillers import find_fillers, tokens_from_text
from oral_sim.engine.metrics import (
    analyze_delivery,
    spoken_words,
)
from oral_sim.engine.transcript import Segment, Transcript, Word
from oral_sim.engine.vad import Utterance
from oral_sim.engine.voice import CLOSURE_MAX_S, EDGE_MAX_S, voice_span


def fillers(text: str) -> list[tuple[str, str]]:
    return [(i.text, i.kind) for i in find_fillers(tokens_from_text(text))]


@pytest.mark.parametrize(("text", "expected"), [
    ("Um, I think so.", [("um", "filled_pause")]),
    ("Uh the model, erm, hmm, converged.", [("uh", "filled_pause"), ("erm", "filled_pause"),
                                              ("hmm", "filled_pause")]),
    ("So, we trained it.", [("so", "discourse_marker")]),
    ("Um, so I tried it.", [("um", "filled_pause"), ("so", "discourse_marker")]),
    ("It was, like, really slow.", [("like", "discourse_marker")]),
    ("It took like 20 minutes.", [("like", "discourse_marker")]),
    # how often, as a number: "like every day", "like twice a week"; "like every other model"
    # compares, and "I felt like every model failed" is the verb
    ("We had to retrain like every day.", [("like", "discourse_marker")]),
    ("We deploy like twice a week.", [("like", "discourse_marker")]),
    ("Things like every other model.", []),
    ("I felt like every model failed.", []),
    ("I would like every team to own it.", []),
    ("Like, we retrained it.", [("like", "discourse_marker")]),
    ("It was, like really slow.", [("like", "discourse_marker")]),
    ("It is, you know, hard.", [("you know", "discourse_marker")]),
    ("I mean, it works.", [("i mean", "discourse_marker")]),
    ("It is kind of slow.", [("kind of", "discourse_marker")]),
    ("We sort of retrained it.", [("sort of", "discourse_marker")]),
    ("Basically, we cached it.", [("basically", "discourse_marker")]),
    ("It scales, right?", [("right", "discourse_marker")]),
    ("I I think the the loss fell.", [("i", "repetition"), ("the", "repetition")]),
    ("We can we can ship it.", [("we can", "repetition")]),
    # one word said four times is that word again three times, as "the the the" is twice (it
    # was "i i" and "i": helper's audit, 2026-12-04 afternoon)
    ("I I I I think so.", [("i", "repetition")] * 3),
    ("The the the model.", [("the", "repetition")] * 2),
    # measured on the labelled utterances (calibration.evaluate_filler_labels)
    ("You step in the, um, the opposite direction.", [("the", "repetition"),
                                                      ("um", "filled_pause")]),
    ("The cold starts were like really slow.", [("like", "discourse_marker")]),
    ("It fails like nine times out of ten.", [("like", "discourse_marker")]),
    ("I honestly don't know.", [("honestly", "discourse_marker")]),
    ("It's sort of like a funnel.", [("sort of", "discourse_marker")]),  # "like" compares
    # the word before, within the sentence only: "can. You know" is no "can you know"
    ("Or you can. You know, use class weights.", [("you know", "discourse_marker")]),
    # false starts the recognizer closed with a full stop or trailed off
    ("And I would. I would not use accuracy.", [("i would", "repetition")]),
    ("We tried it... we tried it twice.", [("we tried it", "repetition")]),
])
def test_fillers_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert fillers(text) == expected


@pytest.mark.parametrize("text", [
    "I like Python.",
    "Models like BERT look like magic.",
    "It trains on labeled examples, like spam filters.",
    "It finds structure, like clustering customers.",
    "Like I said, the model overfits.",
    "What kind of model is it?",
    "That sort of problem is common.",
    "Do you know how attention works?",
    "I mean it when I say tests matter.",
    "It actually works in production.",
    "We cached it so that latency fell.",
    "The right model is the simplest one.",
    "It works well.",
    "We had had enough.",
    "It was fine. It was fast.",
    "It's like a soft lookup table.",
    "It looks like a leak to me.",
    "What I mean is that the shift was in the labels.",
    "That's what I mean by a leak.",
    "Report the offline metrics honestly, even when they are worse.",
    "I mean the validation loss, not the training loss; the training loss was still falling.",
    "The main issue was that that feature leaked.",
    "It was very, very slow.",
    "Call two two zero one.",
    "We tried some other kind of loss.",
    "You know as much about it as I do.",
    "He came in. He sat down.",
    "There! there! I see it!",
])
def test_real_uses_are_not_fillers(text: str) -> None:
    assert fillers(text) == []


def _name(i: int) -> str:
    """A distinct word of letters only for index i ("wa", "wbc"): digits would count as numerals."""
    return "w" + "".join(chr(ord("a") + int(d)) for d in str(i))


def _timed(spec: list[tuple[str, float, float]], source: str = "asr") -> Transcript:
    words = [Word(w, s, e, 0.9, source) for w, s, e in spec]
    return Transcript(words=words, segments=[Segment(spec[0][1], spec[-1][2],
                                                     " ".join(w for w, _, _ in spec))],
                      duration_s=spec[-1][2] + 1.0)


def test_pace_pauses_and_latency_by_hand() -> None:
    # 12 words from 1.0 s to 7.0 s (6 s speaking); one 0.5 s pause and one 2.5 s pause
    spec = [(_name(i), 1.0 + i * 0.25, 1.0 + i * 0.25 + 0.2) for i in range(6)]  # 1.0 .. 2.45
    spec += [(_name(6 + i), 2.95 + i * 0.2, 2.95 + i * 0.2 + 0.15) for i in range(3)]  # pause 0.5 s
    spec += [(_name(9 + i), 6.0 + i * 0.3, 6.0 + i * 0.3 + 0.3) for i in range(3)]  # pause 2.5 s
    d = analyze_delivery(_timed(spec), question_end_s=0.4, timebox_s=60)
    pace = d.pace
    assert pace is not None
    speaking = spec[-1][2] - spec[0][1]
    assert pace.speaking_s == pytest.approx(speaking)
    assert pace.wpm == pytest.approx(12 / (speaking / 60))
    assert pace.response_latency_s == pytest.approx(0.6)
    assert pace.pauses.count == 2 and pace.pauses.long_count == 1
    assert pace.pauses.longest_s == pytest.approx(2.5, abs=1e-6)
    assert pace.pauses.long_pauses[0][0] == pytest.approx(spec[8][2])
    assert pace.articulation_wpm == pytest.approx(12 / ((speaking - 3.0) / 60), rel=1e-3)
    assert d.timebox.status == "under" and d.timebox.delta_s == pytest.approx(spec[-1][2] - 0.4 - 60)


def test_fillers_per_minute_and_voiced_gap_counts_as_filled_pause() -> None:
    spec = [("So,", 0.0, 0.3), ("um", 0.5, 0.8), ("we", 1.0, 1.2), ("cached", 1.3, 1.7),
            ("it.", 1.8, 2.0)]
    t = _timed(spec)
    t.words.insert(3, Word("um", 1.21, 1.29, 0.0, "voiced_gap"))
    d = analyze_delivery(t)
    kinds = [(i.text, i.kind) for i in d.fillers.items]
    assert kinds == [("so", "discourse_marker"), ("um", "filled_pause"), ("um", "filled_pause")]
    assert d.words == 4
    assert d.fillers.per_min == pytest.approx(3 / (2.0 / 60))
    assert d.fillers.per_100_words == pytest.approx(75.0)
    assert d.fillers.items[2].start_s == pytest.approx(1.21)


@pytest.mark.parametrize(("duration", "status"), [(20, "under"), (60, "within"), (95, "within"),
                                                  (120, "over")])
def test_timebox_status(duration: float, status: str) -> None:
    t = _timed([("a", 0.0, 0.5), ("b", duration - 0.5, duration)])
    assert analyze_delivery(t, timebox_s=90).timebox.status == status


def test_typed_answer_has_no_pace_and_no_division_by_zero() -> None:
    t = Transcript(segments=[Segment(0, 0, "Um, basically we used L2 regularization.")])
    d = analyze_delivery(t, timebox_s=90)
    assert d.pace is None and d.fillers.per_min is None
    assert d.words == 6  # "L2" is said "L two"; "um" is not a word
    assert d.fillers.count == 2 and d.fillers.per_100_words == pytest.approx(100 * 2 / 6)
    assert d.to_dict()["pace"] is None


def test_empty_and_long_answers() -> None:
    assert analyze_delivery(Transcript()).fillers.count == 0
    # ten minutes of silence is no answer, not an answer over its time by 480 s
    silent = analyze_delivery(Transcript(duration_s=600.0), timebox_s=120)
    assert (silent.timebox.duration_s, silent.timebox.status) == (0.0, "under")
    # one word in 0.7 s is no pace ("286 WPM, fast"): counted, not judged
    one = analyze_delivery(_timed([("Yes.", 0.0, 0.7)]))
    assert one.pace is not None and one.pace.verdict == "too short to judge"
    spec = [(_name(i), i * 0.4, i * 0.4 + 0.3) for i in range(3000)]  # a 20-minute answer
    d = analyze_delivery(_timed(spec), timebox_s=120)
    assert d.pace is not None and d.pace.wpm == pytest.approx(150, rel=0.01)
    assert d.timebox.status == "over"


@pytest.mark.parametrize(("word", "said"), [
    ("surpassed.", 1),
    ("1455.", 3),  # a year: "fourteen fifty-five"
    ("1,455", 7),  # a quantity: "one thousand, four hundred and fifty-five"
    ("2024", 3),  # "twenty twenty-four"
    ("1990s", 2),  # "nineteen nineties"
    ("42", 2),  # "forty-two"
    ("forty-two", 2),  # written out, the same count as the numeral
    ("2,000", 2),
    ("1000000", 2),  # "one million"
    ("18th", 1),
    ("3.25", 4),  # "three point two five"
    ("$5", 2),  # "five dollars"
    ("5%", 2),  # "five percent"
    ("10:30", 2),  # "ten thirty"
    ("L2", 2),  # "L two"
    ("2.6mb", 4),  # a unit glued to a decimal: "two point six m b"
    ("-line", 1),  # Whisper's "42 -line": the hyphen is not a word
    ("and/or", 2),
    ("i.e.", 2),
    ("Mr.", 1),
    ("don't", 1),
    ("...", 0),
    ("\u2014", 0),
    ("9" * 5000, 5000),  # past num2words' range: read digit by digit
])
def test_spoken_words_counts_numerals_as_said(word: str, said: int) -> None:
    assert spoken_words(word) == said


def test_pace_counts_numerals_as_spoken_words() -> None:
    # "of about 1455" said in 1.5 s: five spoken words
    spec = [("of", 0.0, 0.2), ("about", 0.2, 0.6), ("1455.", 0.6, 1.5)]
    d = analyze_delivery(_timed(spec))
    assert d.words == 5
    assert d.pace is not None and d.pace.wpm == pytest.approx(5 / (1.5 / 60))


RATE = 16000


def _clip(parts: list[tuple[float, float, float]], total_s: float, noise_rms: float = 30.0,
          seed: int = 0) -> np.ndarray:
    """Steady background noise with sounds added: (start_s, end_s, rms) each (a 200 Hz tone)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, noise_rms, int(total_s * RATE))
    for start, end, rms in parts:
        a, b = int(start * RATE), int(end * RATE)
        x[a:b] += rms * np.sqrt(2) * np.sin(2 * np.pi * 200 * np.arange(b - a) / RATE)
    return np.clip(x, -32768, 32767).astype(np.int16)


# A word voiced 1.0-2.0 s; Whisper's last word ends at 1.7 (early, as it often is).
VOWEL = (1.0, 2.0, 3000.0)


def test_voice_span_takes_in_the_end_whisper_cut_off() -> None:
    span = voice_span(_clip([VOWEL], 4.0), RATE, 1.0, 1.7)
    assert span[0] == pytest.approx(1.0, abs=0.011) and span[1] == pytest.approx(2.0, abs=0.011)


def test_voice_span_crosses_a_stop_closure_to_a_weak_final_consonant() -> None:
    # "...pa(ss)-t": 0.08 s of silence, then a release 20 dB under the vowel, 20 dB over the floor
    t_release = (2.08, 2.14, 300.0)
    span = voice_span(_clip([VOWEL, t_release], 4.0), RATE, 1.0, 1.7)
    assert span[1] == pytest.approx(2.14, abs=0.011)


def test_voice_span_stops_at_a_silence_longer_than_a_closure() -> None:
    # a breath (or a cough, a click) after a real pause is not part of the last word
    breath = (2.0 + CLOSURE_MAX_S + 0.05, 2.6, 3000.0)  # within EDGE_MAX_S of Whisper's end
    span = voice_span(_clip([VOWEL, breath], 4.0), RATE, 1.0, 1.9)
    assert span[1] == pytest.approx(2.0, abs=0.011)


def test_voice_span_moves_an_edge_at_most_edge_max() -> None:
    # sound going on right after the speech (music, another voice) cannot stretch it far
    span = voice_span(_clip([(1.0, 4.0, 3000.0)], 4.0), RATE, 1.0, 1.7)
    assert span[1] == pytest.approx(1.7 + EDGE_MAX_S, abs=0.011)


def test_voice_span_never_shrinks_and_widens_the_start_too() -> None:
    audio = _clip([VOWEL], 4.0)
    assert voice_span(audio, RATE, 0.5, 2.5) == (0.5, 2.5)  # already past the voice on both sides
    assert voice_span(audio, RATE, 1.3, 1.7)[0] == pytest.approx(1.0, abs=0.011)


def test_voice_span_follows_the_room_not_a_fixed_level() -> None:
    release = (2.08, 2.14, 300.0)
    quiet_room = _clip([VOWEL, release], 4.0)
    assert voice_span(quiet_room, RATE, 1.0, 1.7)[1] == pytest.approx(2.14, abs=0.011)
    # the same recording 20 dB quieter (a far microphone) gives the same span
    softer = np.round(quiet_room.astype(np.float64) / 10).astype(np.int16)
    loud = voice_span(quiet_room, RATE, 1.0, 1.7)
    assert voice_span(softer, RATE, 1.0, 1.7) == pytest.approx(loud, abs=0.011)
    # in a noisy room the same release drowns in the background: the span ends with the vowel
    noisy_room = _clip([VOWEL, release], 4.0, noise_rms=150.0)
    assert voice_span(noisy_room, RATE, 1.0, 1.7)[1] == pytest.approx(2.0, abs=0.011)


def test_voice_span_ignores_digital_silence_and_degenerate_audio() -> None:
    # zero padding before the recording is not the room's floor (it would make all sound "voice")
    padded = np.concatenate([np.zeros(RATE, dtype=np.int16), _clip([VOWEL], 4.0)])  # voice 2-3 s
    assert voice_span(padded, RATE, 2.0, 2.7) == pytest.approx((2.0, 3.0), abs=0.011)
    assert voice_span(np.zeros(0, dtype=np.int16), RATE, 1.0, 2.0) == (1.0, 2.0)
    # audio that does not reach the words (a shorter recording) leaves them as they are
    assert voice_span(_clip([VOWEL], 4.0), RATE, 30.0, 31.0) == (30.0, 31.0)
    assert voice_span(np.zeros(RATE, dtype=np.int16), RATE, 0.2, 0.5) == (0.2, 0.5)


def test_utterance_edges_reach_the_voice_before_pace_is_measured() -> None:
    """The pipeline moves each utterance's outer word edges to the voice, so the speaking time
    (and WPM) is the voice's, not Whisper's early last-word end."""
    from oral_sim.engine.pipeline import widen_to_voice

    spec = [("has", 1.0, 1.3), ("never", 1.3, 1.5), ("been", 1.5, 1.6), ("surpassed.", 1.6, 1.7)]
    audio = _clip([VOWEL], 4.0)
    utt = Utterance(0.5, 4.5, audio)  # the utterance starts 0.5 s into the answer
    words = [Word(w, a + 0.5, b + 0.5) for w, a, b in spec]
    before = analyze_delivery(Transcript(words=words, segments=[], duration_s=4.5))
    widened = widen_to_voice(utt, words, RATE)
    after = analyze_delivery(Transcript(words=widened, segments=[], duration_s=4.5))
    assert before.pace is not None and before.pace.speaking_s == pytest.approx(0.7)
    assert after.pace is not None and after.pace.speaking_s == pytest.approx(1.0, abs=0.011)
    assert [w.word for w in widened] == [w for w, _, _ in spec]
    assert widened[1:-1] == words[1:-1]  # inner edges are Whisper's
    assert after.pace.wpm == pytest.approx(4 / (after.pace.speaking_s / 60))
    assert widen_to_voice(utt, [], RATE) == []


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.lists(st.floats(0, 600, allow_nan=False), max_size=30))
def test_arbitrary_text_and_timings_never_break(text: str, times: list[float]) -> None:
    parts = text.split() or [text]
    words = [Word(p, t, t + 0.1) for p, t in zip(parts, sorted(times), strict=False)]
    t = Transcript(words=words, segments=[Segment(0, 1, text)], duration_s=max(times, default=0))
    d = analyze_delivery(t, question_end_s=0.0, timebox_s=60)
    d.to_dict()
    assert d.fillers.count >= 0


def test_filler_tags_are_read_into_token_spans() -> None:
    from oral_sim.engine.calibration import parse_tagged

    text, spans = parse_tagged("<dm>So</dm>, <fp>um</fp>, I <rep>I</rep> I like it - "
                               "<dm>you know</dm>.")
    assert text == "So, um, I I I like it - you know."
    # tokens as the filler rules count them: the lone "-" is not one
    assert spans == [(0, 1, "discourse_marker"), (1, 1, "filled_pause"), (3, 1, "repetition"),
                     (7, 2, "discourse_marker")]
    for bad in ("<dm>so", "<dm>so</fp>", "<dm><fp>um</fp></dm>", "a <dm></dm> b"):
        with pytest.raises(ValueError):
            parse_tagged(bad)


def test_filler_labels_evaluation_counts(tmp_path: Path) -> None:
    from oral_sim.engine.calibration import evaluate_filler_labels

    path = tmp_path / "fillers.jsonl"
    lines = [{"id": "A1", "text": "<dm>So</dm>, I like Python, <dm>you know</dm>."},
             {"id": "B1", "text": "It was, <dm>like</dm>, slow and <rep>the</rep> the model, "
                                  "I mean it."},
             {"id": "B2", "text": "Honestly it works <dm>kind of</dm> fine."}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    out = evaluate_filler_labels(path)
    assert out["utterances"] == 3
    assert out["picked_on"]["discourse_marker"] == {"precision": 1.0, "recall": 1.0,
                                                    "marked": 2, "found": 2}
    held = out["held_out"]
    assert held["repetition"]["recall"] == 1.0
    # "Honestly" opening a sentence is counted by the rules but was not marked: one false
    assert held["discourse_marker"]["marked"] == 2 and held["discourse_marker"]["found"] == 3
    assert held["marker: honestly"] == {"precision": 0.0, "recall": None, "marked": 0, "found": 1}
    assert any("false discourse_marker 'honestly'" in e for e in held["errors"])
    path.write_text('{"id": "A1", "text": "<dm>so"}\n', encoding="utf-8")
    with pytest.raises(Exception) as info:
        evaluate_filler_labels(path)
    assert f"{path}:1:" in str(info.value)


def test_shipped_filler_labels_are_well_formed() -> None:
    from oral_sim import locations
    from oral_sim.engine.calibration import _read_jsonl, _tagged_text

    items = _read_jsonl(locations.filler_labels_file(), "a tagged utterance", _tagged_text)
    assert len(items) >= 200 and len({i.id for i in items}) == len(items)
    sets = {i.id[0] for i in items}
    assert sets == {"A", "B"}  # A: the rules were looked at on it; B: held out
    assert sum(len(i.fillers) for i in items) > 400
    assert sum(not i.fillers for i in items) >= 20  # utterances with none at all


@pytest.mark.parametrize(("duration_s", "timebox_s", "said"), [
    (48.0, 45, "0:48 of 0:45 - within (0:03 past it, in the 10% grace)"),
    (40.0, 45, "0:40 of 0:45 - within"),
    (1141.4, 45, "19:01 of 0:45 - over by 18:16"),
    (50.2, 45, "0:50 of 0:45 - over by 0:05"),
    (10.0, 90, "0:10 of 1:30 - under: 0:36 or more is expected (40% of the timebox)"),
    # judged on the length shown (helper's check, 2026-12-04 evening): 17.7 s read "0:18 ...
    # under: 0:18 or more is expected", and 49.5 s and 49.55 s, both 0:50, had two verdicts
    (17.7, 45, "0:18 of 0:45 - within"),
    (17.4, 45, "0:17 of 0:45 - under: 0:18 or more is expected (40% of the timebox)"),
    (49.5, 45, "0:50 of 0:45 - over by 0:05"),
    (49.55, 45, "0:50 of 0:45 - over by 0:05"),
    (49.4, 45, "0:49 of 0:45 - within (0:04 past it, in the 10% grace)"),
])
def test_the_timebox_is_said_with_how_much(duration_s: float, timebox_s: int, said: str) -> None:
    """The card said "0:48 of 0:45 - within" with no word of the grace, "under" with no
    amount, and "over by 1096 s" (helper's audit, 2026-12-04 afternoon). The text card and the
    TUI card say the same words."""
    from types import SimpleNamespace

    from rich.console import Console

    from oral_sim.engine.feedback import build_feedback, render_text
    from oral_sim.ui.render import feedback_card

    said_words = "we split the data by time and keep the last month".split()
    step = (duration_s - 0.5) / len(said_words)
    words = [Word(w, 0.2 + i * step, 0.2 + (i + 1) * step) for i, w in enumerate(said_words)]
    words[-1].end_s = duration_s
    transcript = Transcript(words, [Segment(0.2, duration_s, " ".join(said_words))],
                            duration_s=duration_s + 1.0)
    question = SimpleNamespace(id="q", timebox_s=timebox_s)
    fb = build_feedback(transcript, question, score=False)
    assert f"Time: {said}" in render_text(fb)
    console = Console(width=120, record=True)
    console.print(feedback_card(fb.to_dict()))
    assert said.replace(" - ", " — ") in console.export_text()
