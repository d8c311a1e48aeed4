"""A simulated candidate: speaks answer text through the piper voice, with optional fillers and
pauses, as 30 ms frames of 16 kHz mono int16, the same thing a microphone yields. With it the
whole loop runs on a machine with no microphone (tests, the benchmark, `oral-sim demo`).

How the fillers are spelled for piper was chosen by ear of the bundled Whisper tiny.en (each
spelling synthesized inside a sentence by en_US-joe-medium, then transcribed with beam 5):

- "Umm," comes back as "um" (with the disfluent prompt; plain decoding drops it, as Whisper drops
  most fillers). "Um," and "um" alone are often not voiced as a filler at all.
- "Ah," comes back as "uh" even without the prompt; "Uh," only with it, "Uhh," as "you"/"ew".
- "you know," and "like," are ordinary words and come back as written.
- "Ummm" turns into "I'm a", "Erm" into "arm", "Er" into "or": avoid them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Filler as written in a transcript -> (how piper is made to say it, relative weight).
FILLERS: dict[str, tuple[str, float]] = {
    "um": ("umm", 0.45),
    "uh": ("ah", 0.35),
    "you know": ("you know", 0.20),
}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass
class SpokenPiece:
    """One stretch of the candidate's speech on the answer timeline."""

    text: str
    """What was said (the written form, fillers included)."""
    start_s: float
    """Start in seconds from the first frame."""
    end_s: float
    """End in seconds (before the following pause)."""


@dataclass
class _Sentence:
    written: str
    spoken: str
    fillers: int


class SimulatedCandidate:
    """A FrameSource that speaks `text` with `voice` (a `tts.Voice`).

    `fillers` is the expected number of fillers per sentence (0.25 = one in four sentences; 1.5 =
    one or two in each); each goes at the start of a sentence or of a phrase after a comma.
    `script` is the text as spoken with fillers in their written form, `filler_count` how many
    went in, so tests and benchmarks can score against them."""

    def __init__(
        self,
        voice: Any,
        text: str,
        fillers: float = 0.0,
        pauses: bool = True,
        seed: int = 0,
        realtime: bool = False,
        start_silence_s: float = 0.8,
        end_silence_s: float = 0.5,
        pause_range_s: tuple[float, float] = (0.35, 0.9),
        noise_dbfs: float | None = None,
        filler_words: dict[str, tuple[str, float]] | None = None,
        frame_ms: int = 30,
        sample_rate_hz: int = 16000,
    ) -> None:
        self.voice = voice
        """The tts.Voice that speaks."""
        self.realtime = realtime
        """Pace frames in real time (True) or as fast as the consumer takes them."""
        self.pauses = pauses
        """Insert a natural pause between sentences."""
        self.start_silence_s = start_silence_s
        """Silence before the first word (the candidate's response latency)."""
        self.end_silence_s = end_silence_s
        """Silence after the last word before the source ends."""
        self.pause_range_s = pause_range_s
        """Shortest and longest pause between sentences, in seconds."""
        self.noise_dbfs = noise_dbfs
        """Level of a white noise floor under everything (None = digital silence)."""
        self.frame_ms = frame_ms
        """Frame length in milliseconds."""
        self.sample_rate_hz = sample_rate_hz
        """Rate of the frames in Hertz."""
        self.timeline: list[SpokenPiece] = []
        """Where each sentence landed, filled in as the frames are produced."""
        self._rng = random.Random(seed)
        self._sentences = _plan(text, fillers, filler_words or FILLERS, self._rng)
        self._closed = False

    @property
    def script(self) -> str:
        """The text actually spoken, fillers included in their written form ("um", "uh")."""
        return " ".join(s.written for s in self._sentences)

    @property
    def spoken_text(self) -> str:
        """The text handed to piper (fillers in their piper spelling)."""
        return " ".join(s.spoken for s in self._sentences)

    @property
    def filler_count(self) -> int:
        """Number of fillers inserted."""
        return sum(s.fillers for s in self._sentences)

    def close(self) -> None:
        """Stop speaking."""
        self._closed = True

    def __iter__(self) -> Iterator[bytes]:
        from oral_sim.engine.audio import paced

        frame_samples = int(self.sample_rate_hz * self.frame_ms / 1000)
        return paced(self._frames(frame_samples), frame_samples / self.sample_rate_hz,
                     self.realtime, self)

    def _frames(self, frame_samples: int) -> Iterator[bytes]:
        """The spoken answer in frames of `frame_samples`, the last padded with silence."""
        carry = np.zeros(0, np.int16)
        for block in self._audio_blocks():
            carry = np.concatenate([carry, block])
            while len(carry) >= frame_samples:
                yield carry[:frame_samples].tobytes()
                carry = carry[frame_samples:]
        if len(carry):
            yield np.concatenate([carry, np.zeros(frame_samples - len(carry), np.int16)]).tobytes()

    def _audio_blocks(self) -> Iterator[np.ndarray]:
        import soxr

        rate = self.sample_rate_hz
        position = 0  # samples emitted so far
        yield self._silence(self.start_silence_s)
        position += int(self.start_silence_s * rate)
        for i, sentence in enumerate(self._sentences):
            audio = self.voice.synthesize(sentence.spoken)
            if self.voice.sample_rate_hz != rate:
                audio = soxr.resample(audio, self.voice.sample_rate_hz, rate)
            audio = _trim_trailing_silence(np.asarray(audio, dtype=np.int16))
            if self.noise_dbfs is not None:
                audio = _mix(audio, self._noise(len(audio)))
            self.timeline.append(
                SpokenPiece(sentence.written, position / rate, (position + len(audio)) / rate)
            )
            yield audio
            position += len(audio)
            last = i == len(self._sentences) - 1
            gap = self.end_silence_s if last else self._pause_s()
            yield self._silence(gap)
            position += int(gap * rate)

    def _pause_s(self) -> float:
        if not self.pauses:
            return 0.12
        low, high = self.pause_range_s
        return self._rng.uniform(low, high)

    def _silence(self, seconds: float) -> np.ndarray:
        n = int(seconds * self.sample_rate_hz)
        return self._noise(n) if self.noise_dbfs is not None else np.zeros(n, np.int16)

    def _noise(self, n: int) -> np.ndarray:
        level = 32767 * 10 ** ((self.noise_dbfs or -60.0) / 20)
        noise = np.random.default_rng(self._rng.randrange(2**32)).normal(0, level, n)
        return np.clip(noise, -32768, 32767).astype(np.int16)


def _mix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.clip(a.astype(np.int32) + b, -32768, 32767).astype(np.int16)


def _trim_trailing_silence(audio: np.ndarray, threshold: int = 200) -> np.ndarray:
    # The voice appends its sentence silence; the candidate decides its own pauses.
    loud = np.flatnonzero(np.abs(audio) > threshold)
    return audio[: loud[-1] + 1] if len(loud) else audio


def _plan(
    text: str, rate: float, fillers: dict[str, tuple[str, float]], rng: random.Random
) -> list[_Sentence]:
    """Split `text` into sentences and insert about `rate` fillers per sentence."""
    names = list(fillers)
    weights = [fillers[n][1] for n in names]
    plan = []
    for sentence in _SENTENCE_END.split(" ".join(text.split())):
        if not sentence:
            continue
        count = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
        phrases = sentence.split(", ")
        # Slots: the start of the sentence and the start of each phrase after a comma.
        slots = sorted(rng.sample(range(len(phrases)), min(count, len(phrases))))
        written, spoken = list(phrases), list(phrases)
        for slot in slots:
            name = rng.choices(names, weights)[0]
            phrase = phrases[slot]
            if slot == 0:
                phrase = _lower_first(phrase)
            written[slot] = f"{_cap(name) if slot == 0 else name}, {phrase}"
            say = fillers[name][0]
            spoken[slot] = f"{_cap(say) if slot == 0 else say}, {phrase}"
        plan.append(_Sentence(", ".join(written), ", ".join(spoken), len(slots)))
    return plan


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def _lower_first(phrase: str) -> str:
    first = phrase.split(" ", 1)[0]
    # Keep "I", "I'm", acronyms and names-looking words as they are.
    if first.startswith("I") and (len(first) == 1 or first[1] == "'") or first[1:2].isupper():
        return phrase
    return phrase[:1].lower() + phrase[1:]
