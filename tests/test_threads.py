"""Whisper's thread count: measured once per machine with the real model, then remembered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oral_sim.config import AsrConfig
from oral_sim.engine import models, threads
from oral_sim.errors import UsageError

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _measured(monkeypatch):
    """These tests are about the measured choice, whatever count the suite forces."""
    monkeypatch.delenv(threads.THREADS_ENV, raising=False)


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A machine record of its own and no choice remembered in this process."""
    record = tmp_path / "machine.json"
    monkeypatch.setenv("ORAL_SIM_MACHINE_FILE", str(record))
    monkeypatch.setattr(threads, "_memo", {})
    return record


def test_measures_each_candidate_with_the_real_model():
    seconds = threads.measure(models.whisper_model_dir(), AsrConfig(), counts=[1], rounds=1)
    assert list(seconds) == [1]
    assert 0 < seconds[1] < 30


def test_candidates_follow_the_cores():
    assert threads.candidates(1) == [1]
    assert threads.candidates(2) == [1, 2]
    assert threads.candidates(8) == [1, 2, 4]


def test_the_fastest_count_is_kept_and_remembered(fresh):
    path = models.whisper_model_dir()
    choice = threads.whisper_threads(path, AsrConfig())
    assert choice.source == "measured"
    assert set(choice.seconds) == set(threads.candidates())
    assert choice.threads == min(choice.seconds, key=choice.seconds.get)
    saved = json.loads(fresh.read_text())[choice.key]
    assert saved["threads"] == choice.threads
    # a new process (memo cleared) reads it instead of measuring
    threads._memo.clear()
    again = threads.whisper_threads(path, AsrConfig())
    assert (again.source, again.threads, again.seconds) == ("remembered", choice.threads,
                                                            choice.seconds)


def test_a_broken_record_is_measured_again(fresh, monkeypatch):
    monkeypatch.setattr(threads, "candidates", lambda cores=None: [1])
    fresh.write_text("{not json")
    choice = threads.whisper_threads(models.whisper_model_dir(), AsrConfig())
    assert (choice.source, choice.threads) == ("measured", 1)
    assert json.loads(fresh.read_text())[choice.key]["threads"] == 1
    # an entry that is readable JSON but holds no usable count is measured again too
    for entry in ({"threads": 0}, {"threads": "2"}, {"threads": 2, "seconds": {"two": 1}}, [2]):
        fresh.write_text(json.dumps({choice.key: entry}))
        threads._memo.clear()
        again = threads.whisper_threads(models.whisper_model_dir(), AsrConfig())
        assert (again.source, again.threads) == ("measured", 1), entry


def test_nowhere_to_remember_still_measures(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ORAL_SIM_MACHINE_FILE", str(blocker / "machine.json"))
    monkeypatch.setattr(threads, "_memo", {})
    monkeypatch.setattr(threads, "candidates", lambda cores=None: [1])
    choice = threads.whisper_threads(models.whisper_model_dir(), AsrConfig())
    assert (choice.source, choice.threads) == ("measured", 1)


def test_setting_and_environment_skip_the_measurement(fresh, monkeypatch):
    path = models.whisper_model_dir()
    assert threads.whisper_threads(path, AsrConfig(cpu_threads=3)).source == "setting"
    monkeypatch.setenv(threads.THREADS_ENV, "2")
    choice = threads.whisper_threads(path, AsrConfig())
    assert (choice.threads, choice.source) == (2, "environment")
    assert not fresh.exists()
    monkeypatch.setenv(threads.THREADS_ENV, "two")
    with pytest.raises(UsageError, match=threads.THREADS_ENV):
        threads.whisper_threads(path, AsrConfig())


def test_a_model_that_cannot_load_falls_back_and_its_load_says_why(fresh, tmp_path):
    from oral_sim.engine.asr import load_whisper
    from oral_sim.errors import ModelError

    broken = tmp_path / "broken-whisper"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"not a model")
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):  # all there, all wrong
        (broken / name).write_text("{}")
    choice = threads.whisper_threads(broken, AsrConfig())
    assert (choice.source, choice.threads) == ("fallback", threads.FALLBACK_THREADS)
    with pytest.raises(ModelError, match="could not be loaded"):
        load_whisper(AsrConfig(model=str(broken)))


def test_an_incomplete_model_or_voice_says_what_is_missing(tmp_path, monkeypatch):
    """A Whisper folder without tokenizer.json loaded as if usable and then failed with a Hub
    (Internet) error; a voice .onnx without its .json read "no piper voice named"."""
    from oral_sim.engine import models
    from oral_sim.errors import ModelError

    monkeypatch.setenv("ORAL_SIM_MODELS", str(tmp_path))
    bundled = models.bundled_whisper_dir()
    partial = tmp_path / "whisper-partial"
    partial.mkdir()
    for name in ("model.bin", "config.json", "vocabulary.txt"):
        (partial / name).symlink_to(bundled / name)
    with pytest.raises(ModelError, match="incomplete: tokenizer.json missing") as info:
        models.whisper_model_dir("whisper-partial")
    assert "never goes online" in info.value.message and "--copy_files" in (info.value.hint or "")
    (partial / "tokenizer.json").symlink_to(bundled / "tokenizer.json")
    assert models.whisper_model_dir("whisper-partial") == partial
    # a relative path is that folder, not one of that name in models/ (helper's sweep)
    here = tmp_path / "work"
    (here / "mine").mkdir(parents=True)
    for name in ("model.bin", "config.json", "vocabulary.txt", "tokenizer.json"):
        (here / "mine" / name).symlink_to(bundled / name)
    monkeypatch.chdir(here)
    assert models.whisper_model_dir("./mine") == Path("mine")
    assert models.whisper_model_dir("mine") == Path("mine")  # not in models/: the one here
    assert models.whisper_model_dir("whisper-partial") == partial
    (tmp_path / "en_GB-x-low.onnx").write_bytes(b"onnx")
    with pytest.raises(ModelError, match=r"en_GB-x-low.onnx.json missing"):
        models.voice("en_GB-x-low")
    with pytest.raises(ModelError, match="no piper voice named 'nobody'"):
        models.voice("nobody")


def test_a_broken_extra_voice_does_not_stop_the_simulated_candidate(tmp_path, monkeypatch):
    from oral_sim.config import Settings
    from oral_sim.engine.bank import load_bank
    from oral_sim.engine.live import make_sources

    monkeypatch.setenv("ORAL_SIM_MODELS", str(tmp_path))
    (tmp_path / "en_GB-broken-low.onnx").write_bytes(b"not a model")
    (tmp_path / "en_GB-broken-low.onnx.json").write_text("{}")
    question = load_bank().question("mlq-001")
    source = make_sources("demo", Settings(), realtime=False, answer_sentences=1)(question, 1)
    frames = list(source)
    assert len(frames) > 30  # it speaks (with the bundled voice)


def test_the_model_environment_variables_reach_every_command(tmp_path, monkeypatch, capsys):
    """ORAL_SIM_ASR_MODEL was read by practice and demo only: transcribe and analyze used
    tiny.en whatever it said, and say ignored ORAL_SIM_VOICE."""
    from oral_sim.cli import main

    monkeypatch.setenv("ORAL_SIM_MODELS", str(tmp_path))
    monkeypatch.setenv("ORAL_SIM_ASR_MODEL", "whisper-nowhere")
    import wave

    from speech_clips import speech

    wav = tmp_path / "a.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(speech(["Dropout regularizes the network."]).tobytes())
    assert main(["transcribe", str(wav)]) != 0
    assert "whisper-nowhere" in capsys.readouterr().err
    assert main(["analyze", str(wav), "--question", "mlq-001"]) != 0
    assert "whisper-nowhere" in capsys.readouterr().err
    monkeypatch.setenv("ORAL_SIM_VOICE", "voice-nowhere")
    assert main(["say", "Hello.", "-o", str(tmp_path / "x.wav")]) != 0
    assert "voice-nowhere" in capsys.readouterr().err


def test_a_long_transcription_shows_its_progress_on_a_terminal(tmp_path) -> None:
    """`transcribe` and `analyze` of a long file printed nothing until the end; on a terminal
    one line now follows the transcript, and nothing goes to a pipe."""
    import io
    import wave

    from speech_clips import speech

    from oral_sim.cli import progress_line
    from oral_sim.engine.pipeline import transcribe_file

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert progress_line(io.StringIO()) is None
    wav = tmp_path / "long.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(speech(["Dropout regularizes the network.", "Early stopping halts training.",
                              "More data reduces overfitting."], gaps_s=1.0).tobytes())
    term = Terminal()
    progress = progress_line(term)
    result = transcribe_file(wav, on_update=progress)
    progress.done()
    lines = term.getvalue().split("\r")
    counts = [int(x.split(", ")[1].split()[0]) for x in lines if "transcribed" in x]
    assert len(counts) >= 2 and counts == sorted(counts), lines  # one update per utterance
    assert counts[-1] == len(result.transcript.words)
    assert term.getvalue().endswith("\r\033[K")  # the line is cleared before the result
