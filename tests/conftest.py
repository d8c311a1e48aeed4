"""Shared fixtures. Every test gets its own data home; no test touches the real recordings/."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_data_home(tmp_path, monkeypatch):
    home = tmp_path / "oral-sim-home"
    monkeypatch.setenv("ORAL_SIM_HOME", str(home))
    monkeypatch.setenv("ORAL_SIM_MODELS", str(tmp_path / "no-user-models"))
    yield home
