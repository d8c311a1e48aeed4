"""Crash safety: a real `oral-sim` process killed with SIGKILL in the middle of an answer loses at
most about a second of audio; the next start finds the interrupted session, repairs the WAV,
transcribes it and keeps it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

from oral_sim.engine.bank import load_bank
from oral_sim.engine.store import Store

EXE = str(Path(sys.executable).parent / "oral-sim")


def test_sigkill_mid_answer_keeps_the_audio_and_the_next_start_recovers_it(
    tmp_path: Path, monkeypatch
) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "ORAL_SIM_HOME": str(home)}
    proc = subprocess.Popen(
        [EXE, "demo", "--headless", "--json", "--script", "ml-questions", "--questions", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    audio_path = None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            event = json.loads(line) if line.startswith("{") else {}
            if event.get("event") == "listening" and event.get("audio_path"):
                audio_path = Path(event["audio_path"])
                break
        assert audio_path is not None, proc.stderr.read() if proc.stderr else ""
        started = time.monotonic()
        time.sleep(6.0)  # the simulated candidate speaks in real time
        spoken_s = time.monotonic() - started
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    # The file on disk after the kill: a WAV whose header may be stale, but whose data is there.
    size = audio_path.stat().st_size
    kept_s = (size - 44) / 2 / 16000
    assert kept_s >= spoken_s - 1.5, f"only {kept_s:.1f} s of {spoken_s:.1f} s on disk"

    # Next start: the session is found, repaired, transcribed and kept.
    out = subprocess.run(
        [EXE, "demo", "--headless", "--fast", "--questions", "1", "--answer-sentences", "1"],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "recovered 1 interrupted session" in out.stderr
    with wave.open(str(audio_path)) as w:  # the header now matches the data
        assert abs(w.getnframes() / w.getframerate() - kept_s) < 0.1
    monkeypatch.setenv("ORAL_SIM_HOME", str(home))
    with Store() as store:
        sessions = {s.status: s for s in store.list_sessions()}
        assert "recovered" in sessions
        record = store.get_session(sessions["recovered"].id)
        attempts = [a for q in record.questions for a in q.attempts]
        assert attempts, "the interrupted answer was stored"
        words = attempts[0].transcript.get("words") or []
        assert len(words) >= 5, "the kept audio was transcribed"
        # ...and scored against the bank question's key points
        asked = next(q for q in record.questions if q.attempts)
        kps = (attempts[0].feedback.get("content") or {}).get("key_points") or []
        assert [k["text"] for k in kps] == load_bank().question(asked.question_id).key_points
