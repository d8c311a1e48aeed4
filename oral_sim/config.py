"""Settings dataclasses, one per part of the engine. Every field says what it means and its unit."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AudioConfig:
    """Capture and playback."""

    sample_rate_hz: int = 16000
    """Rate the engine works at (webrtcvad and Whisper both want 16 kHz mono int16)."""
    frame_ms: int = 30
    """Length of one capture frame handed to the VAD (10, 20 or 30 ms for webrtcvad)."""
    input_device: str | int | None = None
    """sounddevice input device (index or name substring); None = system default."""
    output_device: str | int | None = None
    """sounddevice output device (index or name substring); None = system default."""
    device_timeout_s: float = 2.0
    """Seconds a microphone may deliver nothing before it counts as gone (audio so far is kept)."""


@dataclass
class VadConfig:
    """Utterance segmentation and end-of-answer detection."""

    aggressiveness: int = 2
    """webrtcvad mode 0 (keeps most) .. 3 (drops most non-speech)."""
    pre_roll_ms: int = 300
    """Audio kept before the first voiced frame of an utterance, so onsets are not clipped."""
    post_roll_ms: int = 300
    """Audio kept after the last voiced frame of an utterance."""
    utterance_end_silence_ms: int = 400
    """Silence that closes an utterance (and hands it to the transcriber). 400 rather than 600:
    cuts at sentence pauses, so less is left when the answer ends (end-of-answer latency on a
    45 s answer 1.1 s -> 0.7 s, same read-speech WER; `oral-sim bench`)."""
    end_of_answer_silence_s: float = 2.5
    """Silence after speech that ends the whole answer."""
    max_utterance_s: float = 12.0
    """Longest utterance before it is cut at its last pause (bounds what is left to transcribe when
    the answer ends). 12 s: an 8 s cap split sentences and raised read-speech WER 6.4% -> 8.7%."""
    start_ratio: float = 0.6
    """Fraction of voiced frames in the start window needed to open an utterance."""


@dataclass
class AsrConfig:
    """On-device transcription."""

    model: str | None = None
    """A CTranslate2 Whisper folder name in models/ or a path; None = bundled tiny.en."""
    compute_type: str = "int8"
    """CTranslate2 compute type (int8 on CPU)."""
    cpu_threads: int = 0
    """Threads for Whisper (CTranslate2's intra-op threads); 0 = the fastest count for this
    machine, measured on the first load and remembered (`engine.threads`). The best count is the
    machine's: one thread was about twice as fast as two for the whole pass on one 2-core
    machine (Intel Xeon: each beam-search step is many small operations, and handing them
    between threads cost more than the second core gave), two were faster on another (AMD
    EPYC: a 63 s answer stopped at its last word, 0.67 s to the final transcript against 1.01
    s; BENCHMARKS.md, 2026-12-01 night)."""
    beam_size: int = 5
    """Beam width for decoding."""
    language: str = "en"
    """Spoken language."""
    filler_prompt: bool = True
    """Prime the decoder with a disfluent prompt so um/uh survive (`asr.FILLER_PROMPT`): on the
    AMI clips, filled pauses matched by word alignment, 7 of 13 found without it, 10 with it
    (precision 1.00 and 0.91; BENCHMARKS.md)."""
    voiced_gap_fillers: bool = False
    """Count voiced, periodic audio Whisper left without a word as a filled pause (second filler
    signal). Off: on the AMI clips it added one false "um" and no true one (BENCHMARKS.md)."""
    speculate: bool = True
    """Transcribe the open utterance when a pause reaches the post-roll length and the
    transcriber is idle; if the utterance closes at that pause (the answer ended), the result is
    ready sooner. Same audio, same prompt, so the same words (pipeline.py)."""
    drop_tail_guess: bool = True
    """Drop an utterance's last segment when it is one low-probability word that is not a
    filled pause (Whisper inventing a word from the trailing breath; see asr.py)."""
    window_pad_s: float = 12.0
    """Padding after an utterance in the encoder's window (`asr.window_frames`): the window is
    the utterance plus this much silence, at most Whisper's 30 s (30: Whisper's own fixed
    window). 12 s: the same words as 30 s (68 spoken answers: 787 word errors against 782 in
    9,628 words, paired bootstrap 95% interval -0.27 to +0.38 points; read speech 37 against
    38; AMI filled pauses the same) for about a quarter less decoding time, and the pass left
    when the answer is stopped is that much shorter (BENCHMARKS.md, 2026-12-01 afternoon)."""
    temperatures: tuple[float, ...] = (0.0,)
    """Decoding temperatures, tried in turn while a segment fails faster-whisper's quality
    checks. Greedy only: the default fallback ladder (0.0 .. 1.0) re-decoded a failing tail
    segment five times, up to 4 s for one 8 s utterance, and what it produced at high
    temperatures is what the guards drop anyway (BENCHMARKS.md)."""


#: The voice speeds `say --speed`, the interview's `--speed` and the start screen take (1.0 =
#: normal; `TtsConfig.length_scale` is its inverse).
SPEED_RANGE = (0.25, 4.0)


@dataclass
class TtsConfig:
    """Interviewer voice."""

    voice: str | None = None
    """Piper voice name in models/ (NAME.onnx + NAME.onnx.json) or a path; None = bundled joe."""
    length_scale: float = 1.0
    """Speaking slowness: > 1 slower, < 1 faster (piper's length_scale; 1/speed)."""
    sentence_silence_s: float = 0.15
    """Silence added after each sentence."""
    cache: bool = True
    """Keep synthesized audio on disk so a question heard before plays instantly."""


@dataclass
class ScoringConfig:
    """Content scoring."""

    coverage_threshold: float = 0.50
    """Similarity a sentence (or clause, or sentence pair) needs to count as covering a key point.
    Chosen on the bank itself: each key point against its own reference answer (must cover) and
    against another same-category answer (must not): at 0.50, 96% of true points are covered and
    10% of foreign ones (balanced accuracy 0.93, flat from 0.50 to 0.55)."""
    example_threshold: float = 0.47
    """The same for a key point written with examples (a rubric point): a spoken sentence sits
    further from an example of someone else's story than from a factual point's paraphrase.
    Chosen on the 6 project answers (35 labels) of the first labelled set, where precision
    meets recall (0.727 at 0.45-0.47; the highest taken). Held out: project answers recall
    0.652 -> 0.727 at precision 0.782 -> 0.774; own-story answers 0.564 -> 0.692 at 0.710 ->
    0.692 (BENCHMARKS.md, 2026-12-01)."""


@dataclass
class SessionConfig:
    """Interview behaviour."""

    feedback_each_answer: bool = True
    """Show feedback after each answer (False: only at the end)."""
    ask_follow_ups: bool = True
    """Ask a scripted follow-up probe when its key point was missed."""
    wait_after_feedback: bool = False
    """After each answer's feedback, wait for `InterviewRunner.next_question()` (the app does;
    headless runs go straight on)."""


@dataclass
class Settings:
    """All settings together."""

    audio: AudioConfig = field(default_factory=AudioConfig)
    """Capture and playback."""
    vad: VadConfig = field(default_factory=VadConfig)
    """Segmentation."""
    asr: AsrConfig = field(default_factory=AsrConfig)
    """Transcription."""
    tts: TtsConfig = field(default_factory=TtsConfig)
    """Voice."""
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    """Scoring."""
    session: SessionConfig = field(default_factory=SessionConfig)
    """Interview flow."""
