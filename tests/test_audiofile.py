"""Audio files standing in for the microphone: every format, rate and sample type is converted to
16 kHz mono int16 frames; broken files are refused with a message (or kept as far as readable)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from oral_sim.engine.audiofile import iter_file_frames, load_audio
from oral_sim.errors import AudioError


def _tone(rate: int, seconds: float, channels: int = 1, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    mono = 0.5 * np.sin(2 * np.pi * freq * t)
    return np.repeat(mono[None, :], channels, axis=0)  # (channels, samples), float in [-1, 1]


def _write(path: Path, audio: np.ndarray, rate: int, codec: str, fmt: str) -> Path:
    """Encode (channels, samples) float audio with PyAV: codec and sample format chosen per test."""
    layouts = {1: "mono", 2: "stereo", 6: "5.1"}
    channels = audio.shape[0]
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout=layouts[channels])
        stream.format = fmt
        if fmt.startswith("s16"):
            data = (audio * 32767).astype(np.int16)
        elif fmt.startswith("s32"):
            data = (audio * 2**31 * 0.999).astype(np.int32)
        elif fmt.startswith("u8"):
            data = (audio * 127 + 128).astype(np.uint8)
        else:
            data = audio.astype(np.float32)
        planar = fmt.endswith("p")
        step = 1024
        for i in range(0, data.shape[1], step):
            chunk = data[:, i : i + step]
            arr = chunk if planar else chunk.T.reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(arr), format=fmt,
                                               layout=layouts[channels])
            frame.sample_rate = rate
            frame.pts = i
            frame.time_base = Fraction(1, rate)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


CASES = [
    ("a.wav", 16000, 1, "pcm_s16le", "s16"),
    ("b.wav", 44100, 2, "pcm_s16le", "s16"),
    ("c.wav", 8000, 1, "pcm_u8", "u8"),
    ("d.wav", 48000, 1, "pcm_f32le", "flt"),
    ("e.wav", 22050, 1, "pcm_s32le", "s32"),
    ("f.wav", 48000, 6, "pcm_s16le", "s16"),
    ("g.flac", 44100, 2, "flac", "s16"),
    ("h.mp3", 44100, 2, "libmp3lame", "fltp"),
    ("i.ogg", 48000, 1, "libopus", "flt"),
]


@pytest.mark.parametrize(("name", "rate", "channels", "codec", "fmt"), CASES,
                         ids=[f"{c[0]}-{c[1]}Hz-{c[2]}ch-{c[3]}" for c in CASES])
def test_any_format_becomes_16k_mono_int16(tmp_path, name, rate, channels, codec, fmt) -> None:
    path = _write(tmp_path / name, _tone(rate, 1.5, channels), rate, codec, fmt)
    audio = load_audio(path)
    assert audio.dtype == np.int16
    assert abs(len(audio) / 16000 - 1.5) < 0.1  # rate converted, duration kept
    # The 440 Hz tone survives conversion at a sensible level (not silence, not garbage).
    spectrum = np.abs(np.fft.rfft(audio[2000:18000].astype(np.float64)))
    peak_hz = np.argmax(spectrum) * 16000 / 16000
    assert abs(peak_hz - 440) < 5
    assert 5000 < np.abs(audio).max() <= 32767
    frames = list(iter_file_frames(path))
    assert {len(f) for f in frames} == {960}


def test_clipping_and_noise_are_converted(tmp_path) -> None:
    loud = np.clip(_tone(16000, 1.0) * 4, -1, 1)
    assert np.abs(load_audio(_write(tmp_path / "clip.wav", loud, 16000, "pcm_s16le", "s16"))).max() > 30000
    rng = np.random.default_rng(0)
    noise = rng.uniform(-1, 1, size=(1, 16000))
    assert len(load_audio(_write(tmp_path / "noise.wav", noise, 16000, "pcm_s16le", "s16"))) == 16000


def test_truncated_file_keeps_what_is_there(tmp_path) -> None:
    path = _write(tmp_path / "t.wav", _tone(16000, 2.0), 16000, "pcm_s16le", "s16")
    data = path.read_bytes()
    path.write_bytes(data[: 44 + 16000 * 2])  # header says 2 s, the data holds 1 s
    assert abs(len(load_audio(path)) / 16000 - 1.0) < 0.05


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "empty"), (b"RIFF\x00\x00", "cannot read"), (b"hello, I am text\n" * 20, "cannot read"),
     (bytes(range(256)) * 8, "cannot read")],
    ids=["zero-length", "cut-header", "text", "junk"],
)
def test_unreadable_files_are_refused_with_a_message(tmp_path, content, words) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError, match=words) as info:
        load_audio(path)
    # in words, without FFmpeg's errno or the path said twice ("[Errno 1094995529] ...: '/x'")
    assert "Errno" not in info.value.message and info.value.message.count(str(path)) == 1


def test_missing_file_and_folder(tmp_path) -> None:
    from oral_sim.engine.audio import FileSource

    for read in (load_audio, FileSource):  # the file read whole, and streamed (transcribe)
        with pytest.raises(AudioError, match="no audio file") as info:
            read(tmp_path / "nope.wav")
        assert info.value.hint and "path" in info.value.hint
        with pytest.raises(AudioError, match="is a folder") as info:
            read(tmp_path)
        assert info.value.hint and "audio file in it" in info.value.hint


def test_header_only_wav_has_no_samples(tmp_path) -> None:
    import wave

    path = tmp_path / "z.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
    with pytest.raises(AudioError, match="no audio samples"):
        load_audio(path)
