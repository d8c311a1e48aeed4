"""Wiring of the real parts for a session: the interviewer's voice and where answers come from
(microphone, simulated candidate, typed). Everything heavy is imported inside functions."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from oral_sim.config import Settings
from oral_sim.engine import background
from oral_sim.engine.bank import Question
from oral_sim.engine.session import FrameSource, SourceFactory
from oral_sim.errors import OralSimError

#: Modes a session can run in.
MODES = ("live", "demo", "typed", "file")


class TtsSpeaker:
    """Speaks through piper (cached) and plays through sounddevice, sentence by sentence."""

    def __init__(self, settings: Settings, play: bool = True) -> None:
        self.settings = settings
        self.play = play
        self.last_first_audio_s: float | None = None
        """Seconds from asking to the first audio chunk, for the last utterance."""
        self.on_first_audio: Callable[[str], None] | None = None
        """Called with the text when its first audio chunk is ready (benchmarks, UI cues)."""

    def say(self, text: str, cancel: threading.Event) -> None:
        import time

        from oral_sim.engine.tts import cached_speech, get_voice

        t0 = time.monotonic()
        chunks: Iterable = cached_speech(text, self.settings.tts) or []
        if not chunks:
            chunks = get_voice(self.settings.tts).stream(text)
            t0 = time.monotonic()  # the question is timed from asking the loaded voice

        def timed() -> Iterator:
            first = True
            for chunk in chunks:
                if first:
                    self.last_first_audio_s = time.monotonic() - t0
                    first = False
                    try:
                        if self.on_first_audio is not None:
                            self.on_first_audio(text)
                    finally:
                        _first_audio.set()  # after the callback: what it records comes first
                if cancel.is_set():
                    return
                yield chunk

        if not self.play:
            for _ in timed():
                pass
            return
        from oral_sim.engine.audio import Player

        Player(self.settings.audio).play(timed(), cancel=cancel)


def make_speaker(settings: Settings, play: bool = True) -> TtsSpeaker:
    """The interviewer voice; `play=False` synthesizes (and caches) without a sound card."""
    return TtsSpeaker(settings, play=play)


def _device_problem(check: Callable[[], str | None]) -> str | None:
    """What `check` says is wrong with an audio device (None: usable), PortAudio's own failures
    included, in one sentence."""
    try:
        return check()
    except OralSimError as exc:
        return exc.message
    except Exception as exc:  # PortAudio missing or broken
        return f"the audio system is not usable ({exc})"


def mic_available(settings: Settings) -> str | None:
    """None when an input device is usable, else the reason in one sentence."""

    def check() -> str | None:
        from oral_sim.engine.audio import list_devices, resolve_device

        if not any(d.max_input_channels > 0 for d in list_devices()):
            return "no microphone (input device) was found"
        resolve_device(settings.audio.input_device, "input")
        return None

    return _device_problem(check)


def speaker_available(settings: Settings) -> str | None:
    """None when an output device is usable, else the reason in one sentence."""

    def check() -> str | None:
        from oral_sim.engine.audio import resolve_device

        resolve_device(settings.audio.output_device, "output")
        return None

    return _device_problem(check)


def make_sources(
    mode: str,
    settings: Settings,
    realtime: bool = True,
    fillers: float = 0.15,
    answer_sentences: int | None = None,
) -> SourceFactory:
    """Answer sources for a mode: "live" = microphone, "demo" = simulated candidate speaking the
    reference answer (with fillers), "typed" = None (the UI submits text)."""
    if mode == "typed":
        return lambda question, ordinal: None
    if mode == "live":
        from oral_sim.engine.audio import MicrophoneSource

        return lambda question, ordinal: MicrophoneSource(settings.audio)
    if mode == "demo":

        def simulated(question: Question, ordinal: int) -> FrameSource:
            from oral_sim.engine.candidate import SimulatedCandidate
            from oral_sim.engine.tts import get_voice

            text = candidate_text(question, answer_sentences)
            try:
                voice = get_voice(candidate_voice_config(settings))
            except OralSimError:
                # a broken extra voice in models/ must not stop the demo (the interviewer's
                # voice works): the candidate speaks with it, a little faster
                voice = get_voice(replace(settings.tts,
                                          length_scale=settings.tts.length_scale * 0.92))
            return SimulatedCandidate(voice, text, fillers=fillers, seed=ordinal, realtime=realtime)

        return simulated
    raise OralSimError(f"unknown mode {mode!r}", f"use one of {', '.join(MODES)}")


#: A label opening a written sentence ("Goal: ...", "Role: ..."): the sentence before it, if
#: short, is a section heading of the written model answer.
_LABEL = re.compile(r"^[A-Z][\w /&().-]{0,30}:\s")


def _is_heading(sentence: str) -> bool:
    """A short noun phrase ending in a full stop: no digit, label, question or verb-like word
    ("Guardrails prevented regressions." is a sentence)."""
    words = sentence.rstrip(".").split()
    return (sentence.endswith(".") and len(words) <= 6 and ":" not in sentence
            and not re.search(r"\d", sentence)
            and not any(w.lower().endswith("ed") or w.lower() in {"is", "are", "was", "were"}
                        for w in words))


def candidate_text(question: Question, sentences: int | None = None) -> str:
    """The reference answer as the simulated candidate says it: without the section headings of
    a written model answer ("Problem and context." before "Goal: ..."), which nobody says aloud
    and which would otherwise be shown back as evidence; optionally cut to its first N
    sentences (short demos and tests)."""
    parts = re.split(r"(?<=[.!?])(?<!vs\.)\s+", question.reference_answer.strip())
    said = [p for p, after in zip(parts, [*parts[1:], ""], strict=True)
            if not (_LABEL.match(after) and _is_heading(p))]
    return " ".join(said if sentences is None else said[:sentences])


def candidate_voice_config(settings: Settings):
    """The candidate speaks with a second voice from models/ when there is one, else the bundled
    voice a little faster, so interviewer and candidate sound different."""
    from oral_sim.engine import models

    others = [v for v in models.user_voices() if v.name != (settings.tts.voice or "")]
    if others:
        return replace(settings.tts, voice=str(others[0].model))
    return replace(settings.tts, length_scale=settings.tts.length_scale * 0.92)


_loading_lock = threading.Lock()
_loading_started = False
#: Set when the interviewer's first audio of the process is ready (`TtsSpeaker.say`).
_first_audio = threading.Event()
#: How long the background loader holds Whisper back for the first question's audio: its
#: import and load would share the two cores with the first sentence's synthesis, and it is not
#: needed before the answer starts (BENCHMARKS.md, 2026-12-01 late night).
FIRST_AUDIO_WAIT_S = 3.0
#: How long a process that ends waits for the loader to leave native code (`engine.background`);
#: once the exit has begun (`background.close()`), it loads nothing more.
SPEECH_LOAD_WAIT_S = 30.0


def start_background_loading(settings: Settings, scoring: bool = True) -> None:
    """Warm the models in daemon threads: Whisper and the voice first, the scoring model after.
    Returns at once; never blocks the first question."""
    global _loading_started
    with _loading_lock:
        if _loading_started:
            return
        _loading_started = True

    def speech() -> None:
        from oral_sim.engine.asr import load_whisper
        from oral_sim.engine.tts import get_voice

        for part, load in (("voice", lambda: get_voice(settings.tts)),
                           ("speech", lambda: load_whisper(settings.asr))):
            if part == "speech":
                _first_audio.wait(FIRST_AUDIO_WAIT_S)
            if background.closing():
                return
            try:
                load()
            except OralSimError as exc:  # said on the start screen now, and again when used
                background.load_problems[part] = exc
            except Exception:  # noqa: BLE001 - reported when actually used
                pass
        if scoring and not background.closing():
            # after Whisper: on a machine's first launch its load times the thread counts
            # (`engine.threads`), and the scorer's import beside it would make two threads look
            # slow (seen: 1 thread chosen at 0.66 s against 0.76 s, where a quiet machine gives
            # 0.58 against 0.40 s)
            from oral_sim.engine.scoring import preload_in_background

            preload_in_background(settings.scoring)

    # at exit the loader stops waiting for the first audio, and loads nothing more
    background.start(speech, "oral-sim-load-speech", SPEECH_LOAD_WAIT_S, wake=_first_audio.set)
