"""Cutting the answer into utterances with webrtcvad, and noticing when the answer has ended.

Frames are 10/20/30 ms of 16-bit mono PCM. Speech starts when most frames of a short window are
voiced (one voiced click is not speech); an utterance ends after `utterance_end_silence_ms` of
unvoiced frames; the answer ends after `end_of_answer_silence_s` of silence following speech.
Each utterance carries `pre_roll_ms` of audio before the detected start (webrtcvad fires late on
soft onsets such as "so" or "um"), reaching further back while the sound before it is nearly as
loud as the speech (an "ummm" webrtcvad called silence for 0.8 s), and `post_roll_ms` after.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from oral_sim.config import AudioConfig, VadConfig
from oral_sim.engine.voice import frame_db
from oral_sim.errors import AudioError

#: Frames in the window that decides speech has started (with `VadConfig.start_ratio`).
START_WINDOW_FRAMES = 8
#: A soft onset webrtcvad does not call speech (a hummed "mmm", the tail of an "um") may run
#: past the pre-roll: the utterance then starts up to this much earlier, as long as the sound
#: continues (`ONSET_DROP_DB`).
ONSET_MAX_S = 1.0
#: ... where sound is a frame within this many dB of the speech that opened the utterance (a
#: filled pause is a vowel or a nasal, as loud as speech; the other speaker's bleed and room
#: noise are 25 dB and more below it).
ONSET_DROP_DB = 20.0


@dataclass
class SpeechStarted:
    """The speaker started talking."""

    start_s: float
    """Answer time of the start (seconds since recording began)."""


@dataclass
class Utterance:
    """A stretch of speech between pauses, ready to transcribe."""

    start_s: float
    """Answer time of the first sample of `audio` (pre-roll included)."""
    end_s: float
    """Answer time just after the last sample of `audio`."""
    audio: np.ndarray
    """16-bit mono samples, pre- and post-roll included."""
    voiced: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """webrtcvad's decision for each frame of `audio` (frame_ms each)."""


@dataclass
class AnswerEnded:
    """The speaker has been silent long enough after speaking: the answer is over."""

    at_s: float
    """Answer time at which the silence reached its limit."""


Event = SpeechStarted | Utterance | AnswerEnded


class Segmenter:
    """Feed frames in order; get events back. Not thread-safe (one capture thread feeds it)."""

    def __init__(
        self, vad_config: VadConfig, audio_config: AudioConfig, ignore_until_s: float = 0.0
    ) -> None:
        import webrtcvad

        if audio_config.frame_ms not in (10, 20, 30):
            raise AudioError(f"frames must be 10, 20 or 30 ms for webrtcvad, not {audio_config.frame_ms}")
        if audio_config.sample_rate_hz not in (8000, 16000, 32000, 48000):
            raise AudioError(f"webrtcvad cannot use {audio_config.sample_rate_hz} Hz")
        self.cfg = vad_config
        self.rate = audio_config.sample_rate_hz
        self.frame_s = audio_config.frame_ms / 1000.0
        self.frame_bytes = int(self.rate * self.frame_s) * 2
        self.ignore_until_s = ignore_until_s
        """Frames before this answer time never count as speech (the question still playing)."""
        self._vad = webrtcvad.Vad(int(vad_config.aggressiveness))
        self._pre_frames = max(1, round(vad_config.pre_roll_ms / 1000 / self.frame_s))
        self._post_frames = max(0, round(vad_config.post_roll_ms / 1000 / self.frame_s))
        self._end_frames = max(1, round(vad_config.utterance_end_silence_ms / 1000 / self.frame_s))
        self._max_frames = max(10, round(vad_config.max_utterance_s / self.frame_s))
        # The start window, the pre-roll before it and ONSET_MAX_S more for a soft onset.
        self._onset_frames = round(ONSET_MAX_S / self.frame_s)
        self._ring: deque[tuple[bytes, bool]] = deque(
            maxlen=self._pre_frames + START_WINDOW_FRAMES + self._onset_frames)
        self._frames: list[bytes] = []
        self._flags: list[bool] = []
        self._in_speech = False
        self._utt_start_index = 0
        self._silent_run = 0
        self._index = 0  # frames fed so far
        self._last_voiced_index: int | None = None
        self._ended = False
        self.spoke = False
        """True once any speech was detected in this answer."""

    @property
    def elapsed_s(self) -> float:
        """Answer time fed so far."""
        return self._index * self.frame_s

    @property
    def silent_run_frames(self) -> int:
        """Unvoiced frames since the last voiced one of the open utterance (0 outside speech)."""
        return self._silent_run if self._in_speech else 0

    @property
    def post_roll_frames(self) -> int:
        """Frames of silence an utterance keeps after its last voiced frame."""
        return self._post_frames

    def peek(self) -> Utterance | None:
        """The open utterance as it stands (None outside speech); the segmenter is unchanged.
        When `silent_run_frames == post_roll_frames` this is exactly the utterance a close at
        this pause gives."""
        if not self._in_speech or not self._frames:
            return None
        return self._make(self._frames, self._flags, self._utt_start_index)

    def feed(self, frame: bytes) -> list[Event]:
        """One frame in; the events it caused out."""
        if len(frame) != self.frame_bytes:
            if len(frame) > self.frame_bytes or not frame:
                raise AudioError(f"a VAD frame must be {self.frame_bytes} bytes, got {len(frame)}")
            frame = frame + b"\x00" * (self.frame_bytes - len(frame))
        t = self._index * self.frame_s
        voiced = t >= self.ignore_until_s and self._vad.is_speech(frame, self.rate)
        self._index += 1
        events: list[Event] = []
        if voiced:
            self._last_voiced_index = self._index - 1
        if not self._in_speech:
            self._ring.append((frame, voiced))
            window = list(self._ring)[-START_WINDOW_FRAMES:]
            if voiced and sum(v for _, v in window) >= self.cfg.start_ratio * START_WINDOW_FRAMES:
                self._start_utterance(events)
        else:
            self._frames.append(frame)
            self._flags.append(voiced)
            self._silent_run = 0 if voiced else self._silent_run + 1
            if self._silent_run >= self._end_frames:
                events.append(self._close_utterance(trailing_silent=self._silent_run))
            elif len(self._frames) >= self._max_frames:
                events.append(self._split_long_utterance())
        if (
            self.spoke
            and not self._ended
            and not self._in_speech
            and self._last_voiced_index is not None
            and (self._index - 1 - self._last_voiced_index) * self.frame_s
            >= self.cfg.end_of_answer_silence_s
        ):
            self._ended = True
            events.append(AnswerEnded(self._index * self.frame_s))
        return events

    def flush(self) -> list[Event]:
        """Explicit end of the answer: the open utterance (if any) is closed as it is."""
        if self._in_speech and self._frames:
            return [self._close_utterance(trailing_silent=self._silent_run)]
        return []

    # --- internals ----------------------------------------------------------------------------

    def _start_utterance(self, events: list[Event]) -> None:
        pre = self._onset(list(self._ring))
        self._frames = [f for f, _ in pre]
        self._flags = [v for _, v in pre]
        self._ring.clear()
        self._in_speech = True
        self.spoke = True
        self._silent_run = 0
        self._utt_start_index = self._index - len(self._frames)
        events.append(SpeechStarted(self._utt_start_index * self.frame_s))

    def _onset(self, ring: list[tuple[bytes, bool]]) -> list[tuple[bytes, bool]]:
        """The frames that open the utterance: the pre-roll and start window, and before them
        any sound that runs on into the pre-roll (a soft onset), back to at most ONSET_MAX_S
        earlier and never into the question's playback."""
        keep = self._pre_frames + START_WINDOW_FRAMES
        if len(ring) <= keep:
            return ring
        db = frame_db(np.frombuffer(b"".join(f for f, _ in ring), dtype=np.int16), len(ring))
        window = db[-START_WINDOW_FRAMES:]
        floor = float(np.percentile(window, 75)) - ONSET_DROP_DB
        first = len(ring) - keep
        earliest = max(0, int(np.ceil(self.ignore_until_s / self.frame_s)) - (self._index - len(ring)))
        start = first
        while start > earliest and db[start] >= floor and db[start - 1] >= floor:
            start -= 1
        return ring[start:]

    def _close_utterance(self, trailing_silent: int) -> Utterance:
        # keep post-roll of the trailing silence, drop the rest
        drop = max(0, trailing_silent - self._post_frames)
        frames = self._frames[: len(self._frames) - drop] if drop else self._frames
        flags = self._flags[: len(frames)]
        utt = self._make(frames, flags, self._utt_start_index)
        # the dropped silence goes back to the ring: it is pre-roll for the next utterance
        for f, v in zip(self._frames[len(frames) :], self._flags[len(frames) :], strict=True):
            self._ring.append((f, v))
        self._frames, self._flags = [], []
        self._in_speech = False
        self._silent_run = 0
        return utt

    def _split_long_utterance(self) -> Utterance:
        """Cut an utterance that reached the length limit at its last short pause (or here), and
        carry on in speech with the rest."""
        look = min(len(self._flags) // 2, round(3.0 / self.frame_s))
        cut = len(self._flags)
        for i in range(len(self._flags) - 1, len(self._flags) - look - 1, -1):
            if not self._flags[i]:
                cut = i + 1
                break
        utt = self._make(self._frames[:cut], self._flags[:cut], self._utt_start_index)
        self._frames, self._flags = self._frames[cut:], self._flags[cut:]
        self._utt_start_index += cut
        return utt

    def _make(self, frames: list[bytes], flags: list[bool], start_index: int) -> Utterance:
        audio = np.frombuffer(b"".join(frames), dtype=np.int16).copy()
        start_s = start_index * self.frame_s
        return Utterance(
            start_s=start_s,
            end_s=start_s + len(frames) * self.frame_s,
            audio=audio,
            voiced=np.array(flags, dtype=bool),
        )

