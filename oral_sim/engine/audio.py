"""Capture and playback through sounddevice, file and in-memory frame sources, and WAV writing
that survives a crash.

Everything the engine consumes is a `FrameSource`: an iterator of 30 ms frames of 16 kHz mono
int16 as bytes (what webrtcvad takes), plus `close()`. sounddevice (PortAudio) is imported inside
functions, so a machine without PortAudio can still use files and the simulated candidate.
"""

from __future__ import annotations

import os
import queue
import struct
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from oral_sim.config import AudioConfig
from oral_sim.errors import AudioError, AudioFileError, DeviceError

NO_MIC_HINT = (
    "plug one in, pick one with --input-device (see `oral-sim devices`), "
    "or use `oral-sim demo` / answer from a file"
)


class FrameSource(Protocol):
    """Where an answer comes from: 30 ms frames of 16 kHz mono int16 as bytes."""

    def __iter__(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...


# ----------------------------------------------------------------------------- devices


@dataclass
class DeviceInfo:
    """One PortAudio device."""

    index: int
    """sounddevice device index."""
    name: str
    """Device name as PortAudio reports it."""
    max_input_channels: int
    """Input channels (0 = not a microphone)."""
    max_output_channels: int
    """Output channels (0 = not a speaker)."""
    default_samplerate: float
    """The device's native rate in Hertz."""
    is_default_input: bool = False
    """True for the system default input."""
    is_default_output: bool = False
    """True for the system default output."""
    hostapi: str = ""
    """Host API name (ALSA, PulseAudio, ...)."""


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as exc:  # the PortAudio library itself is missing
        raise DeviceError(
            f"the audio system is not available ({exc})",
            "install PortAudio (Debian/Ubuntu: apt install libportaudio2; `make run` does it)",
        ) from exc
    quiet_alsa()
    return sounddevice


#: ALSA library messages caught by `quiet_alsa` since it was installed.
alsa_messages = 0
_alsa_handler: Any = None


def quiet_alsa() -> None:
    """Route the ALSA library's messages ("ALSA lib pcm.c:8568:(snd_pcm_recover) underrun
    occurred") away from stderr, where they were drawn over the app's screen; they are counted
    in `alsa_messages`. Once per process; nothing where there is no libasound."""
    global _alsa_handler
    if _alsa_handler is not None:
        return
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("asound")
    if not name:
        _alsa_handler = False
        return
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        _alsa_handler = False
        return
    # void handler(const char *file, int line, const char *function, int err, const char *fmt, ...)
    # the varargs after fmt are left alone: the handler reads none of them
    kind = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                            ctypes.c_char_p)

    def handler(file: bytes, line: int, function: bytes, err: int, fmt: bytes) -> None:
        global alsa_messages
        alsa_messages += 1

    _alsa_handler = kind(handler)  # kept: ALSA holds the pointer for the life of the process
    lib.snd_lib_error_set_handler(_alsa_handler)


def list_devices() -> list[DeviceInfo]:
    """Every input and output device PortAudio sees, with the defaults marked."""
    sd = _sounddevice()
    try:
        raw = sd.query_devices()
        hostapis = sd.query_hostapis()
    except sd.PortAudioError as exc:
        raise DeviceError(f"the audio devices cannot be listed ({exc})") from exc
    default_in, default_out = _default_indices(sd)
    devices = []
    for d in raw:
        devices.append(
            DeviceInfo(
                index=int(d["index"]),
                name=str(d["name"]),
                max_input_channels=int(d["max_input_channels"]),
                max_output_channels=int(d["max_output_channels"]),
                default_samplerate=float(d["default_samplerate"]),
                is_default_input=int(d["index"]) == default_in,
                is_default_output=int(d["index"]) == default_out,
                hostapi=str(hostapis[d["hostapi"]]["name"]),
            )
        )
    return devices


def _default_indices(sd: Any) -> tuple[int, int]:
    try:
        default_in, default_out = sd.default.device
    except Exception:
        return -1, -1
    return int(default_in if default_in is not None else -1), int(
        default_out if default_out is not None else -1
    )


def resolve_device(spec: str | int | None, kind: str) -> DeviceInfo:
    """The device for `spec` (None = default, an index, or a case-insensitive name substring) that
    can do `kind` ("input" or "output"); DeviceError with a hint when there is none."""
    if kind not in ("input", "output"):
        raise ValueError(f"kind must be 'input' or 'output', not {kind!r}")
    devices = list_devices()

    def usable(d: DeviceInfo) -> bool:
        return (d.max_input_channels if kind == "input" else d.max_output_channels) > 0

    candidates = [d for d in devices if usable(d)]
    what = "microphone" if kind == "input" else "speaker (output device)"
    if not candidates:
        hint = (
            NO_MIC_HINT
            if kind == "input"
            else "connect a speaker, or write audio to a file with -o"
        )
        raise DeviceError(f"no {what} found", hint)
    if spec is None or spec == "":
        for d in candidates:
            if d.is_default_input if kind == "input" else d.is_default_output:
                return d
        return candidates[0]
    if isinstance(spec, int) or str(spec).strip().isdigit():
        index = int(spec)
        for d in devices:
            if d.index == index:
                if not usable(d):
                    raise DeviceError(
                        f"device {index} ({d.name}) has no {kind} channels",
                        "see `oral-sim devices` for the devices that do",
                    )
                return d
        raise DeviceError(f"there is no audio device {index}", "see `oral-sim devices`")
    needle = str(spec).lower()
    exact = [d for d in candidates if d.name.lower() == needle]
    if exact:
        return exact[0]
    matches = [d for d in candidates if needle in d.name.lower()]
    if not matches:
        raise DeviceError(f"no {kind} device matches {spec!r}", "see `oral-sim devices`")
    return matches[0]


# ----------------------------------------------------------------------------- playback


class Player:
    """Plays chunks of audio (anything with `.audio` int16 and `.sample_rate_hz`) on an output
    device, resampling with soxr when the device does not take the voice's rate."""

    BLOCK_S = 0.05
    """Seconds of audio written per call; also how quickly `stop()` takes effect."""

    def __init__(self, config: AudioConfig | None = None, device: str | int | None = None) -> None:
        self.config = config or AudioConfig()
        """Audio settings (the output device)."""
        self.device = device if device is not None else self.config.output_device
        """Output device spec (None = default)."""
        self.first_audio_at: float | None = None
        """`time.monotonic()` when the first block was handed to the device."""
        self._stop = threading.Event()

    def stop(self) -> None:
        """Stop playing as soon as possible (thread-safe)."""
        self._stop.set()

    def play(self, chunks: Iterable[Any], cancel: threading.Event | None = None) -> float:
        """Play `chunks` as they come; return `time.monotonic()` when the sound ended (drained, or
        cut by `stop()` / `cancel`)."""
        import soxr

        sd = _sounddevice()
        self._stop.clear()
        stream = None
        resampler = None

        def cancelled() -> bool:
            return self._stop.is_set() or (cancel is not None and cancel.is_set())

        try:
            for chunk in chunks:
                if cancelled():
                    break
                audio = np.asarray(chunk.audio, dtype=np.int16)
                if stream is None:
                    stream, device_rate = self._open(sd, int(chunk.sample_rate_hz))
                    in_rate = int(chunk.sample_rate_hz)
                    if device_rate != in_rate:
                        resampler = soxr.ResampleStream(in_rate, device_rate, 1, dtype="int16")
                    stream.start()
                if resampler is not None:
                    audio = resampler.resample_chunk(audio)
                if not self._write(stream, audio, cancelled):
                    break
            else:
                if stream is not None and resampler is not None:
                    self._write(
                        stream,
                        resampler.resample_chunk(np.zeros(0, np.int16), last=True),
                        cancelled,
                    )
            if stream is not None:
                if cancelled():
                    stream.abort()
                else:
                    stream.stop()  # waits until the buffered audio has been played
        except sd.PortAudioError as exc:
            raise DeviceError(
                f"playback failed on the output device ({exc})",
                "pick another one with --output-device (see `oral-sim devices`)",
            ) from exc
        finally:
            if stream is not None:
                stream.close(ignore_errors=True)
        return time.monotonic()

    def _open(self, sd: Any, rate: int) -> tuple[Any, int]:
        device = resolve_device(self.device, "output")
        try:
            sd.check_output_settings(
                device=device.index, samplerate=rate, channels=1, dtype="int16"
            )
        except Exception:
            rate = int(device.default_samplerate)
        try:
            stream = sd.OutputStream(
                device=device.index, samplerate=rate, channels=1, dtype="int16"
            )
        except sd.PortAudioError as exc:
            raise DeviceError(
                f"the output device {device.name!r} cannot be opened ({exc})",
                "pick another one with --output-device (see `oral-sim devices`)",
            ) from exc
        return stream, rate

    def _write(self, stream: Any, audio: np.ndarray, cancelled: Any) -> bool:
        block = max(1, int(stream.samplerate * self.BLOCK_S))
        for start in range(0, len(audio), block):
            if cancelled():
                return False
            stream.write(np.ascontiguousarray(audio[start : start + block]).reshape(-1, 1))
            if self.first_audio_at is None:
                self.first_audio_at = time.monotonic()
        return True


def play_array(
    samples: np.ndarray,
    sample_rate_hz: int,
    config: AudioConfig | None = None,
    cancel: threading.Event | None = None,
) -> float:
    """Play one int16 array to the end (or until `cancel` is set); return when it ended."""

    @dataclass
    class _Chunk:
        audio: np.ndarray
        sample_rate_hz: int

    return Player(config).play([_Chunk(samples, sample_rate_hz)], cancel=cancel)


# ----------------------------------------------------------------------------- capture


class _Framer:
    """Cuts a stream of int16 samples into fixed frames, resampling to the engine rate first."""

    def __init__(self, in_rate: int, out_rate: int, frame_samples: int) -> None:
        self.frame_bytes = frame_samples * 2
        self._buf = bytearray()
        self._resampler = None
        if in_rate != out_rate:
            import soxr

            self._resampler = soxr.ResampleStream(in_rate, out_rate, 1, dtype="int16")

    def push(self, samples: np.ndarray, last: bool = False) -> list[bytes]:
        if self._resampler is not None:
            samples = self._resampler.resample_chunk(samples, last=last)
        self._buf += np.asarray(samples, dtype=np.int16).tobytes()
        frames = []
        while len(self._buf) >= self.frame_bytes:
            frames.append(bytes(self._buf[: self.frame_bytes]))
            del self._buf[: self.frame_bytes]
        return frames


_END = object()


class MicrophoneSource:
    """Live capture: opens the input device at 16 kHz when it offers it, else at its native rate
    with a streaming soxr resample; yields 30 ms frames of mono int16 bytes.

    A device that disappears or stops delivering for `stall_timeout_s` raises DeviceError from the
    iterator; every frame yielded before stays with the caller (who writes it to disk)."""

    def __init__(
        self,
        config: AudioConfig | None = None,
        device: str | int | None = None,
        stall_timeout_s: float | None = None,
        max_queued_s: float = 10.0,
    ) -> None:
        self.config = config or AudioConfig()
        """Audio settings (rate, frame length, input device)."""
        self.stall_timeout_s = (
            stall_timeout_s if stall_timeout_s is not None else self.config.device_timeout_s
        )
        """Seconds without audio after which the device counts as gone."""
        self.dropped_blocks = 0
        """Capture blocks dropped because the consumer fell more than `max_queued_s` behind."""
        self.frames_delivered = 0
        """Frames yielded so far."""
        sd = _sounddevice()
        self.device = resolve_device(
            device if device is not None else self.config.input_device, "input"
        )
        """The device being recorded."""
        target = self.config.sample_rate_hz
        self.device_rate_hz = target
        """Rate the device is opened at (resampled to `config.sample_rate_hz` when different)."""
        self.channels = 1
        """Channels opened (a stereo-only device is downmixed)."""
        try:
            sd.check_input_settings(
                device=self.device.index, samplerate=target, channels=1, dtype="int16"
            )
        except Exception:
            self.device_rate_hz = int(self.device.default_samplerate)
            try:
                sd.check_input_settings(
                    device=self.device.index,
                    samplerate=self.device_rate_hz,
                    channels=1,
                    dtype="int16",
                )
            except Exception:
                self.channels = min(2, self.device.max_input_channels)
        block = int(self.device_rate_hz * self.config.frame_ms / 1000)
        self._queue: queue.Queue = queue.Queue(
            maxsize=max(4, int(max_queued_s * 1000 / self.config.frame_ms))
        )
        self._closed = False
        self._framer = _Framer(
            self.device_rate_hz, target, int(target * self.config.frame_ms / 1000)
        )
        try:
            self._stream = sd.InputStream(
                device=self.device.index,
                samplerate=self.device_rate_hz,
                channels=self.channels,
                dtype="int16",
                blocksize=block,
                callback=self._callback,
                finished_callback=self._finished,
            )
            self._stream.start()
        except sd.PortAudioError as exc:
            raise DeviceError(
                f"the microphone {self.device.name!r} cannot be opened ({exc})", NO_MIC_HINT
            ) from exc

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        block = indata[:, 0].copy() if self.channels == 1 else indata.mean(axis=1).astype(np.int16)
        try:
            self._queue.put_nowait(block)
        except queue.Full:
            # The consumer is far behind: keep the newest audio rather than block PortAudio's thread.
            try:
                self._queue.get_nowait()
            except queue.Empty:
                pass
            self.dropped_blocks += 1
            self._queue.put_nowait(block)

    def _finished(self) -> None:
        try:
            self._queue.put_nowait(_END)
        except queue.Full:
            pass

    def __iter__(self) -> Iterator[bytes]:
        while True:
            try:
                block = self._queue.get(timeout=self.stall_timeout_s)
            except queue.Empty:
                if self._closed:
                    return
                raise DeviceError(
                    f"the microphone {self.device.name!r} stopped delivering audio "
                    f"(nothing for {self.stall_timeout_s:g} s)",
                    "check the device is still connected; what was said so far is kept",
                ) from None
            if block is _END:
                if self._closed:
                    return
                raise DeviceError(
                    f"the microphone {self.device.name!r} went away",
                    "reconnect it or pick another with --input-device; what was said so far is kept",
                )
            for frame in self._framer.push(block):
                self.frames_delivered += 1
                yield frame
            if self._closed:
                return

    def close(self) -> None:
        """Stop recording (idempotent, thread-safe enough to call from another thread)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._stream.abort(ignore_errors=True)
            self._stream.close(ignore_errors=True)
        except Exception:
            pass
        self._finished()


class ArrayFrameSource:
    """In-memory int16 audio (already at the engine rate) as 30 ms frames; the last frame is
    padded with silence. `realtime=True` paces frames at the speed they would be spoken."""

    def __init__(
        self,
        samples: np.ndarray,
        realtime: bool = False,
        frame_ms: int = 30,
        sample_rate_hz: int = 16000,
    ) -> None:
        self.samples = np.asarray(samples, dtype=np.int16)
        """The audio, mono int16 at `sample_rate_hz`."""
        self.realtime = realtime
        """Pace frames in real time (True) or as fast as the consumer takes them."""
        self.sample_rate_hz = sample_rate_hz
        """Rate of the frames in Hertz."""
        self.frame_samples = int(sample_rate_hz * frame_ms / 1000)
        """Samples per frame."""
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return paced(self._frames(), self.frame_samples / self.sample_rate_hz, self.realtime, self)

    def _frames(self) -> Iterator[bytes]:
        n = self.frame_samples
        for start in range(0, len(self.samples), n):
            frame = self.samples[start : start + n]
            if len(frame) < n:
                frame = np.concatenate([frame, np.zeros(n - len(frame), np.int16)])
            yield frame.tobytes()

    def close(self) -> None:
        """Stop yielding frames."""
        self._closed = True


class FileSource:
    """Any audio file PyAV can decode, standing in for the microphone: 30 ms frames of 16 kHz mono
    int16, paced in real time or as fast as the consumer takes them."""

    def __init__(
        self,
        path: str | Path,
        realtime: bool = False,
        frame_ms: int = 30,
        sample_rate_hz: int = 16000,
    ) -> None:
        self.path = Path(path)
        """The audio file."""
        if self.path.is_dir():
            raise AudioFileError(f"{self.path} is a folder, not an audio file",
                                 "name an audio file in it (wav, flac, mp3 or ogg)")
        if not self.path.is_file():
            raise AudioFileError(f"no audio file at {self.path}", "check the path; "
                                 "any wav, flac, mp3 or ogg file will do")
        self.realtime = realtime
        """Pace frames in real time (True) or as fast as the consumer takes them."""
        self.frame_ms = frame_ms
        """Frame length in milliseconds."""
        self.sample_rate_hz = sample_rate_hz
        """Rate of the frames in Hertz."""
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        from oral_sim.engine import audiofile

        frame_bytes = int(self.sample_rate_hz * self.frame_ms / 1000) * 2

        def frames() -> Iterator[bytes]:
            for frame in audiofile.iter_file_frames(
                self.path, frame_ms=self.frame_ms, sample_rate_hz=self.sample_rate_hz
            ):
                data = (
                    frame
                    if isinstance(frame, bytes | bytearray)
                    else np.asarray(frame, np.int16).tobytes()
                )
                if len(data) < frame_bytes:
                    data = bytes(data) + b"\0" * (frame_bytes - len(data))
                yield bytes(data)

        return paced(frames(), self.frame_ms / 1000, self.realtime, self)

    def close(self) -> None:
        """Stop yielding frames."""
        self._closed = True


#: A real-time source whose consumer held one frame longer than this (seconds) was paused, not
#: slow: it goes on from then at speaking pace instead of pouring out what it owes.
STALL_S = 2.0


def pace_to(start: float, index: int, frame_s: float) -> None:
    """Sleep until frame `index` of a schedule that began at `start` is due. To a schedule, not
    per frame: a slow consumer, or a slow synthesis, catches up."""
    delay = start + index * frame_s - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def after_hold(start: float, given_at: float) -> float:
    """The schedule's start once the consumer takes the next frame: moved on by the time the
    last frame given (at `given_at`) was held, when that is a pause (`STALL_S`). After a pause
    the rest of a simulated answer came at once, 11 s of it in one second."""
    held = time.monotonic() - given_at
    return start + held if held > STALL_S else start


def paced(frames: Iterator[bytes], frame_s: float, realtime: bool, owner: Any) -> Iterator[bytes]:
    """`frames` of `frame_s` each, in real time when `realtime` (to a schedule: `pace_to`, moved
    on after a pause: `after_hold`), until `owner._closed`. Every paced source goes through it
    (`ArrayFrameSource`, `FileSource`, the simulated candidate)."""
    start = time.monotonic()
    for i, frame in enumerate(frames):
        if owner._closed:
            return
        if realtime:
            pace_to(start, i, frame_s)
        given_at = time.monotonic()
        yield frame
        start = after_hold(start, given_at)


# ----------------------------------------------------------------------------- WAV on disk

_WAV_HEADER = struct.Struct("<4sI4s4sIHHIIHH4sI")
WAV_HEADER_BYTES = _WAV_HEADER.size
"""Size of the canonical 44-byte PCM WAV header the recorder writes."""


def _wav_header(sample_rate_hz: int, channels: int, data_bytes: int) -> bytes:
    block_align = channels * 2
    return _WAV_HEADER.pack(
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        1,
        channels,
        sample_rate_hz,
        sample_rate_hz * block_align,
        block_align,
        16,
        b"data",
        data_bytes,
    )


class WavRecorder:
    """Writes 16-bit PCM frames to a WAV file as they arrive. Every `flush_every_s` of audio the
    data goes to the OS and the header sizes are brought up to date, so a process that dies keeps
    all but the last half second, and `repair_wav` fixes what is left. The file is mode 0600."""

    def __init__(
        self,
        path: str | Path,
        sample_rate_hz: int = 16000,
        channels: int = 1,
        flush_every_s: float = 0.5,
    ) -> None:
        self.path = Path(path)
        """The WAV file being written."""
        self.sample_rate_hz = sample_rate_hz
        """Rate of the audio in Hertz."""
        self.channels = channels
        """Interleaved channels."""
        self.data_bytes = 0
        """PCM bytes written so far."""
        self._flush_bytes = int(flush_every_s * sample_rate_hz) * 2 * channels
        self._unflushed = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file: Any = os.fdopen(fd, "wb")
        self._file.write(_wav_header(sample_rate_hz, channels, 0))
        self._file.flush()

    @property
    def duration_s(self) -> float:
        """Seconds of audio written so far."""
        return self.data_bytes / (2 * self.channels * self.sample_rate_hz)

    def write(self, frame: bytes | np.ndarray) -> None:
        """Append PCM (bytes of int16, or an int16 array)."""
        if self._file is None:
            raise AudioError(f"the recording {self.path} is already closed")
        data = frame.astype(np.int16).tobytes() if isinstance(frame, np.ndarray) else bytes(frame)
        self._file.write(data)
        self.data_bytes += len(data)
        self._unflushed += len(data)
        if self._unflushed >= self._flush_bytes:
            self.flush()

    def flush(self) -> None:
        """Hand the audio to the OS and make the header sizes match it."""
        if self._file is None:
            return
        self._patch_header()
        self._file.flush()
        self._unflushed = 0

    def _patch_header(self) -> None:
        end = self._file.tell()
        self._file.seek(0)
        self._file.write(_wav_header(self.sample_rate_hz, self.channels, self.data_bytes))
        self._file.seek(end)

    def close(self) -> None:
        """Finish the file (idempotent)."""
        if self._file is None:
            return
        self.flush()
        try:
            os.fsync(self._file.fileno())
        except OSError:
            pass
        self._file.close()
        self._file = None

    def __enter__(self) -> WavRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def repair_wav(path: str | Path, sample_rate_hz: int = 16000, channels: int = 1) -> float:
    """Make the RIFF and data sizes of a WAV whose writer died match the file's length; drop a
    trailing partial sample. An empty or header-less file becomes an empty WAV with the given
    format. Returns the audio duration in seconds. Idempotent."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "r+b") as f:
        head = f.read(12)
        if size < WAV_HEADER_BYTES and b"RIFF".startswith(head[:4].rstrip(b"\0")):
            # Died before (or while) the header reached the disk: nothing was recorded.
            f.seek(0)
            f.truncate()
            f.write(_wav_header(sample_rate_hz, channels, 0))
            return 0.0
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise AudioError(f"{path} is not a WAV file")
        # Walk the chunks to the data chunk; only its size (and RIFF's) can be stale.
        pos = 12
        block_align = channels * 2
        rate = sample_rate_hz
        while pos + 8 <= size:
            f.seek(pos)
            chunk_id, chunk_size = struct.unpack("<4sI", f.read(8))
            if chunk_id == b"fmt ":
                fmt = f.read(min(chunk_size, 16))
                if len(fmt) >= 14:
                    _, _, rate, _, block_align = struct.unpack("<HHIIH", fmt[:14])
            if chunk_id == b"data":
                data_start = pos + 8
                data_bytes = size - data_start
                data_bytes -= data_bytes % max(1, block_align)
                f.seek(4)
                f.write(struct.pack("<I", data_start - 8 + data_bytes))
                f.seek(pos + 4)
                f.write(struct.pack("<I", data_bytes))
                f.truncate(data_start + data_bytes)
                return data_bytes / max(1, block_align) / max(1, rate)
            pos += 8 + chunk_size + (chunk_size & 1)
        # Died between the fmt chunk and the data chunk header: no audio to keep.
        raise AudioError(f"{path} has no audio data chunk")
