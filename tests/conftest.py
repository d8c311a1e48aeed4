"""Shared fixtures. Every test gets its own data home; no test touches the real recordings/."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def _machine_file(tmp_path_factory):
    """One record of what was measured about this machine for the whole run (Whisper's thread
    count, `engine.threads`): shared by the xdist workers, so the run measures it once."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return shared / "machine.json"


@pytest.fixture(scope="session")
def _embedder_onnx(_machine_file):
    """The scorer's ONNX export (`engine.embedder`), made by the first test that loads the
    scorer and used by the rest of the run, as the next launch of the app uses it."""
    return _machine_file.parent / "embedder" / "all-MiniLM-L6-v2.onnx"


@pytest.fixture(autouse=True)
def _private_data_home(tmp_path, monkeypatch, _machine_file, _embedder_onnx):
    home = tmp_path / "oral-sim-home"
    monkeypatch.setenv("ORAL_SIM_HOME", str(home))
    monkeypatch.setenv("ORAL_SIM_MODELS", str(tmp_path / "no-user-models"))
    monkeypatch.setenv("ORAL_SIM_MACHINE_FILE", str(_machine_file))
    monkeypatch.setenv("ORAL_SIM_EMBEDDER_ONNX", str(_embedder_onnx))
    forced = os.environ.get("ORAL_SIM_TEST_WHISPER_THREADS", "").strip()
    if forced:
        # run the suite as a machine that chose this many Whisper threads would (the words
        # Whisper writes differ with the thread count: a CI machine may choose otherwise)
        monkeypatch.setenv("ORAL_SIM_WHISPER_THREADS", forced)
    else:
        monkeypatch.delenv("ORAL_SIM_WHISPER_THREADS", raising=False)
    yield home
