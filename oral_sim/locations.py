"""Every path oral-sim uses, from one place. `ORAL_SIM_HOME` overrides the data home.

Tests point `ORAL_SIM_HOME` at a temporary folder (autouse fixture), so no test touches the real one.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository / install root (the folder that holds `oral_sim/`).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_home() -> Path:
    """Where sessions, answer audio and the history database live (default: `recordings/`)."""
    env = os.environ.get("ORAL_SIM_HOME")
    return Path(env).expanduser() if env else PROJECT_ROOT / "recordings"


def models_dir() -> Path:
    """User-supplied models (bigger Whisper, other piper voices). `ORAL_SIM_MODELS` overrides."""
    env = os.environ.get("ORAL_SIM_MODELS")
    return Path(env).expanduser() if env else PROJECT_ROOT / "models"


def bank_dir() -> Path:
    """The default scripts bank. `ORAL_SIM_BANK` overrides."""
    env = os.environ.get("ORAL_SIM_BANK")
    return Path(env).expanduser() if env else PROJECT_ROOT / "scripts_bank"


def database_path() -> Path:
    """The SQLite history database."""
    return data_home() / "history.sqlite3"


def sessions_dir() -> Path:
    """Answer audio, one folder per session."""
    return data_home() / "sessions"


def cache_dir() -> Path:
    """Derived data that can be rebuilt (the TTS audio cache)."""
    return data_home() / "cache"


def tts_cache_dir() -> Path:
    """Synthesized question audio, keyed by text + voice + settings."""
    return cache_dir() / "tts"


def logs_dir() -> Path:
    """Saved tracebacks of unexpected errors (`engine.crashlog`), the newest few kept."""
    return data_home() / "logs"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and any missing parents) readable by the user only; return it."""
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):  # parents first, each one private, not just the leaf
        folder.mkdir(exist_ok=True, mode=0o700)
        try:
            folder.chmod(0o700)
        except OSError:
            pass
    if not missing:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def safe_child(base: Path, name: str) -> Path:
    """`base / name` for an id that came from a file; refuses anything that would leave `base`."""
    from oral_sim.errors import UsageError

    cleaned = "".join(c if (c.isalnum() or c in "-_.") else "_" for c in name).strip(".")
    if not cleaned:
        raise UsageError(f"{name!r} cannot be used as a file name")
    candidate = (base / cleaned).resolve()
    if base.resolve() not in candidate.parents:
        raise UsageError(f"{name!r} would leave {base}")
    return candidate


def eval_dir() -> Path:
    """Evaluation data for benchmarks (`../shared/eval/` beside the checkout). `ORAL_SIM_EVAL`
    overrides; never copied into the project."""
    env = os.environ.get("ORAL_SIM_EVAL")
    return Path(env).expanduser() if env else PROJECT_ROOT.parent / "shared" / "eval"


def short_answers_file() -> Path:
    """Short answers to bank questions, each labelled with the key points it makes: some name
    the topic and make none (written and labelled for this project by readers who had not seen
    the scorer; `calibration.evaluate_short_answers`)."""
    return PROJECT_ROOT / "oral_sim" / "bench" / "data" / "short_answers.jsonl"


def terse_key_points_file() -> Path:
    """The bank's key points of the labelled answers' questions rewritten in 5-8 words and in
    1-4, as people jot them in a grading file (written for this project without the scorer or
    the answers; `calibration.evaluate_terse_points`)."""
    return PROJECT_ROOT / "oral_sim" / "bench" / "data" / "terse_key_points.json"


def key_point_answers_file() -> Path:
    """The labelled spoken answers key-point coverage is measured on (written and labelled for
    this project, shipped with it; `calibration.evaluate_key_points`)."""
    return PROJECT_ROOT / "oral_sim" / "bench" / "data" / "key_point_answers.jsonl"


def contradictions_file() -> Path:
    """One-sentence answers that make a bank key point or say its opposite (negated, or another
    number), written for this project (`calibration.evaluate_contradictions`)."""
    return PROJECT_ROOT / "oral_sim" / "bench" / "data" / "contradictions.jsonl"


def filler_labels_file() -> Path:
    """Utterances with the fillers people marked in them (`calibration.evaluate_filler_labels`),
    written and labelled for this project, shipped with it."""
    return PROJECT_ROOT / "oral_sim" / "bench" / "data" / "filler_labels.jsonl"


def star_examples_file() -> Path:
    """Example sentences of each STAR+AT part (`structure.nearest_parts`), shipped."""
    return PROJECT_ROOT / "oral_sim" / "engine" / "data" / "star_examples.json"


def star_sentences_file() -> Path:
    """Story sentences labelled with their STAR+AT part (`calibration.evaluate_structure`)."""
    return PROJECT_ROOT / "oral_sim" / "bench" / "data" / "star_sentences.jsonl"


def benchmarks_file() -> Path:
    """BENCHMARKS.md, where `oral-sim bench --record` keeps the figures. `ORAL_SIM_BENCHMARKS`
    overrides (tests)."""
    env = os.environ.get("ORAL_SIM_BENCHMARKS")
    return Path(env).expanduser() if env else PROJECT_ROOT / "BENCHMARKS.md"


def embedder_onnx_path() -> Path:
    """The sentence embedder exported to ONNX on its first load (`engine.embedder`), rebuilt
    when missing. `ORAL_SIM_EMBEDDER_ONNX` overrides (the tests share one across their homes)."""
    env = os.environ.get("ORAL_SIM_EMBEDDER_ONNX")
    return Path(env).expanduser() if env else cache_dir() / "embedder" / "all-MiniLM-L6-v2.onnx"


def machine_file() -> Path:
    """What was measured about this machine (Whisper's best thread count, `engine.threads`).
    `ORAL_SIM_MACHINE_FILE` overrides (the tests share one across their temporary homes)."""
    env = os.environ.get("ORAL_SIM_MACHINE_FILE")
    return Path(env).expanduser() if env else cache_dir() / "machine.json"
