"""Whisper's thread count: measured once per machine with the real model, then remembered."""

from __future__ import annotations

import json

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
    choice = threads.whisper_threads(broken, AsrConfig())
    assert (choice.source, choice.threads) == ("fallback", threads.FALLBACK_THREADS)
    with pytest.raises(ModelError, match="could not be loaded"):
        load_whisper(AsrConfig(model=str(broken)))
