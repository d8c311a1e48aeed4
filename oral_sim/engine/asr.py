"""On-device transcription with faster-whisper (CTranslate2, int8), with guards against Whisper's
known failure modes and decoding that keeps filler words.

- The model comes from a local folder only (bundled tiny.en, or a CT2 folder in `models/`).
- Silence and noise: utterances whose level is too low are never decoded; segments Whisper itself
  rates as probably not speech (high no-speech probability and low log-probability) are dropped.
- Repetition loops: segments with a high compression ratio are dropped, and any word n-gram
  repeated more than twice in a row is cut back to two (a real "I I" stays: it is a repetition
  the feedback reports).
- Fillers: Whisper was trained on transcripts that mostly omit "um"/"uh"; an initial prompt
  written with disfluencies makes it keep them (measured in `evaluation.py`, see BENCHMARKS.md).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from oral_sim.config import AsrConfig
from oral_sim.engine.transcript import Segment, Word
from oral_sim.errors import ModelError

#: A prompt in the style of verbatim transcripts: Whisper continues in the style it is shown.
FILLER_PROMPT = "Umm, let me think like, hmm... Okay, uh, so here's what I'm, like, thinking. Um."
#: Utterances quieter than this (RMS, dBFS) are not decoded: nothing to say there.
MIN_LEVEL_DBFS = -55.0
#: A segment Whisper thinks is probably not speech, with a low confidence, is dropped.
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0
#: Text that compresses this well is a repetition loop.
MAX_COMPRESSION_RATIO = 2.4
#: Silence (s) around a suspected hallucination after which faster-whisper skips it.
HALLUCINATION_SILENCE_S = 0.5
#: Repeats of the same n-gram beyond this are a loop, not a speaker repeating themself.
MAX_REPEATS = 2

_models: dict[tuple, Any] = {}
_lock = threading.Lock()


def load_whisper(config: AsrConfig | None = None) -> Any:
    """The Whisper model for `config`, loaded once per process from a local folder."""
    from oral_sim.engine import models

    config = config or AsrConfig()
    path = models.whisper_model_dir(config.model)
    key = (str(path), config.compute_type, config.cpu_threads)
    with _lock:
        model = _models.get(key)
        if model is not None:
            return model
        try:
            from faster_whisper import WhisperModel

            model = WhisperModel(
                str(path),
                device="cpu",
                compute_type=config.compute_type,
                cpu_threads=config.cpu_threads,
                local_files_only=True,
            )
        except Exception as exc:
            raise ModelError(
                f"the Whisper model in {path} could not be loaded ({exc})",
                "reinstall with `make run`, or put a CTranslate2 Whisper folder in models/ "
                "(see models/README.md)",
            ) from None
        _models[key] = model
        return model


def level_dbfs(audio: np.ndarray) -> float:
    """RMS level of int16 (or float in [-1, 1]) audio, in dB below full scale."""
    x = audio.astype(np.float64)
    if audio.dtype == np.int16:
        x /= 32768.0
    rms = float(np.sqrt(np.mean(x * x))) if len(x) else 0.0
    return 20 * np.log10(max(rms, 1e-10))


def transcribe_array(
    model: Any,
    audio: np.ndarray,
    offset_s: float = 0.0,
    config: AsrConfig | None = None,
    prompt: str | None = None,
) -> tuple[list[Word], list[Segment]]:
    """Transcribe one utterance (16 kHz mono, int16 or float32); times are shifted by `offset_s`
    onto the answer's timeline. `prompt` is extra context (the answer so far)."""
    config = config or AsrConfig()
    if len(audio) < 1600 or level_dbfs(audio) < MIN_LEVEL_DBFS:
        return [], []
    samples = audio.astype(np.float32) / 32768.0 if audio.dtype == np.int16 else audio
    initial = FILLER_PROMPT if config.filler_prompt else None
    if prompt:
        initial = f"{initial} {prompt}" if initial else prompt
    segments, _info = model.transcribe(
        samples,
        language=config.language,
        beam_size=config.beam_size,
        temperature=list(config.temperatures),
        word_timestamps=True,
        condition_on_previous_text=False,
        initial_prompt=initial,
        vad_filter=False,
        suppress_blank=True,
        compression_ratio_threshold=MAX_COMPRESSION_RATIO,
        no_speech_threshold=NO_SPEECH_PROB,
        log_prob_threshold=LOW_LOGPROB,
        # skip silent stretches where Whisper starts inventing ("thank you for watching")
        hallucination_silence_threshold=HALLUCINATION_SILENCE_S,
    )
    words: list[Word] = []
    segs: list[Segment] = []
    for seg in segments:
        if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOW_LOGPROB:
            continue
        if seg.compression_ratio > MAX_COMPRESSION_RATIO:
            continue
        seg_words = [
            Word(w.word.strip(), float(offset_s + w.start), float(offset_s + w.end), float(w.probability))
            for w in (seg.words or [])
            if w.word.strip()
        ]
        seg_words = drop_impossible_runs(collapse_loops(seg_words))
        if not seg_words:
            continue
        text = " ".join(w.word for w in seg_words)
        words.extend(seg_words)
        segs.append(Segment(seg_words[0].start_s, seg_words[-1].end_s, text))
    if config.drop_tail_guess and len(segs) >= 2 and _is_tail_guess(words[-1], segs[-1]):
        words.pop()
        segs.pop()
    return words, segs


#: A lone last word Whisper is less sure of than this is usually invented from the utterance's
#: trailing breath ("...the letters themselves. helps.", "...other cities. one.").
TAIL_GUESS_MAX_PROB = 0.5


def _is_tail_guess(word: Word, segment: Segment) -> bool:
    """The utterance's last segment is one word, not a filled pause, with low probability."""
    from oral_sim.engine.fillers import FILLED_PAUSES

    alone = segment.text.strip() == word.word.strip()
    return (alone and word.probability < TAIL_GUESS_MAX_PROB
            and _key(word) not in FILLED_PAUSES)


def _key(word: Word) -> str:
    return "".join(c for c in word.word.lower() if c.isalnum())


def collapse_loops(words: list[Word], max_repeats: int = MAX_REPEATS) -> list[Word]:
    """Cut any 1-6 word n-gram repeated more than `max_repeats` times in a row back to
    `max_repeats` (Whisper's "the the the the..." loops)."""
    out = list(words)
    for n in range(1, 7):
        i = 0
        result: list[Word] = []
        while i < len(out):
            gram = [_key(w) for w in out[i : i + n]]
            if len(gram) < n or not all(gram):
                result.append(out[i])
                i += 1
                continue
            reps = 1
            while [_key(w) for w in out[i + reps * n : i + (reps + 1) * n]] == gram:
                reps += 1
            if reps > max_repeats:
                result.extend(out[i : i + max_repeats * n])
                i += reps * n
            else:
                result.append(out[i])
                i += 1
        out = result
    return out


#: Words closer together than this, three or more in a row, cannot have been spoken.
IMPOSSIBLE_GAP_S = 0.05


def drop_impossible_runs(words: list[Word], min_run: int = 3) -> list[Word]:
    """Drop runs of `min_run`+ words squeezed into almost no time (Whisper's invented endings,
    e.g. a whole "thank you for watching" stacked on the last 30 ms of audio)."""
    out: list[Word] = []
    i = 0
    while i < len(words):
        j = i + 1
        while j < len(words) and words[j].start_s - words[j - 1].start_s < IMPOSSIBLE_GAP_S:
            j += 1
        if j - i >= min_run:
            i = j  # the whole run goes
            continue
        out.extend(words[i:j])
        i = j
    return out
