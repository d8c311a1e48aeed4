"""Privacy: nothing leaves the machine. A whole simulated session, the CLI commands and the bank
import run with the network cut off (tests/offline_guard.py) and must pass without a single
attempt to open an internet socket. Recordings and the database are readable by the user only."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

GUARD = Path(__file__).parent / "offline_guard.py"
SEED_004 = sorted((Path(__file__).parents[2] / "shared" / "seeds").glob("004_*.txt"))



def _run(args: list[str], home: Path, log: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_PROXY") and not k.endswith("_proxy")}
    env["ORAL_SIM_HOME"] = str(home)
    # Even with the variables below unset, oral_sim sets them itself before any model library loads.
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        env.pop(key, None)
    return subprocess.run(
        [sys.executable, str(GUARD), str(log), *args],
        capture_output=True, text=True, env=env, timeout=timeout,
    )


def test_a_whole_session_and_the_cli_run_with_the_network_blocked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    log = tmp_path / "network.log"
    demo = _run(["demo", "--headless", "--json", "--fast", "--questions", "2",
                 "--answer-sentences", "1"], home, log)
    assert demo.returncode == 0, demo.stderr[-2000:]
    events = [json.loads(line) for line in demo.stdout.splitlines() if line.startswith("{")]
    feedback = [e for e in events if e["event"] == "feedback"]
    assert len(feedback) >= 2
    assert any(e["feedback"]["transcript"]["words"] for e in feedback), "answers were transcribed"
    assert all(e["feedback"]["content"] is not None for e in feedback), "answers were scored"
    summary = next(e for e in events if e["event"] == "summary")

    answer = next(home.rglob("*.wav"))
    commands = [
        ["transcribe", str(answer), "--json"],
        ["bank", "list", "--json"],
        ["sessions", "list", "--json"],
        ["sessions", "export", summary["session_id"], "--format", "html",
         "-o", str(tmp_path / "report.html")],
    ]
    if SEED_004:
        commands.append(["bank", "import", str(SEED_004[0]), "-o", str(tmp_path / "imported.yaml")])
    for args in commands:
        out = _run(args, home, log)
        assert out.returncode == 0, f"{args}: {out.stderr[-1500:]}"
    assert not log.exists(), f"network attempts: {log.read_text()}"

    # Private by default: the data home and everything in it is the user's alone.
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for path in home.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        if "cache" in path.parts:
            continue
        assert mode & 0o077 == 0, f"{path} is readable by others ({oct(mode)})"


def test_the_guard_itself_catches_a_connection(tmp_path: Path) -> None:
    """The guard is not a no-op: a plain connection attempt is blocked and logged."""
    log = tmp_path / "network.log"
    code = (
        "import runpy, sys; sys.argv = ['g', sys.argv[1]]; "
        f"runpy.run_path({str(GUARD)!r}, run_name='guard');"
        "import socket\n"
        "try:\n socket.create_connection(('127.0.0.1', 9), timeout=1)\n"
        "except OSError as e: print('blocked', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(log)], capture_output=True, text=True)
    assert "blocked" in out.stdout, out.stderr
    assert log.read_text().strip()
