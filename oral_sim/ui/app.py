"""The Textual app: a thin shell over the engine. `make_app` is the one factory the CLI and the
tests use."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding

from oral_sim.config import Settings
from oral_sim.errors import OralSimError

#: Terminals narrower than this get the narrow layout (`OralSimApp.on_resize`).
NARROW_COLUMNS = 80


class OralSimApp(App):
    """oral-sim: practise interview answers aloud, offline."""

    CSS_PATH = "app.tcss"
    TITLE = "oral-sim"
    SUB_TITLE = "offline oral interview practice"
    BINDINGS = [Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True)]

    def __init__(self, settings: Settings, bank_path: Path | None = None, mode: str | None = None,
                 script_id: str | None = None, questions: int | None = None,
                 check_mic: bool = True, preload: bool = True, realtime: bool = True,
                 answer_sentences: int | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.bank_path = bank_path
        self.mode = mode
        self.script_id = script_id
        self.question_count = questions
        self.check_mic = check_mic
        self.preload = preload
        self.realtime = realtime
        self.answer_sentences = answer_sentences
        self.bank: Any = None
        self.mic_problem: str | None = None
        """Why the microphone cannot be used (None: it can, or not checked yet)."""
        self.speaker_problem: str | None = None
        """Why nothing can be played (None: it can, or not checked yet)."""
        self.models_ready = False
        self._problems_told: set[str] = set()
        """Model parts whose failure to load was already notified."""
        self.exit_message: str | None = None
        self.current_runner: Any = None
        self.last_error: str | None = None
        """The last error that stopped a session (shown as a notification)."""
        self.start_choices: dict | None = None
        """The start screen's choices for the last session started, kept for the next one."""

    def on_mount(self) -> None:
        import asyncio
        import signal

        from oral_sim.engine.bank import load_bank
        from oral_sim.ui.screens.errors import ErrorScreen
        from oral_sim.ui.screens.start import StartScreen

        if hasattr(signal, "SIGHUP"):
            try:  # the terminal closed: end as Ctrl+C does, not killed mid-session
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hang_up)
            except (NotImplementedError, RuntimeError, ValueError):
                pass

        try:
            self.bank = load_bank(self.bank_path)
        except OralSimError as exc:
            self.push_screen(ErrorScreen("The scripts bank could not be loaded", exc.message,
                                         exc.hint))
            return
        if self.preload:
            # after the first paint: the loading threads' imports would hold the interpreter
            # while Textual draws (start screen: first paint 2.0 s after launch with them, 1.3 s
            # without; the demo, whose voice is needed at once: 1.17 -> 0.96 s, and its
            # question heard no later; BENCHMARKS.md 2026-12-01 late night, 2026-12-02 early)
            self.call_after_refresh(self._start_loading)
        if self.mode == "demo":
            from oral_sim.cli.interview_cmd import default_script_id
            from oral_sim.engine import models
            from oral_sim.engine.plans import plan_for_script

            try:
                models.check(self.settings.asr.model, self.settings.tts.voice)
                plan = plan_for_script(self.bank, self.script_id or default_script_id(self.bank),
                                       self.question_count, mode="demo")
            except OralSimError as exc:
                self.push_screen(ErrorScreen("Cannot start the demo", exc.message, exc.hint))
                return
            self.start_interview(plan, "demo")
            return
        self.push_screen(StartScreen())

    def on_resize(self, event: Any) -> None:
        """Below 80 columns the layout's fixed widths give way (`.-narrow` in app.tcss)."""
        self.set_class(event.size.width < NARROW_COLUMNS, "-narrow")

    def _start_loading(self) -> None:
        """Warm the models in the background and keep what a crashed session recorded."""
        from oral_sim.engine.live import start_background_loading

        start_background_loading(self.settings)
        self.set_interval(0.5, self._poll_models)
        self._recover()

    def start_interview(self, plan: Any, mode: str) -> None:
        from oral_sim.ui.screens.interview import InterviewScreen

        self.push_screen(InterviewScreen(plan, mode))

    def _poll_models(self) -> None:
        from oral_sim.engine import asr, scoring
        from oral_sim.engine.background import load_problems

        for part, exc in list(load_problems.items()):
            if part not in self._problems_told:  # once each, and it stays on the status line
                self._problems_told.add(part)
                self.notify(f"{exc.message}\n{exc.hint or ''}".strip(),
                            title=f"The {'speech model' if part == 'speech' else part} could "
                                  "not be loaded",
                            severity="error", timeout=20)
        ready = bool(asr._models) and scoring.is_loaded()
        if ready and not self.models_ready:
            self.models_ready = True
            self.notify("Speech and scoring models are ready.", timeout=2)
        try:
            self.screen.query_one("#models").update(self.models_status())  # type: ignore[attr-defined]
        except Exception:  # the screen has no model status line
            pass

    def models_status(self) -> str:
        """The start screen's model line: which Whisper model and voice, and their state."""
        from rich.markup import escape

        from oral_sim.engine import asr, models, scoring
        from oral_sim.engine.background import load_problems

        def state(part: str, ready: bool) -> str:
            if part in load_problems:
                return f"[b red]failed:[/] {escape(load_problems[part].message)}"
            return "ready" if ready else "loading…"

        speech = models.whisper_label(self.settings.asr.model)
        voice = models.voice_label(self.settings.tts.voice)
        tts = sys.modules.get("oral_sim.engine.tts")  # not imported: no voice loaded yet
        voice_ready = bool(tts is not None and tts._voices)
        return (f"Models: speech {escape(speech)} {state('speech', bool(asr._models))} · "
                f"voice {escape(voice)} {state('voice', voice_ready)} · "
                f"scoring {'ready' if scoring.is_loaded() else 'loading…'}")

    @work(thread=True, exit_on_error=False, group="recovery")
    def _recover(self) -> None:
        from oral_sim.engine.recovery import recover_interrupted
        from oral_sim.engine.store import Store

        try:
            with Store() as store:
                report = recover_interrupted(store, self.settings)
        except OralSimError as exc:
            self.call_from_thread(self.notify, f"{exc.message}", title="History", severity="error")
            return
        if report.sessions:
            self.call_from_thread(
                self.notify,
                f"Recovered {len(report.sessions)} interrupted session(s), "
                f"{len(report.answers)} answer(s) kept.",
                title="Recovery",
            )

    def action_quit(self) -> None:  # type: ignore[override]
        """Ctrl+Q and the command palette's Quit: during an interview, as `q` (ask first; what
        was answered is kept); elsewhere the app ends. They ended the app under a running
        session, whose last event then found no app and was saved as a crash."""
        runner = self.current_runner
        if runner is not None and hasattr(self.screen, "action_quit_session"):
            self.screen.action_quit_session()
            return
        if runner is not None:  # asked again over the dialog: end now, keep what was answered
            runner.quit()
            self.exit_message = "Quit: the session so far is kept (oral-sim sessions list)."
        self.exit()

    def _hang_up(self) -> None:
        """SIGHUP (the terminal window closed, tmux kill-session): the session so far is kept
        and ends as interrupted. The process was killed, and its session stayed "in progress"
        until the next start recovered it."""
        runner = self.current_runner
        if runner is not None:
            runner.quit()
        self.exit(return_code=129)

    def action_interrupt(self) -> None:
        """Ctrl+C: stop cleanly, keep the session so far."""
        runner = self.current_runner
        if runner is not None:
            runner.quit()
            self.exit_message = "Interrupted: the session so far is kept (oral-sim sessions list)."
        self.exit(return_code=130 if runner is not None else 0)


def make_app(settings: Settings, bank_path: Path | None = None, mode: str | None = None,
             script_id: str | None = None, questions: int | None = None, **options: Any) -> OralSimApp:
    """The app, as the CLI and the tests build it. `mode`: None (start screen), "demo"
    (simulated candidate, starts at once) or "typed"."""
    return OralSimApp(settings, bank_path=bank_path, mode=mode, script_id=script_id,
                      questions=questions, **options)
