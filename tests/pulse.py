"""A private PulseAudio server for the tests of the real sounddevice path.

It has a null sink (`oralsim_sink`, a speaker whose sound can be recorded from its monitor) and a
pipe source (`oralsim_mic`, a microphone fed by writing 16 kHz mono s16le into a FIFO). PortAudio
reaches it through ALSA's pulse plugin; an ALSA config (via ALSA_CONFIG_PATH, nothing in /etc or
$HOME is touched) names the three as ALSA devices and routes "default" to the server.

sounddevice caches PortAudio's device list per process, so the `pulse` fixture re-initialises
PortAudio after setting the environment (and again after tearing the server down). The tests that
use it carry `@pytest.mark.xdist_group("pulse")` so they share one worker.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

SINK = "oralsim_sink"
MIC = "oralsim_mic"
MONITOR = "oralsim_monitor"
"""ALSA device names the rig defines (the monitor records what the sink plays)."""

_ALSA_CONF = """\
pcm.!default {{ type pulse }}
ctl.!default {{ type pulse }}
pcm.{mic} {{ type pulse device {mic} hint {{ show on description "oral-sim test microphone" }} }}
pcm.{sink} {{ type pulse device {sink} hint {{ show on description "oral-sim test speaker" }} }}
pcm.{monitor} {{ type pulse device {sink}.monitor hint {{ show on description "oral-sim test monitor" }} }}
"""


class PulseUnavailable(RuntimeError):
    """The PulseAudio daemon could not be started here."""


@dataclass
class PulseRig:
    """A running private PulseAudio server."""

    root: Path
    """Temporary folder holding the runtime dir, the FIFO and the ALSA config."""
    process: subprocess.Popen
    """The pulseaudio daemon."""
    fifo: Path
    """Writing s16le 16 kHz mono here is what the virtual microphone hears."""
    env: dict[str, str] = field(default_factory=dict)
    """Environment variables that point a client (or a subprocess) at this server."""
    mic: str = MIC
    sink: str = SINK
    monitor: str = MONITOR

    def pactl(self, *args: str) -> str:
        """Run pactl against this server; return its stdout."""
        out = subprocess.run(
            ["pactl", *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=10,
        )
        if out.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)} failed: {out.stderr.strip()}")
        return out.stdout

    def feed_mic(self, samples: np.ndarray, lead_silence_s: float = 0.0) -> threading.Thread:
        """Write int16 16 kHz mono `samples` into the virtual microphone from a thread (opening a
        FIFO blocks until the source reads it). Data goes in at about real time."""
        data = np.concatenate([np.zeros(int(lead_silence_s * 16000), np.int16), samples])
        data = np.asarray(data, dtype=np.int16).tobytes()

        def write() -> None:
            block = 3200  # 0.1 s
            start = time.monotonic()
            with open(self.fifo, "wb") as f:
                for i in range(0, len(data), block):
                    f.write(data[i : i + block])
                    f.flush()
                    delay = start + (i + block) / 32000 - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)

        thread = threading.Thread(target=write, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """Stop the daemon (it was started with --disallow-exit, so by signal)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _die_with_parent() -> None:
    # A test process killed hard must not leave its PulseAudio daemon running (Linux only).
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def start_pulse(root: Path, timeout_s: float = 10.0) -> PulseRig:
    """Start a private pulseaudio with the test devices under `root`; PulseUnavailable if not."""
    exe = shutil.which("pulseaudio")
    if exe is None or shutil.which("pactl") is None:
        raise PulseUnavailable("pulseaudio/pactl are not installed (apt install pulseaudio)")
    runtime = root / "runtime"
    runtime.mkdir(mode=0o700, parents=True)
    socket = runtime / "native"
    fifo = root / "mic.fifo"  # module-pipe-source creates it
    script = root / "default.pa"
    script.write_text(
        f"load-module module-native-protocol-unix auth-anonymous=1 socket={socket}\n"
        f"load-module module-null-sink sink_name={SINK} rate=16000 channels=1\n"
        f"load-module module-pipe-source source_name={MIC} file={fifo} "
        "format=s16le rate=16000 channels=1\n"
        f"set-default-sink {SINK}\n"
        f"set-default-source {MIC}\n"
    )
    alsa_conf = root / "asound.conf"
    alsa_conf.write_text(_ALSA_CONF.format(mic=MIC, sink=SINK, monitor=MONITOR))
    daemon_env = {
        **os.environ,
        "XDG_RUNTIME_DIR": str(runtime),
        "PULSE_RUNTIME_PATH": str(runtime),
        "PULSE_STATE_PATH": str(root / "state"),
        "HOME": str(root),  # the cookie and the state live under $HOME
    }
    log = open(root / "pulseaudio.log", "wb")
    process = subprocess.Popen(
        [
            exe,
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--disallow-module-loading=no",
            "--use-pid-file=no",
            "--log-target=stderr",
            "-F",
            str(script),
        ],
        env=daemon_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,
    )
    log.close()
    client_env = {
        "PULSE_SERVER": f"unix:{socket}",
        "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{alsa_conf}",
    }
    rig = PulseRig(root=root, process=process, fifo=fifo, env=client_env)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if MIC in rig.pactl("list", "short", "sources"):
                return rig
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        time.sleep(0.1)
    rig.stop()
    tail = (root / "pulseaudio.log").read_text(errors="replace").strip().splitlines()[-5:]
    raise PulseUnavailable("pulseaudio did not come up: " + " | ".join(tail))


def _reinit_portaudio() -> None:
    sd = sys.modules.get("sounddevice")
    if sd is not None:
        sd._terminate()
        sd._initialize()


@pytest.fixture(scope="module")
def pulse(tmp_path_factory):
    """A private PulseAudio server, with this process's PortAudio pointed at it. Module-scoped so
    the changed audio environment never outlives the pulse tests in their worker."""
    root = tmp_path_factory.mktemp("pulse")
    try:
        rig = start_pulse(root)
    except PulseUnavailable as exc:
        if os.environ.get("CI") or os.environ.get("ORAL_SIM_REQUIRE_PULSE"):
            pytest.fail(f"PulseAudio is required here but could not start: {exc}")
        pytest.skip(f"PulseAudio cannot start on this machine: {exc}")
    saved = {k: os.environ.get(k) for k in rig.env}
    os.environ.update(rig.env)
    _reinit_portaudio()
    try:
        yield rig
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _reinit_portaudio()
        rig.stop()
