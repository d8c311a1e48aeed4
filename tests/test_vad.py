"""Utterances and end of answer from webrtcvad, on real (synthesized) speech."""

from __future__ import annotations

import numpy as np
import pytest
from speech_clips import frames, speech

from oral_sim.config import AudioConfig, VadConfig
from oral_sim.engine.miccheck import LevelCheck
from oral_sim.engine.vad import AnswerEnded, Segmenter, SpeechStarted, Utterance
from oral_sim.engine.voice import frame_db
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


def _hum(seconds: float, db: float) -> np.ndarray:
    """A hummed "mmm": a 120 Hz voice with its harmonics, `db` dBFS RMS."""
    t = np.arange(int(seconds * 16000)) / 16000
    x = sum(np.sin(2 * np.pi * 120 * k * t) / k for k in range(1, 20))
    x = x / np.sqrt(np.mean(x * x)) * 10 ** (db / 20) * 32768
    return np.clip(x, -32768, 32767).astype(np.int16)


def _deaf_to(seg: Segmenter, start_s: float, end_s: float) -> None:
    """webrtcvad adapts to the signal and may call a soft hum silence (it did on an AMI
    headset channel, where an "um" ran 0.8 s before it fired); a synthetic hum cannot make it
    do so on cue, so for the hum's frames its answer is "no" and otherwise its own."""
    real = seg._vad.is_speech

    class Vad:
        def is_speech(self, frame: bytes, rate: int) -> bool:
            t = seg.elapsed_s  # the time of the frame being judged
            return False if start_s <= t < end_s else real(frame, rate)

    seg._vad = Vad()


@pytest.fixture(scope="module")
def sentence() -> np.ndarray:
    return speech(["Did you make another browser?"], lead_s=0.0, tail_s=1.0)


def _soft_onset(sentence: np.ndarray, below_db: float | None) -> tuple[np.ndarray, float]:
    """0.5 s of silence, 0.8 s of hum `below_db` under the sentence's speech (silence if None),
    then the sentence; and where the hum starts."""
    db = frame_db(sentence, len(sentence) // 480)  # 30 ms frames
    speech_db = float(np.median(db[db > -40]))
    hum = np.zeros(12800, np.int16) if below_db is None else _hum(0.8, speech_db - below_db)
    return np.concatenate([np.zeros(8000, np.int16), hum, sentence]), 0.5


def test_a_soft_onset_webrtcvad_misses_is_kept(sentence: np.ndarray) -> None:
    samples, hum_start = _soft_onset(sentence, 6.0)
    seg = Segmenter(VadConfig(), AudioConfig())
    _deaf_to(seg, hum_start, hum_start + 0.8)
    utts = [e for e in _run(seg, samples) + seg.flush() if isinstance(e, Utterance)]
    # the pre-roll alone starts 0.54 s before webrtcvad fires (mid-hum); the hum is kept whole
    # and the silence before it is not
    assert utts[0].start_s == pytest.approx(hum_start, abs=0.035)

    # ... but not while the question is still playing
    seg = Segmenter(VadConfig(), AudioConfig(), ignore_until_s=hum_start + 0.3)
    _deaf_to(seg, hum_start, hum_start + 0.8)
    utts = [e for e in _run(seg, samples) + seg.flush() if isinstance(e, Utterance)]
    assert utts[0].start_s == pytest.approx(hum_start + 0.3, abs=0.035)


def test_quiet_sound_before_speech_is_not_an_onset(sentence: np.ndarray) -> None:
    """Sound far below the speech (the other speaker's bleed, a fan) is left to the pre-roll."""
    starts = []
    for below_db in (30.0, None):  # 30 dB under the speech, and silence
        samples, hum_start = _soft_onset(sentence, below_db)
        seg = Segmenter(VadConfig(), AudioConfig())
        _deaf_to(seg, hum_start, hum_start + 0.8)
        utts = [e for e in _run(seg, samples) + seg.flush() if isinstance(e, Utterance)]
        starts.append(utts[0].start_s)
    # the pre-roll, as after silence (webrtcvad may fire a frame apart on the hum's last frame)
    assert starts[0] == pytest.approx(starts[1], abs=0.035)
    assert starts[0] > hum_start + 0.3


def _check(samples: np.ndarray) -> LevelCheck:
    check = LevelCheck(VadConfig(), AudioConfig())
    step = 480  # 30 ms at 16 kHz
    for i in range(0, len(samples) - step + 1, step):
        check.feed(samples[i:i + step].astype(np.int16).tobytes())
    return check


def test_the_microphone_check_tells_good_quiet_silent_and_clipping(two_sentences: np.ndarray) -> None:
    good, line = _check(two_sentences).verdict()
    assert good and "Good level" in line, line
    speech_s = float(line.split("heard for ")[1].split(" s")[0])
    assert 1.5 < speech_s < len(two_sentences) / 16000, line  # the speech, not the silences
    # 30 dB down: webrtcvad still hears most of it (3.2 of 3.8 s), the soft parts go
    ok, line = _check((two_sentences * 0.03).astype(np.int16)).verdict()
    assert not ok and line.startswith("Quiet"), line
    rng = np.random.default_rng(0)
    ok, line = _check(rng.normal(0, 10, 16000 * 3)).verdict()  # room noise, about -70 dBFS
    assert not ok and line.startswith("Heard next to nothing"), line
    loud = np.clip(two_sentences.astype(np.float64) * 8, -32767, 32767)
    ok, line = _check(loud).verdict()
    assert not ok and line.startswith("Too loud"), line
