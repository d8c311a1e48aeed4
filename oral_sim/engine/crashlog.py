"""Unexpected errors are written down. A bug shows as one line on screen or on stderr; its whole
traceback goes to a file under the data home's `logs/`, which the message names, so a user can
send it and nothing about the failure is lost. The newest `KEEP` files are kept."""

from __future__ import annotations

import os
import platform
import sys
import time
import traceback
from pathlib import Path

from oral_sim import __version__, locations
from oral_sim.errors import UnexpectedError

#: How many saved tracebacks are kept; older ones are removed when a new one is written.
KEEP = 20


def save(exc: BaseException, during: str) -> Path | None:
    """Write `exc`'s traceback and what oral-sim was doing (`during`, e.g. "running the interview")
    to a new file in `locations.logs_dir()`; return its path. Returns None when the file cannot
    be written: the failure being reported must not be hidden by another one."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    lines = [
        f"oral-sim {__version__}: unexpected error while {during}",
        f"time: {time.strftime('%Y-%m-%d %H:%M:%S %z')}",
        f"command: {' '.join(sys.argv)}",
        f"python: {sys.version.split()[0]} on {platform.platform()}",
        f"data home: {locations.data_home()}",
        "",
        "".join(traceback.format_exception(exc)).rstrip(),
        "",
    ]
    try:
        folder = locations.ensure_private_dir(locations.logs_dir())
        path = folder / f"error-{stamp}-{os.getpid()}.txt"
        n = 1
        while path.exists():  # two in one second
            n += 1
            path = folder / f"error-{stamp}-{os.getpid()}-{n}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        _prune(folder)
    except OSError:
        return None
    return path


def unexpected(exc: BaseException, during: str) -> UnexpectedError:
    """The error to show for `exc`: one line saying what failed, and a hint naming the saved
    traceback (or saying it could not be saved)."""
    path = save(exc, during)
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    message = f"Unexpected error while {during} ({what})."
    if path is None:
        hint = f"The details could not be saved to {locations.logs_dir()} (is the disk full?)."
    else:
        hint = f"The details are in {path}; please include that file when you report it."
    return UnexpectedError(message, hint, str(path) if path else None)


def _prune(folder: Path) -> None:
    logs = sorted(folder.glob("error-*.txt"), key=lambda p: (p.stat().st_mtime, p.name))
    for old in logs[:-KEEP]:
        try:
            old.unlink()
        except OSError:
            pass
