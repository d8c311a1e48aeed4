"""Replay: a script as a conversation in two voices with the text following along, or a recorded
session (questions, then your own recorded answers). Keys: pause, skip, repeat, back."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from oral_sim.engine.replay import Replayer, ReplayLine, script_lines
from oral_sim.errors import OralSimError

NAMES = {"interviewer": ("Interviewer", "bold cyan"), "candidate": ("Candidate", "bold green"),
         "you": ("You", "bold yellow")}


class ReplayScreen(Screen):
    """Listen along; the line being spoken is highlighted."""

    BINDINGS = [Binding("p", "pause", "Pause"), Binding("s", "skip", "Skip"),
                Binding("r", "repeat", "Repeat"), Binding("escape,b", "back", "Back")]

    def __init__(self, script: Any, lines: list[ReplayLine] | None = None,
                 title: str | None = None) -> None:
        super().__init__()
        self.lines = lines if lines is not None else script_lines(script)
        self.title_text = title or (script.title if script is not None else "Replay")
        self.replayer: Replayer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(f"Replay: {self.title_text}", style="bold"), id="replay-title")
        with VerticalScroll(id="replay"):
            for i, line in enumerate(self.lines):
                name, style = NAMES[line.speaker]
                t = Text(f"{name}: ", style=style)
                t.append(line.text)
                yield Static(t, id=f"line-{i}", classes="replay-line")
        yield Footer()

    def on_mount(self) -> None:
        self._play()

    @work(thread=True, exit_on_error=False, group="replay")
    def _play(self) -> None:
        from oral_sim.ui.screens.interview import _can_play

        app: Any = self.app
        self.replayer = Replayer(self.lines, app.settings, play=_can_play(app.settings),
                                 on_line=lambda i, line: self.app.call_from_thread(self._current, i))
        try:
            self.replayer.run()
        except OralSimError as exc:
            self.app.call_from_thread(self._stopped, exc)
        except Exception as exc:  # a bug: one line here, the traceback saved to a file
            from oral_sim.engine import crashlog

            self.app.call_from_thread(self._stopped, crashlog.unexpected(exc, "replaying"))
        else:
            self.app.call_from_thread(self.notify, "End of replay.", timeout=3)

    def _stopped(self, exc: OralSimError) -> None:
        text = exc.message + (f"\n{exc.hint}" if exc.hint else "")
        self.notify(text, title="Replay stopped", severity="error", timeout=15)

    def _current(self, index: int) -> None:
        for w in self.query(".replay-line"):
            w.remove_class("current")
        line = self.query_one(f"#line-{index}")
        line.add_class("current")
        line.scroll_visible()

    def action_pause(self) -> None:
        if self.replayer:
            self.notify("Paused." if self.replayer.pause() else "Resumed.", timeout=2)

    def action_skip(self) -> None:
        if self.replayer:
            self.replayer.skip()

    def action_repeat(self) -> None:
        if self.replayer:
            self.replayer.repeat()

    def action_back(self) -> None:
        if self.replayer:
            self.replayer.stop()
        self.app.pop_screen()
