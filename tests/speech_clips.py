"""Real speech for the tests, made with the bundled piper voice (no eval data needed)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from oral_sim.config import TtsConfig

RATE = 16000


def speech(texts: list[str], gaps_s: list[float] | float = 1.0, lead_s: float = 0.5,
           tail_s: float = 0.5) -> np.ndarray:
    """The sentences spoken one after the other, with silences between, 16 kHz int16. The voice
    is random: each call speaks them a little differently (another length, another sound)."""
    return speech_spans(texts, gaps_s, lead_s, tail_s)[0]


def speech_spans(texts: list[str], gaps_s: list[float] | float = 1.0, lead_s: float = 0.5,
                 tail_s: float = 0.5) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """`speech`, and where each sentence's audio starts and ends in it (seconds): times for a
    test come from the same rendering as its audio."""
    import soxr

    from oral_sim.engine.tts import get_voice

    voice = get_voice(TtsConfig(cache=False))
    gaps = gaps_s if isinstance(gaps_s, list) else [gaps_s] * (len(texts) - 1)
    parts = [np.zeros(int(lead_s * RATE), np.int16)]
    spans: list[tuple[float, float]] = []
    at = len(parts[0])
    for i, text in enumerate(texts):
        audio = voice.synthesize(text)
        parts.append(soxr.resample(audio, voice.sample_rate_hz, RATE).astype(np.int16))
        spans.append((at / RATE, (at + len(parts[-1])) / RATE))
        at += len(parts[-1])
        if i < len(gaps):
            parts.append(np.zeros(int(gaps[i] * RATE), np.int16))
            at += len(parts[-1])
    parts.append(np.zeros(int(tail_s * RATE), np.int16))
    return np.concatenate(parts), spans


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype(np.int16).tobytes())
    return path


def frames(samples: np.ndarray, frame_samples: int = 480) -> list[bytes]:
    n = len(samples) // frame_samples
    return [samples[i * frame_samples : (i + 1) * frame_samples].tobytes() for i in range(n)]
