"""Where the voice is in a stretch of audio, by loudness alone (no model): the frames that are
loud relative to the stretch's own noise floor and peaks. webrtcvad alone calls steady
background noise voiced; Whisper's word edges drift over silence; both are checked against this.
"""

from __future__ import annotations

import numpy as np

#: Frame length the engine uses (the VAD's 30 ms frames).
FRAME_S = 0.03
#: A frame is loud when it is above the floor by this share of the floor-to-peak range.
LOUD_SHARE = 0.35


def frame_db(samples: np.ndarray, frames: int) -> np.ndarray:
    """Mean power of each of `frames` equal frames of int16 or float audio, in dBFS."""
    n = len(samples) // frames
    x = samples[: n * frames].astype(np.float64).reshape(frames, n)
    if samples.dtype == np.int16:
        x /= 32768.0
    return 10 * np.log10(np.mean(x * x, axis=1) + 1e-12)


def loud_frames(samples: np.ndarray, frames: int | None = None, rate_hz: int = 16000) -> np.ndarray:
    """For each frame (`frames` of them, or one per 30 ms), whether it is loud enough to be
    speech: above the stretch's floor (10th percentile) by `LOUD_SHARE` of the range to its
    peaks (95th percentile). All True when the stretch is too short to judge."""
    if frames is None:
        frames = int(len(samples) / (FRAME_S * rate_hz))
    if frames == 0:
        return np.zeros(0, dtype=bool)
    if len(samples) < frames:
        return np.ones(frames, dtype=bool)
    db = frame_db(samples, frames)
    floor, peak = np.percentile(db, 10), np.percentile(db, 95)
    return db > floor + LOUD_SHARE * (peak - floor)


#: Voice edges (`voice_span`): a 10 ms frame is sound, not background, this many dB over the
#: noise floor (about 30 times its power). Speech's weakest sounds ("f", "th") sit about 30 dB
#: under its vowels, so in a quiet room they clear it; a steady background never does, and 10 dB
#: let the murmur of a crowd right after a speaker's last word pass for voice.
SOUND_OVER_FLOOR_DB = 15.0
#: Frame length for measuring the voice.
VOICE_FRAME_S = 0.01
#: The noise floor is the quietest stretch of this length in the recording (minimum statistics:
#: background is never quieter than itself; averaging over a few frames steadies the estimate).
FLOOR_WINDOW_S = 0.05
#: Longest silence inside a word: a stop consonant's closure ("passed" goes silent before its
#: "t"); English closures last about 50-150 ms. Sound after a longer silence is not the word's.
CLOSURE_MAX_S = 0.15
#: Furthest an edge moves: about one long (stressed, phrase-final) syllable; Whisper's last word
#: was seen leaving out up to 0.45 s. It bounds the harm when other sound (a breath, noise,
#: another voice) directly follows the speech.
EDGE_MAX_S = 0.5


def voice_span(
    audio: np.ndarray, sample_rate_hz: int, start_s: float, end_s: float
) -> tuple[float, float]:
    """[start_s, end_s] (seconds on the audio's timeline) widened to the voice around it. Whisper's
    word edges are least reliable at the ends of speech: the last word often ends before its final
    consonant ("ones" without its "s") or even its last syllable. Each end moves outward through
    sound (a frame SOUND_OVER_FLOOR_DB over the noise floor) and across silences no longer than a
    stop closure (CLOSURE_MAX_S), by at most EDGE_MAX_S; it never moves inward. The noise floor is
    measured in the same recording (FLOOR_WINDOW_S), so it follows the room and the microphone."""
    n = int(sample_rate_hz * VOICE_FRAME_S)
    frames = len(audio) // n if n > 0 else 0
    if frames == 0:
        return start_s, end_s
    x = np.asarray(audio[: frames * n], dtype=np.float64).reshape(frames, n)
    power = np.mean(x * x, axis=1)
    live = power[power > 0]  # digital silence (zero padding) is not the room
    if not len(live):
        return start_s, end_s
    k = min(len(live), max(1, round(FLOOR_WINDOW_S / VOICE_FRAME_S)))
    floor = float(np.convolve(live, np.ones(k) / k, mode="valid").min())
    sound = power > floor * 10 ** (SOUND_OVER_FLOOR_DB / 10)
    max_gap = round(CLOSURE_MAX_S / VOICE_FRAME_S)
    max_move = round(EDGE_MAX_S / VOICE_FRAME_S)

    def reach(i: int, step: int) -> int | None:
        """The farthest sound frame from frame i in direction `step`, across closure-length gaps."""
        found, quiet = None, 0
        for j in range(i, i + step * (max_move + 1), step):
            if not 0 <= j < frames or quiet >= max_gap:
                break
            if sound[j]:
                found, quiet = j, 0
            else:
                quiet += 1
        return found

    def edge(t: float, step: int) -> int | None:
        i = int(t / VOICE_FRAME_S)
        return reach(i, step) if 0 <= i < frames else None  # an edge outside the audio stays

    first, last = edge(start_s, -1), edge(end_s, 1)
    new_start = min(start_s, first * VOICE_FRAME_S) if first is not None else start_s
    new_end = max(end_s, (last + 1) * VOICE_FRAME_S) if last is not None else end_s
    return float(new_start), float(new_end)
