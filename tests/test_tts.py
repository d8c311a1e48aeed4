"""The interviewer voice: real piper (bundled en_US-joe-medium) on short sentences."""

from __future__ import annotations

import time

import numpy as np
import pytest

from oral_sim.config import TtsConfig
from oral_sim.engine.tts import Voice, get_voice, split_for_speech
from oral_sim.errors import ModelError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def voice() -> Voice:
    return get_voice(TtsConfig())


class _SpyPiper:
    """Wraps the real PiperVoice and records what it was asked to synthesize, and when."""

    def __init__(self, real, fail: bool = False) -> None:
        self.real = real
        self.config = real.config
        self.calls: list[str] = []
        self.fail = fail

    def synthesize(self, text, syn_config=None):
        if self.fail:
            raise AssertionError("synthesized although the audio should come from the cache")
        self.calls.append(text)
        yield from self.real.synthesize(text, syn_config=syn_config)


def _voice_with(voice: Voice, piper, **changes) -> Voice:
    config = TtsConfig(**{**voice.config.__dict__, **changes})
    return Voice(voice.paths, piper, config)


def test_two_sentences_stream_as_two_chunks_first_before_second_is_synthesized(voice):
    spy = _SpyPiper(voice.piper)
    v = _voice_with(voice, spy, cache=False)
    stream = v.stream("Tell me about yourself. What brings you here today?")
    first = next(stream)
    # When the first chunk reaches the caller only the first sentence has been synthesized.
    assert spy.calls == ["Tell me about yourself."]
    assert first.text == "Tell me about yourself."
    assert first.audio.dtype == np.int16 and first.sample_rate_hz == v.sample_rate_hz == 22050
    rest = list(stream)
    assert len(rest) == 1 and rest[0].text == "What brings you here today?"
    assert first.duration_s > 0.5 and rest[0].duration_s > 0.5
    # The sentence silence is appended to every chunk.
    tail = first.audio[-int(0.1 * v.sample_rate_hz) :]
    assert np.abs(tail).max() < 200


def test_cache_hit_replays_identical_audio_from_the_file(voice, tmp_path):
    text = "Why do you want this job?"
    heard = voice.synthesize(text)
    key = voice.cache_key(text)
    cache_file = voice.cache.path_for(key)
    assert cache_file.is_file()
    assert cache_file.stat().st_mode & 0o777 == 0o600
    # Synthesis now fails loudly, so identical audio can only have come from the cache file.
    cached_voice = _voice_with(voice, _SpyPiper(voice.piper, fail=True))
    chunks = list(cached_voice.stream(text))
    assert all(c.from_cache for c in chunks)
    assert np.array_equal(np.concatenate([c.audio for c in chunks]), heard)
    # A damaged cache file is dropped and the text synthesized again.
    cache_file.write_bytes(b"not an npz")
    spy = _SpyPiper(voice.piper)
    again = _voice_with(voice, spy).synthesize(text)
    assert spy.calls == [text] and len(again) > 0


def test_a_question_heard_before_plays_before_the_voice_is_loaded(voice, monkeypatch):
    """`cached_speech` reads the cache with no voice loaded (a returning user hears the first
    question while piper still loads); the speaker uses it."""
    import threading

    from oral_sim.config import Settings
    from oral_sim.engine import tts
    from oral_sim.engine.live import make_speaker

    text = "What   did you learn from   your last project?"
    heard = voice.synthesize(text)
    settings = Settings()

    def no_voice(config=None):
        raise AssertionError("the voice was loaded for audio that is in the cache")

    monkeypatch.setattr(tts, "get_voice", no_voice)
    chunks = tts.cached_speech(text, settings.tts)
    assert chunks and all(c.from_cache for c in chunks)
    assert np.array_equal(np.concatenate([c.audio for c in chunks]), heard)
    speaker = make_speaker(settings, play=False)
    speaker.say(text, threading.Event())  # would raise through no_voice if not cached
    assert speaker.last_first_audio_s is not None
    assert tts.cached_speech("Never said before.", settings.tts) is None
    assert tts.cached_speech(text, TtsConfig(cache=False)) is None
    assert tts.cached_speech(text, TtsConfig(length_scale=1.3)) is None  # other settings
    assert tts.cached_speech(text, TtsConfig(voice="no-such-voice")) is None


def test_cut_off_stream_is_not_cached(voice):
    text = "First sentence here. Second sentence here."
    stream = voice.stream(text)
    next(stream)
    stream.close()
    assert not voice.cache.path_for(voice.cache_key(text)).exists()


def test_speed_changes_duration_and_cache_key(voice):
    text = "Describe a project you are proud of, and the part you played in it."
    fast = _voice_with(voice, voice.piper, length_scale=0.6, sentence_silence_s=0.0)
    slow = _voice_with(voice, voice.piper, length_scale=1.6, sentence_silence_s=0.0)
    assert fast.cache_key(text) != slow.cache_key(text) != voice.cache_key(text)
    # 1.6 / 0.6 = 2.7 nominally; measured 1.9-2.2 (pauses do not stretch fully, and piper's
    # duration noise makes single runs vary).
    ratio = len(slow.synthesize(text)) / len(fast.synthesize(text))
    assert 1.6 < ratio < 3.0


def test_get_voice_is_shared_and_unknown_voice_names_the_fix():
    assert get_voice(TtsConfig()) is get_voice(TtsConfig())
    faster = get_voice(TtsConfig(length_scale=0.8))
    assert faster is not get_voice(TtsConfig()) and faster.piper is get_voice(TtsConfig()).piper
    with pytest.raises(ModelError) as err:
        get_voice(TtsConfig(voice="no-such-voice"))
    assert "models" in err.value.hint


def test_long_first_sentence_is_split_so_audio_starts_sooner():
    parts = split_for_speech(
        "Tell me about a time you had to deal with a difficult colleague at work, "
        "and how you resolved it. What did you learn?"
    )
    assert parts == [
        "Tell me about a time you had to deal with a difficult colleague at work,",
        "and how you resolved it.",
        "What did you learn?",
    ]
    assert split_for_speech("Short one. Another!") == ["Short one.", "Another!"]
    no_comma = split_for_speech(
        "Walk me through how you would design a rate limiter for a public API that "
        "serves many tenants."
    )
    assert len(no_comma) == 2 and no_comma[1].startswith("that ")


def test_first_audio_waits_for_the_first_sentence_only(voice, monkeypatch):
    """Uncached: the first audio is out once piper has spoken the first sentence, before it is
    given the second; cached: no piper at all. Counted, not timed (the times are the bench's:
    `oral-sim bench --only tts`). Prints the times for a look."""
    text = "Tell me about a time you disagreed with your manager. How did it end?"
    given: list[str] = []
    real = voice.piper.synthesize

    def spy(part, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        given.append(part)
        return real(part, *args, **kwargs)

    monkeypatch.setattr(voice.piper, "synthesize", spy)
    t0 = time.monotonic()
    stream = iter(voice.stream(text))
    first = next(stream)
    uncached = time.monotonic() - t0
    assert not first.from_cache and given == ["Tell me about a time you disagreed with your manager."]
    assert len(list(stream)) == 1 and len(given) == 2  # the rest, then cached
    given.clear()
    t0 = time.monotonic()
    first = next(iter(voice.stream(text)))
    cached = time.monotonic() - t0
    print(f"time to first audio: uncached {uncached * 1000:.0f} ms, cached {cached * 1000:.1f} ms")
    assert first.from_cache and given == []


def test_a_cache_folder_that_cannot_be_made_costs_speed_not_the_question(
        tmp_path, monkeypatch, capsys):
    """With the data home a file, `say` crashed (NotADirectoryError) reading the cache; text the
    voice makes no sound from was blamed on the output file ("cannot write (Invalid argument)")."""
    from oral_sim.cli import main

    home = tmp_path / "afile"
    home.write_text("x")
    monkeypatch.setenv("ORAL_SIM_HOME", str(home))
    out = tmp_path / "hi.wav"
    assert main(["say", "Hello there.", "-o", str(out)]) == 0
    assert out.stat().st_size > 1000
    assert main(["say", "...", "-o", str(tmp_path / "d.wav")]) == 2
    err = capsys.readouterr().err
    assert "nothing to say in '...'" in err and "cannot write" not in err
    assert not (tmp_path / "d.wav").exists()


def test_a_long_sentence_is_given_to_the_voice_in_pieces() -> None:
    """7,200 characters without a full stop took 9.7 GB and 272 s in one pass of the voice, and
    one 80,000-character "word" ran out of memory (helper's sweep, 2026-12-04 midday). No piece
    is longer than MAX_CHUNK_CHARS, cuts fall at a comma, a conjunction or a space when there is
    one, and nothing is lost."""
    from oral_sim.engine.tts import MAX_CHUNK_CHARS, split_for_speech

    text = "and then we trained the model again " * 200
    parts = split_for_speech(text)
    assert max(map(len, parts)) <= MAX_CHUNK_CHARS
    assert " ".join(parts).split() == text.split()
    assert all(p.startswith("and ") for p in parts[1:])  # cut before a conjunction
    commas = "we cleaned the logs, " * 40
    assert all(p.endswith(",") for p in split_for_speech(commas)[1:-1])
    word = "word" * 20000
    pieces = split_for_speech(word)
    assert "".join(pieces) == word and max(map(len, pieces)) <= MAX_CHUNK_CHARS
    short = "Tell me about a project you are proud of. What was your role, and what did you measure?"
    assert split_for_speech(short) == ["Tell me about a project you are proud of.",
                                       "What was your role, and what did you measure?"]
