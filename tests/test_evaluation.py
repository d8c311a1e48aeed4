"""How the benchmark scores filled pauses against a verbatim reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from oral_sim.engine.evaluation import (
    AmiChannel,
    filled_pause_count,
    filled_pause_matches,
    opening_cut_off,
)


def test_filled_pauses_are_matched_where_they_were_said() -> None:
    ref = "um did you have you made uh another M_ browser"
    assert filled_pause_matches(ref, "Um, did you have you made, uh, another M browser?") == (2, 2, 2)
    # one found, one missed
    assert filled_pause_matches(ref, "Um, did you have you made another M browser?") == (1, 2, 1)


def test_a_filled_pause_in_the_wrong_place_does_not_make_up_for_a_missed_one() -> None:
    """Counting per channel would call this 1 of 1 found; aligned, it is a miss and a false one."""
    ref = "Um or we could just put them all Yeah Yeah"
    hyp = "Or we could just put them all Mm-hmm. Yeah."
    assert filled_pause_count(ref) == filled_pause_count(hyp) == 1
    assert filled_pause_matches(ref, hyp) == (0, 1, 1)


def test_any_kind_of_filled_pause_matches_and_hyphen_pieces_are_one_word() -> None:
    assert filled_pause_matches("Oh mm-hmm Yeah", ["Oh,", "Mm", "-hmm.", "Yeah"]) == (1, 1, 1)
    assert filled_pause_matches("Actually mm yeah", "Actually, um, yeah.") == (1, 1, 1)
    assert filled_pause_count(["Mm", "-hmm."]) == 1
    assert filled_pause_count("mm-hmm uh-huh Mhm. hmm like") == 4


def test_empty_sides() -> None:
    assert filled_pause_matches("", "um") == (0, 0, 1)
    assert filled_pause_matches("um", "") == (0, 1, 0)
    assert filled_pause_matches("", "") == (0, 0, 0)


def _clip(lead_s: float) -> np.ndarray:
    """`lead_s` of near-silence (1 LSB of noise), then 1 s of a loud 200 Hz vowel-like tone."""
    rng = np.random.default_rng(0)
    lead = rng.normal(0, 1, int(lead_s * 16000))
    t = np.arange(16000) / 16000
    return np.concatenate([lead, 8000 * np.sin(2 * np.pi * 200 * t)]).astype(np.int16)


def test_an_opening_filled_pause_is_cut_off_only_when_the_window_opens_on_silence() -> None:
    """AMI puts every word that overlaps the 9 s window in the reference; when the speaker was
    talking as the window opened (segments from 0.0) but the channel is silent there, the first
    word's sound lies before the clip."""
    talking = AmiChannel(Path("c.wav"), 1, "uh if we need the outline", 0.0)
    assert opening_cut_off(talking, _clip(0.30))
    assert not opening_cut_off(talking, _clip(0.0))  # the "uh" is there to hear
    assert not opening_cut_off(talking, _clip(0.10))  # no longer than a gap inside a word
    later = AmiChannel(Path("c.wav"), 0, "Mm-hmm Yep Yeah", 3.0)  # starts 3 s in, after silence
    assert not opening_cut_off(later, _clip(3.0))
    word = AmiChannel(Path("c.wav"), 1, "window and just indicate", 0.0)  # not a filled pause
    assert not opening_cut_off(word, _clip(0.30))
    unknown = AmiChannel(Path("c.wav"), 1, "um or we could", None)
    assert not opening_cut_off(unknown, _clip(0.30))
    assert not opening_cut_off(talking, np.zeros(0, np.int16))


def test_paired_wer_difference_and_its_interval() -> None:
    from oral_sim.engine.evaluation import paired_wer_difference

    refs = ["the cat sat on the mat", "a dog ran", "birds fly south in winter"]
    same = paired_wer_difference(refs, refs, refs)
    assert same["ours_minus_plain"] == 0.0 and same["ci95"] == [0.0, 0.0]
    worse = paired_wer_difference(refs, ["the cat sat on a mat", "a dog ran",
                                         "birds fly south in winter"], refs)
    assert worse["ours_minus_plain"] == round(1 / 14, 4) and worse["error_words"] == [1, 0]
    assert worse["ci95"][0] == 0.0 < worse["ci95"][1]  # one clip's error: zero when left out
    assert 0 < worse["ours_worse_in"] < 1
    assert paired_wer_difference(refs, refs, refs) == same  # seeded: repeatable


def test_a_compound_written_apart_or_together_is_no_error() -> None:
    from oral_sim.engine.evaluation import compound_word_errors, join_compounds, word_errors

    ref = "before the woodcutters of the netherlands, as regards the lower case letters"
    hyp = "before the wood cutters of the netherlands, as regards the lowercase letters"
    assert sum(word_errors(ref, hyp).values()) == 4  # each spelling choice costs two
    assert compound_word_errors(ref, hyp) == 0
    # a real error stays one; a word that is not the pair joined is not merged
    assert compound_word_errors(ref, hyp.replace("letters", "ladders")) == 1
    assert join_compounds(["a", "part"], ["a", "cart"]) == (["a", "part"], ["a", "cart"])
    assert compound_word_errors("", "") == 0


def test_fillers_in_read_text_counts_what_the_rules_find(tmp_path) -> None:
    from oral_sim.engine.evaluation import fillers_in_read_text

    assert "skipped" in fillers_in_read_text(tmp_path)
    lj = tmp_path / "read_speech" / "ljspeech_subset"
    lj.mkdir(parents=True)
    (lj / "metadata_full.csv").write_text(
        "X-1|raw|It was very, very old, like a bear-garden.\n"
        "X-2|raw|He was, you know, kind of sweeping the the floor.\n"
        "broken line\n", encoding="utf-8")
    out = fillers_in_read_text(tmp_path)
    assert out["sentences"] == 2 and out["words"] == 18
    assert out["by_kind"] == {"discourse_marker": 2, "repetition": 1}
    assert out["discourse_markers"] == {"you know": 1, "kind of": 1}


def test_the_hand_count_uses_a_marked_span_where_noise_passes_the_loudness_rule() -> None:
    from oral_sim.engine.evaluation import HAND_MARKED_SPANS_S, _delivery_checks
    from oral_sim.engine.transcript import Segment, Transcript, Word

    rate = 16000
    rng = np.random.default_rng(0)
    # crowd noise 30 dB under a 10 s tone: the loudness rule takes the noise for speech
    audio = rng.normal(0, 300, 12 * rate)
    audio[rate: 11 * rate] += 10000 * np.sin(np.arange(10 * rate) * 2 * np.pi * 200 / rate)
    audio = audio.astype(np.int16)
    words = [Word(f"w{i}", 1 + i * 0.45, 1 + i * 0.45 + 0.3) for i in range(22)]
    transcript = Transcript(words=words, segments=[Segment(1.0, 11.0, " ".join(w.word for w in words))],
                            duration_s=12.0, speech_s=10.0)
    reference = " ".join(f"w{i}" for i in range(22))
    by_loudness = _delivery_checks(transcript, reference, audio, "LJ001-0001")
    assert by_loudness["span_s"] > 11.5  # the noise counted as speaking time
    start, end = HAND_MARKED_SPANS_S["jfk"]
    marked = _delivery_checks(transcript, reference, audio, "jfk")
    assert marked["span_s"] == end - start
    assert marked["hand_wpm"] == 22 / (end - start) * 60
