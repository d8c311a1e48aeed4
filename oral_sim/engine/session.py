"""The interview state machine. It asks, listens, transcribes, scores and stores; it knows nothing
of widgets. A UI (or the headless demo) runs `InterviewRunner.run()` in a worker thread, receives
events through one callback and steers it with the thread-safe control methods.

Flow per question: ask (TTS) -> capture answer (frames -> WAV on disk + VAD + incremental ASR)
-> feedback (metrics + content score) -> store -> maybe a scripted follow-up probe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from oral_sim import locations
from oral_sim.config import Settings
from oral_sim.engine.bank import FollowUp, Question, follow_up_question, parent_id
from oral_sim.engine.malloc import release_free_memory
from oral_sim.engine.store import PLANNED_KEY
from oral_sim.engine.transcript import Transcript
from oral_sim.errors import AudioError, OralSimError


class FrameSource(Protocol):
    """Where an answer comes from: 30 ms frames of 16 kHz mono int16 as bytes."""

    def __iter__(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...


class Speaker(Protocol):
    """The interviewer's voice: speaks text, returns when playback ended (or was cancelled)."""

    def say(self, text: str, cancel: threading.Event) -> None: ...


#: Makes the answer source for one question: (question, ordinal) -> FrameSource, or None for typed.
SourceFactory = Callable[[Question, int], "FrameSource | None"]


# ----------------------------------------------------------------------------- events


@dataclass
class SessionStarted:
    """The session exists in the store."""

    session_id: str
    """Store id of the session."""
    total: int
    """Number of planned questions (follow-ups come on top)."""


@dataclass
class QuestionAsked:
    """The interviewer starts speaking a question."""

    question: Question
    """The question (for a follow-up: a synthetic question built from the probe)."""
    ordinal: int
    """1-based position in the session."""
    total: int
    """Number of planned questions."""
    is_follow_up: bool = False
    """True for a scripted follow-up probe."""
    number: int = 0
    """1-based number among the planned questions ("Question 2/5"; a follow-up has its
    question's); `ordinal` also counts follow-ups."""
    answer: int = 1
    """Which answer to this question comes next: 1, then 2 and on when the user answers it
    again after its feedback (`InterviewRunner.answer_again`)."""

    def __post_init__(self) -> None:
        if not self.number:
            self.number = self.ordinal

    @property
    def heading(self) -> str:
        """How the question is announced: "Question 2/5" or "Follow-up"."""
        return "Follow-up" if self.is_follow_up else f"Question {self.number}/{self.total}"


@dataclass
class ListeningStarted:
    """The question finished playing; the answer is being recorded."""

    timebox_s: int
    """The question's timebox in seconds."""
    audio_path: Path | None
    """Where the answer audio is being written (None for typed answers)."""


@dataclass
class Level:
    """Input level, about ten times a second while listening."""

    rms_dbfs: float
    """RMS level of the last 100 ms in dBFS (-90 .. 0)."""
    elapsed_s: float
    """Seconds since recording started."""
    speaking: bool
    """Whether the VAD currently hears speech."""


@dataclass
class PartialTranscript:
    """The transcript so far, after each utterance is transcribed."""

    transcript: Transcript
    """Everything transcribed so far."""


@dataclass
class AnswerFinished:
    """Recording stopped; the final transcript and feedback are being prepared."""

    reason: str
    """Why: "silence", "stop", "timeout", "typed", "source_ended"."""
    finish_latency_s: float = 0.0
    """Seconds from the end of capture to the final transcript."""


@dataclass
class FeedbackReady:
    """Feedback for one answer, already stored."""

    question: Question
    """The question answered."""
    feedback: Any
    """oral_sim.engine.feedback.Feedback."""
    attempt_id: int
    """Store id of the attempt."""
    previous: Any = None
    """The Feedback of the answer before, when this one answers the question again (None for a
    first answer). The new answer replaces it in the session's summary; both are stored."""


@dataclass
class QuestionSkipped:
    """The user skipped a question."""

    question: Question
    """The skipped question."""


@dataclass
class Notice:
    """Something the user should know that does not stop the session."""

    message: str
    """One sentence for the user."""
    hint: str | None = None
    """What they can do about it."""


@dataclass
class ClosingSpoken:
    """Every question is done; the interviewer's closing words are being spoken, then the
    session ends."""

    text: str
    """The closing words."""


@dataclass
class SessionEnded:
    """The session is over (completed, quit or interrupted) and stored."""

    session_id: str
    """Store id of the session."""
    status: str
    """"completed" or "interrupted"."""
    summary: SessionSummary
    """Averages over the answers."""
    error: str | None = None
    """What stopped the session, when an error did (it is also raised from `run()`)."""
    error_hint: str | None = None
    """What the user can do about that error."""


@dataclass
class SessionSummary:
    """Averages over a session's answers."""

    answered: int = 0
    """Questions answered (follow-up probes apart: `follow_ups`)."""
    skipped: int = 0
    """Questions skipped (follow-up probes not counted)."""
    avg_score: float | None = None
    """Mean content score 0–100."""
    avg_wpm: float | None = None
    """Mean words per minute."""
    fillers_per_min: float | None = None
    """Fillers per minute of speaking over all spoken answers (the measure each answer's card
    gives: from the first word to the last, `metrics.Pace.speaking_s`)."""
    fillers: int = 0
    """Fillers counted in all answers, spoken and typed."""
    avg_latency_s: float | None = None
    """Mean response latency."""
    missed_key_points: list[tuple[str, str]] = field(default_factory=list)
    """(question id, key point) pairs the answers missed; one made in the answer to its
    follow-up probe is not listed; a probe's own points come with the probe's id."""
    follow_ups: int = 0
    """Follow-up probes answered ("Answered 3" for a 2-question session counted one)."""
    planned: int | None = None
    """Questions the session set out to ask (None: not known); those neither answered nor
    skipped were not reached."""


def answered_text(summary: Any) -> str:
    """"2 of 3 (skipped 0, not reached 1); 1 follow-up": questions and follow-up probes apart
    (a 2-question session with one probe said "Answered 3")."""
    planned = getattr(summary, "planned", None)
    text = f"{summary.answered} of {planned}" if planned else f"{summary.answered}"
    notes = [f"skipped {summary.skipped}"]
    if planned and (left := planned - summary.answered - summary.skipped) > 0:
        notes.append(f"not reached {left}")
    text += f" ({', '.join(notes)})"
    if probes := getattr(summary, "follow_ups", 0):
        text += f"; {probes} follow-up" + ("" if probes == 1 else "s")
    return text


Event = Any
"""Any of the dataclasses above."""


# ----------------------------------------------------------------------------- plan


@dataclass
class SessionPlan:
    """What to ask."""

    script_id: str
    """Bank script id, or "mix" for a practice mix."""
    script_title: str
    """Title shown in the history."""
    questions: list[Question]
    """Questions in the order they are asked."""
    mode: str = "live"
    """"live" (microphone), "demo" (simulated candidate), "typed" or "file"."""
    opening: str | None = None
    """Interviewer's opening line, spoken before the first question."""
    closing: str | None = None
    """Interviewer's closing line, spoken after the last answer."""


# ----------------------------------------------------------------------------- runner


class _Stop(Exception):
    """Internal: leave the answer loop."""


class InterviewRunner:
    """Runs one interview session. `run()` blocks; call it from a worker thread."""

    LEVEL_INTERVAL_S = 0.1

    def __init__(
        self,
        plan: SessionPlan,
        settings: Settings,
        store: Any,
        speaker: Speaker,
        sources: SourceFactory,
        on_event: Callable[[Event], None],
        scorer: Callable[..., Any] | None = None,
    ) -> None:
        self.plan = plan
        self.settings = settings
        self.store = store
        self.speaker = speaker
        self.sources = sources
        self.on_event = on_event
        self._scorer = scorer
        self._cancel_speech = threading.Event()
        self._command: str | None = None
        self._command_lock = threading.Lock()
        self._paused = threading.Event()
        self._typed: str | None = None
        self._typed_ready = threading.Event()
        self._next = threading.Event()
        self._awaiting_next = False
        """A feedback card waits for `next_question` (or `answer_again`)."""
        self.session_id: str | None = None
        self._feedbacks: list[tuple[Question, Any]] = []
        self._skipped = 0

    # ---- controls (thread-safe) -------------------------------------------------------------

    def _set_command(self, command: str) -> None:
        with self._command_lock:
            # quit wins over everything; otherwise the latest request counts
            if self._command != "quit":
                self._command = command
        self._cancel_speech.set()
        self._paused.clear()
        self._typed_ready.set()
        self._next.set()

    def next_question(self) -> None:
        """Go on after reading the feedback (when `SessionConfig.wait_after_feedback`)."""
        self._next.set()

    def stop_answer(self) -> None:
        """End the current answer now (as if the silence timeout had fired)."""
        with self._command_lock:
            if self._command is None:
                self._command = "stop"
        self._typed_ready.set()

    def answer_again(self) -> bool:
        """Answer the current question again, while its feedback card waits for `next_question`
        (`SessionConfig.wait_after_feedback`). The question is asked again; the new answer
        replaces the old one in the summary and decides the follow-up; both stay in the history.
        Skipping or quitting before the new answer keeps the old one. Returns False when no card
        is waiting (nothing happens)."""
        with self._command_lock:
            if not self._awaiting_next or self._command is not None:
                return False
            self._command = "again"
        self._next.set()
        return True

    def repeat_question(self) -> None:
        """Ask the current question again; what was said so far is discarded from scoring."""
        self._set_command("repeat")

    def skip(self) -> None:
        """Skip the current question."""
        self._set_command("skip")

    def quit(self, typed_draft: str | None = None) -> None:
        """End the session; what was answered so far is kept. `typed_draft`: the text in the
        box of a typed answer being written, kept and scored as that answer (it was lost,
        though the quit dialog said what was answered is kept)."""
        if typed_draft and typed_draft.strip():
            self._typed = typed_draft
        self._set_command("quit")

    def toggle_pause(self) -> bool:
        """Pause or resume listening; returns True when now paused."""
        if self._paused.is_set():
            self._paused.clear()
            return False
        self._paused.set()
        return True

    def submit_typed(self, text: str) -> None:
        """Give a typed answer to the current question (typed mode)."""
        self._typed = text
        self._typed_ready.set()

    def _take_command(self) -> str | None:
        with self._command_lock:
            cmd, self._command = self._command, None
            if cmd == "quit":
                self._command = "quit"  # sticky
            return cmd

    # ---- the session --------------------------------------------------------------------------

    def run(self) -> SessionSummary:
        """Run the whole session; returns the summary (also sent as SessionEnded)."""
        from oral_sim.engine.diskcheck import check_data_home

        check_data_home()  # a full disk is said before the first question, not after an answer
        rec = self.store.start_session(
            self.plan.script_id,
            self.plan.script_title,
            self.plan.mode,
            # with the plan's length: the history counts the questions not reached
            {**_settings_dict(self.settings), PLANNED_KEY: len(self.plan.questions)},
        )
        self.session_id = rec.id
        from oral_sim.engine import recovery

        session_dir = self.store.session_dir(rec.id)
        recovery.claim(session_dir)
        self.on_event(SessionStarted(rec.id, len(self.plan.questions)))
        status = "interrupted"
        error: OralSimError | None = None
        try:
            if self.plan.opening:
                self._speak(self.plan.opening)
            ordinal = 0
            for number, question in enumerate(self.plan.questions, 1):
                if self._command == "quit":
                    break
                ordinal += 1
                result = self._ask(question, ordinal, is_follow_up=False, number=number)
                if result is not None and self.settings.session.ask_follow_ups:
                    for probe in _probes_to_ask(question, result):
                        if self._command == "quit":
                            break
                        ordinal += 1
                        self._ask(follow_up_question(question, probe), ordinal, is_follow_up=True,
                                  number=number)
            if self._command != "quit":
                status = "completed"
                if self.plan.closing:
                    self.on_event(ClosingSpoken(self.plan.closing))
                    self._speak(self.plan.closing)
        except OralSimError as exc:
            # said with the end of the session, so a screen that leaves on SessionEnded has it
            error = exc
            raise
        except Exception as exc:  # a bug: said like any error, its traceback saved to a file
            from oral_sim.engine import crashlog

            error = crashlog.unexpected(exc, "running the interview")
            raise error from exc
        finally:
            self.store.finish_session(rec.id, status)
            recovery.release(session_dir)
            summary = self.summary()
            self.on_event(SessionEnded(rec.id, status, summary,
                                       error.message if error else None,
                                       error.hint if error else None))
        return summary

    def summary(self) -> SessionSummary:
        """Averages over what has been answered so far."""
        return summarize(self._feedbacks, self._skipped, len(self.plan.questions))

    def _speak(self, text: str) -> None:
        self._cancel_speech.clear()
        try:
            self.speaker.say(text, self._cancel_speech)
        except OralSimError as exc:
            self.on_event(Notice(f"The interviewer voice failed: {exc.message}", exc.hint))

    def _ask(self, question: Question, ordinal: int, is_follow_up: bool,
             number: int = 0) -> Any | None:
        asked_id = self.store.add_question(
            self.session_id,
            ordinal,
            question.id,
            question.prompt,
            question.category,
            question.timebox_s,
            is_follow_up=is_follow_up,
        )
        attempt = 0  # recordings of this question (a repeat starts a new one)
        answers = 0  # answers given to it (more than one when the user answers it again)
        previous = None  # the feedback of the answer before, when it is answered again
        ask = True  # False: listen again without asking again (nothing was heard)
        while True:
            attempt += 1
            if ask:
                total = len(self.plan.questions)
                self.on_event(QuestionAsked(question, ordinal, total, is_follow_up, number,
                                            answers + 1))
                self._speak(question.prompt)
                cmd = self._take_command()
                if cmd == "repeat":
                    continue
                if cmd in ("skip", "quit"):
                    if cmd == "quit":
                        self._command = "quit"
                    return self._skip(question, previous)
            ask = True
            transcript, audio_path, reason, typed = self._capture(question, ordinal, attempt)
            if reason == "repeat":
                continue
            if not typed and not transcript.text.strip() and reason in NOTHING_HEARD:
                # nothing to score: a 0/100 would count in the user's averages for a stop
                # pressed before speaking (the audio stays on disk, whatever it holds)
                if reason == "stop":
                    self.on_event(Notice(
                        "Nothing was heard, so there is no answer to score yet.",
                        "The microphone is listening again: answer now, or press s to skip."))
                    ask = False
                    continue
                self.on_event(Notice("Nothing was heard in this answer; the question counts "
                                     "as skipped."))
                return self._skip(question, previous)
            if reason == "quit" and transcript.text.strip():
                # "what you answered so far is kept": scored and stored like any answer, then
                # the session ends (the feedback does not wait for "next" once quit is asked)
                return self._give_feedback(question, asked_id, transcript, audio_path, typed,
                                           previous)
            if reason == "quit" and previous is None:
                return None  # left unanswered by quitting: not a question the user skipped
            if reason in ("skip", "quit"):
                return self._skip(question, previous)
            feedback = self._give_feedback(question, asked_id, transcript, audio_path, typed,
                                           previous)
            with self._command_lock:
                again = self._command == "again"
                if again:
                    self._command = None
            if not again:
                return feedback
            answers += 1
            previous = feedback

    def _skip(self, question: Question, previous: Any) -> Any | None:
        """A question left without a (new) answer: skipped, or, when it was being answered
        again, the answer before stands."""
        if previous is not None:
            self.on_event(Notice("Your answer before stands."))
            return previous
        if parent_id(question.id) is None:  # a probe left is no question skipped
            self._skipped += 1
        self.on_event(QuestionSkipped(question))
        return None

    def _capture(
        self, question: Question, ordinal: int, attempt: int
    ) -> tuple[Transcript, Path | None, str, bool]:
        source = self.sources(question, ordinal)
        if source is None:
            return self._typed_answer(question)
        from oral_sim.engine.audio import WavRecorder
        from oral_sim.engine.diskcheck import check_data_home
        from oral_sim.engine.pipeline import AnswerPipeline

        check_data_home()  # before the user speaks: never lose an answer to a full disk
        audio_path = self.store.answer_audio_path(self.session_id, ordinal, attempt)
        self.on_event(ListeningStarted(question.timebox_s, audio_path))
        from oral_sim.engine.scoring import STRUCTURED_CATEGORIES, Prefetcher

        prefetch = Prefetcher(question.reference_answer, list(question.key_points),
                               question.key_point_examples,
                               structured=question.category in STRUCTURED_CATEGORIES,
                               asked=question.prompt)
        prefetch.update("")  # the reference and key points, while the person starts talking

        def on_update(transcript: Transcript) -> None:
            self.on_event(PartialTranscript(transcript))
            prefetch.update(transcript.text)

        pipeline = AnswerPipeline(self.settings, on_update=on_update,
                                  live=bool(getattr(source, "realtime", True)),
                                  asked=question.prompt, spell=question.written)
        frame_s = self.settings.audio.frame_ms / 1000.0
        hard_cap_s = max(question.timebox_s * 2.0, question.timebox_s + 120.0)
        reason = "source_ended"
        elapsed = 0.0
        level_buf: list[np.ndarray] = []
        next_level = self.LEVEL_INTERVAL_S
        speaking = False
        recorder = WavRecorder(audio_path, sample_rate_hz=self.settings.audio.sample_rate_hz)
        from oral_sim.engine.audio import MicrophoneSource

        # paused: a microphone's frames are dropped (what is said meanwhile is not the answer);
        # a simulated candidate or a file waits, and goes on where it was. A command (skip,
        # stop, quit...) acts at once, paused or not: never held back to surprise at the resume
        holds = not isinstance(source, MicrophoneSource)
        try:
            for frame in source:
                while holds and self._paused.is_set() and self._command is None:
                    time.sleep(0.05)
                if not self._paused.is_set():
                    recorder.write(frame)
                    elapsed += frame_s
                    for event in pipeline.feed(frame):
                        name = type(event).__name__
                        if name == "SpeechStarted":
                            speaking = True
                        elif name == "Utterance":
                            speaking = False
                        elif name == "AnswerEnded":
                            reason = "silence"
                            raise _Stop
                    level_buf.append(np.frombuffer(frame, dtype=np.int16))
                    if elapsed >= next_level:
                        self.on_event(Level(_dbfs(np.concatenate(level_buf)), elapsed, speaking))
                        level_buf.clear()
                        next_level += self.LEVEL_INTERVAL_S
                cmd = self._take_command()
                if cmd is not None:
                    reason = cmd
                    if cmd == "quit":
                        self._command = "quit"
                    raise _Stop
                if elapsed >= hard_cap_s:
                    reason = "timeout"
                    raise _Stop
        except _Stop:
            pass
        except AudioError as exc:
            # The device went away mid-answer: keep what was said and tell the user.
            self.on_event(Notice(f"Recording stopped: {exc.message}", exc.hint))
            reason = "device_lost"
        finally:
            source.close()
            recorder.close()
        t0 = time.monotonic()
        pipeline.stop()
        transcript = pipeline.finish()
        self.on_event(AnswerFinished(reason, time.monotonic() - t0))
        return transcript, audio_path, reason, False

    def _typed_answer(self, question: Question) -> tuple[Transcript, Path | None, str, bool]:
        self.on_event(ListeningStarted(question.timebox_s, None))
        self._typed_ready.clear()
        while not self._typed_ready.wait(0.1):
            pass
        cmd = self._take_command()
        draft = cmd == "quit" and bool((self._typed or "").strip())
        if cmd in ("skip", "quit", "repeat") and not draft:
            if cmd == "quit":
                self._command = "quit"
            return Transcript(), None, cmd, True
        text = (self._typed or "").strip()
        self._typed = None
        from oral_sim.engine.transcript import Segment

        transcript = Transcript(segments=[Segment(0.0, 0.0, text)] if text else [])
        self.on_event(AnswerFinished("typed"))
        return transcript, None, "typed", True

    def _give_feedback(
        self,
        question: Question,
        asked_id: int,
        transcript: Transcript,
        audio_path: Path | None,
        typed: bool,
        previous: Any = None,
    ) -> Any:
        """Score, store and show one answer; wait for the user to go on (or answer again).
        `previous`: the feedback this answer replaces in the summary."""
        from oral_sim.engine.feedback import build_feedback

        feedback = build_feedback(transcript, question, question_end_s=0.0, typed=typed)
        m = feedback_numbers(feedback)
        rel = None
        if audio_path is not None:
            try:
                rel = str(audio_path.relative_to(locations.data_home()))
            except ValueError:
                rel = str(audio_path)
        t = transcript.to_dict()
        t["speech_s"] = transcript.speech_s
        attempt_id = self.store.add_attempt(
            asked_id,
            audio_path=rel,
            transcript=t,
            feedback=feedback.to_dict(),
            typed=typed,
            **m,
        )
        keep_answer(self._feedbacks, question, feedback, previous)
        with self._command_lock:
            # a skip, repeat or stop pressed while the answer was being scored is about an answer
            # already over: kept, it skipped the next question as soon as it was asked
            if self._command in ("skip", "repeat", "stop"):
                self._command = None
        self._next.clear()
        wait = self.settings.session.wait_after_feedback and self._command != "quit"
        self._awaiting_next = wait  # before the card is out: a key pressed at once counts
        self.on_event(FeedbackReady(question, feedback, attempt_id, previous))
        # after the card is out, while the user reads it: keeps memory flat over long sessions
        release_free_memory()
        if wait:
            # the user reads the card, then asks for the next question, to answer again, or quits
            try:
                while not self._next.wait(0.1):
                    if self._command == "quit":
                        break
            finally:
                self._awaiting_next = False
        return feedback


# ----------------------------------------------------------------------------- helpers

#: Ways an answer can end that, with no words transcribed, leave nothing to score: the user
#: pressed stop before speaking, the time ran out, the file or candidate ended, the device went.
NOTHING_HEARD = ("stop", "timeout", "source_ended", "device_lost")



def keep_answer(feedbacks: list[tuple[Question, Any]], question: Question, feedback: Any,
                previous: Any = None) -> None:
    """Add an answer's (question, Feedback) to `feedbacks`; one given again takes the place of
    the answer before (`previous`), so the summary counts a question once, with its last."""
    for i, (_, fb) in enumerate(feedbacks):
        if previous is not None and fb is previous:
            feedbacks[i] = (question, feedback)
            return
    feedbacks.append((question, feedback))


def feedback_numbers(feedback: Any) -> dict[str, Any]:
    """The typed columns the store keeps for one attempt, read off a Feedback (or its
    `to_dict()`)."""
    d = feedback if isinstance(feedback, dict) else feedback.to_dict()
    content = d.get("content") or {}
    fillers = d.get("fillers") or {}
    pace = d.get("pace") or {}
    kps = content.get("key_points") or []
    return {
        "score": content.get("score"),
        "wpm": pace.get("wpm"),
        "fillers_per_min": fillers.get("per_min"),
        "fillers_count": fillers.get("count"),
        "latency_s": pace.get("response_latency_s"),
        "duration_s": (d.get("transcript") or {}).get("duration_s"),
        "key_points_missed": sum(1 for k in kps if not k.get("covered")) if kps else None,
    }




def summarize(feedbacks: Iterable[tuple[Question, Any]], skipped: int = 0,
              planned: int | None = None) -> SessionSummary:
    """Session averages from (question, Feedback) pairs. A key point missed in an answer and
    then made in the answer to its follow-up probe is not one to work on; one missed in both is
    listed once, under its question's id."""
    scores, wpms, lats, missed = [], [], [], []
    made_later: set[tuple[str, str]] = set()
    filler_count, filler_total, minutes = 0, 0, 0.0
    n = follow_ups = 0
    for question, fb in feedbacks:
        if parent_id(question.id) is None:
            n += 1
        else:
            follow_ups += 1
        m = feedback_numbers(fb)
        d = fb.to_dict()
        if m["score"] is not None:
            scores.append(m["score"])
        if m["wpm"]:
            wpms.append(m["wpm"])
        if m["latency_s"] is not None:
            lats.append(m["latency_s"])
        speaking_s = (d.get("pace") or {}).get("speaking_s")
        if m["fillers_count"] is not None:
            filler_total += m["fillers_count"]
            if speaking_s:  # typed answers have no time to count per minute of
                filler_count += m["fillers_count"]
                minutes += speaking_s / 60.0
        asked = parent_id(question.id) or question.id  # a probe's point is its question's
        points = (d.get("content") or {}).get("key_points") or []
        probed = getattr(question, "probes", None)
        for kp in points:
            text = kp.get("text", "")
            point = (asked, text)
            if not kp.get("covered"):
                # a probe's own point is listed under the probe ("[oral-02]" read as one of
                # oral-02's points); the probed point itself under its question, once
                missed.append(point if asked == question.id or text == probed
                              else (question.id, text))
            elif asked != question.id:
                made_later.add(point)
        # a probe with key points of its own, answered with at least half of them, makes the
        # point it probes (its points are worded apart from it: they never matched it)
        if probed and points and 2 * sum(bool(kp.get("covered")) for kp in points) >= len(points):
            made_later.add((asked, probed))

    def mean(xs: list[float]) -> float | None:  # rounded where shown, once (`store._number`)
        return sum(xs) / len(xs) if xs else None

    return SessionSummary(
        answered=n,
        skipped=skipped,
        avg_score=mean(scores),
        avg_wpm=mean(wpms),
        fillers_per_min=filler_count / minutes if minutes > 0 else None,
        fillers=filler_total,
        avg_latency_s=mean(lats),
        missed_key_points=[m for m in dict.fromkeys(missed) if m not in made_later],
        follow_ups=follow_ups,
        planned=planned,
    )


def _probes_to_ask(question: Question, feedback: Any) -> list[FollowUp]:
    """Scripted probes whose key point the answer missed (at most one per question)."""
    content = feedback.to_dict().get("content") or {}
    kps = content.get("key_points") or []
    for probe in question.follow_ups:
        if probe.key_point is None:
            continue
        if 0 <= probe.key_point < len(kps) and not kps[probe.key_point].get("covered"):
            return [probe]
    return []


def _dbfs(samples: np.ndarray) -> float:
    if samples.size == 0:
        return -90.0
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    return max(-90.0, 20.0 * np.log10(max(rms, 1e-9) / 32768.0))


def _settings_dict(settings: Settings) -> dict:
    from dataclasses import asdict

    return asdict(settings)
