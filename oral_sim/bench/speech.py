"""TTS figures: time to first audio uncached and cached, and the real-time factor."""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

from oral_sim.config import Settings

#: Questions as the interviewer asks them: the first sentence is what the listener waits for.
PROMPTS = [
    "Give me a brief overview of your background in machine learning. Keep it to the highlights.",
    "How do you handle training-serving skew? Walk me through a concrete case.",
    "Explain the bias-variance tradeoff, and tell me how you would spot each one in production.",
]


def run(settings: Settings, quick: bool = False) -> dict:
    """Time to first audio chunk (uncached, cached) and synthesis speed of the bundled voice."""
    from oral_sim.engine.tts import get_voice

    t0 = time.perf_counter()
    voice = get_voice(replace(settings.tts, cache=True))
    load_s = time.perf_counter() - t0
    prompts = PROMPTS[:2] if quick else PROMPTS
    uncached, cached, rtf = [], [], []
    for text in prompts:
        t0 = time.perf_counter()
        first = None
        audio_s = 0.0
        for chunk in voice.stream(text):  # nothing cached yet: synthesized, then stored
            if first is None:
                first = time.perf_counter() - t0
            audio_s += chunk.duration_s
        total = time.perf_counter() - t0
        uncached.append(first)
        rtf.append(total / audio_s if audio_s else None)
        t0 = time.perf_counter()
        for _chunk in voice.stream(text):  # now served from the disk cache
            cached.append(time.perf_counter() - t0)
            break
    rtf_values = [r for r in rtf if r is not None]
    return {
        "voice": voice.name,
        "voice_load_s": round(load_s, 3),
        "first_audio_uncached_s": round(statistics.median(uncached), 3),
        "first_audio_cached_s": round(statistics.median(cached), 4),
        "real_time_factor": round(statistics.median(rtf_values), 3) if rtf_values else None,
        "prompts": len(prompts),
    }
