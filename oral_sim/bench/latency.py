"""End-of-answer latency: ours (incremental transcription during the answer) beside the peers'
approach (whole-answer faster-whisper transcription started when the answer ends), in one run.

Answers are real read speech (LJ Speech clips from the eval data, joined with short gaps to 30, 60
and 120 s) fed through the file source in real time, exactly as a microphone would deliver them.
Each answer ends at its last word (no trailing silence: the speaker presses stop as they finish,
the hardest case; until 2026-11-30 the answers ended with 0.6 s of silence plus the clip's own,
which gave our side a head start). When the source ends, the clock starts for both sides:

- **ours**: `AnswerPipeline.stop()` + `finish()` (only the last utterance is left) + feedback
  (the answer so far was embedded for scoring while it was spoken, as in a session);
- **batch**: `WhisperModel.transcribe(whole answer, word_timestamps=True)` with the same loaded
  model, threads and decoding options + the same feedback.
"""

from __future__ import annotations

import statistics
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from oral_sim.config import Settings

#: Silence between joined clips, as a speaker pausing between sentences.
GAP_S = 0.6
#: Written text on another subject (the bank's imbalanced-data answer, shortened), whose rare
#: spellings the pipeline is shown as in a session (`AnswerPipeline.spell`): the prompt is as
#: long as a real question's, and none of its terms is in the answers (the answers are the
#: clips' own text: showing their words would flatter the live WER).
UNRELATED_SUBJECT = (
    "Handling highly imbalanced datasets is a common challenge in production ML. Apply "
    "resampling techniques: oversampling using SMOTE (Synthetic Minority Over-sampling "
    "Technique) or undersampling the majority class. Use class-weighted loss functions, and "
    "choose Precision-Recall AUC, F1-score or Cohen's Kappa over accuracy. Ensemble methods "
    "like Balanced Random Forests or EasyEnsemble handle imbalances natively."
)
SAMPLE_RATE_HZ = 16000


@dataclass
class Clip:
    """One piece of real speech with its transcript."""

    path: Path
    """Audio file."""
    text: str
    """What is said (normalized transcript)."""


def lj_clips(eval_root: Path) -> list[Clip]:
    """The LJ Speech subset of the eval data (empty if it is not there)."""
    root = eval_root / "read_speech" / "ljspeech_subset"
    meta = root / "metadata_subset.csv"
    if not meta.is_file():
        return []
    clips = []
    for line in meta.read_text(encoding="utf-8").splitlines():
        parts = line.split("|")
        if len(parts) >= 3 and (root / "wavs" / f"{parts[0]}.wav").is_file():
            clips.append(Clip(root / "wavs" / f"{parts[0]}.wav", parts[2]))
    return clips


def tts_clips(work: Path, count: int = 12) -> list[Clip]:
    """Real speech when the eval data is not there: the bank's model answers read by the bundled
    voice (clean speech; WER figures need the eval data, latency does not)."""
    import soxr

    from oral_sim.config import TtsConfig
    from oral_sim.engine.bank import load_bank
    from oral_sim.engine.tts import get_voice

    voice = get_voice(TtsConfig(cache=False))
    clips = []
    for i, q in enumerate(load_bank().all_questions()[:count]):
        text = " ".join(q.reference_answer.split(". ")[:2])
        audio = soxr.resample(voice.synthesize(text), voice.sample_rate_hz, SAMPLE_RATE_HZ)
        path = work / f"tts-{i}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(SAMPLE_RATE_HZ)
            w.writeframes(audio.astype(np.int16).tobytes())
        clips.append(Clip(path, text))
    return clips


#: What is kept after the last loud 10 ms frame of an answer: the release of its last word.
RELEASE_S = 0.05


def build_answer(clips: list[Clip], seconds: float, out: Path, offset: int = 0,
                 pause_s: float = 0.0) -> tuple[Path, str]:
    """Join clips (starting at `offset`, wrapping round) with gaps until `seconds` of audio;
    write a 16 kHz mono WAV and return it with its transcript. The answer ends at its last word
    (the last clip's trailing silence is cut off after RELEASE_S), as when the speaker presses
    stop the moment they finish, or `pause_s` of silence after it."""
    from oral_sim.engine.audiofile import load_audio
    from oral_sim.engine.evaluation import loud_bounds

    gap = np.zeros(int(GAP_S * SAMPLE_RATE_HZ), dtype=np.int16)
    pieces: list[np.ndarray] = [np.zeros(int(0.3 * SAMPLE_RATE_HZ), dtype=np.int16)]
    texts = []
    total = len(pieces[0])
    i = offset
    while total < seconds * SAMPLE_RATE_HZ:
        clip = clips[i % len(clips)]
        audio = load_audio(clip.path, sample_rate_hz=SAMPLE_RATE_HZ)
        pieces += [audio, gap]
        texts.append(clip.text)
        total += len(audio) + len(gap)
        i += 1
    bounds = loud_bounds(pieces[-2], SAMPLE_RATE_HZ)
    if bounds is not None:
        pieces[-2] = pieces[-2][: bounds[1] + int(RELEASE_S * SAMPLE_RATE_HZ)]
    pieces[-1] = np.zeros(int(pause_s * SAMPLE_RATE_HZ), dtype=np.int16)
    data = np.concatenate(pieces)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE_HZ)
        w.writeframes(data.tobytes())
    return out, " ".join(texts)


def batch_transcript(model, audio_path: Path, settings: Settings):
    """The peers' approach: one faster-whisper call on the whole answer, same model and options."""
    from oral_sim.engine.audiofile import load_audio
    from oral_sim.engine.transcript import Segment, Transcript, Word

    audio = load_audio(audio_path, sample_rate_hz=SAMPLE_RATE_HZ).astype(np.float32) / 32768.0
    segments, _info = model.transcribe(
        audio,
        language=settings.asr.language,
        beam_size=settings.asr.beam_size,
        word_timestamps=True,
        condition_on_previous_text=False,
    )
    words, segs = [], []
    for seg in segments:
        segs.append(Segment(seg.start, seg.end, seg.text.strip()))
        for w in seg.words or []:
            words.append(Word(w.word.strip(), w.start, w.end, w.probability))
    duration = len(audio) / SAMPLE_RATE_HZ
    speech = sum(s.end_s - s.start_s for s in segs)
    return Transcript(words=words, segments=segs, duration_s=duration, speech_s=speech)


def run(
    settings: Settings,
    eval_root: Path,
    work: Path,
    lengths_s: list[float],
    log: Callable[[str], None] = print,
) -> dict:
    """Measure both approaches on answers of the given lengths; medians and the ratio."""
    from oral_sim.engine.asr import load_whisper
    from oral_sim.engine.audio import FileSource
    from oral_sim.engine.bank import Question
    from oral_sim.engine.evaluation import wer
    from oral_sim.engine.feedback import build_feedback
    from oral_sim.engine.pipeline import AnswerPipeline
    from oral_sim.engine.scoring import Prefetcher, clear_cache, get_embedder, warm

    clips = lj_clips(eval_root)
    source = "LJ Speech (eval data)"
    if not clips:
        clips = tts_clips(work)
        source = "bank answers read by the piper voice (no eval data found)"
    model = load_whisper(settings.asr)
    get_embedder(settings.scoring)  # loaded before the clock starts, as in a session
    question = Question(
        id="bench-q",
        prompt="Tell me about the history of printing.",
        category="conceptual",
        difficulty="medium",
        timebox_s=120,
        reference_answer=" ".join(c.text for c in clips[:6]),
        key_points=[c.text for c in clips[:4]],
        follow_ups=[],
        source_line=0,
    )
    rows = []
    said: list[str] = []
    ours_texts: list[str] = []
    batch_texts: list[str] = []
    cases = [(seconds, n * 7, 0.0) for n, seconds in enumerate(lengths_s)]
    if 60.0 in lengths_s:  # the same 60 s answer, stopped after a short pause (before 2026-11-30
        cases.append((60.0, lengths_s.index(60.0) * 7, GAP_S))  # the only case measured)
    for seconds, offset, pause_s in cases:
        path, text = build_answer(clips, seconds, work / f"answer-{int(seconds)}s-{pause_s}.wav",
                                  offset=offset, pause_s=pause_s)
        # as in a session: the answer so far is embedded for scoring while it is spoken
        prefetch = Prefetcher(question.reference_answer, question.key_points,
                              question.key_point_examples, asked=question.prompt)
        prefetch.update("")
        pipe = AnswerPipeline(settings, on_update=lambda t, p=prefetch: p.update(t.text),
                              asked=question.prompt, spell=UNRELATED_SUBJECT)  # as in a session
        fed_s = 0.0
        for frame in FileSource(path, realtime=True):
            pipe.feed(frame)
            fed_s += len(frame) / 2 / SAMPLE_RATE_HZ
        t0 = time.perf_counter()
        pipe.stop()
        ours_transcript = pipe.finish()
        ours_transcript_s = time.perf_counter() - t0
        build_feedback(ours_transcript, question)
        ours_s = time.perf_counter() - t0

        # the peers embed the answer when it ends (the reference and key points beforehand)
        clear_cache()
        warm("", question.reference_answer, question.key_points, asked=question.prompt)
        t0 = time.perf_counter()
        peer_transcript = batch_transcript(model, path, settings)
        batch_transcript_s = time.perf_counter() - t0
        build_feedback(peer_transcript, question)
        batch_s = time.perf_counter() - t0
        row = {
            "answer_s": round(fed_s, 1),
            "pause_before_stop_s": pause_s,
            "ours_s": round(ours_s, 3),
            # the measure: stop to final transcript (ours_s adds the feedback)
            "ours_transcript_s": round(ours_transcript_s, 3),
            "batch_transcript_s": round(batch_transcript_s, 3),
            "batch_s": round(batch_s, 3),
            "ratio": round(ours_s / batch_s, 3) if batch_s > 0 else None,
            "ours_words": len(ours_transcript.words),
            "batch_words": len(peer_transcript.words),
            # the words must not suffer for the speed: both against what was said
            "ours_wer": round(wer(text, ours_transcript.text), 4),
            "batch_wer": round(wer(text, peer_transcript.text), 4),
        }
        if pause_s == 0.0:  # each answer's words counted once
            said.append(text)
            ours_texts.append(ours_transcript.text)
            batch_texts.append(peer_transcript.text)
        log(f"  latency {row['answer_s']:>6.1f} s answer, stop {pause_s} s after the last word: "
            f"ours {ours_s:.2f} s, batch {batch_s:.2f} s"
            f" (WER {row['ours_wer']:.3f} vs {row['batch_wer']:.3f})")
        rows.append(row)
    silence = silence_ended(settings, clips, question, work,
                            60.0 if max(lengths_s) >= 60 else 10.0, log)
    strict = [r for r in rows if r["pause_before_stop_s"] == 0.0]
    ours_med = statistics.median(r["ours_s"] for r in strict)
    batch_med = statistics.median(r["batch_s"] for r in strict)
    return {
        "answers": rows,
        "end_of_answer_latency_s": round(ours_med, 3),
        "batch_latency_s": round(batch_med, 3),
        "latency_ratio_vs_batch": round(ours_med / batch_med, 3) if batch_med > 0 else None,
        "ours_wer": round(wer(" ".join(said), " ".join(ours_texts)), 4) if said else None,
        "batch_wer": round(wer(" ".join(said), " ".join(batch_texts)), 4) if said else None,
        "goal": "<= 0.5 s and ratio <= 0.2",
        "speech": source,
        "silence_ended": silence,
    }


def silence_ended(settings: Settings, clips: list[Clip], question, work: Path, seconds: float,
                  log: Callable[[str], None] = print) -> dict:
    """The app's default way an answer ends: the speaker falls silent and, after
    `end_of_answer_silence_s`, the answer is over. The clock runs from that end-of-answer event
    (the moment the app declares the answer over) to feedback ready."""
    from oral_sim.engine.audio import FileSource
    from oral_sim.engine.feedback import build_feedback
    from oral_sim.engine.pipeline import AnswerPipeline
    from oral_sim.engine.scoring import Prefetcher
    from oral_sim.engine.vad import AnswerEnded

    path, _text = build_answer(clips, seconds, work / f"answer-{int(seconds)}s-silence.wav", offset=3)
    tail = np.zeros(int((settings.vad.end_of_answer_silence_s + 1.0) * SAMPLE_RATE_HZ), np.int16)
    with wave.open(str(path), "rb") as r:
        data = np.frombuffer(r.readframes(r.getnframes()), np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE_HZ)
        w.writeframes(np.concatenate([data, tail]).tobytes())
    prefetch = Prefetcher(question.reference_answer, question.key_points,
                          question.key_point_examples, asked=question.prompt)
    prefetch.update("")
    pipe = AnswerPipeline(settings, on_update=lambda t: prefetch.update(t.text),
                          asked=question.prompt, spell=UNRELATED_SUBJECT)
    ended_at = None
    for frame in FileSource(path, realtime=True):
        if any(isinstance(e, AnswerEnded) for e in pipe.feed(frame)):
            ended_at = pipe.segmenter.elapsed_s
            break
    t0 = time.perf_counter()
    pipe.stop()
    build_feedback(pipe.finish(), question)
    took = time.perf_counter() - t0
    log(f"  latency {seconds:.0f} s answer ended by {settings.vad.end_of_answer_silence_s} s of "
        f"silence: {took:.3f} s from the end-of-answer event to feedback")
    return {"answer_s": round(len(data) / SAMPLE_RATE_HZ, 1),
            "ended_at_s": None if ended_at is None else round(ended_at, 2),
            "end_of_answer_silence_s": settings.vad.end_of_answer_silence_s,
            "event_to_feedback_s": round(took, 3)}
