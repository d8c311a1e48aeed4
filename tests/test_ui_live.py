"""The app on the real audio path: the start screen finds the virtual PulseAudio microphone and
its level meter follows what the microphone hears, and a whole live interview runs through it:
the interviewer speaks to the null sink, the answer is spoken into the virtual microphone, and
the feedback card shows what was said (see tests/pulse.py)."""

from __future__ import annotations

import asyncio
import queue
import re
import threading
import time

import numpy as np
import pytest
from pulse import pulse  # noqa: F401  (the fixture)

from oral_sim.config import Settings, TtsConfig
from oral_sim.engine.store import Store
from oral_sim.engine.tts import get_voice
from oral_sim.ui.app import make_app

pytestmark = [pytest.mark.pulse, pytest.mark.slow, pytest.mark.xdist_group("pulse")]


class LiveMic:
    """Keeps the virtual microphone delivering, as a real one does: silence, and whatever is
    handed to `say()`, written into the FIFO at real time."""

    BLOCK = 1600  # 0.1 s of 16 kHz samples

    def __init__(self, fifo) -> None:
        self.fifo = fifo
        self._queue: queue.Queue[np.ndarray] = queue.Queue()
        self._stop = threading.Event()
        self._pending = np.zeros(0, np.int16)
        self.spoken = threading.Event()
        """Set when everything handed to `say()` has been written."""
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def say(self, samples: np.ndarray) -> None:
        self.spoken.clear()
        self._queue.put(np.asarray(samples, np.int16))

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._write()
            except BrokenPipeError:  # the server closed the pipe (it is stopping): retry
                time.sleep(0.1)

    def _write(self) -> None:
        start = time.monotonic()
        written = 0
        with open(self.fifo, "wb") as f:
            while not self._stop.is_set():
                while len(self._pending) < self.BLOCK:
                    try:
                        self._pending = np.concatenate([self._pending, self._queue.get_nowait()])
                    except queue.Empty:
                        if len(self._pending) == 0:
                            self.spoken.set()
                        pad = self.BLOCK - len(self._pending)
                        self._pending = np.concatenate([self._pending, np.zeros(pad, np.int16)])
                block, self._pending = self._pending[: self.BLOCK], self._pending[self.BLOCK :]
                f.write(block.tobytes())
                f.flush()
                written += self.BLOCK
                delay = start + written / 16000 - time.monotonic()
                if delay > 0:
                    time.sleep(delay)


def _speech_16k(text: str) -> np.ndarray:
    import soxr

    voice = get_voice(TtsConfig())
    return soxr.resample(voice.synthesize(text), voice.sample_rate_hz, 16000).astype(np.int16)


def _screen_text(app) -> str:
    """The text of what is on screen now (from the app's SVG screenshot)."""
    svg = app.export_screenshot()
    return "".join(re.findall(r"<text[^>]*>(.*?)</text>", svg)).replace("&#160;", " ")


async def _until(pilot, cond, timeout_s: float = 120.0, what: str = "the app") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cond():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def mic(pulse):  # noqa: F811
    live = LiveMic(pulse.fifo)
    yield live
    live.stop()


async def _start_screen_lists_the_device_and_meters_it(pulse, mic) -> None:  # noqa: F811
    from textual.widgets import ProgressBar, Select

    app = make_app(Settings(), check_mic=True, preload=False)
    async with app.run_test(size=(110, 36)) as pilot:
        status = app.screen.query_one("#mic-status")
        await _until(pilot, lambda: "Microphone found" in str(status.render()), 30,
                     "the microphone probe")
        device = app.screen.query_one("#device", Select)
        names = [str(label) for label, _value in device._options]
        assert pulse.mic in names, names
        bar = app.screen.query_one("#mic-level", ProgressBar)
        await pilot.press("m")
        await pilot.pause(1.0)
        quiet = bar.progress
        tone = (0.3 * 32767 * np.sin(2 * np.pi * 220 * np.arange(3 * 16000) / 16000))
        mic.say(tone.astype(np.int16))
        await _until(pilot, lambda: bar.progress > 40, 10, "the level meter to rise")
        assert quiet < 20  # silence reads low, a -10 dBFS tone reads high
        assert not app.mic_problem
        # the meter is on screen (it once had no height) with its figure beside it
        assert bar.region.height >= 1 and bar.region.width >= 10, bar.region
        assert re.search(r"-?\d+ dB\b", _screen_text(app))
        # after the check, one line says what was heard: a sentence spoken at a good level
        mic.say(_speech_16k("Gradient descent follows the slope down to a minimum."))
        await _until(pilot, lambda: "level" in str(status.render()).lower()
                     and "Listening" not in str(status.render()), 20, "the check's verdict")
        assert "Good level" in str(status.render()), status.render()


def test_start_screen_lists_the_virtual_microphone_and_meters_it(pulse, mic) -> None:  # noqa: F811
    asyncio.run(_start_screen_lists_the_device_and_meters_it(pulse, mic))


ANSWER = ("Supervised learning trains on labelled examples, like spam filters. "
          "Unsupervised learning finds structure in unlabelled data, like clustering customers.")


async def _live_interview(pulse, mic) -> None:  # noqa: F811
    from textual.widgets import Select

    settings = Settings()
    settings.audio.input_device = pulse.mic
    settings.audio.output_device = pulse.sink
    app = make_app(settings, check_mic=True, preload=False)
    answer = _speech_16k(ANSWER)
    async with app.run_test(size=(110, 36)) as pilot:
        status = app.screen.query_one("#mic-status")
        await _until(pilot, lambda: "Microphone found" in str(status.render()), 30,
                     "the microphone probe")
        app.screen.query_one("#answer-mode", Select).value = "live"
        app.screen.query_one("#count").value = "1"
        app.screen.query_one("#silence").value = "1.5"
        await pilot.press("enter")
        await _until(pilot, lambda: type(app.screen).__name__ == "InterviewScreen", 10,
                     "the interview screen")
        scr = app.screen
        await _until(pilot, lambda: getattr(scr, "listening", False), 120,
                     "the question to be spoken and recording to start")
        assert "supervised and unsupervised" in str(scr.query_one("#question").render())
        mic.say(answer)
        await _until(pilot, lambda: scr.waiting_next, 120, "the feedback card")
        live = str(scr.query_one("#live").render()).lower()
        # what was said came through (tiny.en over a sound server misses a word here and there:
        # "clustering" came back once as "cluster and")
        heard = set(re.findall(r"[a-z]+", live.replace("labeled", "labelled")))
        said = set(re.findall(r"[a-z]+", ANSWER.lower()))
        assert len(said & heard) >= 0.6 * len(said), (live, said - heard)
        # the start of the answer came through: most of its first sentence (under CI load
        # tiny.en once heard the first word "Supervised" as "to provide", the rest right)
        first = {"supervised", "learning", "trains", "labelled", "examples", "spam", "filters"}
        assert len(first & heard) >= 5, live
        assert scr.query_one("#feedback-box").display
        (question, feedback), = scr.feedbacks
        assert feedback.content is not None and feedback.content.score > 0
        # the card is laid out on the next refresh after the answer ends (the transcript box
        # shrinks to give it the room); under load that can lag the flag the test waits on
        score = rf"\b{feedback.content.score}\s*/100"
        try:
            await _until(pilot, lambda: re.search(score, _screen_text(app)), 10, "the score")
        except AssertionError:
            raise AssertionError(f"no {score} on screen: {_screen_text(app)}") from None
        await pilot.press("n")
        await _until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen", 30,
                     "the summary")
    with Store() as store:
        (session,) = store.list_sessions()
        record = store.get_session(session.id)
        (attempt,) = record.questions[0].attempts
        assert attempt.audio_path and not attempt.typed


def test_a_live_interview_through_the_virtual_microphone(pulse, mic) -> None:  # noqa: F811
    asyncio.run(_live_interview(pulse, mic))


LONG_ANSWER = ("Overfitting is when a model learns the noise in its training data. "
               "It scores well on the training set and badly on new data. "
               "I would fight it with more data, regularization and early stopping.")


async def _device_lost(pulse, mic) -> None:  # noqa: F811
    import wave

    settings = Settings()
    settings.audio.input_device = pulse.mic
    settings.audio.output_device = pulse.sink
    settings.vad.end_of_answer_silence_s = 8.0
    settings.session.ask_follow_ups = False
    app = make_app(settings, check_mic=False, preload=False)
    opened = []
    async with app.run_test(size=(100, 30)) as pilot:
        from oral_sim.engine.plans import plan_for_script

        app.start_interview(plan_for_script(app.bank, "ml-questions", 1, mode="live"), "live")
        await _until(pilot, lambda: type(app.screen).__name__ == "InterviewScreen", 10,
                     "the interview screen")
        scr = app.screen
        await _until(pilot, lambda: getattr(scr, "runner", None) is not None, 30, "the runner")
        make_source = scr.runner.sources

        def tracked(question, ordinal):
            source = make_source(question, ordinal)
            opened.append(source)
            return source

        scr.runner.sources = tracked
        await _until(pilot, lambda: getattr(scr, "listening", False), 120, "recording to start")
        # the answer goes on well past the moment the device is pulled (a loaded machine
        # transcribes the first sentence late)
        mic.say(_speech_16k(" ".join([LONG_ANSWER] * 3)))
        # unplug once the first sentence has been heard and transcribed
        await _until(pilot, lambda: re.search(r"noise|training|data",
                                              str(scr.query_one("#live").render()).lower()), 60,
                     "the first sentence in the live transcript")
        opened[-1]._stream.abort()
        await _until(pilot, lambda: scr.waiting_next, 60, "the feedback card")
        status = str(scr.query_one("#status").render())
        assert "went away" in status and "kept" in status, status
        # what was said before the unplug is kept (the first sentence, give or take a word)
        kept = set(re.findall(r"[a-z]+", str(scr.query_one("#live").render()).lower()))
        assert len({"overfitting", "model", "learns", "noise", "training", "data"} & kept) >= 4, kept
        (_question, feedback), = scr.feedbacks
        assert len(feedback.transcript.words) >= 5
        await pilot.press("n")
        await _until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen", 30, "the summary")
    with Store() as store:
        (session,) = store.list_sessions()
        (attempt,) = store.get_session(session.id).questions[0].attempts
        assert attempt.audio_file(), "what was said before the device went is kept"
        with wave.open(str(attempt.audio_file())) as wav:
            assert wav.getframerate() == 16000 and wav.getnframes() / 16000 > 3.0


def test_a_microphone_that_goes_away_mid_answer_keeps_what_was_said(pulse, mic) -> None:  # noqa: F811
    asyncio.run(_device_lost(pulse, mic))
