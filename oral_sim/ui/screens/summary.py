"""End of the session: the summary, every answer's card, and where to go next."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from oral_sim.ui.render import feedback_card, summary_table


class SummaryScreen(Screen):
    """How the session went."""

    BINDINGS = [Binding("h", "history", "History"), Binding("b", "back", "New session"),
                Binding("q", "app.quit", "Quit")]

    def __init__(self, session_id: str, status: str, summary: Any, feedbacks: list) -> None:
        super().__init__()
        self.session_id = session_id
        self.status = status
        self.summary = summary
        self.feedbacks = feedbacks

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="summary"):
            yield Static(Text(f"Session {self.status}", style="bold"), id="summary-title")
            yield Static(summary_table(self.summary), id="summary-table")
            for question, fb in self.feedbacks:
                yield Static(feedback_card(fb.to_dict(), prompt=question.prompt), classes="card")
            yield Static(f"Saved as session {self.session_id}: "
                         f"oral-sim sessions export {self.session_id} --format html", id="saved")
            with Horizontal(classes="buttons"):
                yield Button("History (h)", id="history")
                yield Button("New session (b)", id="back", variant="primary")
                yield Button("Quit (q)", id="quit")
        yield Footer()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        {"history": self.action_history, "back": self.action_back,
         "quit": self.app.exit}[event.button.id or "quit"]()

    def action_history(self) -> None:
        from oral_sim.ui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen())

    def action_back(self) -> None:
        from oral_sim.ui.screens.start import StartScreen

        app: Any = self.app
        if app.bank is not None:
            self.app.switch_screen(StartScreen())
