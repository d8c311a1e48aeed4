"""How many threads Whisper gets on this machine: measured once, then remembered.

The best count is a property of the machine, not of the code. On one 2-core machine of ours
(Intel Xeon, AVX-512) one thread was about twice as fast as two for the whole pass: each
beam-search step of a small model is many small operations, and handing them between two
threads cost more than the second core gave. On another (AMD EPYC, AVX2) two threads were
faster (a 63 s answer stopped at its last word: 0.67 s to the final transcript against 1.01 s;
BENCHMARKS.md, 2026-12-01 night). So with `AsrConfig.cpu_threads = 0` (the default) the first
load of a model on a machine times a fixed piece of work (one encoder pass and a beam search of
a fixed number of steps, on synthetic features: the cost does not depend on what is said) with
each candidate count, keeps the fastest, and writes it to `locations.machine_file()` under a key
naming the CPU, the core count, CTranslate2's version, the model and the decoding settings.
Every later load on that machine reads it (a few milliseconds); a new machine, model or
CTranslate2 measures again.

`ORAL_SIM_WHISPER_THREADS` (or a non-zero `cpu_threads`) skips the measurement.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from oral_sim import locations
from oral_sim.config import AsrConfig
from oral_sim.errors import UsageError

#: Environment variable that fixes Whisper's thread count (skips the measurement).
THREADS_ENV = "ORAL_SIM_WHISPER_THREADS"
#: Threads used when the measurement itself fails (the model's load then says why).
FALLBACK_THREADS = 1
#: Timed rounds per candidate after one warm-up each (candidates alternate within a round).
ROUNDS = 3
#: Encoder window of the timed work, in 10 ms feature frames (a 8 s utterance plus the 12 s
#: padding `AsrConfig.window_pad_s` gives it).
WINDOW_FRAMES = 2000
#: Decoding steps of the timed beam search (the end-of-text token is suppressed so every
#: candidate does the same number; about a sentence of speech).
DECODE_STEPS = 24


@dataclass
class ThreadChoice:
    """The thread count chosen for one machine and model, with what it was chosen on."""

    threads: int
    """Threads Whisper runs with."""
    source: str
    """Where the count came from: `setting`, `environment`, `measured`, `remembered` or
    `fallback` (the measurement failed)."""
    seconds: dict[int, float] = field(default_factory=dict)
    """Median time of the timed work per candidate count (empty unless measured)."""
    key: str = ""
    """The machine and model the choice is for (`machine_key`)."""


_memo: dict[str, ThreadChoice] = {}


@functools.cache
def cpu_name() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux; read once: `asr.load_whisper` asks
    for the thread count on every utterance)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def candidates(cores: int | None = None) -> list[int]:
    """Thread counts worth timing: 1, 2 and 4, as far as the machine has cores."""
    cores = cores or os.cpu_count() or 1
    return [n for n in (1, 2, 4) if n <= cores]


def machine_key(model_dir: Path, config: AsrConfig) -> str:
    """What the best count depends on: CPU, cores, CTranslate2, model, compute type, beam."""
    import ctranslate2

    return " | ".join((cpu_name(), f"{os.cpu_count()} cores", f"ctranslate2 {ctranslate2.__version__}",
                       str(model_dir), config.compute_type, f"beam {config.beam_size}"))


def whisper_threads(model_dir: Path, config: AsrConfig) -> ThreadChoice:
    """The thread count for `config` on this machine (see the module docstring)."""
    if config.cpu_threads > 0:
        return ThreadChoice(config.cpu_threads, "setting")
    env = os.environ.get(THREADS_ENV, "").strip()
    if env:
        if not env.isdigit() or int(env) < 1:
            raise UsageError(f"{THREADS_ENV}={env!r} is not a thread count",
                             "set it to a whole number such as 1 or 2, or unset it to measure")
        return ThreadChoice(int(env), "environment")
    key = machine_key(model_dir, config)
    if key in _memo:
        return _memo[key]
    from filelock import FileLock

    path = locations.machine_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path) + ".lock")
        lock.acquire()
    except OSError:  # nowhere to remember it: measure for this process only
        lock = None
    try:  # one process measures at a time: two measuring at once would each see a busy machine
        known = _read(path)
        choice = _remembered(known.get(key), key)
        if choice is None:
            try:
                seconds = measure(model_dir, config)
            except Exception:  # noqa: BLE001 - the model's own load reports what is wrong with it
                return ThreadChoice(FALLBACK_THREADS, "fallback", {}, key)
            best = min(seconds, key=lambda n: (seconds[n], n))
            choice = ThreadChoice(best, "measured", seconds, key)
            known[key] = {"threads": best, "seconds": {str(k): v for k, v in seconds.items()},
                          "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
            if lock is not None:
                try:
                    _write(path, known)
                except OSError:
                    pass
    finally:
        if lock is not None:
            lock.release()
    _memo[key] = choice
    return choice


def _remembered(entry: object, key: str) -> ThreadChoice | None:
    """The choice a record entry holds, or None when it holds none that can be used."""
    if not isinstance(entry, dict):
        return None
    threads, seconds = entry.get("threads"), entry.get("seconds", {})
    if not isinstance(threads, int) or threads < 1 or not isinstance(seconds, dict):
        return None
    try:
        return ThreadChoice(threads, "remembered", {int(k): float(v) for k, v in seconds.items()}, key)
    except (TypeError, ValueError):
        return None


def measure(model_dir: Path, config: AsrConfig, counts: list[int] | None = None,
            rounds: int = ROUNDS) -> dict[int, float]:
    """Median seconds of one encoder pass plus a `DECODE_STEPS`-step beam search, per thread
    count; each count warmed up once, the counts alternating within each round."""
    import ctranslate2
    import numpy as np

    counts = counts or candidates()
    models = {n: ctranslate2.models.Whisper(str(model_dir), device="cpu",
                                            compute_type=config.compute_type, intra_threads=n)
              for n in counts}
    first = models[counts[0]]
    features = np.random.default_rng(0).standard_normal((1, first.n_mels, WINDOW_FRAMES))
    features = ctranslate2.StorageView.from_array((features * 0.5).astype(np.float32))
    start, end = _special_tokens(model_dir, first.is_multilingual)

    def work(model: object, steps: int) -> float:
        t0 = time.perf_counter()
        encoded = model.encode(features)
        model.generate(encoded, [start], beam_size=config.beam_size, max_length=steps,
                       suppress_tokens=[-1, end])
        return time.perf_counter() - t0

    for model in models.values():
        work(model, 4)
    times: dict[int, list[float]] = {n: [] for n in counts}
    for r in range(rounds):
        for n in counts if r % 2 == 0 else reversed(counts):
            times[n].append(work(models[n], DECODE_STEPS))
    return {n: round(statistics.median(v), 4) for n, v in times.items()}


def _special_tokens(model_dir: Path, multilingual: bool) -> tuple[list[int], int]:
    """The decoder's start (start of transcript, English for a multilingual model, no
    timestamps) and the end-of-text id."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    names = ["<|startoftranscript|>"] + (["<|en|>", "<|transcribe|>"] if multilingual else [])
    ids = [tok.token_to_id(name) for name in [*names, "<|notimestamps|>"]]
    return ids, tok.token_to_id("<|endoftext|>")


def _read(path: Path) -> dict:
    """The remembered choices; an unreadable file is measured again (it holds nothing else)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
