"""Start screen: pick a script or a practice mix, how to answer, check the microphone, settings."""

from __future__ import annotations

import threading
from typing import Any

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    ListItem,
    ListView,
    ProgressBar,
    Select,
    Static,
    Switch,
)

from oral_sim.config import SPEED_RANGE
from oral_sim.errors import OralSimError

MIX = "__mix__"
#: Seconds the microphone check listens.
MIC_CHECK_S = 8.0
ANSWER_MODES = [("Microphone", "live"), ("Simulated candidate", "demo"), ("Typed answers", "typed")]


#: The fields a new session's start screen keeps from the last one (it went back to "all" and
#: the simulated candidate, so the next Enter started a 54-question session).
KEPT_FIELDS = ("#count", "#category", "#difficulty", "#shuffle", "#weak", "#answer-mode", "#speed")


class ScriptList(ListView):
    """The scripts; Enter starts the highlighted one, and the footer says so (a list's own
    Enter binding is hidden, and it hid the screen's "Start" while the list had focus). A click
    chooses a script; a click on the chosen one starts it."""

    BINDINGS = [Binding("enter", "select_cursor", "Start", show=True)]

    def _on_list_item__child_clicked(self, event: ListItem._ChildClicked) -> None:
        # a click shows a script's details and options; a click on the one already chosen
        # starts it (one click on "Practice mix" started a 5-question session at once)
        # (Textual calls ListView's own handler after this one, unless the default is prevented)
        if self.highlighted_child is event.item:
            return
        event.prevent_default()
        event.stop()
        self.focus()
        self.index = list(self.children).index(event.item)


class StartScreen(Screen):
    """Choose what to practise."""

    BINDINGS = [
        Binding("enter", "start", "Start", priority=False),
        Binding("m", "mic_check", "Mic check"),
        Binding("h", "history", "History"),
        Binding("p", "replay", "Replay script"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._mic_stop = threading.Event()

    def compose(self) -> ComposeResult:
        app: Any = self.app
        bank = app.bank
        yield Header()
        with Horizontal(id="start"):
            with Vertical(id="scripts-pane"):
                yield Label("Interview", classes="pane-title")
                items = [ListItem(Label(f"{s.title}\n[dim]{len(s.questions)} questions · {s.kind}[/]"),
                                  name=s.id) for s in bank.scripts]
                items.append(ListItem(Label("Practice mix\n[dim]filters, shuffle, weak first[/]"),
                                      name=MIX))
                yield ScriptList(*items, id="scripts")
            with Vertical(id="options-pane"):
                with VerticalScroll(id="options"):
                    yield Static(id="details")
                    with Horizontal(classes="row"):
                        yield Label("Questions", classes="label")
                        yield Input(placeholder="all", id="count", type="integer")
                    with Horizontal(classes="row mix-only"):
                        yield Label("Category", classes="label")
                        yield Select([(c, c) for c in _categories(bank)], prompt="all", id="category")
                    with Horizontal(classes="row mix-only"):
                        yield Label("Difficulty", classes="label")
                        yield Select([(d, d) for d in ("easy", "medium", "hard")], prompt="all",
                                     id="difficulty")
                    with Horizontal(classes="row mix-only"):
                        yield Label("Shuffle", classes="label")
                        yield Switch(value=True, id="shuffle")
                        yield Label("Weak first", classes="label")
                        yield Switch(value=False, id="weak")
                    with Horizontal(classes="row"):
                        yield Label("Answer with", classes="label")
                        yield Select(ANSWER_MODES, value=self._default_mode(), allow_blank=False,
                                     id="answer-mode")
                    yield Static("", id="mic-status")
                    with Horizontal(classes="row"):
                        yield Label("Input device", classes="label")
                        yield Select([], prompt="default", id="device")
                    with Horizontal(classes="row"):
                        yield Label("Level", classes="label")
                        yield ProgressBar(total=60, show_eta=False, show_percentage=False, id="mic-level")
                        yield Static("", id="mic-reading")
                    with Horizontal(classes="row"):
                        yield Label("Voice speed", classes="label")
                        # what --speed set (it was always 1.0, and Start applied that)
                        yield Input(value=str(round(1.0 / app.settings.tts.length_scale, 2)), id="speed",
                                    type="number")
                    with Horizontal(classes="row"):
                        yield Label("End after silence (s)", classes="label wide")
                        yield Input(value=str(app.settings.vad.end_of_answer_silence_s), id="silence",
                                    type="number")
                    with Horizontal(classes="row"):
                        yield Label("Feedback after each answer", classes="label wide")
                        yield Switch(value=app.settings.session.feedback_each_answer, id="each")
                    with Horizontal(classes="row buttons"):
                        yield Button("Start  ⏎", id="start-btn", variant="success")
                        yield Button("Mic check (m)", id="mic-btn")
                        yield Button("History (h)", id="history-btn")
                # outside the scrolling form: always on screen, whatever the terminal's height
                models = Static(app.models_status() if app.preload else "", id="models")
                models.display = bool(app.preload)  # nothing loads in the background: no line
                yield models
        yield Footer()

    def _default_mode(self) -> str:
        app: Any = self.app
        return "typed" if app.mode == "typed" else "live"

    def on_mount(self) -> None:
        scripts = self.query_one("#scripts", ListView)
        scripts.index = 0
        scripts.focus()  # up/down choose a script and Enter starts it, from the first key
        self._from_command_line()
        self._restore()
        self._show_details()
        app: Any = self.app
        if app.check_mic:
            # after the first paint: PortAudio's start and the imports would delay it
            self.call_after_refresh(self._probe_devices)
        else:
            self.query_one("#mic-status", Static).update("Microphone not checked.")

    # --- the form, kept for the next session ---------------------------------------------------

    def _remember(self) -> None:
        """Keep the form's choices for the next start screen of this run ("New session")."""
        app: Any = self.app
        app.start_choices = {"script": self.query_one("#scripts", ListView).index,
                             **{field: self.query_one(field).value for field in KEPT_FIELDS}}

    def _from_command_line(self) -> None:
        """`oral-sim practice --script ID --questions N`: that script highlighted, N asked."""
        app: Any = self.app
        if app.script_id:
            names = [item.name for item in self.query_one("#scripts", ListView).children]
            if app.script_id in names:
                self.query_one("#scripts", ListView).index = names.index(app.script_id)
        if app.question_count:
            self.query_one("#count", Input).value = str(app.question_count)

    def _restore(self) -> None:
        app: Any = self.app
        choices = app.start_choices or {}
        if choices.get("script") is not None:
            self.query_one("#scripts", ListView).index = choices["script"]
        for field in KEPT_FIELDS:
            if field in choices:
                self.query_one(field).value = choices[field]

    # --- details -----------------------------------------------------------------------------

    def _selected(self) -> str:
        lv = self.query_one("#scripts", ListView)
        item = lv.highlighted_child
        return item.name if item is not None and item.name else MIX

    @on(ListView.Highlighted, "#scripts")
    def _highlighted(self) -> None:
        self._show_details()

    @on(ListView.Selected, "#scripts")
    def _selected_item(self) -> None:
        self.action_start()

    def _show_details(self) -> None:
        app: Any = self.app
        sid = self._selected()
        details = self.query_one("#details", Static)
        for w in self.query(".mix-only"):
            w.display = sid == MIX
        # what an empty box means: a mix runs 5 questions, a script all of its own
        self.query_one("#count", Input).placeholder = "5" if sid == MIX else "all"
        if sid == MIX:
            details.update("[b]Practice mix[/b]\nQuestions from the whole bank, filtered by "
                           "category and difficulty; weak first picks what you scored lowest "
                           "on and what you have not seen for longest.")
            return
        script = app.bank.script(sid)
        minutes = sum(q.timebox_s for q in script.questions) / 60
        text = f"[b]{script.title}[/b]\n{len(script.questions)} questions, about {minutes:.0f} min"
        if script.description:
            text += f"\n[dim]{script.description}[/dim]"
        details.update(text)

    # --- microphone ------------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="devices")
    def _probe_devices(self) -> None:
        app: Any = self.app
        from oral_sim.engine.live import mic_available, speaker_available

        problem = mic_available(app.settings)
        app.speaker_problem = speaker_available(app.settings)
        devices: list[tuple[str, str]] = []
        if problem is None:
            try:
                from oral_sim.engine.audio import list_devices

                devices = [(d.name, str(d.index)) for d in list_devices() if d.max_input_channels > 0]
            except OralSimError:
                pass
        self.app.call_from_thread(self._devices_found, problem, devices)

    def _devices_found(self, problem: str | None, devices: list[tuple[str, str]]) -> None:
        app: Any = self.app
        app.mic_problem = problem
        status = self.query_one("#mic-status", Static)
        mode = self.query_one("#answer-mode", Select)
        # no speaker: the questions still show, and nothing said that they are not heard
        speaker = ("\n[b yellow]No speaker:[/] the questions are shown on screen, not heard."
                   if app.speaker_problem else "")
        if problem:
            said = problem[0].upper() + problem[1:]
            if not problem.lower().startswith("no microphone"):  # "No microphone: no microphone"
                said = f"No microphone: {problem}"
            status.update(f"[b red]{escape(said)}.[/] Practise with the simulated candidate (it "
                          "answers through the real speech pipeline) or type your answers."
                          + speaker)
            if mode.value == "live":
                mode.value = "demo"
        else:
            status.update("[green]Microphone found.[/] Press m to check the level." + speaker)
            self.query_one("#device", Select).set_options(devices)

    def action_mic_check(self) -> None:
        app: Any = self.app
        if app.mic_problem:
            self.notify(app.mic_problem, title="No microphone", severity="warning")
            return
        self._mic_stop.set()
        self._mic_stop = threading.Event()
        self._mic_level(self._mic_stop)

    @on(Button.Pressed, "#mic-btn")
    def _mic_btn(self) -> None:
        self.action_mic_check()

    @work(thread=True, exit_on_error=False, group="mic")
    def _mic_level(self, stop: threading.Event) -> None:
        import time

        from oral_sim.engine.audio import MicrophoneSource
        from oral_sim.engine.miccheck import LevelCheck

        app: Any = self.app
        bar = self.query_one("#mic-level", ProgressBar)
        reading = self.query_one("#mic-reading", Static)
        status = self.query_one("#mic-status", Static)
        device = _chosen(self.query_one("#device", Select).value)
        check = LevelCheck(app.settings.vad, app.settings.audio)
        self.app.call_from_thread(status.update, f"Listening for {MIC_CHECK_S:.0f} s: say a "
                                  "sentence as you would in the interview.")
        try:
            source = MicrophoneSource(app.settings.audio,
                                      device=int(device) if device is not None else None)
            try:
                t0 = time.monotonic()
                for frame in source:
                    if stop.is_set():
                        return
                    if time.monotonic() - t0 > MIC_CHECK_S:
                        break
                    db = check.feed(frame)
                    self.app.call_from_thread(_show_level, bar, reading, db)
            finally:
                # always, even when the app is gone mid-check: an open stream outliving its
                # Python objects crashes PortAudio's callback thread
                source.close()
        except OralSimError as exc:
            self.app.call_from_thread(self.notify, exc.message, title="Microphone", severity="error")
            self.app.call_from_thread(status.update, f"[b red]Microphone check failed:[/] {exc.message}")
            return
        good, line = check.verdict()
        self.app.call_from_thread(status.update, f"[green]{line}[/]" if good else f"[b yellow]{line}[/]")
        self.app.call_from_thread(reading.update, "")

    # --- actions -----------------------------------------------------------------------------------

    def _apply_settings(self) -> bool:
        app: Any = self.app
        try:
            speed = float(self.query_one("#speed", Input).value or 1.0)
            silence = float(self.query_one("#silence", Input).value or 2.5)
        except ValueError:
            self.notify("Voice speed and silence must be numbers.", severity="error")
            return False
        low, high = SPEED_RANGE  # the range --speed takes
        if not low <= speed <= high or not 1.0 <= silence <= 10.0:
            self.notify(f"Voice speed {low:g}-{high:g}, end-of-answer silence 1-10 s.",
                        severity="error")
            return False
        app.settings.tts.length_scale = 1.0 / speed
        app.settings.vad.end_of_answer_silence_s = silence
        app.settings.session.feedback_each_answer = self.query_one("#each", Switch).value
        device = _chosen(self.query_one("#device", Select).value)
        if device is not None:
            app.settings.audio.input_device = int(device)
        return True

    def action_start(self) -> None:
        from oral_sim.engine.plans import MixOptions, plan_for_script, plan_mix

        app: Any = self.app
        if not self._apply_settings():
            return
        mode = str(self.query_one("#answer-mode", Select).value)
        from oral_sim.engine import models
        from oral_sim.engine.background import load_problems

        try:  # the files first (at once), then what the background load found
            models.check(app.settings.asr.model if mode != "typed" else None,
                         app.settings.tts.voice)
        except OralSimError as exc:
            self.notify(f"{exc.message}\n{exc.hint or ''}".strip(), severity="error",
                        title="Cannot start: a model is missing", timeout=20)
            return
        # a model that failed to load stops the session now, not after the first answer
        for part in ("voice", "speech") if mode != "typed" else ("voice",):
            if part in load_problems:
                exc = load_problems[part]
                self.notify(f"{exc.message}\n{exc.hint or ''}".strip(), severity="error",
                            title=f"Cannot start: the {'speech model' if part == 'speech' else part}"
                                  " could not be loaded", timeout=20)
                return
        if mode == "live" and app.mic_problem:
            self.notify(f"{app.mic_problem}. Choose the simulated candidate or typed answers.",
                        title="No microphone", severity="warning")
            return
        raw = self.query_one("#count", Input).value.strip()
        if raw and not (raw.isdigit() and int(raw) > 0):
            self.notify(f"Questions: {raw!r} is not a number of questions; give 1 or more, or "
                        "leave it empty", severity="warning")
            return
        count = int(raw) if raw else None
        sid = self._selected()
        self._remember()
        self._mic_stop.set()
        try:
            if sid == MIX:
                cat = _chosen(self.query_one("#category", Select).value)
                diff = _chosen(self.query_one("#difficulty", Select).value)
                options = MixOptions(
                    categories=() if cat is None else (cat,),
                    difficulties=() if diff is None else (diff,),
                    count=count or 5,
                    shuffle=self.query_one("#shuffle", Switch).value,
                    weak_first=self.query_one("#weak", Switch).value,
                )
                from oral_sim.engine.store import Store

                with Store() as store:
                    plan = plan_mix(app.bank, options, store, mode=mode)
            else:
                plan = plan_for_script(app.bank, sid, count, mode=mode)
        except OralSimError as exc:
            self.notify(exc.message + (f"\n{exc.hint}" if exc.hint else ""), severity="error")
            return
        app.start_interview(plan, mode)

    @on(Button.Pressed, "#start-btn")
    def _start_btn(self) -> None:
        self.action_start()

    @on(Input.Submitted)
    def _start_from_a_field(self) -> None:
        """Enter in a field of the form starts, as it does on the script list (the field took
        the key, and nothing happened)."""
        self.action_start()

    def action_history(self) -> None:
        from oral_sim.ui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen())

    @on(Button.Pressed, "#history-btn")
    def _history_btn(self) -> None:
        self.action_history()

    def action_replay(self) -> None:
        from oral_sim.ui.screens.replay import ReplayScreen

        app: Any = self.app
        sid = self._selected()
        if sid == MIX:
            self.notify("Pick a script to replay.")
            return
        self.app.push_screen(ReplayScreen(app.bank.script(sid)))

    def on_screen_suspend(self) -> None:
        self._mic_stop.set()

    def on_unmount(self) -> None:
        self._mic_stop.set()  # quitting during a mic check must not leave the stream open


def _show_level(bar: ProgressBar, reading: Static, db: float) -> None:
    """The meter: -60 dBFS and below empty, 0 dBFS full; the figure beside it."""
    bar.update(progress=max(0.0, db + 60))
    reading.update(f"{db:4.0f} dB")


def _chosen(value: Any) -> str | None:
    """The value of a Select, or None when nothing is chosen."""
    return str(value) if isinstance(value, (str, int)) else None


def _categories(bank: Any) -> list[str]:
    from oral_sim.engine.bank_format import CATEGORIES

    present = {q.category for q in bank.all_questions()}
    return [c for c in CATEGORIES if c in present]
