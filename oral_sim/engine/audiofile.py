"""Audio files as microphone input: anything PyAV (FFmpeg) decodes (wav, flac, mp3, ogg, m4a...;
any rate, any channel count, 8-bit to 32-bit float), converted by FFmpeg's resampler
(libswresample: proper anti-aliased resampling and channel down-mixing) to 16 kHz mono int16.

Decoding streams: memory stays bounded however long the file is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from oral_sim.engine import textfile
from oral_sim.errors import AudioError, AudioFileError, UsageError

#: Longest file `load_audio` reads into memory (streaming readers have no limit).
MAX_LOAD_S = 4 * 3600


def _open(path: Path):
    import av

    if not path.exists():
        raise AudioFileError(f"no audio file at {path}",
                             "check the path; any wav, flac, mp3 or ogg file will do")
    if path.is_dir():
        raise AudioFileError(f"{path} is a folder, not an audio file",
                             "name an audio file in it (wav, flac, mp3 or ogg)")
    if path.stat().st_size == 0:
        raise AudioFileError(f"{path} is empty (0 bytes)", "record or choose another file")
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        # FFmpeg's own words, without its errno and the path again ("[Errno 1094995529]
        # Invalid data found when processing input: '/x/a.wav'")
        said = getattr(exc, "strerror", None) or str(exc)
        raise AudioFileError(
            f"cannot read {path} as audio: {said[0].lower() + said[1:] if said else 'unknown'}"
            + (" (is it an audio file?)" if isinstance(exc, av.error.InvalidDataError) else ""),
            "use a wav, flac, mp3 or ogg file",
        ) from None
    if not container.streams.audio:
        container.close()
        raise AudioFileError(f"{path} has no audio stream", "use a wav, flac, mp3 or ogg file")
    return container


def iter_samples(path: str | Path, sample_rate_hz: int = 16000) -> Iterator[np.ndarray]:
    """Decode `path` to 16-bit mono blocks at `sample_rate_hz`, as they come out of the decoder.

    Raises AudioError when the file cannot be opened or holds no audio at all; a file that is
    damaged part-way yields what could be decoded before the damage (a crash-cut recording is
    still worth transcribing)."""
    import av

    path = Path(path)
    container = _open(path)
    total = 0
    try:
        stream = container.streams.audio[0]
        stream.thread_type = "AUTO"
        resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate_hz)
        try:
            for frame in container.decode(stream):
                frame.pts = None  # timestamps of damaged files confuse the resampler
                for out in resampler.resample(frame):
                    block = out.to_ndarray().reshape(-1).astype(np.int16, copy=False)
                    total += len(block)
                    yield block
        except av.error.FFmpegError as exc:
            if total == 0:
                raise AudioError(f"cannot decode {path} ({exc})", "is the file complete?") from None
            # damaged tail: keep what was decoded
        for out in resampler.resample(None):
            block = out.to_ndarray().reshape(-1).astype(np.int16, copy=False)
            total += len(block)
            yield block
    finally:
        container.close()
    if total == 0:
        raise AudioFileError(f"{path} contains no audio samples", "record or choose another file")


def iter_file_frames(
    path: str | Path, frame_ms: int = 30, sample_rate_hz: int = 16000
) -> Iterator[bytes]:
    """`path` as fixed frames of 16-bit mono PCM bytes (the last one padded with silence)."""
    frame_samples = int(sample_rate_hz * frame_ms / 1000)
    pending = np.zeros(0, dtype=np.int16)
    for block in iter_samples(path, sample_rate_hz):
        pending = np.concatenate([pending, block]) if len(pending) else block
        n = len(pending) // frame_samples
        for i in range(n):
            yield pending[i * frame_samples : (i + 1) * frame_samples].tobytes()
        pending = pending[n * frame_samples :]
    if len(pending):
        pad = np.zeros(frame_samples - len(pending), dtype=np.int16)
        yield np.concatenate([pending, pad]).tobytes()


def load_audio(path: str | Path, sample_rate_hz: int = 16000) -> np.ndarray:
    """The whole of `path` as one int16 mono array at `sample_rate_hz`."""
    blocks = []
    total = 0
    for block in iter_samples(path, sample_rate_hz):
        blocks.append(block)
        total += len(block)
        if total > MAX_LOAD_S * sample_rate_hz:
            raise AudioError(f"{path} is longer than {MAX_LOAD_S // 3600} hours")
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int16)


def check_readable(path: str | Path) -> None:
    """AudioFileError, with what to do, when `path` is not an audio file that can be opened: said
    before any model loads (`analyze` took a second to refuse a missing file)."""
    _open(Path(path)).close()


def duration_s(path: str | Path) -> float:
    """Length of the audio in seconds (decodes the file: exact even without a header)."""
    return sum(len(b) for b in iter_samples(path, 16000)) / 16000


@dataclass(frozen=True)
class OutputFormat:
    """How `write_audio` encodes one file name ending."""

    container: str
    """FFmpeg muxer name (wav, flac, mp3, ogg)."""
    codec: str
    """FFmpeg encoder name."""
    sample_format: str
    """Sample format the encoder takes (s16, s16p, fltp...)."""
    rate_hz: int | None
    """Rate the encoder needs, or None to keep the source rate."""


#: File endings `write_audio` knows; anything else is refused before synthesis starts.
OUTPUT_FORMATS = {
    ".wav": OutputFormat("wav", "pcm_s16le", "s16", None),
    ".flac": OutputFormat("flac", "flac", "s16", None),
    ".mp3": OutputFormat("mp3", "libmp3lame", "s16p", None),
    ".ogg": OutputFormat("ogg", "libopus", "s16", 48000),
    ".opus": OutputFormat("ogg", "libopus", "s16", 48000),
}


def output_format(path: str | Path) -> OutputFormat:
    """The format `path`'s ending asks for; UsageError with the choices for any other ending."""
    if Path(path).is_dir():
        raise UsageError(f"{path} is a folder", f"name a file in it, e.g. {Path(path) / 'q.wav'}")
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise UsageError(
            f"cannot write {Path(path).name}: unknown audio type {suffix or '(no ending)'!r}",
            "end the file name in " + ", ".join(OUTPUT_FORMATS),
        )
    return OUTPUT_FORMATS[suffix]


def write_audio(path: str | Path, samples: np.ndarray, sample_rate_hz: int) -> Path:
    """Encode mono int16 `samples` into `path`, in the format its ending names (see
    OUTPUT_FORMATS): PyAV (FFmpeg) does the encoding and any resampling the codec needs.

    Written to a temporary name first and then moved, so a failure leaves no half file."""
    import av

    path = Path(path)
    fmt = output_format(path)
    samples = np.ascontiguousarray(samples, dtype=np.int16).reshape(1, -1)

    def fill(tmp: Path) -> None:
        with av.open(str(tmp), mode="w", format=fmt.container) as container:
            rate = fmt.rate_hz or sample_rate_hz
            stream = container.add_stream(fmt.codec, rate=rate, layout="mono")
            resampler = av.AudioResampler(format=fmt.sample_format, layout="mono", rate=rate)
            frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
            frame.sample_rate = sample_rate_hz
            for block in [*resampler.resample(frame), *resampler.resample(None)]:
                for packet in stream.encode(block):
                    container.mux(packet)
            for packet in stream.encode(None):
                container.mux(packet)

    textfile.write_whole(path, fill, (OSError, av.error.FFmpegError))
    return path
