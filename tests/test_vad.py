"""Utterances and end of answer from webrtcvad, on real (synthesized) speech."""

from __future__ import annotations

import numpy as np
import pytest
from speech_clips import frames, speech

from oral_sim.config import AudioConfig, VadConfig
from oral_sim.engine.vad import AnswerEnded, Segmenter, SpeechStarted, Utterance
from oral_sim.errors import AudioError


@pytest.fixture(scope="module")
def two_sentences() -> np.ndarray:
    return speech(["The model overfits the training data.", "We added dropout and more data."],
                  gaps_s=1.2, lead_s=0.6, tail_s=3.5)


def _run(seg: Segmenter, samples: np.ndarray) -> list:
    events = []
    for f in frames(samples):
        events += seg.feed(f)
    return events


def test_silence_gives_nothing() -> None:
    seg = Segmenter(VadConfig(), AudioConfig())
    assert _run(seg, np.zeros(16000 * 4, np.int16)) == []
    assert seg.flush() == [] and not seg.spoke


def test_two_sentences_two_utterances_with_pre_roll_then_end(two_sentences: np.ndarray) -> None:
    seg = Segmenter(VadConfig(), AudioConfig())
    events = _run(seg, two_sentences)
    utts = [e for e in events if isinstance(e, Utterance)]
    starts = [e for e in events if isinstance(e, SpeechStarted)]
    ends = [e for e in events if isinstance(e, AnswerEnded)]
    assert len(utts) == 2 and len(starts) == 2 and len(ends) == 1
    # pre-roll: the first utterance starts before the speech does (0.6 s of lead silence)
    assert utts[0].start_s < 0.6
    assert utts[0].end_s < utts[1].start_s
    assert len(utts[0].audio) == round((utts[0].end_s - utts[0].start_s) * 16000)
    # the answer ends end_of_answer_silence_s after the last voiced frame
    last_voice = (len(two_sentences) - 3.5 * 16000) / 16000
    assert ends[0].at_s == pytest.approx(last_voice + 2.5, abs=0.4)


def test_explicit_stop_flushes_the_open_utterance(two_sentences: np.ndarray) -> None:
    seg = Segmenter(VadConfig(), AudioConfig())
    cut = two_sentences[: int(2.0 * 16000)]  # stop in the middle of the first sentence
    _run(seg, cut)
    (utt,) = seg.flush()
    assert isinstance(utt, Utterance) and utt.end_s == pytest.approx(2.0, abs=0.05)


def test_speech_before_the_question_ends_is_ignored(two_sentences: np.ndarray) -> None:
    seg = Segmenter(VadConfig(), AudioConfig(), ignore_until_s=100.0)
    assert _run(seg, two_sentences) == []


def test_long_speech_is_split_at_the_length_limit() -> None:
    long = speech(["One two three four five six seven eight nine ten."] * 3, gaps_s=0.2)
    seg = Segmenter(VadConfig(max_utterance_s=3.0), AudioConfig())
    utts = [e for e in _run(seg, long) + seg.flush() if isinstance(e, Utterance)]
    assert len(utts) >= 3
    assert all(u.end_s - u.start_s <= 3.0 + 0.05 for u in utts)


def test_aggressiveness_is_configurable_and_frames_checked() -> None:
    Segmenter(VadConfig(aggressiveness=3), AudioConfig())
    seg = Segmenter(VadConfig(), AudioConfig())
    with pytest.raises(AudioError):
        seg.feed(b"\x00" * 2000)
    with pytest.raises(AudioError):
        Segmenter(VadConfig(), AudioConfig(frame_ms=25))
