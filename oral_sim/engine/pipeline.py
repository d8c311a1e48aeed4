"""The answer pipeline: frames -> VAD utterances -> Whisper in a worker thread, while the person
keeps talking. When the answer ends, only the last utterance is left to transcribe.

Words land on the answer's own timeline (0.0 = recording started). A second filler signal runs
beside Whisper: a stretch of voiced audio inside an utterance that produced no word is most likely
a filled pause ("uhm") Whisper dropped; it is added as a Word with source "voiced_gap".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from oral_sim.config import Settings
from oral_sim.engine.transcript import Segment, Transcript, Word
from oral_sim.engine.vad import Event, Segmenter, Utterance
from oral_sim.engine.voice import loud_frames, voice_span
from oral_sim.errors import OralSimError

#: Voiced audio with no word over it, at least this long, counts as a filled pause ...
GAP_MIN_S = 0.30
#: ... unless it is longer than this (then it is more likely a missed phrase than an "um").
GAP_MAX_S = 1.2
#: Autocorrelation a frame needs to count as voiced (periodic) sound.
PERIODIC_MIN = 0.5
#: Words of the answer so far given to Whisper as context for the next utterance.
CONTEXT_WORDS = 24


@dataclass
class PipelineStats:
    """What the pipeline did; tests and the benchmark read it."""

    utterances: int = 0
    """Utterances cut by the VAD."""
    transcribed: int = 0
    """Utterances transcribed so far."""
    pending_at_finish: int = 0
    """Utterances not yet transcribed when `finish()` was called (ideally at most 1)."""
    asr_s: float = 0.0
    """Seconds spent inside Whisper."""
    updates: int = 0
    """Times `on_update` was called."""
    errors: list[str] = field(default_factory=list)
    """Utterances that failed to transcribe (kept in the audio; reported, not fatal)."""
    speculated: int = 0
    """Speculative passes run at pauses (`AsrConfig.speculate`)."""
    speculation_used: int = 0
    """Utterances whose speculative pass was kept (nothing was said after it)."""


@dataclass
class Recognized:
    """What Whisper made of one utterance, before it is added to the transcript."""

    words: list[Word] = field(default_factory=list)
    """Words on the answer's timeline, tightened to the voice."""
    segments: list[Segment] = field(default_factory=list)
    """Segments rebuilt from those words."""
    asr_s: float = 0.0
    """Seconds spent."""
    error: Exception | None = None
    """Why it failed, if it did."""
    model_failed: bool = False
    """The speech model could not be loaded (the session stops with its message)."""


class AnswerPipeline:
    """Feed 30 ms frames of one answer; `finish()` returns its transcript."""

    def __init__(
        self,
        settings: Settings,
        on_update: Callable[[Transcript], None] | None = None,
        ignore_until_s: float = 0.0,
        live: bool = True,
        asked: str | None = None,
        spell: str | None = None,
    ) -> None:
        self.settings = settings
        self.asked = asked
        """The question as asked: Whisper reads it before the answer so far, as the start of
        the conversation it is transcribing, and so spells the terms the interviewer used
        ("bagging", not "bedding"; BENCHMARKS.md 2026-12-01 evening). The reference answer and
        key points are never shown as text, which would put words in the candidate's mouth;
        only the spellings of their terms are (`spell`)."""
        self.spell = spell
        """Written text on the question's subject (`bank.Question.written`): before the
        question, Whisper is shown the words in it whose spelling cannot be heard
        (`asr.spelling_terms`: "XGBoost", not "XG Boost"; "SMOTE", not "smoke"). Only their
        spelling: which words are said is still heard (BENCHMARKS.md 2026-12-01 morning)."""
        self._lead: str | None = None
        self.on_update = on_update
        self.live = live
        """Frames arrive at the pace they are spoken (speculative passes only help then; fed as
        fast as possible, they would only add work)."""
        self.segmenter = Segmenter(settings.vad, settings.audio, ignore_until_s=ignore_until_s)
        self.stats = PipelineStats()
        self._words: list[Word] = []
        self._segments: list[Segment] = []
        self._speech_s = 0.0
        self._lock = threading.Lock()
        self._futures: list[Future] = []
        self._stopped = False
        self._finished: Transcript | None = None
        self._speculation: tuple[tuple, Future] | None = None
        self._spec_future: Future | None = None
        self.model_error: Exception | None = None
        """Set when the speech model cannot be loaded: `finish()` raises it (no silent empty
        transcripts); the audio is on disk already."""

    # --- capture side -------------------------------------------------------------------------

    def feed(self, frame: bytes) -> list[Event]:
        """One frame of the answer; returns the VAD events it caused."""
        if self._stopped:
            return []
        events = self.segmenter.feed(frame)
        for event in events:
            if isinstance(event, Utterance):
                self._submit(event)
        self._maybe_speculate()
        return events

    def _maybe_speculate(self) -> None:
        """When a pause inside an utterance reaches the post-roll length and the transcriber is
        idle, transcribe the utterance as it stands. That audio is exactly what the utterance
        will be if it closes at this pause (closing keeps post-roll and drops the rest), and
        every earlier utterance is committed (same prompt), so the result is the one the real
        pass would give; if more is said, it is thrown away."""
        if not (self.live and self.settings.asr.speculate):
            return
        if self.segmenter.silent_run_frames != self.segmenter.post_roll_frames:
            return  # once per pause, on the frame that reaches it
        busy = [f for f in self._futures if not f.done()]
        if busy or (self._spec_future is not None and not self._spec_future.done()):
            return  # never delay real work
        utt = self.segmenter.peek()
        if utt is None:
            return
        self._spec_future = _asr_worker().submit(self._recognize, utt)
        self._speculation = (_voiced_key(utt), self._spec_future)
        with self._lock:
            self.stats.speculated += 1

    def stop(self) -> None:
        """The answer is over (explicit stop, silence, or end of the source): close the open
        utterance and hand it to the worker."""
        if self._stopped:
            return
        self._stopped = True
        for event in self.segmenter.flush():
            if isinstance(event, Utterance):
                self._submit(event)

    def finish(self) -> Transcript:
        """Wait for the worker and return the whole transcript."""
        if self._finished is not None:
            return self._finished
        self.stop()
        with self._lock:
            self.stats.pending_at_finish = self.stats.utterances - self.stats.transcribed
        for future in list(self._futures):
            future.result()
        if self.model_error is not None:
            raise self.model_error
        self._finished = self.transcript()
        return self._finished

    def transcript(self) -> Transcript:
        """The transcript so far (a copy)."""
        with self._lock:
            return Transcript(
                words=list(self._words),
                segments=list(self._segments),
                duration_s=self.segmenter.elapsed_s,
                speech_s=self._speech_s,
            )

    # --- worker side --------------------------------------------------------------------------

    def _submit(self, utt: Utterance) -> None:
        with self._lock:
            self.stats.utterances += 1
        spec, self._speculation = self._speculation, None
        if spec is not None and spec[0] == _voiced_key(utt):
            # nothing was said since the speculative pass: its result is this utterance's (the
            # pass runs first: one thread, in order)
            with self._lock:
                self.stats.speculation_used += 1
            self._futures.append(
                _asr_worker().submit(lambda: self._transcribe(utt, spec[1].result())))
            return
        self._futures.append(_asr_worker().submit(self._transcribe, utt))

    def _recognize(self, utt: Utterance) -> Recognized:
        """Whisper on one utterance, words tightened to the voice; commits nothing, raises
        nothing (speculative passes use it too)."""
        from oral_sim.engine.asr import load_whisper, regroup_segments, transcribe_array

        t0 = time.perf_counter()
        try:
            try:
                model = load_whisper(self.settings.asr)
            except OralSimError as exc:
                return Recognized(error=exc, model_failed=True)
            context = " ".join(w.word for w in self._words[-CONTEXT_WORDS:]) or None
            words, segs = transcribe_array(model, utt.audio, utt.start_s, self.settings.asr,
                                           prompt=context, lead=self._lead_for(model))
            frame_s = self.settings.audio.frame_ms / 1000
            words = widen_to_voice(utt, tighten_to_voice(utt, words, frame_s),
                                   self.settings.audio.sample_rate_hz)
            segs = regroup_segments(segs, words)
            if self.settings.asr.voiced_gap_fillers:
                words = words + voiced_gaps(utt, words, frame_s)
            words.sort(key=lambda w: w.start_s)
        except Exception as exc:  # one bad utterance must not lose the rest of the answer
            return Recognized(error=exc)
        return Recognized(words, segs, time.perf_counter() - t0)

    def _lead_for(self, model: Any) -> str | None:
        """The spellings, then the question: what Whisper reads before the filler prompt (worked
        out once, on the ASR thread, with the model's own tokenizer)."""
        if self._lead is None:
            from oral_sim.engine.asr import spelling_terms

            terms = spelling_terms(self.spell, model.hf_tokenizer) if self.spell else []
            parts = [", ".join(terms) + "." if terms else "", self.asked or ""]
            self._lead = " ".join(p for p in parts if p)
        return self._lead or None

    def _transcribe(self, utt: Utterance, result: Recognized | None = None) -> None:
        """Commit one utterance (recognized now, or by a speculative pass), on the shared ASR
        thread: utterances of an answer are committed in order."""
        if self.model_error is not None:
            return
        if result is None:
            result = self._recognize(utt)
        if result.model_failed:
            self.model_error = result.error
            return
        if result.error is not None:
            with self._lock:
                self.stats.errors.append(f"{utt.start_s:.1f}-{utt.end_s:.1f} s: {result.error}")
                self.stats.transcribed += 1
            return
        with self._lock:
            self._words.extend(result.words)
            self._segments.extend(result.segments)
            self._speech_s += float(utt.voiced.sum()) * self.settings.audio.frame_ms / 1000
            self.stats.transcribed += 1
            self.stats.asr_s += result.asr_s
        if self.on_update is not None:
            self.stats.updates += 1
            try:
                self.on_update(self.transcript())
            except Exception:  # a UI callback failing must not stop transcription
                pass


def _voiced_key(utt: Utterance) -> tuple:
    """What must not change between a speculative pass and the close of its utterance: where it
    starts and its last voiced frame."""
    voiced = np.flatnonzero(utt.voiced)
    return (round(utt.start_s, 3), int(voiced[-1]) if len(voiced) else -1)


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _asr_worker() -> ThreadPoolExecutor:
    """One long-lived transcription thread for every answer of the process. A thread per answer
    made CTranslate2/malloc keep per-thread memory: RSS grew ~10 MB an answer over a 30-answer
    soak; one thread keeps it flat."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oral-sim-asr")
        return _executor


def tighten_to_voice(utt: Utterance, words: list[Word], frame_s: float) -> list[Word]:
    """Whisper stretches word boundaries over the silence around them, which hides pauses, and
    in the silence after speech it may invent words ("thank you for watching"). Each word is
    shrunk to the voiced frames inside it; a word over no voiced frame at all is dropped."""
    flags = utt.voiced & loud_frames(utt.audio, len(utt.voiced))
    if not len(flags):
        return words
    out = []
    any_voice = np.flatnonzero(flags)
    last_voice_s = utt.start_s + (any_voice[-1] + 1) * frame_s if len(any_voice) else utt.start_s
    for w in words:
        a = max(0, int((w.start_s - utt.start_s) / frame_s))
        b = min(len(flags), int(np.ceil((w.end_s - utt.start_s) / frame_s)))
        voiced = np.flatnonzero(flags[a:b])
        if not len(voiced):
            if w.start_s >= last_voice_s - frame_s:
                continue  # text out of the silence after the speech: invented
            out.append(w)  # a soft word the energy gate missed: keep it as Whisper placed it
            continue
        start = utt.start_s + (a + voiced[0]) * frame_s
        end = utt.start_s + (a + voiced[-1] + 1) * frame_s
        new_start = float(max(w.start_s, start))
        new_end = float(max(min(w.end_s, end), new_start + frame_s))
        out.append(Word(w.word, new_start, new_end, w.probability, w.source))
    return out


def periodicity(frame: np.ndarray, rate_hz: int = 16000) -> float:
    """Peak normalized autocorrelation at pitch lags (70-400 Hz): near 1 for a held vowel or
    nasal ("uhh", "mmm"), low for noise, breath and clicks."""
    x = frame.astype(np.float64)
    x -= x.mean()
    energy = float(x @ x)
    if energy <= 0:
        return 0.0
    lo, hi = rate_hz // 400, rate_hz // 70
    best = 0.0
    for lag in range(lo, min(hi, len(x) - 1)):
        r = float(x[:-lag] @ x[lag:]) / energy
        best = max(best, r)
    return best


def widen_to_voice(utt: Utterance, words: list[Word], rate_hz: int) -> list[Word]:
    """The utterance's outer word edges moved out to the voice (`voice.voice_span`): Whisper's
    last word often ends before its final consonant or syllable, which shortened the speaking
    time and raised the WPM (by 36% on a 4-word clip)."""
    if not words:
        return words
    start, end = voice_span(utt.audio, rate_hz, words[0].start_s - utt.start_s,
                            words[-1].end_s - utt.start_s)
    out = list(words)
    out[0] = replace(out[0], start_s=utt.start_s + start)
    out[-1] = replace(out[-1], end_s=utt.start_s + end)
    return out


def voiced_gaps(utt: Utterance, words: list[Word], frame_s: float) -> list[Word]:
    """Filled pauses Whisper dropped: runs of loud, periodic (voiced) frames inside the
    utterance, between GAP_MIN_S and GAP_MAX_S long, that no recognised word overlaps."""
    if not len(utt.voiced) or not words:
        return []
    frames = len(utt.voiced)
    covered = np.zeros(frames, dtype=bool)
    for w in words:
        a = int((w.start_s - utt.start_s) / frame_s)
        b = int(np.ceil((w.end_s - utt.start_s) / frame_s))
        covered[max(0, a - 1) : max(0, b + 1)] = True
    flags = utt.voiced & loud_frames(utt.audio, frames) & ~covered
    n = len(utt.audio) // frames if frames else 0
    gaps: list[Word] = []
    run_start = None
    # only between the first and last word: pre-roll and trailing breath are not fillers
    first = int((words[0].start_s - utt.start_s) / frame_s)
    last = int((words[-1].end_s - utt.start_s) / frame_s)
    for i in range(frames + 1):
        on = i < frames and flags[i] and first <= i <= last
        if on and run_start is None:
            run_start = i
        elif not on and run_start is not None:
            length_s = (i - run_start) * frame_s
            if GAP_MIN_S <= length_s <= GAP_MAX_S and n:
                periodic = [periodicity(utt.audio[k * n : (k + 1) * n]) for k in range(run_start, i)]
                if np.mean(np.array(periodic) > PERIODIC_MIN) >= 0.6:
                    start = float(utt.start_s + run_start * frame_s)
                    gaps.append(Word("um", start, start + length_s, 0.0, source="voiced_gap"))
            run_start = None
    return gaps


@dataclass
class TranscribeResult:
    """A file run through the live-capture path."""

    transcript: Transcript
    """What was said."""
    duration_s: float
    """Length of the audio."""
    processing_s: float
    """Wall time from the first frame to the final transcript."""
    finish_latency_s: float
    """Wall time from the end of the input to the final transcript."""
    stats: PipelineStats | None = None
    """Pipeline counters."""


def transcribe_file(path: str | Path, settings: Settings | None = None, realtime: bool = False,
                    asked: str | None = None, spell: str | None = None,
                    on_update: Callable[[Transcript], None] | None = None) -> TranscribeResult:
    """Run an audio file through frames -> VAD -> incremental transcription, as a microphone
    answer would go (as fast as the CPU allows unless `realtime`); `asked` and `spell`, the
    question it answers and its written subject (`AnswerPipeline`); `on_update`, called with
    the transcript so far after each utterance (progress for a long file)."""
    from oral_sim.engine.audio import FileSource

    settings = settings or Settings()
    source = FileSource(path, realtime=realtime, frame_ms=settings.audio.frame_ms,
                        sample_rate_hz=settings.audio.sample_rate_hz)
    return transcribe_source(source, settings, live=realtime, asked=asked, spell=spell,
                             on_update=on_update)


def transcribe_source(source: Any, settings: Settings, live: bool = False,
                      asked: str | None = None, spell: str | None = None,
                      on_update: Callable[[Transcript], None] | None = None) -> TranscribeResult:
    """Run a frame source (file, simulated candidate) through the pipeline to its end and close
    it. `live` for input that arrives in real time (the pipeline then speculates at pauses);
    `asked` and `spell`, the question the answer is to and its written subject
    (`AnswerPipeline`)."""
    t0 = time.perf_counter()
    pipe = AnswerPipeline(settings, on_update=on_update, live=live, asked=asked, spell=spell)
    try:
        for frame in source:
            pipe.feed(frame)
    finally:
        source.close()
    t_end = time.perf_counter()
    transcript = pipe.finish()
    t1 = time.perf_counter()
    return TranscribeResult(
        transcript=transcript,
        duration_s=transcript.duration_s,
        processing_s=t1 - t0,
        finish_latency_s=t1 - t_end,
        stats=pipe.stats,
    )
