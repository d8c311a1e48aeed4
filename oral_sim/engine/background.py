"""Loading threads the process waits for before it ends.

Models load in daemon threads so nothing waits for them. But a process that ends while one of
them is inside native code (onnxruntime building a session, CTranslate2 loading Whisper) can
abort in that code's teardown ("terminate called without an active exception", or a
segmentation fault): `oral-sim analyze` on a silent file ended 0.4 s after starting, while the
scorer was still loading, and exited with 134 or 139 after printing its report. So each such
thread is joined at exit, for at most its own bound.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from typing import Any

#: What failed to load in the background, by part ("voice", "speech"), as the OralSimError
#: raised: the start screen says so at once (it read "loading…" until the first answer failed).
load_problems: dict[str, Any] = {}
_closing = threading.Event()
_wakers: list[Callable[[], Any]] = []


def close() -> None:
    """Say that the process is ending: loaders check `closing()` and start nothing more, and
    any loader waiting on something is woken (`start`'s `wake`)."""
    _closing.set()
    for wake in _wakers:
        wake()


def closing() -> bool:
    """True once the process has begun to end."""
    return _closing.is_set()


def start(target: Callable[..., Any], name: str, wait_at_exit_s: float,
          args: tuple = (), wake: Callable[[], Any] | None = None) -> threading.Thread:
    """Run `target(*args)` in a daemon thread named `name`; at exit, wait for it up to
    `wait_at_exit_s` seconds, after `close()` (exit handlers run last registered first), which
    calls `wake` so a thread waiting on something stops waiting."""
    if wake is not None:
        _wakers.append(wake)
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    thread.start()
    atexit.register(thread.join, wait_at_exit_s)
    atexit.unregister(close)
    atexit.register(close)
    return thread
