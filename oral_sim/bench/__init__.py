"""`oral-sim bench`: the whole product measured against the peers' approach, side by side in one
run (these machines are noisy, so only ratios measured together mean much).

Sections: end-of-answer latency, transcription (WER, RTF), fillers, TTS, startup/memory, scoring.
Each runs in its own try: a failing section is reported (and fails the command) without hiding
the others. Everything runs under a temporary data home; nothing touches the user's history.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from oral_sim import locations
from oral_sim.config import Settings

SECTIONS = ("latency", "transcription", "fillers", "tts", "startup", "scoring", "spoken")
#: Sections that run only when asked for with `--only`.
EXTRA_SECTIONS = ("soak",)


@dataclass
class BenchOptions:
    """What to run."""

    quick: bool = False
    """Smoke run (< 2 minutes): one short answer, few files; checks the harness, not the goals."""
    eval_root: Path = field(default_factory=locations.eval_dir)
    """The evaluation data (`../shared/eval/` by default)."""
    sections: tuple[str, ...] = SECTIONS
    """Sections to run."""
    command: str = "oral-sim bench"
    """The command line, recorded with the results."""
    soak_minutes: float = 10.0
    """Minutes of answer audio in the soak section."""


def machine() -> dict:
    """The facts that make numbers comparable between runs."""
    import psutil

    from oral_sim.engine.threads import cpu_name

    cpu = cpu_name()
    versions = {}
    for dist in ("faster-whisper", "ctranslate2", "piper-tts", "sentence-transformers", "torch",
                 "onnxruntime"):
        try:
            from importlib.metadata import version

            versions[dist] = version(dist)
        except Exception:  # not installed: leave it out
            pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "whisper_threads": _whisper_threads(),
        "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
        "versions": versions,
    }


def _whisper_threads() -> dict | None:
    """The thread count Whisper runs with here, and how it was chosen (`engine.threads`)."""
    from oral_sim.engine import models, threads

    try:
        choice = threads.whisper_threads(models.whisper_model_dir(None), Settings().asr)
    except Exception:  # noqa: BLE001 - a missing model is reported by the sections that need it
        return None
    return {"threads": choice.threads, "source": choice.source,
            "seconds": {str(k): v for k, v in choice.seconds.items()}}


def run_bench(options: BenchOptions, log: Callable[[str], None] = print) -> dict:
    """Run the chosen sections; return the results dict (the `--json` output)."""
    settings = Settings()
    results: dict = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": options.command,
        "quick": options.quick,
        "eval_root": str(options.eval_root),
        "machine": machine(),
        "sections": {},
        "errors": {},
    }
    machine_file = locations.machine_file()
    embedder_onnx = locations.embedder_onnx_path()
    with tempfile.TemporaryDirectory(prefix="oral-sim-bench-") as tmp:
        work = Path(tmp)
        home = work / "home"
        old_home = os.environ.get("ORAL_SIM_HOME")
        old_onnx = os.environ.get("ORAL_SIM_EMBEDDER_ONNX")
        os.environ["ORAL_SIM_HOME"] = str(home)
        os.environ["ORAL_SIM_EMBEDDER_ONNX"] = str(embedder_onnx)
        # the bench's home is new, but the machine is not: its processes read the machine's
        # record of what was measured (Whisper's threads) and the scorer's export from the
        # usual place
        env = {**os.environ, "ORAL_SIM_HOME": str(home),
               "ORAL_SIM_MACHINE_FILE": str(machine_file),
               "ORAL_SIM_EMBEDDER_ONNX": str(embedder_onnx)}
        try:
            for name in options.sections:
                log(f"[{name}]")
                t0 = time.perf_counter()
                try:
                    out = _section(name, settings, options, work, env, log)
                except Exception as exc:  # one broken section must not hide the others
                    results["errors"][name] = f"{type(exc).__name__}: {exc}"
                    log(f"  FAILED: {type(exc).__name__}: {exc}")
                    log("".join(traceback.format_exception(exc)[-3:]).rstrip())
                    continue
                out["section_s"] = round(time.perf_counter() - t0, 1)
                results["sections"][name] = out
        finally:
            for name, old in (("ORAL_SIM_HOME", old_home), ("ORAL_SIM_EMBEDDER_ONNX", old_onnx)):
                if old is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = old
    latency = results["sections"].get("latency", {})
    results["end_of_answer_latency_s"] = latency.get("end_of_answer_latency_s")
    results["latency_ratio_vs_batch"] = latency.get("latency_ratio_vs_batch")
    return results


def _section(name: str, settings: Settings, options: BenchOptions, work: Path, env: dict,
             log: Callable[[str], None]) -> dict:
    quick = options.quick
    if name == "latency":
        from oral_sim.bench import latency

        lengths = [20.0] if quick else [30.0, 60.0, 120.0]
        return latency.run(settings, options.eval_root, work, lengths, log=log)
    if name == "transcription":
        from oral_sim.engine.evaluation import evaluate_read_speech

        return evaluate_read_speech(settings, limit=4 if quick else None, eval_root=options.eval_root)
    if name == "fillers":
        from oral_sim.engine.calibration import evaluate_filler_labels
        from oral_sim.engine.evaluation import evaluate_fillers, evaluate_spoken_filler_labels

        out = evaluate_fillers(settings, limit=1 if quick else None, eval_root=options.eval_root)
        out["labelled_text"] = evaluate_filler_labels()  # shipped and small: also when quick
        out["labelled_spoken"] = evaluate_spoken_filler_labels(settings, limit=5 if quick else None)
        return out
    if name == "tts":
        from oral_sim.bench import speech

        return speech.run(settings, quick=quick)
    if name == "startup":
        from oral_sim.bench import startup

        return startup.run(env, quick=quick)
    if name == "scoring":
        from oral_sim.bench import scoring

        return scoring.run(settings, options.eval_root, quick=quick)
    if name == "spoken":
        from oral_sim.engine.evaluation import evaluate_spoken_answers

        return evaluate_spoken_answers(settings, limit=3 if quick else None)
    if name == "soak":
        from oral_sim.bench import soak

        return soak.run(settings, options.eval_root, work, minutes=options.soak_minutes, log=log)
    raise ValueError(f"unknown section {name}")
