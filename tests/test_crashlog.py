"""A bug is one line on screen or on stderr, and its whole traceback is saved to a file that the
line names (`engine.crashlog`); the newest few files are kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from oral_sim import locations
from oral_sim.cli import main
from oral_sim.engine import bank, crashlog


def _explode(*args, **kwargs):
    raise RuntimeError("a gremlin in the bank loader")


def test_an_unexpected_cli_error_is_one_line_and_a_saved_traceback(monkeypatch, capsys) -> None:
    monkeypatch.setattr(bank, "load_bank", _explode)
    assert main(["bank", "list"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert ("oral-sim: Unexpected error while running 'oral-sim bank' "
            "(RuntimeError: a gremlin in the bank loader).") in err
    (log,) = locations.logs_dir().glob("error-*.txt")
    assert f"The details are in {log};" in err
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text
    assert "in _explode" in text and "RuntimeError: a gremlin in the bank loader" in text
    assert "unexpected error while running 'oral-sim bank'" in text
    assert oct(locations.logs_dir().stat().st_mode & 0o777) == "0o700"


def test_when_the_log_cannot_be_written_the_traceback_goes_to_stderr(monkeypatch, capsys) -> None:
    monkeypatch.setattr(bank, "load_bank", _explode)
    locations.data_home().mkdir(parents=True, exist_ok=True)
    locations.logs_dir().write_text("a file where the folder should be", encoding="utf-8")
    assert main(["bank", "list"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "in _explode" in err
    assert f"could not be saved to {locations.logs_dir()}" in err


def test_only_the_newest_logs_are_kept() -> None:
    paths = []
    for i in range(crashlog.KEEP + 5):
        try:
            raise ValueError(f"bug number {i}")
        except ValueError as exc:
            path = crashlog.save(exc, "testing")
        assert path is not None
        os.utime(path, (1_000_000 + i, 1_000_000 + i))  # in order, whatever the clock's resolution
        paths.append(path)
    kept = sorted(locations.logs_dir().glob("error-*.txt"))
    assert len(kept) == crashlog.KEEP
    assert set(kept) == set(paths[-crashlog.KEEP:])
    assert "ValueError: bug number 24" in paths[-1].read_text(encoding="utf-8")


def test_an_error_oral_sim_expects_is_not_logged(tmp_path: Path, capsys) -> None:
    assert main(["bank", "list", str(tmp_path / "no-such-bank")]) == 2
    err = capsys.readouterr().err
    assert "no such bank file or folder" in err and "Unexpected" not in err
    assert not locations.logs_dir().exists()


@pytest.mark.parametrize("message", ["", "with words"])
def test_the_message_names_the_exception(message: str) -> None:
    error = crashlog.unexpected(KeyError(message) if message else KeyError(), "doing a thing")
    assert error.message.startswith("Unexpected error while doing a thing (KeyError")
    assert error.log_path is not None and Path(error.log_path).is_file()
