"""Replay: a script as a conversation in two voices with the text following along, or a recorded
session (questions, then your own recorded answers). Keys: pause, skip, repeat, follow, back.

The turn being spoken is highlighted and kept at a reading position (a quarter of the view from
the top): the end of the turn before stays in sight above it, what comes next below it, and the
notifications in the bottom corner do not cover it. A user who scrolls it out of view to read
something else is not pulled back at the next turn; `f` (offered in the footer then), skip or
repeat bring it back, and so does scrolling it into view again."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from oral_sim.engine.replay import Replayer, ReplayLine, script_lines
from oral_sim.errors import OralSimError

NAMES = {"interviewer": ("Interviewer", "bold cyan"), "candidate": ("Candidate", "bold green"),
         "you": ("You", "bold yellow")}

#: Share of the view kept above the turn being spoken (the end of the turn before, for context).
CONTEXT_SHARE = 0.25

#: Seconds the view takes to glide to the next turn (long enough to see where it went).
SCROLL_S = 0.3


def reading_offset(top: int, height: int, view_height: int) -> int:
    """The scroll offset that shows a turn `height` rows tall, `top` rows into the conversation,
    at the reading position: `CONTEXT_SHARE` of the view above it, less when the whole turn would
    not fit below that, none when it is taller than the view (it is read from its start)."""
    context = max(0, min(int(view_height * CONTEXT_SHARE), view_height - height))
    return max(0, top - context)


class ReplayScreen(Screen):
    """Listen along; the line being spoken is highlighted."""

    BINDINGS = [Binding("p", "pause", "Pause"), Binding("p", "resume", "Resume"),
                Binding("s", "skip", "Skip"),
                Binding("r", "repeat", "Repeat"), Binding("f", "follow", "Follow"),
                Binding("escape,b", "back", "Back")]

    def __init__(self, script: Any, lines: list[ReplayLine] | None = None,
                 title: str | None = None) -> None:
        super().__init__()
        self.lines = lines if lines is not None else script_lines(script)
        self.title_text = title or (script.title if script is not None else "Replay")
        self.replayer: Replayer | None = None
        self.paused = False
        """Paused by the user (the footer offers Resume)."""
        self.ended = False
        """Every line has played (pause, skip and repeat are gone from the footer)."""
        self.current: int | None = None
        """Index of the turn being spoken."""
        self.following = True
        """False while the user has scrolled the turn being spoken out of view."""
        self._bring_next = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(f"Replay: {self.title_text}", style="bold"), id="replay-title")
        with VerticalScroll(id="replay"):
            for i, line in enumerate(self.lines):
                name, style = NAMES[line.speaker]
                t = Text(f"{line.shown_as or name}: ", style=style)
                t.append(line.text)
                yield Static(t, id=f"line-{i}", classes="replay-line")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.query_one("#replay"), "scroll_target_y", self._scrolled, init=False)
        self._play()

    @work(thread=True, exit_on_error=False, group="replay")
    def _play(self) -> None:
        from oral_sim.ui.screens.interview import _can_play

        app: Any = self.app
        play = _can_play(app.settings)
        if not play:
            self.app.call_from_thread(
                self.notify, "No speaker: the conversation follows at reading pace. "
                "p pauses, s skips a line.", title="Replay", timeout=6)
        self.replayer = Replayer(self.lines, app.settings, play=play,
                                 on_line=lambda i, line: self.app.call_from_thread(self._current, i))
        try:
            self.replayer.run()
        except OralSimError as exc:
            self.app.call_from_thread(self._stopped, exc)
        except Exception as exc:  # a bug: one line here, the traceback saved to a file
            from oral_sim.engine import crashlog

            self.app.call_from_thread(self._stopped, crashlog.unexpected(exc, "replaying"))
        else:
            self.app.call_from_thread(self._ended)

    def _ended(self) -> None:
        self.ended = True
        self.refresh_bindings()  # nothing left to pause, skip or repeat
        self.notify("End of replay.", timeout=3)

    def _stopped(self, exc: OralSimError) -> None:
        text = exc.message + (f"\n{exc.hint}" if exc.hint else "")
        self.notify(text, title="Replay stopped", severity="error", timeout=15)

    def _current(self, index: int) -> None:
        for w in self.query(".replay-line"):
            w.remove_class("current")
        self.query_one(f"#line-{index}").add_class("current")
        self.current = index
        title = Text(f"Replay: {self.title_text}", style="bold")
        title.append(f"  turn {index + 1}/{len(self.lines)}", style="dim")
        self.query_one("#replay-title", Static).update(title)
        if self.following or self._bring_next:
            self._bring_next = False
            # after the refresh: the first turn starts before the lines are laid out
            self.call_after_refresh(self._show_current)
        else:
            self._scrolled()

    def _show_current(self, animate: bool = True) -> None:
        """Scroll the turn being spoken to the reading position."""
        if self.current is None:
            return
        view = self.query_one("#replay", VerticalScroll)
        turn = self.query_one(f"#line-{self.current}").virtual_region
        y = reading_offset(turn.y, turn.height, view.scrollable_content_region.height)
        view.scroll_to(y=y, animate=animate, duration=SCROLL_S)
        self._scrolled()

    def _scrolled(self, _target_y: float | None = None) -> None:
        """Follow while the turn being spoken is in view where the view is going (wherever the
        user or the replay scrolled it)."""
        view = self.query_one("#replay", VerticalScroll)
        following = True
        if self.current is not None and view.scrollable_content_region.height:
            size = view.scrollable_content_region.size
            window = Region(0, round(view.scroll_target_y), size.width, size.height)
            following = self.query_one(f"#line-{self.current}").virtual_region.overlaps(window)
        if following != self.following:
            self.following = following
            self.refresh_bindings()

    def on_resize(self, event: events.Resize) -> None:
        # the lines wrap anew: the turn being spoken is somewhere else
        if self.following:
            self.call_after_refresh(self._show_current, False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "follow":
            return not self.following  # offered only while the turn is out of view
        if action == "pause":
            return not self.ended and not self.paused
        if action == "resume":
            return not self.ended and self.paused
        if action in ("skip", "repeat"):
            return not self.ended
        return True

    def action_follow(self) -> None:
        self._show_current()

    def action_pause(self) -> None:
        if self.replayer:
            self.paused = self.replayer.pause()
            self.notify("Paused." if self.paused else "Resumed.", timeout=2)
            self.refresh_bindings()  # the footer said "p Pause" while paused

    def action_resume(self) -> None:
        self.action_pause()  # one key toggles; the footer names what it does now

    def action_skip(self) -> None:
        if self.replayer:
            self._bring_next = True
            self.replayer.skip()

    def action_repeat(self) -> None:
        if self.replayer:
            self._bring_next = True
            self.replayer.repeat()

    def action_back(self) -> None:
        if self.replayer:
            self.replayer.stop()
        self.app.pop_screen()
