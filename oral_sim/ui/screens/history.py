"""Review: the session list, one session's answers, all attempts at a question side by side, and
progress charts (plotext)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, ListItem, ListView, Static

from oral_sim.engine.metrics import LONG_PAUSE_S
from oral_sim.engine.progress import MODE_LABELS, simulated_note
from oral_sim.engine.shown import figure, whole
from oral_sim.errors import OralSimError
from oral_sim.ui.render import CHANGE_LABELS, feedback_card, transcript_text


def _fmt(x: Any, digits: int = 0) -> str:
    return figure(x, digits)


class HistoryScreen(Screen):
    """Every session, newest first."""

    BINDINGS = [Binding("escape,b", "app.pop_screen", "Back"), Binding("g", "progress", "Progress"),
                Binding("q", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="history-note")
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        from oral_sim.engine.store import Store

        table = self.query_one("#sessions", DataTable)
        # short headings and dates, and the script's title cut to what is left: every column
        # in sight at 80 columns (WPM and latency were off the right edge)
        table.add_columns("Date", "Script", "By", "Status", "Done", "Score", "Fill/min", "WPM",
                          "Lat. s")
        title_width = max(12, min(30, self.app.size.width - 72))
        try:
            with Store() as store:
                sessions = store.list_sessions()
        except OralSimError as exc:
            self.query_one("#history-note", Static).update(
                Text(f"{exc.message}\n{exc.hint or ''}", style="red"))
            return
        if not sessions:
            self.query_one("#history-note", Static).update("No sessions yet.")
        for s in sessions:
            title = (s.script_title if len(s.script_title) <= title_width
                     else s.script_title[: title_width - 1] + "…")
            table.add_row(_when(s.started_at), title, MODE_LABELS.get(s.mode, s.mode), s.status,
                          s.done, _fmt(s.avg_score), _fmt(s.fillers_per_min, 1),
                          _fmt(s.avg_wpm), _fmt(s.avg_latency_s, 1), key=s.id)
        table.focus()

    @on(DataTable.RowSelected, "#sessions")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(SessionScreen(str(event.row_key.value)))

    def action_progress(self) -> None:
        self.app.push_screen(ProgressScreen())


def _when(started_at: str) -> str:
    """"12-02 09:30" for a session of this year, "2025-12-02" for an older one."""
    from datetime import datetime

    if started_at[:4] == str(datetime.now().year):
        return started_at[5:16].replace("T", " ")
    return started_at[:10]


class SessionScreen(Screen):
    """One session: its answers on the left, the chosen answer in full on the right."""

    BINDINGS = [Binding("escape,b", "app.pop_screen", "Back"),
                Binding("c", "compare", "Compare attempts"),
                Binding("p", "replay", "Replay session"), Binding("q", "app.quit", "Quit")]

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self.record: Any = None
        self.rows: list[tuple[Any, Any]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="session-view"):
            yield ListView(id="answers")
            with VerticalScroll(id="answer-view"):
                yield Static("", id="answer-head")
                yield Static("", id="answer-timeline")
                yield Static("", id="answer-transcript")
                yield Static("", id="answer-card")
        yield Footer()

    def on_mount(self) -> None:
        from oral_sim.engine.store import Store

        try:
            with Store() as store:
                self.record = store.get_session(self.session_id)
        except OralSimError as exc:
            self.query_one("#answer-head", Static).update(Text(exc.message, style="red"))
            return
        lv = self.query_one("#answers", ListView)
        from oral_sim.engine.export import question_numbers

        for q, number in zip(self.record.questions, question_numbers(self.record), strict=True):
            n = len(q.attempts)
            for k, a in enumerate(q.attempts or [None], 1):
                score = "-" if a is None or a.score is None else f"{a.score:.0f}"
                tag = "F" if q.is_follow_up else f"Q{number}"
                # answered again: each answer its own row, numbered; the ones the last replaced
                # (the session's figures count the last) dimmed
                again = f"answer {k}/{n}: " if n > 1 else ""
                label = f"{tag:<3}{score:>3}  {(again + q.prompt)[:38]}"  # "F", "Q2", "Q12" line up
                self.rows.append((q, a))
                lv.append(ListItem(Label(Text(label, style="dim" if k < n else ""))))
        if self.rows:
            lv.index = 0
            self._show(0)
        lv.focus()

    @on(ListView.Highlighted, "#answers")
    def _highlight(self, event: ListView.Highlighted) -> None:
        lv = self.query_one("#answers", ListView)
        if lv.index is not None:
            self._show(lv.index)

    def _show(self, index: int) -> None:
        q, a = self.rows[index]
        head = Text(q.prompt, style="bold")
        head.append(f"\n{q.question_id} · {q.category} · timebox {q.timebox_s} s", style="dim")
        self.query_one("#answer-head", Static).update(head)
        if a is None:
            from oral_sim.engine.export import unanswered

            self.query_one("#answer-transcript", Static).update(
                Text(unanswered(self.record, q), style="italic"))
            self.query_one("#answer-card", Static).update("")
            self.query_one("#answer-timeline", Static).update("")
            return
        from oral_sim.engine.export import attempt_note

        if note := attempt_note(q.attempts, a):
            head.append(f"\n{note}", style="dim" if a is q.attempts[-1] else "yellow")
        if a.audio_path and a.audio_file() is None:
            head.append(f"\naudio file {a.audio_path} is missing", style="yellow")
        try:
            from oral_sim.engine.bank import load_bank

            load_bank().asked(q.question_id, q.prompt)  # a follow-up: its probe
        except OralSimError:
            head.append("\nthis question is no longer in the bank", style="yellow")
        self.query_one("#answer-head", Static).update(head)
        # the line and its "  NN s" within the pane, a scrollbar included (it wrapped at 60)
        room = self.query_one("#answer-view").scrollable_content_region.width
        width = max(20, min(100, room - 10)) if room else 50
        self.query_one("#answer-timeline", Static).update(timeline(a.transcript, a.feedback,
                                                                   width))
        self.query_one("#answer-transcript", Static).update(transcript_text(a.transcript, a.feedback))
        self.query_one("#answer-card", Static).update(feedback_card(a.feedback or {}))

    def action_compare(self) -> None:
        lv = self.query_one("#answers", ListView)
        if lv.index is not None and self.rows:
            from oral_sim.engine.store import SIMULATED_MODE

            # from a simulated candidate's session, its attempts too; else the user's own
            self.app.push_screen(CompareScreen(self.rows[lv.index][0].question_id,
                                               simulated=self.record.mode == SIMULATED_MODE))

    def action_replay(self) -> None:
        from oral_sim.engine.replay import session_lines
        from oral_sim.ui.screens.replay import ReplayScreen

        if self.record is not None:
            self.app.push_screen(ReplayScreen(None, lines=session_lines(self.record),
                                              title=self.record.script_title))


def timeline(transcript: dict, feedback: dict | None, width: int = 60) -> Text:
    """The answer as one line: speech █, pauses ·, long pauses ▁ in magenta, fillers ▲ in orange."""
    words = [w for w in transcript.get("words") or [] if w.get("source") != "voiced_gap"]
    if not words:
        return Text("")
    end = max(w["end_s"] for w in words) or 1.0
    cells = [" "] * width
    for w in words:
        a = int(w["start_s"] / end * (width - 1))
        b = max(a, int(w["end_s"] / end * (width - 1)))
        for i in range(a, b + 1):
            cells[i] = "█"
    text = Text()
    fb = feedback or {}
    longs = ((fb.get("pace") or {}).get("pauses") or {}).get("long", [])
    fills = [i["start_s"] for i in (fb.get("fillers") or {}).get("items", []) if i.get("start_s") is not None]
    long_cells = {int((p["start_s"] + d) / end * (width - 1)) for p in longs
                  for d in (0, p["duration_s"] / 2)}
    fill_cells = {int(s / end * (width - 1)) for s in fills}
    for i, c in enumerate(cells):
        if i in fill_cells:
            text.append("▲", style="bold #f6ad55")
        elif i in long_cells and c == " ":
            text.append("▁", style="bold magenta")
        else:
            text.append(c if c != " " else "·", style="cyan" if c != " " else "dim")
    # the answer's length as the card and the reports give it (the same one rounding)
    length = (fb.get("timebox") or {}).get("duration_s")
    text.append(f"  {whole(length if isinstance(length, int | float) else end)} s", style="dim")
    text.append("\n")
    text.append_text(TIMELINE_LEGEND)
    return text


#: What the timeline's marks mean, in their own colours, under it.
TIMELINE_LEGEND = Text.assemble(("█", "cyan"), (" speech  ", "dim"), ("·", "dim"), (" pause  ", "dim"),
                                ("▁", "bold magenta"), (f" pause over {LONG_PAUSE_S:g} s  ", "dim"),
                                ("▲", "bold #f6ad55"), (" filler", "dim"))


#: How many attempts the compare screen shows side by side (the newest).
SHOWN_ATTEMPTS = 3


class CompareScreen(Screen):
    """All attempts at one question, side by side, with what changed."""

    BINDINGS = [Binding("escape,b", "app.pop_screen", "Back"), Binding("q", "app.quit", "Quit")]

    def __init__(self, question_id: str, simulated: bool = False) -> None:
        super().__init__()
        self.question_id = question_id
        self.simulated = simulated
        """The simulated candidate's attempts instead of the user's (opened from one of its
        sessions)."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Attempts at {self.question_id}", id="compare-title")
        yield Horizontal(id="compare")
        yield Footer()

    def on_mount(self) -> None:
        from oral_sim.engine.progress import compare_attempts
        from oral_sim.engine.store import Store

        box = self.query_one("#compare", Horizontal)
        try:
            with Store() as store:
                rows = compare_attempts(store, self.question_id, self.simulated)
        except OralSimError as exc:
            box.mount(Static(Text(exc.message, style="red")))
            return
        if len(rows) > SHOWN_ATTEMPTS:  # the older ones left out without a word
            self.query_one("#compare-title", Static).update(
                f"Attempts at {self.question_id}: the last {SHOWN_ATTEMPTS} of {len(rows)}")
        if not rows:  # a skipped question: the screen was blank under its title
            whose = " by the simulated candidate" if self.simulated else " of your own"
            box.mount(Static(Text(f"No answers{whose} to {self.question_id} yet: it was skipped "
                                  "or not reached. Esc goes back.", style="yellow")))
            return
        for row in rows[-SHOWN_ATTEMPTS:]:
            a = row["attempt"]
            text = Text(f"{a.created_at[:16].replace('T', ' ')}\n", style="bold")
            text.append(f"score {_fmt(a.score)} · {_fmt(a.wpm)} WPM · fillers {_fmt(a.fillers_per_min, 1)}/min"
                        f" · latency {_fmt(a.latency_s, 1)} s\n")
            for ch in row["changes"]:
                if ch.better is None:
                    continue
                style = "green" if ch.better else "red"
                label, digits = CHANGE_LABELS.get(ch.metric, (ch.metric, 1))
                text.append(f"{label}: {_fmt(ch.before, digits)} → {_fmt(ch.after, digits)}\n",
                            style=style)
            if row["diff"]:
                text.append("said differently ([-before-] {+after+}): ", style="bold")
                text.append_text(diff_text(row["diff"][:40]))
                text.append("\n")
            text.append("\n")
            text.append_text(transcript_text(a.transcript, a.feedback))
            col = VerticalScroll(Static(text), classes="attempt")
            box.mount(col)


def diff_text(diff: list[str]) -> Text:
    """Word changes ("-word" / "+word") as runs marked the way wdiff marks them, "[-gone-]
    {+new+}", and coloured: the marks read without colour and survive a copy (colour alone made
    "and unsupervised are two ... trains on labeled data" of two sentences mixed)."""
    text = Text()
    runs: list[tuple[str, list[str]]] = []
    for d in diff:
        if runs and runs[-1][0] == d[0]:
            runs[-1][1].append(d[1:])
        else:
            runs.append((d[0], [d[1:]]))
    for sign, words in runs:
        open_, close, style = ("{+", "+}", "green") if sign == "+" else ("[-", "-]", "red strike")
        text.append(open_, style="dim")
        text.append(" ".join(words), style=style)
        text.append(close + " ", style="dim")
    return text


class ProgressScreen(Screen):
    """Charts over sessions: score, fillers/min, WPM; the mean score of each category."""

    BINDINGS = [Binding("escape,b", "app.pop_screen", "Back"), Binding("q", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Vertical(id="progress")
        yield Footer()

    def on_mount(self) -> None:
        from oral_sim.engine.progress import by_category, series, simulated_count
        from oral_sim.engine.store import Store
        from oral_sim.ui.charts import MetricChart, MetricSeries, category_table

        try:
            with Store() as store:
                points = series(store)
                cats = by_category(store)
                simulated = simulated_count(store)
        except OralSimError as exc:
            self.notify(exc.message, severity="error")
            return
        charts = [
            MetricChart(MetricSeries("score", "Score", "Score", [p.score for p in points],
                                     best="max"), id="chart-score"),
            MetricChart(MetricSeries("fillers_per_min", "Fillers per minute", "Fillers/min",
                                     [p.fillers_per_min for p in points], digits=1, best="min"),
                        id="chart-fillers"),
            MetricChart(MetricSeries("wpm", "Words per minute", "WPM", [p.wpm for p in points]),
                        id="chart-wpm"),
        ]
        title = ("Mean score by category (answers)" if cats
                 else "Mean score by category: no answers yet")
        category = Vertical(Static(title, classes="chart-title"),
                            VerticalScroll(Static(category_table(cats)), id="category-bars"),
                            id="chart-category")
        if simulated:
            self.query_one("#progress").mount(Static(simulated_note(simulated), id="progress-note"))
        self.query_one("#progress").mount(Horizontal(*charts[:2], classes="chart-row"),
                                          Horizontal(charts[2], category, classes="chart-row"))
