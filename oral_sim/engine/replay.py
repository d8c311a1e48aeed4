"""Replay: a bank script as a conversation (interviewer and candidate in two voices, for listening
and shadowing practice), or a recorded session (each question, then the user's own answer).

Two voices: the candidate speaks with another piper voice from `models/` when there is one,
otherwise with the bundled voice raised in pitch and pace (resampled with soxr), so the two are
easy to tell apart. Controls (thread-safe): pause, skip, repeat, stop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from oral_sim.config import Settings

#: Pitch factor of the candidate voice when no second voice is installed (~1.5 semitones up).
CANDIDATE_PITCH = 1.09


@dataclass
class ReplayLine:
    """One turn of the replay."""

    speaker: str
    """"interviewer", "candidate" (model answer) or "you" (a recorded answer)."""
    text: str
    """What is said (shown as it plays)."""
    question_id: str | None = None
    """Bank question of this turn."""
    audio_path: Path | None = None
    """Recorded answer to play instead of synthesizing (speaker "you")."""
    shown_as: str | None = None
    """The name shown for the speaker, where not the usual one: "Simulated candidate" for the
    answers of a demo session (it said "You:" over the simulated candidate's words)."""


def script_lines(script: Any) -> list[ReplayLine]:
    """Opening, each question with its model answer, closing."""
    lines = []
    if script.opening:
        lines.append(ReplayLine("interviewer", script.opening))
    for q in script.questions:
        lines.append(ReplayLine("interviewer", q.prompt, q.id))
        lines.append(ReplayLine("candidate", q.reference_answer, q.id))
    if script.closing:
        lines.append(ReplayLine("interviewer", script.closing))
    return lines


def session_lines(record: Any) -> list[ReplayLine]:
    """Each question asked, then the last recorded (or typed) answer to it."""
    from oral_sim.engine.store import SIMULATED_MODE

    who = "Simulated candidate" if getattr(record, "mode", None) == SIMULATED_MODE else None
    lines = []
    for q in record.questions:
        lines.append(ReplayLine("interviewer", q.prompt, q.question_id))
        if not q.attempts:
            lines.append(ReplayLine("you", "(not answered)", q.question_id, shown_as=who))
            continue
        a = q.attempts[-1]
        text = a.transcript.get("text") or "(no words recognised)"
        path = a.audio_file()
        if a.audio_path and path is None:
            text += f"  [audio file {a.audio_path} is missing]"
        lines.append(ReplayLine("you", text, q.question_id, path, shown_as=who))
    return lines


def pitch_shift(audio: np.ndarray, rate_hz: int, factor: float) -> np.ndarray:
    """Raise pitch and pace by `factor` (resample, then play at the original rate)."""
    import soxr

    out = soxr.resample(audio.astype(np.float32) / 32768.0, rate_hz, int(rate_hz / factor))
    return np.clip(out * 32768.0, -32768, 32767).astype(np.int16)


#: Reading pace for a replay with nothing to play through (words a second: about 180 a minute,
#: a conversational speaking pace), and the least time a line stays.
READING_WORDS_PER_S = 3.0
READING_MIN_S = 1.5


def reading_s(text: str) -> float:
    """How long a replayed line stays when it cannot be heard."""
    return max(READING_MIN_S, len(text.split()) / READING_WORDS_PER_S)


class Replayer:
    """Plays lines in order; `on_line(index, line)` is called as each starts."""

    def __init__(self, lines: list[ReplayLine], settings: Settings | None = None,
                 on_line: Callable[[int, ReplayLine], None] | None = None, play: bool = True,
                 speak: Callable[[ReplayLine, threading.Event], None] | None = None) -> None:
        self.lines = lines
        self.settings = settings or Settings()
        self.on_line = on_line
        self.play = play
        self._speak = speak or self._speak_line
        self._cancel = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._command: str | None = None
        self.index = 0
        """The line playing now."""

    # controls
    def pause(self) -> bool:
        """Toggle pause; True when now paused (takes effect between lines)."""
        if self._resume.is_set():
            self._resume.clear()
            return True
        self._resume.set()
        return False

    def skip(self) -> None:
        self._command = "skip"
        self._cancel.set()

    def repeat(self) -> None:
        self._command = "repeat"
        self._cancel.set()

    def stop(self) -> None:
        self._command = "stop"
        self._cancel.set()
        self._resume.set()

    def run(self) -> None:
        """Play every line (blocking; run it in a worker)."""
        while 0 <= self.index < len(self.lines):
            self._resume.wait()
            if self._command == "stop":
                return
            line = self.lines[self.index]
            if self.on_line is not None:
                self.on_line(self.index, line)
            self._cancel.clear()
            self._speak(line, self._cancel)
            command, self._command = self._command, None
            if command == "stop":
                return
            if command == "repeat":
                continue
            self.index += 1

    def _speak_line(self, line: ReplayLine, cancel: threading.Event) -> None:
        from oral_sim.engine.audio import play_array
        from oral_sim.engine.tts import get_voice

        if not self.play:
            # nothing to play through: each line stays for the time it takes to read (the
            # replay raced through a script, and made every voice it threw away)
            cancel.wait(reading_s(line.text))
            return

        if line.speaker == "you":
            if line.audio_path is None:
                return
            from oral_sim.engine.audiofile import load_audio

            play_array(load_audio(line.audio_path), 16000, self.settings.audio, cancel=cancel)
            return
        if line.speaker == "interviewer":
            from oral_sim.engine.audio import Player

            voice = get_voice(self.settings.tts)
            Player(self.settings.audio).play(voice.stream(line.text), cancel=cancel)
            return
        from oral_sim.engine import models
        from oral_sim.engine.live import candidate_voice_config

        config = candidate_voice_config(self.settings)
        voice = get_voice(config)
        audio = voice.synthesize(line.text)
        if not models.user_voices():
            audio = pitch_shift(audio, voice.sample_rate_hz, CANDIDATE_PITCH)
        if not cancel.is_set():
            play_array(audio, voice.sample_rate_hz, self.settings.audio, cancel=cancel)


def replay_cli(script_id: str | None, session_id: str | None, play: bool = True,
               width: int = 88) -> int:
    """`oral-sim replay`: print each line as it plays, or all at once with `play=False`;
    lines wrapped to `width` columns."""
    import sys
    import textwrap

    from oral_sim.errors import UsageError

    if session_id:
        from oral_sim.engine.store import Store

        with Store() as store:
            session = store.get_session(session_id)
        if script_id and script_id != session.script_id:
            raise UsageError(f"session {session.id} practised the script `{session.script_id}`, "
                             f"not `{script_id}`",
                             f"`oral-sim replay --session {session.id}` replays that session; "
                             f"`oral-sim replay {script_id}` replays the script")
        lines = session_lines(session)
    else:
        from oral_sim.engine.bank import load_bank

        bank = load_bank()
        if not script_id:
            raise UsageError("name a script to replay, or --session ID",
                             "e.g. `oral-sim replay oral-interview`")
        lines = script_lines(bank.script(script_id))

    names = {"interviewer": "Interviewer", "candidate": "Candidate", "you": "You"}

    def show(i: int, line: ReplayLine) -> None:
        print(f"\n{line.shown_as or names[line.speaker]}:", flush=True)
        print(textwrap.fill(line.text, width, initial_indent="  ", subsequent_indent="  "),
              flush=True)

    # without audio the script is printed at once (the voice would only set the pace: the
    # 33-line oral interview took 17 s to print; BENCHMARKS.md, 2026-12-02 late morning)
    replayer = Replayer(lines, on_line=show, play=play,
                        speak=None if play else (lambda line, cancel: None))
    from oral_sim.errors import DeviceError

    try:
        replayer.run()
    except KeyboardInterrupt:
        replayer.stop()
        print("\nstopped", file=sys.stderr)
        return 130
    except DeviceError as exc:  # no speaker: the hint says what this command can do instead
        raise DeviceError(exc.message, "connect a speaker, or print the whole script without "
                          "audio: `oral-sim replay ... --no-audio`") from None
    return 0
