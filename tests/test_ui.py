"""The app driven by Textual's Pilot: a whole session with the simulated candidate through the real
engine, typed answers, the no-microphone path, review screens, a small terminal, and SVG snapshots
of each screen (pytest-textual-snapshot)."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import threading
from pathlib import Path

import pytest
from seeded import answered_twice

from oral_sim import locations
from oral_sim.config import Settings
from oral_sim.engine import session as ev
from oral_sim.engine.bank import load_bank
from oral_sim.engine.feedback import Feedback
from oral_sim.engine.session import SessionSummary
from oral_sim.engine.shown import whole
from oral_sim.engine.store import Store
from oral_sim.engine.transcript import Segment, Transcript, Word
from oral_sim.ui.app import make_app

pytestmark = pytest.mark.xdist_group("ui")


def _app(**kw):
    opts = dict(check_mic=False, preload=False, realtime=False, answer_sentences=1)
    opts.update(kw)
    mode = opts.pop("mode", None)
    return make_app(Settings(), mode=mode, **opts)


async def _until(pilot, cond, timeout_s: float = 120.0) -> None:
    for _ in range(int(timeout_s / 0.1)):
        if cond():
            return
        await pilot.pause(0.1)
    raise AssertionError("timed out waiting for the app")


async def _whole_demo_session_through_the_real_engine() -> None:
    app = _app(mode="demo", script_id="ml-questions", questions=2)
    async with app.run_test(size=(100, 22)) as pilot:
        seen_questions, cards = [], []
        while type(app.screen).__name__ != "SummaryScreen":
            await _until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen"
                         or getattr(app.screen, "waiting_next", False))
            scr = app.screen
            if type(scr).__name__ == "InterviewScreen":
                seen_questions.append(str(scr.query_one("#question").render()))
                cards.append(scr.query_one("#feedback").render())
                live = str(scr.query_one("#live").render())
                assert live.strip(), "the transcript of the answer is shown"
                # each card opens at its top, with the keys scrolling it (it kept the last
                # card's place, and needed the mouse)
                box = scr.query_one("#feedback-box")
                await pilot.pause(0.2)
                assert box.has_focus and box.scroll_y == 0
                await pilot.press("end")
                await pilot.pause(0.2)
                assert box.scroll_y == box.max_scroll_y > 0  # 22 rows: every card scrolls
                # the footer offers the keys that work now: next, not stop / skip
                offered = set(scr.active_bindings)
                assert "n" in offered and not offered & {"space", "s", "r", "p"}, offered
                await pilot.press("n")
                await pilot.pause(0.2)
        bank = load_bank()
        assert "supervised and unsupervised" in seen_questions[0]
        assert bank.question("mlq-002").prompt in " ".join(seen_questions)
        summary = app.screen
        assert summary.summary.answered >= 2 and summary.summary.avg_score is not None
        svg = app.export_screenshot()
        shown = "".join(re.findall(r"<text[^>]*>(.*?)</text>", svg)).replace("&#160;", " ")
        assert re.search(rf"Average score\s+{whole(summary.summary.avg_score)}/100", shown), shown
        assert re.search(rf"Answered\s+{summary.summary.answered} of \d+ \(skipped 0", shown), shown
    with Store() as store:
        (s,) = store.list_sessions()
        assert s.status == "completed" and s.answered >= 2

def test_whole_demo_session_through_the_real_engine() -> None:
    asyncio.run(_whole_demo_session_through_the_real_engine())



async def _typed_answers_get_content_feedback() -> None:
    app = _app(mode=None)
    async with app.run_test(size=(100, 34)) as pilot:
        screen = app.screen
        screen.query_one("#scripts").index = 1  # the oral interview
        screen.query_one("#answer-mode").value = "typed"
        screen.query_one("#count").value = "1"
        await pilot.press("enter")
        answers = 0
        while type(app.screen).__name__ != "SummaryScreen":
            await _until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen"
                         or getattr(app.screen, "waiting_next", False)
                         or (type(app.screen).__name__ == "InterviewScreen"
                             and app.screen.query_one("#typed").display))
            scr = app.screen
            if type(scr).__name__ != "InterviewScreen":
                break
            # no level meter or answer clock for a typed answer (its card says "not timed")
            assert not scr.query_one("#meters").display
            if scr.waiting_next:
                await pilot.press("n")
            else:
                # Esc leaves the answer box for the keys (s, r, q), and Esc goes back to it
                box = scr.query_one("#typed")
                # the box takes every letter, so the footer offers Esc (it showed no key at all)
                offered = {b.binding.action for b in scr.active_bindings.values() if b.enabled}
                assert "leave_answer_box" in offered and "skip" not in offered, offered
                await pilot.press("escape")
                assert not box.has_focus and "s skip" in str(scr.query_one("#status").render())
                offered = {b.binding.action for b in scr.active_bindings.values() if b.enabled}
                assert {"back_to_answer_box", "skip", "repeat"} <= offered, offered
                await pilot.press("escape")
                assert box.has_focus
                scr.query_one("#typed").value = (
                    "I have seven years of experience in machine learning, the last four as a "
                    "senior machine learning engineer on models serving 80 million users.")
                await pilot.press("enter")
                answers += 1
            await pilot.pause(0.3)
        assert answers >= 1
        card = app.screen.feedbacks[0][1].to_dict()
        assert card["content"]["score"] >= 50 and card["pace"] is None
        from rich.console import Console

        from oral_sim.ui.render import feedback_card

        console = Console(width=100, record=True)
        console.print(feedback_card(card))
        shown = console.export_text()
        assert "typed, not timed" in shown and "0:00 of" not in shown, shown


def test_typed_answers_get_content_feedback() -> None:
    asyncio.run(_typed_answers_get_content_feedback())


async def _a_question_can_be_answered_again_from_its_card() -> None:
    app = _app(mode=None)
    app.settings.session.ask_follow_ups = False
    bank = load_bank()
    async with app.run_test(size=(100, 34)) as pilot:
        screen = app.screen
        screen.query_one("#scripts").index = 0  # the ML questions
        screen.query_one("#answer-mode").value = "typed"
        screen.query_one("#count").value = "2"
        await pilot.press("enter")

        async def card_or_box():
            await _until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen"
                         or getattr(app.screen, "waiting_next", False)
                         or (type(app.screen).__name__ == "InterviewScreen"
                             and app.screen.query_one("#typed").has_focus))
            await pilot.pause(0.2)
            return app.screen

        async def answer(text: str):
            scr = await card_or_box()
            assert not scr.waiting_next
            scr.query_one("#typed").value = text
            await pilot.press("enter")
            scr = await card_or_box()
            assert scr.waiting_next
            # the typed answer stays above its card (the box was empty: it showed heard words)
            assert text[:40] in str(scr.query_one("#live").render())
            return scr

        # the first question: a poor answer, then answered again from its card, well
        scr = await answer("I am not sure, it depends on the data I guess.")
        first = scr.feedbacks[-1][1].to_dict()["content"]["score"]
        assert "a" in set(scr.active_bindings)  # the footer offers it with the card
        await pilot.press("a")
        scr = await card_or_box()
        assert "answer 2" in str(scr.query_one("#q-head").render())
        q1 = next(q for q, _ in scr.feedbacks)
        scr = await answer(q1.reference_answer)
        second = scr.feedbacks[-1][1].to_dict()["content"]["score"]
        assert second > first + 20
        card = "".join(re.findall(r"<text[^>]*>(.*?)</text>", app.export_screenshot())).replace(
            "&#160;", " ")
        assert f"Answer 2 against answer 1: score {first:.0f} → {second:.0f}" in card, card
        assert len(scr.feedbacks) == 1  # the new answer took the old one's place
        await pilot.press("n")
        # the second question: answered, then "a", then skipped: the answer before stands
        scr = await answer("Bias is error from wrong assumptions and variance is sensitivity "
                           "to the training data.")
        kept = scr.feedbacks[-1][1]
        await pilot.press("a")
        scr = await card_or_box()
        await pilot.press("escape")
        await pilot.press("s")
        await _until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen")
        summary = app.screen.summary
        assert (summary.answered, summary.skipped) == (2, 0)
        assert summary.avg_score == pytest.approx((second + kept.to_dict()["content"]["score"]) / 2,
                                                  abs=0.6)
        assert app.screen.feedbacks[-1][1] is kept
    with Store() as store:
        (s,) = store.list_sessions()
        record = store.get_session(s.id)
        assert [len(q.attempts) for q in record.questions] == [2, 1]  # both answers kept
        assert record.questions[0].attempts[0].score == first
        assert s.answered == 2 and s.avg_score == pytest.approx(summary.avg_score, abs=0.6)
    assert bank.question(record.questions[0].question_id).prompt == q1.prompt


def test_a_question_can_be_answered_again_from_its_card() -> None:
    asyncio.run(_a_question_can_be_answered_again_from_its_card())



async def _no_microphone_offers_the_simulated_candidate(monkeypatch) -> None:
    monkeypatch.setattr("oral_sim.engine.live.mic_available",
                        lambda settings: "no microphone (input device) was found")
    app = _app(check_mic=True)
    async with app.run_test(size=(100, 34)) as pilot:
        await _until(pilot, lambda: "No microphone" in str(app.screen.query_one("#mic-status").render()))
        assert app.screen.query_one("#answer-mode").value == "demo"
        assert "simulated" in str(app.screen.query_one("#mic-status").render())

def test_no_microphone_offers_the_simulated_candidate(monkeypatch) -> None:
    asyncio.run(_no_microphone_offers_the_simulated_candidate(monkeypatch))



async def _bad_bank_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bank.yaml"
    bad.write_text("script: x\ntitle: t\nquestions: [oops\n")
    app = make_app(Settings(), bank_path=bad, check_mic=False, preload=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == "ErrorScreen"
        assert f"{bad}:" in str(app.screen.query_one("#error-message").render())

def test_bad_bank_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    asyncio.run(_bad_bank_is_a_message_not_a_traceback(tmp_path))



async def _quit_keeps_the_session_and_small_terminal_works() -> None:
    app = _app(mode="demo", script_id="ml-questions", questions=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: getattr(app.screen, "waiting_next", False))
        # smaller still, mid-session: the screen keeps its keys and its status line
        await pilot.resize_terminal(60, 18)
        await pilot.pause(0.3)
        assert app.size == (60, 18)
        assert app.has_class("-narrow")  # the fixed widths give way (app.tcss)
        shown = "".join(re.findall(r"<text[^>]*>(.*?)</text>", app.export_screenshot()))
        assert "Feedback below" in shown.replace("&#160;", " "), shown
        await pilot.press("q")
        await pilot.pause(0.1)
        await pilot.press("y")
        await _until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen")
        assert app.screen.status == "interrupted"
    with Store() as store:
        (s,) = store.list_sessions()
        assert s.status == "interrupted" and s.answered >= 1

def test_quit_keeps_the_session_and_small_terminal_works() -> None:
    asyncio.run(_quit_keeps_the_session_and_small_terminal_works())


async def _ctrl_q_asks_first_and_is_no_crash() -> None:
    """Ctrl+Q (and the command palette's Quit) ended the app under a running interview: the
    session's last event then found no app, and a bug log was saved every time (helper's
    sweep, 2026-12-04). Now it asks as q does; asked again, the app ends, the session is kept,
    and nothing is logged as a crash."""
    from oral_sim import locations

    app = _app(mode="typed", script_id="ml-questions", questions=2)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press("enter")
        await _until(pilot, lambda: getattr(app.screen, "listening", False))
        await pilot.press("ctrl+q")
        await _until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await pilot.press("ctrl+q")
        await _until(pilot, lambda: not app.is_running, timeout_s=10)
    assert app.exit_message and "kept" in app.exit_message
    statuses: list[str] = []
    for _ in range(50):  # the session's worker ends on its own thread
        with Store() as store:
            statuses = [s.status for s in store.list_sessions()]
        if statuses == ["interrupted"]:
            break
        await asyncio.sleep(0.1)
    assert statuses == ["interrupted"]
    assert not list(locations.logs_dir().glob("error-*.txt"))


def test_ctrl_q_asks_first_and_is_no_crash() -> None:
    asyncio.run(_ctrl_q_asks_first_and_is_no_crash())



# --- review screens and snapshots ------------------------------------------------------------


def _seed_history() -> str:
    q = load_bank().question("mlq-002")
    words = [Word(w, 0.8 + i * 0.4, 1.1 + i * 0.4) for i, w in enumerate(
        "Um overfitting is when the model memorizes noise so it does not generalize".split())]
    t = Transcript(words=words, segments=[Segment(0.8, 6.0, " ".join(w.word for w in words))],
                   duration_s=7.0)
    from oral_sim.engine.feedback import build_feedback

    fb = build_feedback(t, q)
    with Store() as store:
        rec = store.start_session("ml-questions", "Machine Learning Engineer Interview Questions",
                                  "live", {})
        for n in (1, 2):
            asked = store.add_question(rec.id, n, q.id, q.prompt, q.category, q.timebox_s)
            store.add_attempt(asked, None, t.to_dict(), fb.to_dict(), False, score=60 + n, wpm=140,
                              fillers_per_min=8.0, fillers_count=1, latency_s=0.8, duration_s=6.0,
                              key_points_missed=2)
        store.finish_session(rec.id, "completed")
    db = sqlite3.connect(locations.database_path())
    db.execute("UPDATE sessions SET started_at = '2026-11-20T09:30:00+00:00'")
    db.execute("UPDATE attempts SET created_at = '2026-11-20T09:31:00+00:00'")
    db.commit()
    db.close()
    return rec.id


async def _history_session_compare_and_progress_screens(size: tuple[int, int]) -> None:
    _seed_history()
    app = _app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("h")
        await pilot.pause(0.3)
        table = app.screen.query_one("#sessions")
        assert table.row_count == 1
        # every column inside the view, at 80x24 too: WPM and latency were off its right edge
        assert table.virtual_size.width <= table.scrollable_content_region.width, (
            table.virtual_size, table.scrollable_content_region)
        shown = "".join(re.findall(r"<text[^>]*>(.*?)</text>", app.export_screenshot()))
        assert "WPM" in shown and "Lat. s" in shown.replace("&#160;", " ")
        assert re.search(r"\bmic\b", shown), shown  # who answered: the user, by microphone
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "SessionScreen"
        transcript = str(app.screen.query_one("#answer-transcript").render())
        assert "overfitting" in transcript
        await pilot.press("c")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "CompareScreen"
        shown = " ".join(str(w.render()) for w in app.screen.query(".attempt Static"))
        assert "score: 61 → 62" in shown and "score: 61.0" not in shown, shown
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.press("g")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "ProgressScreen"


@pytest.mark.parametrize("size", [(110, 34), (80, 24)])
def test_history_session_compare_and_progress_screens(size: tuple[int, int]) -> None:
    asyncio.run(_history_session_compare_and_progress_screens(size))


def test_snapshot_start_screen(snap_compare) -> None:
    assert snap_compare(_app(), terminal_size=(100, 30))


def test_snapshot_start_screen_80x24(snap_compare) -> None:
    assert snap_compare(_app(), terminal_size=(80, 24))


def test_snapshot_interview_screen(snap_compare) -> None:
    from oral_sim.engine.plans import plan_for_script
    from oral_sim.ui.screens.interview import InterviewScreen

    bank = load_bank()
    q = bank.question("oral-02")
    words = [Word(w, 0.5 + i * 0.35, 0.8 + i * 0.35) for i, w in
             enumerate("I designed and um deployed a recommendation system".split())]

    async def drive(pilot) -> None:
        app = pilot.app
        app.push_screen(InterviewScreen(plan_for_script(bank, "oral-interview", 3, "demo"), "demo",
                                        autostart=False))
        await pilot.pause(0.2)
        scr = app.screen
        for event in (ev.QuestionAsked(q, 2, 3, False), ev.ListeningStarted(150, Path("x.wav")),
                      ev.Level(-18.0, 42.0, True), ev.PartialTranscript(Transcript(words=words))):
            scr.on_engine_event(event)
        await pilot.pause(0.2)

    assert snap_compare(_app(), terminal_size=(100, 30), run_before=drive)


def test_snapshot_summary_with_feedback_card(snap_compare) -> None:
    from oral_sim.ui.screens.summary import SummaryScreen

    bank = load_bank()
    q = bank.question("mlq-002")
    fb = Feedback.from_dict({
        "question_id": q.id, "transcript": {"text": "Um overfitting is memorizing noise."},
        "fillers": {"count": 1, "per_min": 6.0, "per_100_words": 20.0, "by_text": {"um": 1},
                    "items": [{"text": "um", "kind": "filled_pause", "start_s": 0.4}]},
        "pace": {"wpm": 150.0, "articulation_wpm": 170.0, "response_latency_s": 0.9,
                 "verdict": "good", "pauses": {"count": 2, "longest_s": 2.4, "per_min": 12.0,
                                               "long_count": 1, "long": [{"start_s": 3.0, "duration_s": 2.4}]}},
        "timebox": {"timebox_s": 120, "duration_s": 10.0, "status": "under", "delta_s": -110.0},
        "content": {"score": 58, "similarity": 0.71, "coverage": 0.43,
                    "parts": {"similarity_points": 43.0, "coverage_points": 15.0},
                    "key_points": [{"text": q.key_points[0], "covered": True,
                                    "evidence": "overfitting is memorizing noise", "similarity": 0.8},
                                   {"text": q.key_points[2], "covered": False, "evidence": None,
                                    "similarity": 0.2}],
                    "structure": None, "notes": []}})
    summary = SessionSummary(answered=1, skipped=0, avg_score=58.0, avg_wpm=150.0,
                             fillers_per_min=6.0, fillers=1, avg_latency_s=0.9,
                             missed_key_points=[(q.id, q.key_points[2])], planned=1)

    async def drive(pilot) -> None:
        pilot.app.push_screen(SummaryScreen("20261120-093000-abcd", "completed", summary, [(q, fb)]))
        await pilot.pause(0.2)

    assert snap_compare(_app(), terminal_size=(100, 40), run_before=drive)


def test_snapshot_history_screen(snap_compare) -> None:
    _seed_history()

    async def drive(pilot) -> None:
        await pilot.press("h")
        await pilot.pause(0.3)

    assert snap_compare(_app(), terminal_size=(100, 24), run_before=drive)


def test_snapshot_session_answer_view(snap_compare) -> None:
    sid = _seed_history()

    async def drive(pilot) -> None:
        from oral_sim.ui.screens.history import SessionScreen

        pilot.app.push_screen(SessionScreen(sid))
        await pilot.pause(0.3)

    assert snap_compare(_app(), terminal_size=(110, 34), run_before=drive)


def test_snapshot_compare_attempts(snap_compare) -> None:
    _seed_history()

    async def drive(pilot) -> None:
        from oral_sim.ui.screens.history import CompareScreen

        pilot.app.push_screen(CompareScreen("mlq-002"))
        await pilot.pause(0.3)

    assert snap_compare(_app(), terminal_size=(110, 30), run_before=drive)


async def _compare_without_answers_says_so() -> None:
    """A skipped question's compare screen was blank under its title (helper's sweep)."""
    from oral_sim.ui.screens.history import CompareScreen

    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(CompareScreen("mlq-017"))
        await pilot.pause(0.3)
        shown = " ".join(str(w.render()) for w in app.screen.query("#compare Static"))
        assert "No answers of your own to mlq-017 yet" in shown, shown


def test_compare_without_answers_says_so() -> None:
    asyncio.run(_compare_without_answers_says_so())


def test_snapshot_progress_charts(snap_compare) -> None:
    _seed_history()

    async def drive(pilot) -> None:
        from oral_sim.ui.screens.history import ProgressScreen

        pilot.app.push_screen(ProgressScreen())
        await pilot.pause(0.3)

    assert snap_compare(_app(), terminal_size=(110, 30), run_before=drive)


async def _replay_screen_follows_the_conversation() -> None:
    from oral_sim.ui.screens.replay import ReplayScreen

    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        script = app.bank.script("oral-interview")
        app.push_screen(ReplayScreen(script))
        await _until(pilot, lambda: bool(app.screen.query(".current")), 60)
        first = app.screen.query_one(".current").id
        await pilot.press("s")
        await _until(pilot, lambda: app.screen.query_one(".current").id != first, 60)
        now = app.screen.query_one(".current").id
        assert int(now.split("-")[1]) > int(first.split("-")[1])  # the text follows the audio
        assert len(app.screen.query(".current")) == 1
        await pilot.press("b")


def test_replay_screen_follows_the_conversation() -> None:
    asyncio.run(_replay_screen_follows_the_conversation())


class _HeldVoice:
    """Stands in for the replay's voice: a turn lasts until it is skipped or `next()` lets it end.
    There is no sound card here, and without one the real voice goes through the whole script
    in a few seconds, too fast to look at the screen during each turn."""

    def __init__(self) -> None:
        self._ends = threading.Semaphore(0)
        self.closed = threading.Event()
        self.replayer = None

    def speak(self, replayer, line, cancel: threading.Event) -> None:  # noqa: ANN001
        self.replayer = replayer
        while not (cancel.is_set() or self.closed.is_set() or self._ends.acquire(timeout=0.05)):
            pass

    def next(self) -> None:
        self._ends.release()

    def close(self) -> None:
        """Let the replay's thread end (a failed test leaves the replay playing, and the test
        would wait for that thread for ever, paused or not)."""
        self.closed.set()
        if self.replayer is not None:
            self.replayer.stop()


def _held_replay(monkeypatch) -> _HeldVoice:  # noqa: ANN001
    from oral_sim.engine.replay import Replayer

    voice = _HeldVoice()
    monkeypatch.setattr(Replayer, "_speak_line",
                        lambda replayer, line, cancel: voice.speak(replayer, line, cancel))
    return voice


def _turn_in_view(screen) -> tuple:  # noqa: ANN001
    """The turn being spoken, its region on screen, and the visible part of the replay view."""
    turn = screen.query_one(".current")
    return turn, turn.region, screen.query_one("#replay").scrollable_content_region


async def _next_turn(pilot, action) -> None:  # noqa: ANN001
    """Do `action` (a key, or a callable) and wait for the next turn and the scroll to settle."""
    screen = pilot.app.screen
    before = screen.query_one(".current").id
    if callable(action):
        action()
    else:
        await pilot.press(action)
    await _until(pilot, lambda: screen.query_one(".current").id != before, 30)
    view = screen.query_one("#replay")
    await pilot.pause(0.1)
    await _until(pilot, lambda: view.scroll_y == view.scroll_target_y, 10)
    await pilot.pause(0.1)


async def _replay_keeps_the_turn_being_spoken_in_view(monkeypatch) -> None:
    from oral_sim.ui.screens.replay import ReplayScreen

    voice = _held_replay(monkeypatch)
    app = _app()
    try:
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            script = app.bank.script("oral-interview")
            app.push_screen(ReplayScreen(script))
            await _until(pilot, lambda: bool(app.screen.query(".current")), 60)
            screen = app.screen
            view = screen.query_one("#replay")
            count = len(screen.lines)
            assert view.max_scroll_y > 3 * view.scrollable_content_region.height  # a long script
            for n in range(1, count):
                await _next_turn(pilot, "s")
                turn, region, visible = _turn_in_view(screen)
                assert turn.id == f"line-{n}"
                assert visible.contains_region(region), (turn.id, region, visible)
                if view.scroll_y < view.max_scroll_y:
                    # not on the view's bottom row (the notifications' corner): what comes next
                    # is in sight below it
                    following = screen.query_one(f"#line-{n + 1}").region
                    assert following.y < visible.bottom, (turn.id, region, following, visible)
                if n == count // 2:
                    # pausing says so in the corner, beside the turn, not over it
                    await pilot.press("p")
                    await pilot.pause(0.3)
                    toasts = [t.region for t in app.screen.query("Toast")]
                    assert toasts and not any(t.overlaps(region) for t in toasts), (region, toasts)
                    await pilot.press("p")
                    # a narrower, lower terminal: the lines wrap anew, the turn is still in view
                    await pilot.resize_terminal(60, 18)
                    await pilot.pause(0.5)
                    turn, region, visible = _turn_in_view(screen)
                    assert visible.contains_region(region), (turn.id, region, visible)
                    await pilot.resize_terminal(80, 24)
                    await pilot.pause(0.5)
            await pilot.press("b")
    finally:
        voice.close()


def test_replay_keeps_the_turn_being_spoken_in_view(monkeypatch) -> None:
    """At 80x24 the turn being spoken sat on the view's bottom row, under the notifications
    ("Paused."), with nothing of what came next in sight, and went out of view when the
    terminal was resized."""
    asyncio.run(_replay_keeps_the_turn_being_spoken_in_view(monkeypatch))


async def _replay_leaves_a_user_reading_elsewhere_alone(monkeypatch) -> None:
    from oral_sim.ui.screens.replay import ReplayScreen

    voice = _held_replay(monkeypatch)
    app = _app()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(ReplayScreen(app.bank.script("oral-interview")))
            await _until(pilot, lambda: bool(app.screen.query(".current")), 60)
            screen = app.screen
            view = screen.query_one("#replay")
            for _ in range(8):
                await _next_turn(pilot, voice.next)
            assert "f" not in screen.active_bindings  # following: nothing to offer
            # the user scrolls back to the start to read the first answer again
            view.scroll_home(animate=False)
            await pilot.pause(0.2)
            await _next_turn(pilot, voice.next)
            turn, region, visible = _turn_in_view(screen)
            assert turn.id == "line-9" and view.scroll_y == 0  # not pulled away from what they read
            assert not visible.overlaps(region)
            assert "f" in screen.active_bindings  # the footer offers to follow again
            await pilot.press("f")
            await _until(pilot, lambda: view.scroll_y == view.scroll_target_y, 10)
            await pilot.pause(0.1)
            turn, region, visible = _turn_in_view(screen)
            assert visible.contains_region(region) and "f" not in screen.active_bindings
            # and it follows again from there
            await _next_turn(pilot, voice.next)
            turn, region, visible = _turn_in_view(screen)
            assert turn.id == "line-10" and visible.contains_region(region)
            await pilot.press("b")
    finally:
        voice.close()


def test_replay_leaves_a_user_reading_elsewhere_alone(monkeypatch) -> None:
    """Every new turn pulled the view back to it, away from an earlier turn the user had
    scrolled up to read."""
    asyncio.run(_replay_leaves_a_user_reading_elsewhere_alone(monkeypatch))


async def _ctrl_c_mid_session_keeps_it() -> None:
    app = _app(mode="demo", script_id="ml-questions", questions=3)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, lambda: getattr(app.screen, "runner", None) is not None)
        await pilot.press("ctrl+c")
        await pilot.pause(0.5)
    assert app.return_code == 130 and "kept" in (app.exit_message or "")
    import time

    for _ in range(300):  # the worker ends the session as it unwinds (mid-decode: a while)
        with Store() as store:
            sessions = store.list_sessions()
        if sessions and sessions[0].status != "in_progress":
            break
        time.sleep(0.1)
    assert sessions[0].status == "interrupted"


def test_ctrl_c_mid_session_keeps_it() -> None:
    asyncio.run(_ctrl_c_mid_session_keeps_it())


async def _missing_speech_model_is_explained(tmp_path: Path) -> None:
    # no model there: said before the session starts, and nothing is stored (an empty
    # "interrupted 0/1" session was left behind)
    app = _app(mode="demo", script_id="ml-questions", questions=1)
    app.settings.asr.model = str(tmp_path / "no-such-model")
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, lambda: type(app.screen).__name__ == "ErrorScreen", 30)
        assert "Whisper model" in app.screen.message and "bundled tiny.en" in app.screen.hint
    with Store() as store:
        assert store.list_sessions() == []
    # a model whose files are all there but which does not load: found when the answer is
    # transcribed; the session is kept with the answer's audio on disk
    broken = tmp_path / "broken-model"
    broken.mkdir()
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        (broken / name).write_text("{}")
    app = _app(mode="demo", script_id="ml-questions", questions=1)
    app.settings.asr.model = str(broken)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, lambda: app.last_error is not None
                     and type(app.screen).__name__ == "SummaryScreen", 90)
        await pilot.pause(0.5)
        assert "could not be loaded" in app.last_error, app.last_error
    with Store() as store:
        (s,) = store.list_sessions()
        assert s.status == "interrupted"  # kept, with the answer audio on disk
    assert list(locations.sessions_dir().rglob("*.wav"))


def test_missing_speech_model_is_explained(tmp_path: Path) -> None:
    asyncio.run(_missing_speech_model_is_explained(tmp_path))


async def _a_bug_mid_answer_is_one_line_and_a_saved_traceback(monkeypatch) -> None:
    from oral_sim.engine.pipeline import AnswerPipeline

    def broken_finish(self):
        raise RuntimeError("a gremlin in the transcriber")

    monkeypatch.setattr(AnswerPipeline, "finish", broken_finish)
    app = _app(mode="demo", script_id="ml-questions", questions=1)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, lambda: app.last_error is not None
                     and type(app.screen).__name__ == "SummaryScreen", 120)
        await pilot.pause(0.5)  # the summary's header mounts before the app closes (Textual)
        (log,) = locations.logs_dir().glob("error-*.txt")
        assert app.last_error == (
            "Unexpected error while running the interview (RuntimeError: a gremlin in the "
            f"transcriber).\nThe details are in {log}; please include that file when you report it.")
        text = log.read_text(encoding="utf-8")
        assert "in broken_finish" in text and "in _capture" in text
    with Store() as store:
        (s,) = store.list_sessions()
        assert s.status == "interrupted"  # kept, with the answer audio on disk
    (wav,) = locations.sessions_dir().rglob("*.wav")
    assert wav.stat().st_size > 16000  # a second and more of the answer


def test_a_bug_mid_answer_is_one_line_and_a_saved_traceback(monkeypatch) -> None:
    asyncio.run(_a_bug_mid_answer_is_one_line_and_a_saved_traceback(monkeypatch))


def _demo_in_real_time(questions: int):  # noqa: ANN202
    """The app on the simulated candidate, speaking in real time (3 sentences an answer)."""
    return _app(mode="demo", script_id="ml-questions", questions=questions, realtime=True,
                answer_sentences=3)


async def _until_words_on_screen(pilot, app) -> None:  # noqa: ANN001
    """Wait until an answer is being recorded and its first words are in the live box."""
    await _until(pilot, lambda: getattr(app.screen, "listening", False)
                 and len(str(app.screen.query_one("#live").render()).split()) >= 3, 180)


async def _quit_mid_answer_keeps_what_was_said() -> None:
    app = _demo_in_real_time(2)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until_words_on_screen(pilot, app)
        heard = str(app.screen.query_one("#live").render())
        await pilot.press("q")
        await pilot.pause(0.1)
        await pilot.press("y")
        await _until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen", 120)
        await pilot.pause(0.5)
        assert app.screen.status == "interrupted"
        assert app.screen.summary.answered == 1 and app.screen.summary.skipped == 0
    with Store() as store:
        (s,) = store.list_sessions()
        assert s.status == "interrupted" and s.answered == 1
    db = sqlite3.connect(locations.database_path())
    (transcript,) = [json.loads(t) for (t,) in db.execute("SELECT transcript FROM attempts")]
    db.close()
    said = " ".join(w["word"] for w in transcript["words"])
    # what was on screen when quit was pressed is in the stored answer
    assert all(w.strip(".,?") in said for w in heard.split()[:3]), (heard, said)


def test_quit_mid_answer_keeps_what_was_said() -> None:
    asyncio.run(_quit_mid_answer_keeps_what_was_said())


async def _a_bad_question_count_is_said_and_a_mix_says_its_default() -> None:
    app = _app(mode=None)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        count = screen.query_one("#count")
        assert count.placeholder == "all"
        scripts = screen.query_one("#scripts")
        scripts.index = len(scripts.children) - 1  # the practice mix
        await pilot.pause(0.2)
        assert count.placeholder == "5"
        count.value = "0"
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "StartScreen"  # not started with every question
        assert any("'0' is not a number of questions" in n.message
                   for n in app._notifications), list(app._notifications)


def test_a_bad_question_count_is_said_and_a_mix_says_its_default() -> None:
    asyncio.run(_a_bad_question_count_is_said_and_a_mix_says_its_default())


async def _the_start_screen_opens_on_the_script_list_and_offers_start() -> None:
    app = _app(mode=None)
    async with app.run_test(size=(100, 30)) as pilot:
        scripts = app.screen.query_one("#scripts")
        assert scripts.has_focus and scripts.index == 0
        # the footer offers Enter as Start while the list has focus (the list's own hidden
        # Enter hid it)
        enter = app.screen.active_bindings["enter"].binding
        assert enter.description == "Start" and enter.show
        await pilot.press("down")
        assert scripts.index == 1  # the keys move through the scripts at once


def test_the_start_screen_opens_on_the_script_list_and_offers_start() -> None:
    asyncio.run(_the_start_screen_opens_on_the_script_list_and_offers_start())


async def _a_new_session_keeps_the_last_choices() -> None:
    from oral_sim.ui.screens.start import StartScreen

    app = _app(mode=None)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.query_one("#scripts").index = 1
        screen.query_one("#count").value = "2"
        screen.query_one("#answer-mode").value = "typed"
        screen._remember()  # what starting a session does
        app.switch_screen(StartScreen())  # what "New session" on the summary does
        await pilot.pause(0.3)
        again = app.screen
        assert again is not screen
        assert again.query_one("#scripts").index == 1
        assert again.query_one("#count").value == "2"
        assert again.query_one("#answer-mode").value == "typed"


def test_a_new_session_keeps_the_last_choices() -> None:
    asyncio.run(_a_new_session_keeps_the_last_choices())


async def _one_click_chooses_a_script_and_a_second_starts_it() -> None:
    app = _app(mode=None)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.query_one("#answer-mode").value = "typed"
        scripts = screen.query_one("#scripts")
        mix = scripts.children[-1]  # the practice mix, below the scripts
        await pilot.click(mix)
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "StartScreen" and scripts.index == len(scripts) - 1
        assert "Practice mix" in str(screen.query_one("#details").render())
        await pilot.click(mix)
        await _until(pilot, lambda: type(app.screen).__name__ == "InterviewScreen", 30)
        if app.screen.runner is not None:
            app.screen.runner.quit()


def test_one_click_chooses_a_script_and_a_second_starts_it() -> None:
    asyncio.run(_one_click_chooses_a_script_and_a_second_starts_it())


async def _the_model_status_and_the_form_fit_small_terminals(monkeypatch) -> None:
    from oral_sim.ui.app import OralSimApp

    monkeypatch.setattr(OralSimApp, "_start_loading", lambda self: None)  # the line, not the load
    for size in ((80, 24), (100, 30)):
        app = _app(mode=None, preload=True)
        async with app.run_test(size=size) as pilot:
            await pilot.pause(0.2)
            screen = app.screen
            status = screen.query_one("#models")
            region = status.region
            assert "Models: speech" in str(status.render())
            # on screen, above the footer, whatever the form below the details holds
            assert region.height >= 1 and region.bottom <= size[1] - 1, (size, region)
            for widget in screen.query("#options Select, #options Input"):
                assert widget.region.right <= size[0], (size, widget.id, widget.region)


def test_the_model_status_and_the_form_fit_small_terminals(monkeypatch) -> None:
    asyncio.run(_the_model_status_and_the_form_fit_small_terminals(monkeypatch))


def test_the_answer_timeline_says_what_its_marks_mean() -> None:
    from oral_sim.ui.screens.history import timeline

    words = [{"word": w, "start_s": s, "end_s": s + 0.4} for w, s in
             (("um", 0.0), ("so", 0.5), ("we", 1.0), ("shipped", 4.0), ("it", 4.5))]
    feedback = {"pace": {"pauses": {"long": [{"start_s": 1.4, "duration_s": 2.6}]}},
                "fillers": {"items": [{"text": "um", "kind": "filled_pause", "start_s": 0.0}]}}
    line, legend = timeline({"words": words}, feedback, width=40).plain.split("\n")
    assert line.startswith("▲") and "▁" in line and "█" in line and line.endswith("5 s")
    for mark, meaning in (("█", "speech"), ("·", "pause"), ("▁", "pause over 2 s"),
                          ("▲", "filler")):
        assert f"{mark} {meaning}" in legend


async def _practice_takes_its_script_and_count_from_the_command_line() -> None:
    app = _app(mode="typed", script_id="oral-interview", questions=3)
    app.settings.tts.length_scale = 1 / 1.5  # practice --speed 1.5 (the screen showed 1.0 and
    async with app.run_test(size=(100, 34)) as pilot:  # applied it on Start)
        await pilot.pause(0.2)
        screen = app.screen
        assert screen.query_one("#scripts").highlighted_child.name == "oral-interview"
        assert screen.query_one("#count").value == "3"
        assert screen.query_one("#speed").value == "1.5"
        assert screen.query_one("#answer-mode").value == "typed"
        # Enter in a field of the form starts too (the field took the key: nothing happened)
        screen.query_one("#count").focus()
        await pilot.press("enter")
        await _until(pilot, lambda: type(app.screen).__name__ == "InterviewScreen", 20)
        assert app.screen.plan.script_id == "oral-interview" and len(app.screen.plan.questions) == 3
        assert app.settings.tts.length_scale == pytest.approx(1 / 1.5)


async def _asking_again_keeps_the_typed_draft() -> None:
    app = _app(mode="typed", script_id="ml-questions", questions=1)
    app.settings.session.ask_follow_ups = False
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press("enter")
        await _until(pilot, lambda: type(app.screen).__name__ == "InterviewScreen"
                     and app.screen.query_one("#typed").has_focus)
        scr = app.screen
        draft = "Overfitting is when the model learns the noise"
        scr.query_one("#typed").value = draft
        await pilot.pause(0.1)
        # the box above shows the answer as typed, wrapped (it stayed empty while a long
        # answer scrolled out of the one-line field)
        assert draft in str(scr.query_one("#live").render())
        await pilot.press("escape")  # out of the box to the keys
        assert not scr.query_one("#typed").has_focus
        await pilot.press("r")  # ask it again: the box has the focus back when it is asked
        await _until(pilot, lambda: scr.listening and scr.query_one("#typed").has_focus, 60)
        assert scr.query_one("#typed").value == draft
        assert scr.query_one("#typed").cursor_position == len(draft)  # typing goes on after it
        assert draft in str(scr.query_one("#live").render())


def test_asking_again_keeps_the_typed_draft() -> None:
    """`r` while typing an answer asks the question again; the box used to come back empty."""
    asyncio.run(_asking_again_keeps_the_typed_draft())


def test_practice_takes_its_script_and_count_from_the_command_line() -> None:
    """`oral-sim practice --typed --script oral-interview --questions 3` opened on the first
    script with every question."""
    asyncio.run(_practice_takes_its_script_and_count_from_the_command_line())


async def _pausing_the_simulated_candidate_loses_none_of_its_answer() -> None:
    app = _app(mode="demo", script_id="ml-questions", questions=1, realtime=True,
               answer_sentences=3)
    app.settings.session.ask_follow_ups = False
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, lambda: type(app.screen).__name__ == "InterviewScreen"
                     and app.screen.listening)
        scr = app.screen
        await pilot.pause(2.0)  # into the first sentence
        await pilot.press("p")
        await pilot.pause(0.3)
        assert scr.paused and "Paused" in str(scr.query_one("#status").render())
        offered = {b.binding.action for b in scr.active_bindings.values() if b.enabled}
        assert "resume" in offered and "pause" not in offered, offered
        # a space while paused ends nothing (it was held and ended the answer at the resume)
        assert "stop_answer" not in offered, offered
        await pilot.press("space")
        await pilot.pause(0.5)
        assert scr.paused and scr.listening
        clock = str(scr.query_one("#clock").render())
        await pilot.pause(6.0)  # half the answer, and longer than the 2.5 s of silence that ends one
        assert str(scr.query_one("#clock").render()) == clock  # no time passes while paused
        assert scr.listening
        await pilot.press("p")
        await pilot.pause(0.3)
        assert not scr.paused and "Recording" in str(scr.query_one("#status").render())
        # the quit question holds the recording (it went on behind the dialog); "no" goes on
        await pilot.press("q")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "ConfirmScreen" and scr.paused
        await pilot.pause(3.0)
        await pilot.press("n")
        await pilot.pause(0.3)
        assert app.screen is scr and not scr.paused and scr.listening
        await _until(pilot, lambda: getattr(app.screen, "waiting_next", False), 120)
        heard = scr.feedbacks[-1][1].transcript.text.lower()
        reference = load_bank().question(scr.feedbacks[-1][0].id).reference_answer.lower()
        # every sentence was heard: the words of the reference's first three sentences
        first_two = re.findall(r"[a-z]+", " ".join(re.split(r"(?<=\.)\s+", reference)[:3]))
        found = sum(1 for w in set(first_two) if w in heard)
        assert found >= 0.8 * len(set(first_two)), (heard, first_two)


def test_pausing_the_simulated_candidate_loses_none_of_its_answer() -> None:
    """It used to go on speaking while paused, into nothing: the answer lost its middle and
    ended at the silence after it."""
    asyncio.run(_pausing_the_simulated_candidate_loses_none_of_its_answer())


def _seed_sessions(count: int) -> list[float]:
    """`count` sessions, each answering one question of every category of the ML questions (its
    score rising from session to session); their average scores, oldest first."""
    bank = load_bank()
    by_category = {}
    for q in bank.script("ml-questions").questions:
        by_category.setdefault(q.category, q)
    averages, ids = [], []
    with Store() as store:
        for n in range(count):
            rec = store.start_session("ml-questions", "Machine Learning Engineer Interview "
                                      "Questions", "live", {})
            scores = []
            for i, q in enumerate(by_category.values()):
                asked = store.add_question(rec.id, i + 1, q.id, q.prompt, q.category, q.timebox_s)
                scores.append(40 + 3 * n + 2 * i)
                store.add_attempt(asked, None, {"text": "an answer", "words": []}, {}, False,
                                  score=scores[-1], wpm=125 + 2 * n, fillers_per_min=6.0 - 0.3 * n,
                                  fillers_count=1, latency_s=0.8, duration_s=6.0,
                                  key_points_missed=1)
            store.finish_session(rec.id, "completed")
            averages.append(sum(scores) / len(scores))
            ids.append(rec.id)
    db = sqlite3.connect(locations.database_path())
    for day, sid in enumerate(ids, 1):  # a day apart, in order (they began in one second)
        db.execute("UPDATE sessions SET started_at = ? WHERE id = ?",
                   (f"2026-11-{day:02d}T09:30:00+00:00", sid))
    db.commit()
    db.close()
    return averages


def _y_labels(chart) -> list[tuple[int, float]]:  # noqa: ANN001
    """(row, value) of each label on a plotext chart's y axis, top down."""
    rows = str(chart.render()).split("\n")
    return [(i, float(m.group(1))) for i, row in enumerate(rows)
            if (m := re.match(r"\s*(-?\d+(?:\.\d+)?)\s*┤", row))]


async def _progress_charts_are_readable(size: tuple[int, int]) -> None:
    from oral_sim.ui.screens.history import ProgressScreen

    averages = _seed_sessions(12)
    with Store() as store:
        categories = {q.category for s in store.list_sessions()
                      for q in store.get_session(s.id).questions}
    assert len(categories) >= 6
    app = _app()
    async with app.run_test(size=size) as pilot:
        app.push_screen(ProgressScreen())

        def screen_text() -> str:
            return "".join(re.findall(r"<text[^>]*>(.*?)</text>",
                                      app.export_screenshot())).replace("&#160;", " ")

        # the charts are laid out a while after the screen mounts: on a busy CI machine more
        # than the half second this waited (the 160x45 run once saw no category names at all)
        try:
            await _until(pilot, lambda: all(c in screen_text() for c in categories), 30)
        except AssertionError:
            pass  # the assertions below say what is missing
        await pilot.pause(0.2)
        shown = screen_text()
        for category in categories:  # every category named in full (2 of 7 were, at 80x24)
            assert category in shown, (category, shown)
        # the last session's score in words, beside its chart
        assert f"last {averages[-1]:.0f}, best {max(averages):.0f}" in shown, shown
        for wid in ("#chart-score", "#chart-fillers", "#chart-wpm"):
            chart = app.screen.query_one(wid)
            assert chart.region.bottom <= size[1] - 1  # above the footer: no scrolling to it
            labels = _y_labels(chart)
            assert len(labels) >= 3, (wid, labels)
            # each label is the value of the row it sits on: on one straight line of value
            # against row, within a fifth of the labels' spacing (at 80x24: 100, 83.3, 66.7,
            # 33.3, 16.7, 0 on six rows in a row, 50 dropped: a score of 61 sat beside 66.7)
            rows, values = [r for r, _ in labels], [v for _, v in labels]
            mean_row, mean_value = sum(rows) / len(rows), sum(values) / len(values)
            slope = (sum((r - mean_row) * (v - mean_value) for r, v in labels)
                     / sum((r - mean_row) ** 2 for r in rows))
            gaps = sorted(b - a for a, b in zip(rows, rows[1:], strict=False))
            assert gaps[0] >= 2, (wid, labels)  # none on neighbouring rows
            spacing = abs(slope) * gaps[len(gaps) // 2]
            for row, value in labels:
                off = abs(value - (mean_value + slope * (row - mean_row)))
                assert off <= 0.2 * spacing, (wid, labels)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_progress_charts_are_readable(size: tuple[int, int]) -> None:
    """At 80x24 the category bars merged into one block with two of seven names under it, and
    the y labels sat on the wrong rows (a score of 61 drawn beside 66.7)."""
    asyncio.run(_progress_charts_are_readable(size))


def test_word_changes_read_without_colour() -> None:
    """The compare view told removed from added words by colour alone: copied, or without
    colour, the two answers' words read as one jumble."""
    from oral_sim.ui.screens.history import diff_text

    text = diff_text(["-and", "-unsupervised", "+trains", "+on", "+labeled", "-data"])
    assert text.plain.strip() == "[-and unsupervised-] {+trains on labeled+} [-data-]"


async def _the_session_view_says_which_answer_counts() -> None:
    from oral_sim.ui.screens.history import SessionScreen

    session_id = answered_twice(also_once=False)
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(SessionScreen(session_id))
        await _until(pilot, lambda: type(app.screen).__name__ == "SessionScreen"
                     and len(app.screen.query("#answers ListItem")) == 2, 30)
        await pilot.pause(0.2)
        labels = [item.query_one("Label").render() for item in app.screen.query("#answers ListItem")]
        assert "answer 1/2" in str(labels[0]) and "answer 2/2" in str(labels[1]), labels
        styles = [{str(span.style) for span in label.spans} for label in labels]
        assert "dim" in styles[0] and "dim" not in styles[1], styles  # the replaced one dimmed
        head = str(app.screen.query_one("#answer-head").render())
        assert "answer 1 of 2, replaced by answer 2 in the session's figures" in head, head
        await pilot.press("down")
        await pilot.pause(0.2)
        head = str(app.screen.query_one("#answer-head").render())
        assert "answer 2 of 2, the one the session's figures count" in head, head


def test_the_session_view_says_which_answer_counts() -> None:
    """A question answered twice listed "Q1 71" and "Q1 48 answer 2:" and nothing said the
    session's average used the 48."""
    asyncio.run(_the_session_view_says_which_answer_counts())


async def _stop_before_speaking_listens_again(monkeypatch) -> None:
    """Space pressed before a word was said recorded a 0/100 answer that counted in the
    averages; now nothing is scored, the microphone listens again, and the answer that follows
    ends on the silence limit, which the transcript box says."""
    import numpy as np
    from speech_clips import speech

    from oral_sim.engine import live
    from oral_sim.engine.audio import ArrayFrameSource

    answer = speech(["Supervised learning uses labelled examples to learn a mapping."],
                    lead_s=0.5, tail_s=4.0)
    calls: list[int] = []

    def sources(mode, settings, **kw):
        def source(question, ordinal):
            calls.append(ordinal)
            if len(calls) == 1:  # the user waits, says nothing, and presses space
                return ArrayFrameSource(np.zeros(16000 * 60, np.int16), realtime=True)
            return ArrayFrameSource(answer, realtime=False)
        return source

    monkeypatch.setattr(live, "make_sources", sources)
    app = _app(mode="demo", script_id="ml-questions", questions=1)
    app.settings.session.ask_follow_ups = False
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, lambda: getattr(app.screen, "listening", False))
        scr = app.screen
        # the keys offered each time the microphone starts listening (the second answer is
        # fed as fast as it goes: looked at as the event is handled, not polled after it)
        offered: list[bool] = []
        handle = scr.on_engine_event

        def watched(event) -> None:  # noqa: ANN001
            handle(event)
            if type(event).__name__ == "ListeningStarted":
                offered.append(bool(scr.check_action("skip", ()) and scr.check_action("repeat", ())))

        scr.on_engine_event = watched
        await pilot.pause(0.5)
        await pilot.press("space")
        await _until(pilot, lambda: len(calls) == 2)
        assert "Nothing was heard" in (scr.last_notice or "")
        # the notice says "press s to skip": s and r are offered and act (they were dead)
        await _until(pilot, lambda: len(offered) >= 1)
        assert offered[-1], offered
        await _until(pilot, lambda: scr.waiting_next)
        (question, feedback), = scr.feedbacks
        assert "learning uses" in feedback.transcript.text.lower()  # tiny.en: "Two-pervised"
        live_box = str(scr.query_one("#live").render())
        assert "ended after 2.5 s of silence" in live_box, live_box
        await pilot.press("n")
        await _until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen")
        assert app.screen.summary.answered == 1
        assert app.screen.summary.avg_score == feedback.content.score  # no 0 beside it
    with Store() as store:
        (s,) = store.list_sessions()
        (asked,) = store.get_session(s.id).questions
        (attempt,) = asked.attempts  # the stop before speaking stored nothing
        assert attempt.score == feedback.content.score


def test_stop_before_speaking_listens_again_and_silence_end_is_said(monkeypatch) -> None:
    asyncio.run(_stop_before_speaking_listens_again(monkeypatch))


async def _a_broken_model_is_said_on_the_start_screen(monkeypatch, tmp_path) -> None:
    """A Whisper folder without its model.bin: the start screen read "speech loading…" until
    the first answer failed. Now the model line names the model and says it failed, and the
    session does not start."""
    from oral_sim.engine import background, live

    models = tmp_path / "models"
    (models / "whisper-broken").mkdir(parents=True)
    (models / "whisper-broken" / "config.json").write_text("{}")
    monkeypatch.setenv("ORAL_SIM_MODELS", str(models))
    monkeypatch.setattr(live, "_loading_started", False)
    monkeypatch.setattr(background, "load_problems", {})
    live._first_audio.set()  # no question will be spoken: load the speech model at once
    settings = Settings()
    settings.asr.model = "whisper-broken"
    app = make_app(settings, check_mic=False, preload=True)
    async with app.run_test(size=(110, 36)) as pilot:
        line = app.screen.query_one("#models")
        await _until(pilot, lambda: "failed" in str(line.render()), 60)
        shown = str(line.render())
        assert "speech whisper-broken failed" in shown and "model.bin missing" in shown, shown
        assert "voice en_US-joe-medium (bundled)" in shown, shown
        await pilot.press("enter")  # start: refused, with what to do
        await pilot.pause(0.5)
        assert type(app.screen).__name__ == "StartScreen"
        told = [n.message for n in app._notifications]
        assert any("put a converted Whisper folder" in m for m in told), told


def test_a_broken_model_is_said_on_the_start_screen(monkeypatch, tmp_path) -> None:
    asyncio.run(_a_broken_model_is_said_on_the_start_screen(monkeypatch, tmp_path))


def test_the_card_says_there_are_more_filler_times_than_it_lists() -> None:
    from rich.console import Console

    from oral_sim.ui.render import feedback_card

    items = [{"text": "um", "start_s": 5.0 * i} for i in range(9)]
    card = {"fillers": {"count": 9, "per_min": 6.0, "by_text": {"um": 9}, "items": items}}
    console = Console(width=120, record=True)
    console.print(feedback_card(card))
    shown = console.export_text()
    assert "at 0:00, 0:05, 0:10, 0:15, 0:20, 0:25 … (+3 more)" in shown, shown
    card["fillers"]["items"] = items[:6]
    console = Console(width=120, record=True)
    console.print(feedback_card(card))
    assert "more" not in console.export_text()


async def _keys_follow_the_answer_through_scoring_and_the_end() -> None:
    from oral_sim.engine.plans import plan_for_script
    from oral_sim.ui.screens.interview import InterviewScreen

    bank = load_bank()
    q = bank.question("oral-02")
    went_on: list[bool] = []

    class Runner:
        def next_question(self) -> None:
            went_on.append(True)

        def quit(self) -> None:
            pass

    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(InterviewScreen(plan_for_script(bank, "oral-interview", 1, "demo"), "demo",
                                        autostart=False))
        await pilot.pause(0.2)
        scr = app.screen
        scr.runner = Runner()
        for event in (ev.QuestionAsked(q, 1, 1, False), ev.ListeningStarted(150, Path("x.wav"))):
            scr.on_engine_event(event)
        await pilot.pause(0.1)
        assert {"space", "s", "r"} <= set(scr.active_bindings)
        scr.on_engine_event(ev.Level(-30.0, 7.4, False))  # the stop came 1.9 s after the words
        await pilot.pause(0.1)
        assert str(scr.query_one("#clock").render()) == "0:07 / 2:30"
        scr.on_engine_event(ev.AnswerFinished("stop", 0.1))
        await pilot.pause(0.1)
        # scoring: the answer is over, so neither skip nor repeat is offered (a skip pressed now
        # skipped the next question)
        assert not {"space", "s", "r", "n"} & set(scr.active_bindings), set(scr.active_bindings)
        fb = Feedback.from_dict({"question_id": q.id, "transcript": {"text": "I designed it."},
                                 "timebox": {"timebox_s": 150, "duration_s": 5.5,
                                             "status": "under", "delta_s": -144.5}})
        scr.on_engine_event(ev.FeedbackReady(q, fb, 1))
        await pilot.pause(0.1)
        # the clock now gives the answer's length as the card does: to the last word, rounded
        assert str(scr.query_one("#clock").render()) == "0:06 / 2:30"
        await pilot.press("n")
        await pilot.pause(0.1)
        # n is answered at once, before the next question or the closing words come
        assert went_on == [True] and "Going on" in str(scr.query_one("#status").render())
        scr.on_engine_event(ev.ClosingSpoken("Thank you, that is all."))
        await pilot.pause(0.1)
        assert "last question" in str(scr.query_one("#status").render())
        assert "n" not in set(scr.active_bindings)


def test_keys_follow_the_answer_through_scoring_and_the_end() -> None:
    asyncio.run(_keys_follow_the_answer_through_scoring_and_the_end())


async def _no_speaker_is_said(monkeypatch) -> None:
    """With no sound card the questions were "spoken" silently and the screen said
    "Interviewer speaking…" (helper's sweep, 2026-12-04)."""
    from oral_sim.ui.screens import interview

    monkeypatch.setattr(interview, "_can_play", lambda settings: False)
    app = _app(mode="demo", script_id="ml-questions", questions=1)
    seen: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, lambda: type(app.screen).__name__ == "InterviewScreen")
        scr = app.screen
        await _until(pilot, lambda: seen.append(str(scr.query_one("#status").render())) or
                     getattr(scr, "listening", False))
        assert not scr.can_play
        assert any("No speaker: read the question" in line for line in seen), seen
        assert not any("Interviewer speaking" in line for line in seen), seen


def test_no_speaker_is_said(monkeypatch) -> None:
    asyncio.run(_no_speaker_is_said(monkeypatch))


async def _replay_footer_says_what_p_does(monkeypatch) -> None:  # noqa: ANN001
    from oral_sim.engine.replay import ReplayLine
    from oral_sim.ui.screens.replay import ReplayScreen

    voice = _held_replay(monkeypatch)
    lines = [ReplayLine("interviewer", "Tell me about a project."),
             ReplayLine("you", "I built a ranking model.", shown_as="Simulated candidate")]
    app = _app()
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            app.push_screen(ReplayScreen(None, lines=lines, title="A session"))
            await _until(pilot, lambda: bool(app.screen.query(".current")), 30)

            def offered() -> set[str]:
                return {b.binding.description for b in app.screen.active_bindings.values()
                        if b.enabled and b.binding.show}

            assert {"Pause", "Skip", "Repeat"} <= offered() and "Resume" not in offered()
            await pilot.press("p")
            await pilot.pause(0.1)
            assert "Resume" in offered() and "Pause" not in offered()
            await pilot.press("p")
            await pilot.pause(0.1)
            assert "Pause" in offered() and "Resume" not in offered()
            assert "Simulated candidate: I built" in str(app.screen.query_one("#line-1").render())
            voice.next()
            voice.next()
            await _until(pilot, lambda: app.screen.ended, 30)
            await pilot.pause(0.1)
            assert not {"Pause", "Resume", "Skip", "Repeat"} & offered(), offered()
    finally:
        voice.close()


def test_replay_footer_says_what_p_does_and_drops_the_keys_at_the_end(monkeypatch) -> None:
    """After p the footer still said "p Pause", and at "End of replay." it still offered p, s and
    r (TUI helper's sweep, 2026-12-04 midday); a simulated session's answers were shown as
    "You:"."""
    asyncio.run(_replay_footer_says_what_p_does(monkeypatch))


async def _repeat_over_a_spoken_answer_asks_first() -> None:
    app = _demo_in_real_time(1)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until_words_on_screen(pilot, app)
        screen = app.screen
        asked_again = []
        real = screen.runner.repeat_question
        screen.runner.repeat_question = lambda: (asked_again.append(1), real())
        await pilot.press("r")
        await pilot.pause(0.2)
        assert asked_again == [] and screen.listening  # the answer goes on
        assert any(n.title == "Repeat the question?" for n in app._notifications)
        await pilot.press("r")
        await pilot.pause(0.2)
        assert asked_again == [1]
        await pilot.press("q")
        await pilot.pause(0.1)
        await pilot.press("y")
        await _until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen", 120)


def test_repeat_over_a_spoken_answer_asks_first() -> None:
    """r while answering dropped what had been said without a word: the clock went back to 0:00
    and the words were gone (TUI helper's sweep, 2026-12-04 midday). Over an answer with speech
    in it, the first r says what a second will do."""
    asyncio.run(_repeat_over_a_spoken_answer_asks_first())


async def _quitting_keeps_the_typed_draft() -> None:
    app = _app(mode="typed", script_id="ml-questions", questions=2)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press("enter")
        await _until(pilot, lambda: type(app.screen).__name__ == "InterviewScreen"
                     and app.screen.query_one("#typed").has_focus)
        draft = "Supervised learning trains on labeled data"
        app.screen.query_one("#typed").value = draft
        await pilot.press("escape")
        await pilot.press("q")
        await _until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await pilot.press("y")
        await _until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen", 120)
        await pilot.pause(0.5)  # the summary's header mounts before the app closes (Textual)
        assert app.screen.summary.answered == 1
    with Store() as store:
        (s,) = store.list_sessions()
        record = store.get_session(s.id)
    assert record.questions[0].attempts[0].transcript["text"] == draft


def test_quitting_keeps_the_typed_draft() -> None:
    """The dialog says "What you answered so far is kept", and the text in the box was dropped
    (TUI helper's sweep, 2026-12-04 midday)."""
    asyncio.run(_quitting_keeps_the_typed_draft())
