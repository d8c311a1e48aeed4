"""The interviewer's voice: piper, loaded once, streaming one chunk per sentence, with an on-disk
cache so a question heard before plays at once.

piper is imported inside functions only: importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from oral_sim import locations
from oral_sim.config import TtsConfig
from oral_sim.engine import models
from oral_sim.errors import ModelError, OralSimError

#: Bump when the cached audio would change for the same inputs (splitting, silence, format).
CACHE_FORMAT = 1

#: A first sentence longer than this is split at a comma (or a conjunction) so the first audio
#: comes sooner: piper needs about 2.5 ms per character on one core, so 60 characters ~ 0.15 s.
FIRST_CHUNK_MAX_CHARS = 60

#: The longest text handed to the voice at once: a longer sentence is cut at a comma, else before
#: a conjunction, else at a space, else (one endless word) at this length. The voice's memory
#: grows with the square of what it is given: 7,200 characters with no full stop took 9.7 GB
#: and 272 s, a 80,000-character word ran out of memory.
MAX_CHUNK_CHARS = 300

_SENTENCE_END = re.compile(r"(?<=[.!?;:])[\"')\]]*\s+")
_CONJUNCTION = re.compile(r" (?:and|but|or|so|because|when|while|which|that|where) ")


@dataclass
class AudioChunk:
    """One sentence (or phrase) of synthesized speech."""

    audio: np.ndarray
    """Mono int16 samples, including the silence after the sentence."""
    sample_rate_hz: int
    """Rate of `audio` in Hertz."""
    text: str
    """The text this chunk speaks."""
    from_cache: bool = False
    """True when the audio was read from the TTS cache instead of synthesized."""

    @property
    def duration_s(self) -> float:
        """Length of the chunk in seconds."""
        return len(self.audio) / self.sample_rate_hz


def split_for_speech(text: str, first_max_chars: int = FIRST_CHUNK_MAX_CHARS) -> list[str]:
    """Sentences of `text`; a long first sentence is cut at a comma so playback starts early."""
    parts = [p.strip() for p in _SENTENCE_END.split(" ".join(text.split())) if p.strip()]
    if parts and len(parts[0]) > first_max_chars:
        first = parts[0]
        # The first comma after a few words: early enough to be quick, late enough to sound natural.
        cut = first.find(", ", 15)
        if 0 < cut < len(first) - 15:
            parts[0:1] = [first[: cut + 1], first[cut + 2 :]]
        else:
            # No usable comma: break before a conjunction near the start (a pause is natural there).
            match = _CONJUNCTION.search(first, 15, min(len(first) - 15, 2 * first_max_chars))
            if match:
                parts[0:1] = [first[: match.start()], first[match.start() + 1 :]]
    return [piece for part in parts for piece in _capped(part)]


def _capped(part: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """`part` in pieces of at most `limit` characters (`MAX_CHUNK_CHARS`), cut where a speaker
    would pause."""
    out: list[str] = []
    while len(part) > limit:
        window = part[: limit + 1]
        least = limit // 3  # a cut earlier than this leaves pieces too short to sound natural
        cut = window.rfind(", ", least) + 1  # after the comma; 0 when there is none
        if cut <= 0:
            found = [m.start() for m in _CONJUNCTION.finditer(window, least)]
            cut = found[-1] if found else window.rfind(" ", least)
        if cut <= 0:
            cut = limit
        out.append(part[:cut].strip())
        part = part[cut:].strip()
    if part:
        out.append(part)
    return out


class TtsCache:
    """Synthesized audio on disk (`.npz`: the chunk texts, their sample offsets and the audio),
    one file per (text, voice file, settings). Writes are atomic; files are private to the user."""

    def __init__(self, root: Path | None = None) -> None:
        self._root = root

    @property
    def root(self) -> Path:
        """Folder holding the cache files (looked up each time: the data home can change)."""
        return self._root or locations.tts_cache_dir()

    def path_for(self, key: str) -> Path:
        """The file that holds (or would hold) the audio for `key`."""
        return self.root / f"{key}.npz"

    def load(self, key: str) -> list[AudioChunk] | None:
        """The cached chunks for `key`, or None (also for a damaged file, which is removed)."""
        path = self.path_for(key)
        try:
            with np.load(path, allow_pickle=False) as data:
                rate = int(data["sample_rate_hz"])
                texts = [str(t) for t in data["texts"]]
                bounds = data["bounds"]
                audio = data["audio"]
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            return None  # nothing cached, or no cache folder to be had: synthesize
        except Exception:  # truncated or foreign file: drop it, synthesize again
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
            return None
        return [
            AudioChunk(audio[bounds[i] : bounds[i + 1]], rate, text, from_cache=True)
            for i, text in enumerate(texts)
        ]

    def store(self, key: str, chunks: list[AudioChunk]) -> Path:
        """Write `chunks` for `key` (atomically, mode 0600); return the file."""
        locations.ensure_private_dir(self.root)
        bounds = np.cumsum([0] + [len(c.audio) for c in chunks]).astype(np.int64)
        audio = np.concatenate([c.audio for c in chunks]) if chunks else np.zeros(0, np.int16)
        fd, tmp = tempfile.mkstemp(dir=self.root, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(
                    f,
                    sample_rate_hz=np.int64(chunks[0].sample_rate_hz if chunks else 0),
                    texts=np.array([c.text for c in chunks], dtype=str),
                    bounds=bounds,
                    audio=audio.astype(np.int16),
                )
            os.chmod(tmp, 0o600)
            path = self.path_for(key)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path


class Voice:
    """A loaded piper voice with the speaking settings. Get one with `get_voice(config)`."""

    def __init__(self, paths: models.VoicePaths, piper_voice: Any, config: TtsConfig) -> None:
        self.paths = paths
        """Where the voice files are."""
        self.config = config
        """Speed, sentence silence, cache switch."""
        self.piper = piper_voice
        """The `piper.PiperVoice` doing the synthesis."""
        self.cache: TtsCache | None = TtsCache() if config.cache else None
        """The on-disk cache, or None when caching is off."""
        self._identity = _voice_identity(paths)

    @property
    def name(self) -> str:
        """Voice name, e.g. en_US-joe-medium."""
        return self.paths.name

    @property
    def sample_rate_hz(self) -> int:
        """Rate of the audio this voice produces, in Hertz."""
        return int(self.piper.config.sample_rate)

    def cache_key(self, text: str) -> str:
        """Hash of the text, the voice file (name, size, mtime) and the settings that shape audio."""
        return _cache_key(self._identity, self.config, text)

    def stream(self, text: str) -> Iterator[AudioChunk]:
        """Speak `text`: one chunk per sentence, the first as soon as it is ready. Served from the
        cache when this text was spoken before with the same voice and settings."""
        text = " ".join(text.split())
        if not text:
            return
        key = self.cache_key(text)
        if self.cache is not None:
            cached = self.cache.load(key)
            if cached is not None:
                yield from cached
                return
        done: list[AudioChunk] = []
        for chunk in self._synthesize_chunks(text):
            done.append(chunk)
            yield chunk
        # Only a stream consumed to the end is cached: a cut-off one would replay cut off.
        if self.cache is not None and done:
            try:
                self.cache.store(key, done)
            except OSError:  # a full or read-only disk costs speed, not the question
                pass

    def synthesize(self, text: str) -> np.ndarray:
        """The whole of `text` as one int16 array at `sample_rate_hz`."""
        chunks = [c.audio for c in self.stream(text)]
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)

    def _synthesize_chunks(self, text: str) -> Iterator[AudioChunk]:
        from piper import SynthesisConfig

        syn = SynthesisConfig(length_scale=self.config.length_scale)
        silence = np.zeros(int(self.config.sentence_silence_s * self.sample_rate_hz), np.int16)
        for part in split_for_speech(text):
            pieces = self.piper.synthesize(part, syn_config=syn)
            while True:
                with ESPEAK_LOCK:  # held while piper phonemizes and infers, not while we play
                    piece = next(pieces, None)
                if piece is None:
                    break
                audio = np.concatenate([piece.audio_int16_array, silence])
                yield AudioChunk(audio, int(piece.sample_rate), part)


def _voice_identity(paths: models.VoicePaths) -> dict[str, Any]:
    """What names a voice file in cache keys: its name, size and modification time."""
    stat = paths.model.stat()
    return {"voice": paths.name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _cache_key(identity: dict[str, Any], config: TtsConfig, text: str) -> str:
    """The cache file name for `text` spoken by the voice `identity` with `config`."""
    settings = asdict(config)
    settings.pop("cache", None)
    settings.pop("voice", None)
    blob = json.dumps({"format": CACHE_FORMAT, "text": text, **identity, **settings},
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def cached_speech(text: str, config: TtsConfig | None = None) -> list[AudioChunk] | None:
    """The audio of `text` from the cache without loading the voice (a question heard before
    plays while the voice is still loading: a returning user's first question 1.46 s -> 0.49-0.58
    s after launch in the bench, BENCHMARKS.md 2026-12-01 late night); None when it was
    not spoken before with this voice and these settings, or caching is off."""
    config = config or TtsConfig()
    text = " ".join(text.split())
    if not config.cache or not text:
        return None
    try:
        identity = _voice_identity(models.voice(config.voice))
    except (OralSimError, OSError):  # get_voice says what is wrong with the voice
        return None
    return TtsCache().load(_cache_key(identity, config, text))


#: espeak-ng, which piper phonemizes with, keeps global state (the voice set): one caller at a
#: time, the synthesis here and `soundalike.phonemes`.
ESPEAK_LOCK = threading.Lock()

_piper_voices: dict[Path, Any] = {}
_voices: dict[tuple, Voice] = {}
_lock = threading.Lock()


def get_voice(config: TtsConfig | None = None) -> Voice:
    """The voice for `config`, loaded on first use and shared afterwards (the piper model is
    loaded once per voice file, whatever the speed)."""
    config = config or TtsConfig()
    paths = models.voice(config.voice)
    key = (paths.model, config.length_scale, config.sentence_silence_s, config.cache)
    with _lock:
        voice = _voices.get(key)
        if voice is not None:
            return voice
        piper_voice = _piper_voices.get(paths.model)
        if piper_voice is None:
            piper_voice = _load_piper(paths)
            _piper_voices[paths.model] = piper_voice
        voice = Voice(paths, piper_voice, TtsConfig(**asdict(config)))
        _voices[key] = voice
        return voice


def _inference_session(model: Path) -> Any:
    """The onnxruntime session for a piper voice, without onnxruntime's memory arena and memory
    patterns. With them, every new longest prompt grows a pool that is never given back (RSS rose
    208 -> 395 MB over the 85 prompts of the bank); without them, and with `malloc_trim` between
    answers, it stays at 164 MB for about 5% more synthesis time (BENCHMARKS.md, 2026-11-25).

    And without onnxruntime's graph optimizations: they took 1.1-1.3 s of the voice's 1.3 s load
    (0.45-0.57 s without) and bought no synthesis speed (three questions: 1.128 s with them
    against 1.103 s without, medians of 8 alternated rounds; the audio differs by at most one
    step of 16 bits; BENCHMARKS.md, 2026-12-01 late night). The voice is on the way to the first
    question."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    return onnxruntime.InferenceSession(
        str(model), sess_options=options, providers=["CPUExecutionProvider"]
    )


def _load_piper(paths: models.VoicePaths) -> Any:
    try:
        from piper import PiperVoice
    except ImportError as exc:
        raise ModelError(
            "piper (package piper-tts) is not installed",
            "run `make run` (or `pip install piper-tts`) in the project folder",
        ) from exc
    try:
        # What PiperVoice.load does, with our own onnxruntime session (loading the model once)
        from piper.config import PiperConfig

        with open(paths.config, encoding="utf-8") as f:
            config = PiperConfig.from_dict(json.load(f))
        voice = PiperVoice(session=_inference_session(paths.model), config=config)
        # The first synthesis in a process also starts espeak and warms onnxruntime; pay that here
        # (about 30 ms), not on the first question.
        for _ in voice.synthesize("Hi."):
            pass
        return voice
    except Exception as exc:
        raise ModelError(
            f"the piper voice {paths.name} could not be loaded ({exc})",
            f"check {paths.model} and {paths.config}, or leave the voice unset for the bundled one",
        ) from exc
