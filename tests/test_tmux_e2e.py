"""One end-to-end run in a real terminal: `oral-sim demo` in tmux, keys sent, the screen read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).parent / "oral-sim")

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


def _tmux(name: str, *args: str, **kwargs) -> subprocess.CompletedProcess:  # noqa: ANN003
    """tmux on a server of this test's own (`-L`): a new session on a running server gets that
    server's environment, not the caller's (another test's tmux, e.g. the bench's, would lend
    the demo its environment)."""
    return subprocess.run(["tmux", "-L", name, *args], **kwargs)


def _screen(name: str) -> str:
    return _tmux(name, "capture-pane", "-p", "-t", name, capture_output=True, text=True).stdout


def _wait_for(name: str, text: str, timeout_s: float = 180) -> str:
    deadline = time.monotonic() + timeout_s
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen(name)
        if text in screen:
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never appeared; screen was:\n{screen}")


def test_demo_in_a_real_terminal(tmp_path: Path) -> None:
    name = f"oralsim-e2e-{os.getpid()}"
    env_args = ["env", f"ORAL_SIM_HOME={tmp_path / 'home'}", "TERM=xterm-256color"]
    cmd = " ".join([*env_args, EXE, "demo", "--script", "ml-questions", "--questions", "1",
                    "--answer-sentences", "2"])
    _tmux(name, "new-session", "-d", "-s", name, "-x", "100", "-y", "30", cmd, check=True)
    try:
        screen = _wait_for(name, "supervised and unsupervised", 150)
        assert "Question 1/1" in screen
        _wait_for(name, "Press n for the next question")
        screen = _wait_for(name, "/100", 30)  # the card is painted with or just after the prompt
        assert "similarity" in screen
        deadline = time.monotonic() + 180
        while "Average score" not in screen and time.monotonic() < deadline:
            if "Press n for the next question" in screen:  # the answer's card (or a follow-up's)
                _tmux(name, "send-keys", "-t", name, "n", check=True)
            time.sleep(1.0)
            screen = _screen(name)
        assert "Average score" in screen, screen
        _tmux(name, "send-keys", "-t", name, "q", check=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            alive = _tmux(name, "has-session", "-t", name, capture_output=True)
            if alive.returncode != 0:
                break
            time.sleep(0.3)
        else:
            raise AssertionError("the app did not quit on q")
        assert "Traceback" not in screen
    finally:
        _tmux(name, "kill-server", capture_output=True)
    assert list((tmp_path / "home").rglob("history.sqlite3")), "the session was stored"


def test_closing_the_terminal_keeps_the_session(tmp_path: Path) -> None:
    """tmux kill-session (the terminal closed: SIGHUP) mid-answer killed the app, and its session
    stayed "in progress" until the next start recovered it (helper's sweep, 2026-12-04). Now it
    ends as interrupted at once."""
    import sqlite3

    name = f"oralsim-hup-{os.getpid()}"
    home = tmp_path / "home"
    cmd = " ".join(["env", f"ORAL_SIM_HOME={home}", "TERM=xterm-256color", EXE, "practice",
                    "--typed", "--script", "ml-questions", "--questions", "2"])
    _tmux(name, "new-session", "-d", "-s", name, "-x", "100", "-y", "30", cmd, check=True)
    try:
        _wait_for(name, "Start", 60)
        _tmux(name, "send-keys", "-t", name, "Enter", check=True)
        _wait_for(name, "supervised and unsupervised", 120)
        time.sleep(1.0)
        _tmux(name, "send-keys", "-t", name, "-l", "Supervised learning uses labels", check=True)
        time.sleep(0.5)
        _tmux(name, "kill-session", "-t", name, check=True)
    finally:
        _tmux(name, "kill-server", capture_output=True)
    db = next(home.rglob("history.sqlite3"))
    status = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the app ends its session as it goes
        with sqlite3.connect(db) as con:
            rows = con.execute("SELECT status FROM sessions").fetchall()
        status = rows[0][0] if rows else None
        if status not in (None, "in_progress"):
            break
        time.sleep(0.3)
    assert status == "interrupted", status
