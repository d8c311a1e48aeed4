"""The interview: the question spoken and shown, recording with a level meter and the timebox,
the live transcript, then the feedback card. The engine's InterviewRunner runs in a thread
worker; its events come back to this screen through `call_from_thread`."""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, ProgressBar, Static

from oral_sim.engine import session as ev
from oral_sim.errors import OralSimError
from oral_sim.ui.render import feedback_card, live_transcript, mmss

#: The status line while a spoken answer is recorded.
RECORDING = "● Recording: answer now (space to stop)"
#: Seconds within which a second r over a spoken answer asks the question again.
REPEAT_CONFIRM_S = 4.0
#: The status line while a typed answer is awaited.
TYPE_PROMPT = "⌨ Type your answer, Enter to submit (Esc: s skip, r repeat, q quit)"


class InterviewScreen(Screen):
    """One interview session."""

    BINDINGS = [
        Binding("space", "stop_answer", "Stop answer"),
        Binding("n", "next", "Next"),
        Binding("a", "answer_again", "Answer again"),
        Binding("r", "repeat", "Repeat"),
        Binding("s", "skip", "Skip"),
        Binding("p", "pause", "Pause"),
        Binding("p", "resume", "Resume"),  # the same key, offered while paused
        Binding("q", "quit_session", "Quit"),
        # the answer box takes every letter, so the footer showed no key at all while typing:
        # Esc leaves it for the keys above (offered as such), and goes back to it
        Binding("escape", "leave_answer_box", "Keys: skip, repeat, quit"),
        Binding("escape", "back_to_answer_box", "Type the answer"),
    ]

    # the footer follows these (`check_action`)
    listening = var(False, bindings=True)
    """An answer is being recorded or typed."""
    waiting_next = var(False, bindings=True)
    """A feedback card waits for `n`."""
    paused = var(False, bindings=True)
    """Recording is paused (`p` again resumes)."""
    scoring = var(False, bindings=True)
    """An answer is over and being transcribed and scored: no key acts on it but quit."""

    def __init__(self, plan: Any, mode: str, autostart: bool = True) -> None:
        super().__init__()
        self.autostart = autostart
        """Start the engine on mount (tests drive the screen with events instead)."""
        self.plan = plan
        self.mode = mode
        self.runner: Any = None
        self.can_play = True
        """Whether the interviewer is heard (an output device was found when the session began)."""
        self.timebox_s = 0
        self.feedbacks: list[tuple[Any, Any]] = []
        self.session_id: str | None = None
        self.last_notice: str | None = None
        """The last engine notice (e.g. the microphone went away)."""
        self.answer_cut_short: str | None = None
        """Why the current answer was cut short by the device, shown until the next question."""
        self.ended_by_silence: str | None = None
        """Set when the last answer ended on the silence limit: the feedback line says so."""
        self.answer_no = 1
        """Which answer to the current question this is (2 and on: answered again)."""
        self.typing = False
        """The current answer is typed: nothing to stop, pause or time."""
        self.keep_draft = False
        self.spoke = False
        """Speech was heard in the answer being recorded (r then asks before it drops it)."""
        self.repeat_armed_at: float | None = None
        """When r was pressed once over an answer with speech (a second press within
        `REPEAT_CONFIRM_S` asks the question again)."""
        """The typed answer so far stays in the box when the question is asked again (`r`)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="interview"):
            yield Static(self.plan.script_title, id="q-head")
            yield Static("Getting ready…", id="question")
            yield Static("", id="status")
            with Horizontal(id="meters"):
                yield Label("Level", classes="meter-label")
                yield ProgressBar(total=60, show_eta=False, show_percentage=False, id="level")
                yield Label("0:00", id="clock")
                yield ProgressBar(total=100, show_eta=False, show_percentage=False, id="timebox")
            with VerticalScroll(id="live-box"):
                yield Static("", id="live")
            yield Input(placeholder="Type your answer and press Enter", id="typed")
            with VerticalScroll(id="feedback-box"):
                yield Static("", id="feedback")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#typed", Input).display = False
        self.query_one("#feedback-box").display = False
        # a typed answer has no level and is not timed (its card says so): no meters for it
        self.query_one("#meters").display = self.mode != "typed"
        if self.autostart:
            self._run()

    # --- the engine in a worker --------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="interview")
    def _run(self) -> None:
        from oral_sim.engine.live import make_sources, make_speaker
        from oral_sim.engine.store import Store

        app: Any = self.app
        settings = app.settings
        settings.session.wait_after_feedback = settings.session.feedback_each_answer
        self.can_play = _can_play(settings)
        try:
            with Store() as store:
                runner = ev.InterviewRunner(
                    self.plan,
                    settings,
                    store,
                    make_speaker(settings, play=self.can_play),
                    make_sources(self.mode, settings, realtime=app.realtime,
                                 answer_sentences=app.answer_sentences),
                    lambda event: self._tell(app, event),
                )
                self.runner = runner
                app.current_runner = runner
                runner.run()
        except OralSimError as exc:
            app.call_from_thread(self._failed, exc.message, exc.hint)
        except Exception as exc:  # never a traceback on screen: it is saved to a file instead
            from oral_sim.engine import crashlog

            error = crashlog.unexpected(exc, "starting the interview")
            app.call_from_thread(self._failed, error.message, error.hint)
        finally:
            app.current_runner = None

    def _tell(self, app: Any, event: Any) -> None:
        """Hand an engine event to the screen, on the UI thread. Once the app has closed (the
        terminal went, or the app was quit under the session), the session still ends and is
        kept; its last events have no screen to go to, and that is not a crash."""
        try:
            app.call_from_thread(self.on_engine_event, event)
        except RuntimeError:  # textual: "App is not running", NoActiveAppError
            if app.is_running:
                raise

    def on_unmount(self) -> None:
        # Leaving the screen (or the app) ends the session cleanly; the worker thread must not
        # stay blocked waiting for an answer nobody will give.
        if self.runner is not None:
            self.runner.quit()

    def _failed(self, message: str, hint: str | None) -> None:
        app: Any = self.app
        text = message + (f"\n{hint}" if hint else "")
        if app.last_error == text and not self.is_mounted:
            return  # already said when the session ended
        app.last_error = text
        if self.is_mounted and self.app.screen is self:
            self.query_one("#status", Static).update(Text(f"Stopped: {message}", style="bold red"))
        # the notification outlives the screen (the summary may already be showing)
        self.app.notify(app.last_error, title="The session stopped", severity="error", timeout=15)

    def on_engine_event(self, event: Any) -> None:
        """Every engine event, on the UI thread."""
        if not self.is_attached:  # the app closed under the session: nothing left to show
            return
        status = self.query_one("#status", Static)
        app: Any = self.app
        if isinstance(event, ev.SessionStarted):
            self.session_id = event.session_id
        elif isinstance(event, ev.QuestionAsked):
            q = event.question
            self.timebox_s = q.timebox_s
            self.answer_no = event.answer
            again = f" · answer {event.answer}" if event.answer > 1 else ""
            self.query_one("#q-head", Static).update(
                f"[b]{event.heading}[/b]{again} · {q.category} · {q.difficulty} · timebox "
                f"{q.timebox_s // 60}:{q.timebox_s % 60:02d}")
            self.query_one("#question", Static).update(Text(q.prompt, style="bold"))
            status.update(Text("🔊 Interviewer speaking…", style="cyan") if self.can_play else
                          Text("🔇 No speaker: read the question (it is not heard).",
                               style="yellow"))
            self.query_one("#live", Static).update("")
            self.query_one("#feedback-box").display = False
            self.query_one("#live-box").display = True
            self.query_one("#live-box").remove_class("done")
            self.query_one("#timebox", ProgressBar).update(total=max(1, q.timebox_s), progress=0)
            self.query_one("#timebox").remove_class("over")
            self.query_one("#clock", Label).update(f"0:00 / {mmss(q.timebox_s)}")
            self.waiting_next = False
            self.scoring = False
        elif isinstance(event, ev.ListeningStarted):
            self.typing = event.audio_path is None
            self.listening = True
            self.spoke = False
            self.repeat_armed_at = None
            # listening again after a stop before any word: s and r act again (they stayed
            # hidden and dead while the notice said "press s to skip")
            self.scoring = False
            if event.audio_path is None:
                typed = self.query_one("#typed", Input)
                typed.display = True
                if not self.keep_draft:  # the question asked again (r) keeps what was typed
                    typed.value = ""
                self.keep_draft = False
                typed.focus()
                typed.cursor_position = len(typed.value)
                self.query_one("#live", Static).update(Text(typed.value, style="italic"))
                status.update(Text(TYPE_PROMPT, style="bold green"))
            else:
                self.app.bell()
                status.update(Text(RECORDING, style="bold red"))
        elif isinstance(event, ev.Level):
            self.spoke = self.spoke or event.speaking
            self.query_one("#level", ProgressBar).update(progress=max(0.0, event.rms_dbfs + 60))
            bar = self.query_one("#timebox", ProgressBar)
            bar.update(progress=min(event.elapsed_s, self.timebox_s))
            if event.elapsed_s > self.timebox_s:
                bar.add_class("over")
            self.query_one("#clock", Label).update(
                f"{mmss(event.elapsed_s)} / {mmss(self.timebox_s)}")  # the time of the timebox
        elif isinstance(event, ev.PartialTranscript):
            self.query_one("#live", Static).update(live_transcript(event.transcript))
        elif isinstance(event, ev.AnswerFinished):
            self.listening = False
            self.paused = False
            self.scoring = True
            self.query_one("#level", ProgressBar).update(progress=0)  # it stayed at its last
            self.answer_cut_short = self.last_notice if event.reason == "device_lost" else None
            self.query_one("#typed", Input).display = False
            silence = app.settings.vad.end_of_answer_silence_s
            # a thinking pause as long as the limit ends the answer: say so, every time
            self.ended_by_silence = (f"The answer ended after {silence:g} s of silence."
                                     if event.reason == "silence" else None)
            if event.reason == "typed":
                line = "✓ Answer received: scoring…"
            elif self.ended_by_silence:
                line = f"✓ {self.ended_by_silence} Transcribing the last words and scoring…"
            else:
                line = "✓ Answer recorded: transcribing the last words and scoring…"
            status.update(Text(line, style="yellow"))
        elif isinstance(event, ev.FeedbackReady):
            self.scoring = False
            # an answer given again takes the place of the one before (the summary's too)
            ev.keep_answer(self.feedbacks, event.question, event.feedback, event.previous)
            fb = event.feedback.to_dict()
            tb = fb.get("timebox") or {}
            if tb.get("timebox_s") and not fb.get("typed"):
                # the clock ran on to the stop or the closing silence; it now shows the length
                # the card and the history give, from the question's end to the last word
                self.query_one("#clock", Label).update(
                    f"{mmss(tb['duration_s'], nearest=True)} / {mmss(tb['timebox_s'])}")
            said = live_transcript(event.feedback.transcript)
            if self.ended_by_silence:
                # where the transcript stops, why it stopped (a thinking pause as long as the
                # limit ends the answer; what is said after it is not recorded)
                said = Text.assemble(said, Text(f"\n⏹ {self.ended_by_silence} The limit is "
                                                "set on the start screen (End after silence).",
                                                style="dim italic"))
            self.query_one("#live", Static).update(said)
            if app.settings.session.feedback_each_answer:
                previous = event.previous.to_dict() if event.previous is not None else None
                self.query_one("#feedback", Static).update(
                    feedback_card(fb, before=previous, answer=self.answer_no))
                box = self.query_one("#feedback-box")
                box.display = True
                # each card from its top (it kept the last one's place), and the keys scroll it
                box.scroll_home(animate=False)
                box.focus()
                self.query_one("#live-box").add_class("done")  # the card gets the room
                if self.answer_cut_short:
                    # stays on screen (a notification fades): the answer was cut by the device
                    status.update(Text(f"⚠ {self.answer_cut_short} What was said is kept; "
                                       "feedback below. n: next question, a: answer again, "
                                       "q: quit.", style="bold yellow"))
                else:
                    status.update(Text("Feedback below. Press n for the next question, a to "
                                       "answer again, q to quit.", style="green"))
                self.waiting_next = True
            else:
                status.update(Text("Answer saved.", style="green"))
        elif isinstance(event, ev.ClosingSpoken):
            self.waiting_next = False
            status.update(Text("✓ That was the last question. 🔊 The interviewer closes; the "
                               "summary follows.", style="cyan"))
        elif isinstance(event, ev.QuestionSkipped):
            self.scoring = False
            self.notify(f"Skipped: {event.question.prompt[:60]}", timeout=2)
        elif isinstance(event, ev.Notice):
            self.last_notice = event.message.rstrip(".") + "."
            self.notify(event.message + (f"\n{event.hint}" if event.hint else ""),
                        severity="warning", timeout=6)
        elif isinstance(event, ev.SessionEnded):
            from oral_sim.ui.screens.summary import SummaryScreen

            if event.error is not None:
                # said here, before the screen goes: the worker's own report may come too late
                self._failed(event.error, event.error_hint)

            self.app.switch_screen(SummaryScreen(event.session_id, event.status, event.summary,
                                                 self.feedbacks))

    # --- keys --------------------------------------------------------------------------------------

    @on(Input.Submitted, "#typed")
    def _typed(self, event: Input.Submitted) -> None:
        if self.runner is not None and event.value.strip():
            self.runner.submit_typed(event.value)
        elif self.runner is not None:  # Enter on an empty box did nothing, without a word
            self.notify("Type your answer, then Enter. (Esc, then s, skips the question.)",
                        timeout=3)

    @on(Input.Changed, "#typed")
    def _typing(self, event: Input.Changed) -> None:
        """The answer as it is typed, wrapped in the box above the one-line field: a long
        answer scrolled sideways out of view while that box stayed empty."""
        if self.typing and self.listening:
            self.query_one("#live", Static).update(Text(event.value, style="italic"))

    def action_leave_answer_box(self) -> None:
        """Esc in the answer box: out of it, to the keys."""
        typed = self.query_one("#typed", Input)
        if typed.has_focus:
            self.set_focus(None)
            self.query_one("#status", Static).update(
                Text("Keys: s skip, r repeat, q quit; Esc to type again", style="bold green"))
        self.refresh_bindings()

    def action_back_to_answer_box(self) -> None:
        """Esc out of the answer box: back into it."""
        typed = self.query_one("#typed", Input)
        if typed.display and self.listening:
            typed.focus()
            self.query_one("#status", Static).update(Text(TYPE_PROMPT, style="bold green"))
        self.refresh_bindings()

    def _in_answer_box(self) -> bool:
        typed = self.query_one("#typed", Input)
        return typed.display and typed.has_focus

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer offers only the keys that do something now: stop and pause while an
        answer is recorded, next while a card waits, skip and repeat until the answer ends."""
        if action == "stop_answer":  # paused, resume first: a stray space ends nothing
            return self.listening and not self.typing and not self.paused
        if action == "pause":
            return self.listening and not self.typing and not self.paused
        if action == "resume":
            return self.listening and self.paused
        if action in ("next", "answer_again"):
            return self.waiting_next
        if action in ("skip", "repeat"):  # not while the answer is scored: it is over
            return not self.waiting_next and not self.scoring
        if action == "leave_answer_box":
            return self.typing and self.listening and self._in_answer_box()
        if action == "back_to_answer_box":
            return self.typing and self.listening and not self._in_answer_box()
        return True

    def action_stop_answer(self) -> None:
        if self.runner is not None and self.listening:
            self.runner.stop_answer()

    def action_next(self) -> None:
        if self.runner is not None and self.waiting_next:
            self.waiting_next = False
            # said at once: the next question (or the closing words and the summary) can take
            # a moment, and the card's "press n" stayed meanwhile as if the key had not worked
            self.query_one("#status", Static).update(Text("⏳ Going on…", style="cyan"))
            self.runner.next_question()

    def action_answer_again(self) -> None:
        """a: answer the question of the card again; the new answer replaces it in the summary."""
        if self.runner is not None and self.waiting_next and self.runner.answer_again():
            self.waiting_next = False

    def action_repeat(self) -> None:
        if self.runner is None:
            return
        if self.listening and not self.typing and self.spoke:
            # the answer being spoken is dropped when the question is asked again: r once
            # dropped a sentence without a word (TUI helper's sweep, 2026-12-04 midday)
            now = time.monotonic()
            if self.repeat_armed_at is None or now - self.repeat_armed_at > REPEAT_CONFIRM_S:
                self.repeat_armed_at = now
                self.notify("Press r again to hear the question again: what you have said in "
                            "this answer is dropped.", title="Repeat the question?",
                            timeout=REPEAT_CONFIRM_S)
                return
        self.repeat_armed_at = None
        self.keep_draft = self.typing and self.listening
        self.runner.repeat_question()

    def action_skip(self) -> None:
        if self.runner is not None:
            self.runner.skip()

    def action_pause(self) -> None:
        """p: stop recording for a while; the status line says so until p resumes it."""
        if self.runner is not None and not self.paused and self.runner.toggle_pause():
            self.paused = True
            self.query_one("#status", Static).update(
                Text("⏸ Paused: nothing is recorded. Press p to resume.", style="bold yellow"))

    def action_resume(self) -> None:
        if self.runner is not None and self.paused and not self.runner.toggle_pause():
            self.paused = False
            self.query_one("#status", Static).update(
                Text(RECORDING, style="bold red"))

    def action_quit_session(self) -> None:
        from oral_sim.ui.screens.errors import ConfirmScreen

        # recording stops while the question is open (it went on behind the dialog, and the
        # answer could end on its silence limit meanwhile); "no" goes on where it was
        held = (self.runner is not None and self.listening and not self.typing
                and not self.paused)
        if held:
            self.action_pause()

        def done(yes: bool | None) -> None:
            if yes and self.runner is not None:
                # a typed answer half written is kept as the answer, as the dialog says
                draft = self.query_one("#typed", Input).value if self.typing and self.listening \
                    else None
                self.runner.quit(draft)
            elif yes:
                self.app.pop_screen()
            elif held:
                self.action_resume()

        self.app.push_screen(ConfirmScreen("Quit the interview? What you answered so far is kept."),
                             done)


def _can_play(settings: Any) -> bool:
    """True when there is an output device to play the interviewer through."""
    from oral_sim.engine.live import speaker_available

    return speaker_available(settings) is None

