"""Giving freed memory back to the system between answers (glibc).

Scoring an answer makes the embedder allocate large buffers sized by the answer's length. glibc
raises its mmap threshold each time such a block is freed, so later ones come from the heap, and
the freed heap pages stay resident: RSS grew ~2 MB per answer scored and never came back.
`malloc_trim(0)` after each answer returns those pages. Measured side by side (60 bank answers
scored in a row in one process, RSS after the 10th -> after the 60th; BENCHMARKS.md, "Memory
over long use"): no trim +113..+136 MB in 17.8-18.1 s; trim after each +11 MB in 19.2 s
(the trims included); a fixed 128 KB mmap threshold instead +11 MB but 24 s (every large
buffer mapped and unmapped on the hot path), 4 MB +54 MB.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

_libc: ctypes.CDLL | None = None
_lock = threading.Lock()
_unavailable = False


def release_free_memory() -> bool:
    """Return freed heap pages to the system (`malloc_trim(0)`). Call between answers, never
    on a hot path. False where the C library has no malloc_trim (not glibc)."""
    global _libc, _unavailable
    with _lock:
        if _unavailable:
            return False
        if _libc is None:
            try:
                _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                _libc.malloc_trim.argtypes = [ctypes.c_size_t]
            except (OSError, AttributeError):
                _unavailable = True
                return False
        _libc.malloc_trim(0)
        return True
