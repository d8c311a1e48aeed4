"""The order the models load in at launch (`live.start_background_loading`): the interviewer's
voice, then the first question's audio, then Whisper, then the scorer. Whisper's import and load
would otherwise share the two cores with the first sentence's synthesis (first question audio
3.2 s -> 1.5 s after launch with the order; BENCHMARKS.md 2026-12-01 late night). Each case runs
in a fresh interpreter: the loader starts once per process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import json, sys, threading, time
    from oral_sim.config import Settings
    from oral_sim.engine import asr, live, scoring, tts

    speak, wait_s = sys.argv[1] == "speak", float(sys.argv[2])
    events = {}
    done = threading.Event()

    def recorded(name, real):
        def call(*args, **kwargs):
            events.setdefault(name, time.monotonic())
            if name == "scorer":
                done.set()  # its load (a 10 s import) is not what is tested
                return None
            return real(*args, **kwargs)
        return call

    asr.load_whisper = recorded("whisper", asr.load_whisper)
    scoring.get_embedder = recorded("scorer", scoring.get_embedder)
    live.FIRST_AUDIO_WAIT_S = wait_s
    settings = Settings()
    live.start_background_loading(settings)
    tts.get_voice(settings.tts)  # waits for the loader's own load of the voice
    events["voice"] = time.monotonic()
    if speak:
        time.sleep(2.0)  # a user still reading the start screen: Whisper must keep waiting
        events["before_audio"] = sorted(k for k in events if k in ("whisper", "scorer"))
        speaker = live.make_speaker(settings, play=False)
        speaker.on_first_audio = lambda text: events.setdefault("audio", time.monotonic())
        speaker.say("Tell me about a model you shipped.", threading.Event())
    done.wait(120)
    print(json.dumps(events))
    """
)


def _run(mode: str, wait_s: float) -> dict:
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode, str(wait_s)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_whisper_loads_after_the_first_question_is_heard() -> None:
    events = _run("speak", 60.0)
    assert events["before_audio"] == []
    assert events["voice"] <= events["audio"] <= events["whisper"] <= events["scorer"]


def test_whisper_still_loads_when_nothing_is_said() -> None:
    """Typed answers, or a user still on the start screen: Whisper loads after the wait."""
    events = _run("silent", 2.0)
    assert "audio" not in events
    assert events["voice"] <= events["whisper"] <= events["scorer"]
