"""Frame sources, crash-proof WAV writing, and the audio commands where no sound card is needed.
The real sounddevice path is in test_pulse_audio.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import wave

import numpy as np
import pytest

from oral_sim.cli import main
from oral_sim.engine.audio import (
    WAV_HEADER_BYTES,
    ArrayFrameSource,
    FileSource,
    WavRecorder,
    repair_wav,
)
from oral_sim.errors import AudioError


def _read_wav(path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), np.int16), w.getframerate()


def test_wav_recorder_writes_a_private_readable_file(tmp_path):
    path = tmp_path / "answer.wav"
    samples = (np.arange(16000 * 2) % 2000 - 1000).astype(np.int16)
    with WavRecorder(path, sample_rate_hz=16000) as rec:
        for start in range(0, len(samples), 480):
            rec.write(samples[start : start + 480].tobytes())
        assert rec.duration_s == pytest.approx(2.0)
    assert path.stat().st_mode & 0o777 == 0o600
    back, rate = _read_wav(path)
    assert rate == 16000 and np.array_equal(back, samples)
    # Repairing a good file changes nothing.
    assert repair_wav(path) == pytest.approx(2.0)
    assert np.array_equal(_read_wav(path)[0], samples)


_WRITER = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from oral_sim.engine.audio import WavRecorder
    # Header flushes far apart: the process dies with stale header sizes but data on disk.
    rec = WavRecorder(sys.argv[1], sample_rate_hz=16000, flush_every_s=60)
    pattern = (np.arange(16000 * 10) % 3000 - 1500).astype(np.int16)
    for i in range(0, 16000 * 10, 480):
        rec.write(pattern[i : i + 480].tobytes())
        if i == 480 * 50:
            print("ready", flush=True)
            time.sleep(60)
    """
)


def test_wav_kept_after_sigkill_and_repaired(tmp_path):
    path = tmp_path / "killed.wav"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    with wave.open(str(path), "rb") as w:
        assert w.getnframes() == 0  # the header still says "empty"
    on_disk = (path.stat().st_size - WAV_HEADER_BYTES) // 2
    assert on_disk > 8000  # most of the 1.5 s written reached the OS before the kill
    duration = repair_wav(path)
    back, rate = _read_wav(path)
    assert rate == 16000 and len(back) == on_disk
    assert duration == pytest.approx(on_disk / 16000)
    expected = (np.arange(len(back)) % 3000 - 1500).astype(np.int16)
    assert np.array_equal(back, expected)


def test_repair_wav_odd_cases(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    assert repair_wav(empty) == 0.0
    assert _read_wav(empty)[0].size == 0
    half = tmp_path / "half.wav"
    with WavRecorder(half) as rec:
        rec.write(np.ones(100, np.int16))
    with open(half, "ab") as f:
        f.write(b"\x07")  # a torn sample at the end
    assert repair_wav(half) == pytest.approx(100 / 16000)
    assert np.array_equal(_read_wav(half)[0], np.ones(100, np.int16))
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"ID3" + b"\0" * 100)
    with pytest.raises(AudioError):
        repair_wav(junk)


def test_array_source_frames_padding_and_pacing():
    samples = np.arange(16000 * 0.3 + 100).astype(np.int16)
    src = ArrayFrameSource(samples, realtime=False)
    frames = list(src)
    assert len(frames) == 11 and {len(f) for f in frames} == {960}
    joined = np.frombuffer(b"".join(frames), np.int16)
    assert np.array_equal(joined[: len(samples)], samples) and not joined[len(samples) :].any()
    t0 = time.monotonic()
    paced = list(ArrayFrameSource(samples[:4800], realtime=True))
    assert len(paced) == 10 and time.monotonic() - t0 >= 0.25
    closing = ArrayFrameSource(samples)
    it = iter(closing)
    next(it)
    closing.close()
    assert list(it) == []


def test_file_source_yields_30ms_frames(tmp_path):
    pytest.importorskip("oral_sim.engine.audiofile")
    path = tmp_path / "clip.wav"
    rate = 22050
    tone = (8000 * np.sin(2 * np.pi * 440 * np.arange(rate) / rate)).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(tone.tobytes())
    frames = list(FileSource(path))
    assert {len(f) for f in frames} == {960}
    assert abs(len(frames) - 1000 / 30) <= 1
    with pytest.raises(AudioError):
        FileSource(tmp_path / "missing.wav")


def test_say_writes_a_wav(tmp_path):
    out = tmp_path / "q.wav"
    assert main(["say", "Tell me about yourself. Take your time.", "-o", str(out)]) == 0
    samples, rate = _read_wav(out)
    assert rate == 22050 and len(samples) / rate > 1.5
    assert np.abs(samples).max() > 10000
    fast, slow = tmp_path / "fast.wav", tmp_path / "slow.wav"
    for speed, path in (("1.5", fast), ("0.7", slow)):
        assert main(["say", "Tell me about yourself.", "--speed", speed, "-o", str(path)]) == 0
    # 1.5 / 0.7 = 2.1 nominally; measured ~1.6-1.8 (fixed sentence silence, duration noise).
    assert len(_read_wav(slow)[0]) > 1.3 * len(_read_wav(fast)[0])


def test_say_writes_the_type_its_file_name_asks_for(tmp_path, capsys):
    """`-o x.mp3` used to get WAV bytes under an .mp3 name; each ending now gets its own
    encoding, and the audio decodes back to the same length."""
    from oral_sim.engine.audiofile import duration_s

    magic = {".mp3": (b"ID3", b"\xff\xfb"), ".flac": (b"fLaC",), ".ogg": (b"OggS",),
             ".wav": (b"RIFF",)}
    lengths = {}
    for ending, starts in magic.items():
        out = tmp_path / f"q{ending}"
        assert main(["say", "Tell me about yourself.", "-o", str(out)]) == 0
        assert out.read_bytes().startswith(starts), ending
        lengths[ending] = duration_s(out)
    assert max(lengths.values()) - min(lengths.values()) < 0.1, lengths
    assert not list(tmp_path.glob(".*part"))
    assert f"wrote {tmp_path / 'q.wav'} (" in capsys.readouterr().err  # said, with its length
    assert main(["say", "Hi.", "-o", str(tmp_path / "q.txt")]) == 2
    err = capsys.readouterr().err
    assert "unknown audio type '.txt'" in err and ".mp3" in err
    assert not (tmp_path / "q.txt").exists()
    assert main(["say", "Hi.", "-o", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    # an existing file is kept unless --force (a 12 s recording became 0.7 s of "Hi")
    before = (tmp_path / "q.wav").read_bytes()
    assert main(["say", "Hi.", "-o", str(tmp_path / "q.wav")]) == 2
    assert "exists: it is kept" in capsys.readouterr().err
    assert (tmp_path / "q.wav").read_bytes() == before
    assert main(["say", "Hi.", "-o", str(tmp_path / "q.wav"), "--force"]) == 0
    assert (tmp_path / "q.wav").read_bytes() != before


def test_say_bad_input_is_a_message_not_a_traceback(tmp_path, capsys):
    assert main(["say", "Hi.", "--speed", "0"]) == 2
    assert "speed" in capsys.readouterr().err
    assert main(["say", "Hi.", "-o", str(tmp_path / "no" / "such" / "dir.wav")]) == 2
    assert "cannot write" in capsys.readouterr().err


def _no_devices_env() -> dict:
    """The environment of a subprocess that sees no sound card (skips where there is one: an ALSA
    config cannot hide real hardware)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PULSE_SERVER", "ALSA_CONFIG_PATH")}
    probe = subprocess.run(
        [sys.executable, "-c", "import sounddevice as sd; print(len(sd.query_devices()))"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.stdout.strip() != "0":
        pytest.skip("this machine has audio devices; the no-device path needs a machine without")
    return env


def test_no_microphone_gives_a_clear_error():
    code = textwrap.dedent(
        """
        from oral_sim.engine.audio import MicrophoneSource
        from oral_sim.errors import DeviceError
        try:
            MicrophoneSource()
        except DeviceError as exc:
            print(exc.message); print(exc.hint)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=_no_devices_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = out.stdout.splitlines()
    assert lines[0] == "no microphone found", out.stderr
    assert "--input-device" in lines[1] and "oral-sim demo" in lines[1]


def test_devices_and_say_without_a_sound_card():
    env = _no_devices_env()
    listed = subprocess.run(
        [sys.executable, "-m", "oral_sim", "devices"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0
    assert "(none found)" in listed.stdout and "No microphone found" in listed.stdout
    said = subprocess.run(
        [sys.executable, "-m", "oral_sim", "say", "Hello."],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert said.returncode == 1
    assert "no speaker" in said.stderr and "Traceback" not in said.stderr


def test_alsa_messages_are_not_written_over_the_screen(tmp_path) -> None:
    """ALSA's "underrun occurred" lines went to stderr, across the app's screen. An ALSA error
    (opening a device that does not exist) writes to stderr as a control, and nothing once
    `quiet_alsa` is in place; it is counted instead."""
    import ctypes.util
    import subprocess
    import sys

    if not ctypes.util.find_library("asound"):
        pytest.skip("no libasound on this machine")
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import ctypes, ctypes.util, sys\n"
        "if sys.argv[1] == 'quiet':\n"
        "    from oral_sim.engine import audio\n"
        "    audio._sounddevice()\n"
        "lib = ctypes.CDLL(ctypes.util.find_library('asound'))\n"
        "pcm = ctypes.c_void_p()\n"
        "assert lib.snd_pcm_open(ctypes.byref(pcm), b'no-such-device', 0, 0) < 0\n"
        "if sys.argv[1] == 'quiet':\n"
        "    print(audio.alsa_messages)\n")
    loud = subprocess.run([sys.executable, str(probe), "loud"], capture_output=True, text=True,
                          timeout=60)
    assert "no-such-device" in loud.stderr, loud
    quiet = subprocess.run([sys.executable, str(probe), "quiet"], capture_output=True, text=True,
                           timeout=60)
    assert quiet.returncode == 0 and quiet.stderr == "", quiet
    assert int(quiet.stdout) >= 1


def test_a_paced_source_held_goes_on_at_speaking_pace() -> None:
    """After a pause the rest of a simulated answer came at once (11 s in one second, helper's
    sweep): a source held past `STALL_S` goes on from then at speaking pace; one a little
    behind still catches up."""
    import time

    from oral_sim.engine.audio import STALL_S, ArrayFrameSource

    source = ArrayFrameSource(np.zeros(16000 * 6, np.int16), realtime=True)
    frames = iter(source)
    next(frames)
    time.sleep(STALL_S + 0.5)  # held, as a paused answer holds it
    t0 = time.monotonic()
    for _ in range(33):  # about one second of 30 ms frames
        next(frames)
    assert time.monotonic() - t0 > 0.8  # at speaking pace, not all at once
    source.close()
