"""Startup and memory, measured on the real console script in fresh processes:

- time to the first interactive screen: `oral-sim demo` in a tmux pane; the clock stops when the
  start of the interview is drawn (the pane shows the app and stops changing); a first launch
  (which parses the bank), then the median of `LAUNCHES` more;
- time to the first question audio: `oral-sim demo --headless --json`, which reports the wall
  clock of the first audio chunk of the first question (a returning user, a first launch with
  nothing cached, and a first launch on a new machine: medians of `LAUNCHES`);
- peak RSS over a simulated 5-question session (`oral-sim demo --headless --fast`), sampled with
  psutil over the process tree;
- the scorer's load in a new process, and the session's peak RSS, with the scorer's ONNX export
  on disk and without it (its first load), side by side.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _exe() -> str:
    return str(Path(sys.executable).parent / "oral-sim")


def first_screen_s(env: dict[str, str], timeout_s: float = 30.0) -> float | None:
    """Seconds from launching the app in a 100x30 tmux pane until its first screen is drawn."""
    if shutil.which("tmux") is None:
        return None
    # a new name each launch: the last launch's server may still be closing down
    name = f"oral-sim-bench-{os.getpid()}-{time.monotonic_ns()}"
    # A tmux server of its own (-L): a session made on a running server (the user's own tmux,
    # say) gets that server's environment, not `env`, and would launch with another data home.
    tmux = ["tmux", "-L", name]
    cmd = f"{_exe()} demo --questions 1"
    t0 = time.perf_counter()
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", name, "-x", "100", "-y", "30", cmd],
        env=env,
        check=True,
    )
    try:
        while time.perf_counter() - t0 < timeout_s:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", name], capture_output=True, text=True
            ).stdout
            lines = [line for line in screen.splitlines() if line.strip()]
            # The app paints its whole first screen at once; a handful of drawn lines means it
            # is up and taking keys.
            if len(lines) >= 5:
                return time.perf_counter() - t0
            time.sleep(0.02)
        return None
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def first_question_audio_s(env: dict[str, str], timeout_s: float = 120.0,
                           to_the_end: bool = False) -> float | None:
    """Seconds from launching a session until the first audio chunk of the first question. The
    session is killed then, unless `to_the_end`: killed there, it never keeps the question's
    audio (cached once the whole question is synthesized) nor the thread count it measures."""
    t0_wall = time.time()
    proc = subprocess.Popen(
        [_exe(), "demo", "--headless", "--json", "--fast", "--questions", "1",
         "--answer-sentences", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    found = None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if event.get("event") == "question_audio":
                found = float(event["wall_time"]) - t0_wall
                if not to_the_end:
                    break
        if to_the_end:
            proc.wait(timeout=timeout_s)
    finally:
        proc.kill()
        proc.wait(timeout=timeout_s)
    return found


def peak_rss_mb(env: dict[str, str], questions: int = 5) -> dict:
    """Peak resident memory (MB) of a simulated session, process and children summed."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [_exe(), "demo", "--headless", "--fast", "--questions", str(questions),
         "--answer-sentences", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            total = ps.memory_info().rss + sum(
                c.memory_info().rss for c in ps.children(recursive=True)
            )
        except psutil.Error:
            break
        peak = max(peak, total)
        time.sleep(0.1)
    err = proc.stderr.read() if proc.stderr else ""
    return {
        "peak_rss_mb": round(peak / 1e6, 1),
        "questions": questions,
        "session_s": round(time.perf_counter() - t0, 1),
        "exit_code": proc.returncode,
        **({"stderr_tail": err.strip().splitlines()[-3:]} if proc.returncode else {}),
    }


#: Launches per first-question figure (the median is reported; single launches vary by 0.5 s).
LAUNCHES = 3


def _median(values: list[float | None]) -> float | None:
    got = sorted(v for v in values if v is not None)
    return None if not got else round(got[len(got) // 2], 3)


def first_question_audio_cases(env: dict[str, str], launches: int = LAUNCHES) -> dict:
    """First question audio after launch, median of `launches` each: a returning user (the bank
    parsed and the question's audio cached by an earlier launch), a first launch (nothing
    cached: the voice synthesizes the question), and a first launch on a new machine (also
    measuring Whisper's thread count, `engine.threads`)."""
    returning, first, new_machine = [], [], []
    # fills the caches of the bench's home: the parsed bank and the question's audio (a launch
    # killed at the first audio left the audio uncached, so until 2026-12-02 a "returning user"
    # had the voice synthesize: 1.26-1.31 s against 0.39-0.53 s with the audio cached)
    first_question_audio_s(env, to_the_end=True)
    for _ in range(launches):
        returning.append(first_question_audio_s(env))
        with tempfile.TemporaryDirectory(prefix="oral-sim-first-launch-") as tmp:
            first.append(first_question_audio_s({**env, "ORAL_SIM_HOME": f"{tmp}/home"}))
        with tempfile.TemporaryDirectory(prefix="oral-sim-new-machine-") as tmp:
            new_machine.append(first_question_audio_s(
                {**env, "ORAL_SIM_HOME": f"{tmp}/home",
                 "ORAL_SIM_MACHINE_FILE": f"{tmp}/machine.json"}))
    return {
        "first_question_audio_s": _median(returning),
        "first_question_audio_first_launch_s": _median(first),
        "first_question_audio_new_machine_s": _median(new_machine),
        "first_question_audio_launches": launches,
    }


def scorer_load_s(env: dict[str, str]) -> float | None:
    """Seconds a new process takes to load the scorer (`scoring.get_embedder`), imports included."""
    code = ("import time; t = time.perf_counter(); from oral_sim.engine import scoring; "
            "m = scoring.get_embedder(); print(type(m).__name__, time.perf_counter() - t)")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300)
    try:
        return round(float(done.stdout.split()[-1]), 3)
    except (IndexError, ValueError):
        return None


def scorer_cases(env: dict[str, str], quick: bool = False) -> dict:
    """The scorer's load and the session's peak memory, with the scorer's ONNX export on disk (a
    returning user) and without it (its first load: sentence-transformers, then the export),
    side by side."""
    from oral_sim import locations

    exported = env.get("ORAL_SIM_EMBEDDER_ONNX") or str(locations.embedder_onnx_path())
    scorer_load_s({**env, "ORAL_SIM_EMBEDDER_ONNX": exported})  # makes the export if missing
    out: dict = {"scorer_load_s": scorer_load_s({**env, "ORAL_SIM_EMBEDDER_ONNX": exported})}
    with tempfile.TemporaryDirectory(prefix="oral-sim-no-export-") as tmp:
        first = {**env, "ORAL_SIM_EMBEDDER_ONNX": f"{tmp}/fresh/scorer.onnx"}
        out["scorer_load_first_s"] = scorer_load_s(first)
        if not quick:
            shutil.rmtree(f"{tmp}/fresh", ignore_errors=True)
            rss = peak_rss_mb(first)
            out["peak_rss_first_scorer_load_mb"] = rss["peak_rss_mb"]
    return out


def run(env: dict[str, str], quick: bool = False) -> dict:
    """All startup figures; goals from the issue: <= 1 s, <= 2 s, <= 1 GB."""
    first_screen = first_screen_s(env)  # parses the bank into the bench home's cache
    screens = [first_screen_s(env) for _ in range(1 if quick else LAUNCHES)]
    out: dict = {
        "first_screen_s": _median(screens),
        "first_screen_first_launch_s": None if first_screen is None else round(first_screen, 3),
        "goals": {"first_screen_s": 1.0, "first_question_audio_s": 2.0, "peak_rss_mb": 1000},
    }
    if quick:
        audio = first_question_audio_s(env)
        out["first_question_audio_s"] = None if audio is None else round(audio, 3)
    else:
        out.update(first_question_audio_cases(env))
    out.update(scorer_cases(env, quick))
    out.update(peak_rss_mb(env, questions=2 if quick else 5))
    return out
