"""The microphone check: how loud the input is and whether webrtcvad hears speech in it.

Fed the same 30 ms frames the interview records, it keeps the level of the latest frame (for a
meter), the loudest frame, the share of clipped samples and how much of the input webrtcvad, at
the interview's aggressiveness, calls speech; `verdict()` turns that into one line of advice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from oral_sim.config import AudioConfig, VadConfig

#: Loudest frame below this: the microphone heard next to nothing (room noise is about -60).
SILENT_DB = -45.0
#: Loudest frame below this: speech is there but weak; webrtcvad starts missing soft words.
QUIET_DB = -32.0
#: More clipped samples than this share: the input is overdriven.
CLIPPED_SHARE = 0.001
#: Speech webrtcvad must hear in the check for the level to count as good.
SPEECH_MIN_S = 0.5


@dataclass
class LevelCheck:
    """Running figures of a microphone check; `feed()` each frame of 16-bit mono PCM."""

    vad: VadConfig = field(default_factory=VadConfig)
    """Aggressiveness of the interview's speech detector (the check uses the same)."""
    audio: AudioConfig = field(default_factory=AudioConfig)
    """Sample rate and frame length of the frames fed."""
    level_db: float = -100.0
    """Level (RMS, dBFS) of the latest frame."""
    loudest_db: float = -100.0
    """Level of the loudest frame so far."""
    seconds: float = 0.0
    """Audio fed so far."""
    speech_s: float = 0.0
    """Audio webrtcvad called speech."""
    clipped: int = 0
    """Samples at full scale."""
    samples: int = 0
    """Samples fed."""

    def __post_init__(self) -> None:
        import webrtcvad

        self._vad = webrtcvad.Vad(int(self.vad.aggressiveness))

    def feed(self, frame: bytes) -> float:
        """Take one frame; returns its level in dBFS."""
        x = np.frombuffer(frame, dtype=np.int16)
        if len(x) == 0:
            return self.level_db
        y = x.astype(np.float64) / 32768
        self.level_db = 20 * float(np.log10(max(float(np.sqrt(np.mean(y * y))), 1e-5)))
        self.loudest_db = max(self.loudest_db, self.level_db)
        frame_s = len(x) / self.audio.sample_rate_hz
        self.seconds += frame_s
        self.samples += len(x)
        self.clipped += int(np.count_nonzero(np.abs(x.astype(np.int32)) >= 32767))
        if len(x) * 1000 == self.audio.frame_ms * self.audio.sample_rate_hz:
            if self._vad.is_speech(frame, self.audio.sample_rate_hz):
                self.speech_s += frame_s
        return self.level_db

    def verdict(self) -> tuple[bool, str]:
        """(level is fine for the interview, one line saying what was heard and what to do)."""
        loudest = f"loudest {self.loudest_db:.0f} dBFS"
        if self.samples == 0:
            return False, "No audio came from the microphone; choose another input device."
        if self.samples and self.clipped / self.samples > CLIPPED_SHARE:
            return False, (f"Too loud: the input clips ({loudest}). Lower the input volume or "
                           "move back from the microphone.")
        if self.loudest_db < SILENT_DB:
            return False, (f"Heard next to nothing ({loudest}). Speak during the check; if you "
                           "did, the microphone is muted or another input device is the one "
                           "to choose.")
        if self.loudest_db < QUIET_DB:
            return False, (f"Quiet ({loudest}): soft words may be missed. Move closer or raise "
                           "the input volume.")
        if self.speech_s < SPEECH_MIN_S:
            return False, (f"Sound but no speech heard ({loudest}, speech {self.speech_s:.1f} s). "
                           "Say a sentence during the check.")
        return True, (f"Good level ({loudest}); speech heard for {self.speech_s:.1f} s of "
                      f"{self.seconds:.0f} s.")
