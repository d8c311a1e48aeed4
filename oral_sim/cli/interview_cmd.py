"""`oral-sim` (the app), `oral-sim practice` and `oral-sim demo [--headless]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from oral_sim.cli import counted, text_width
from oral_sim.config import SPEED_RANGE, Settings


def register(sub: argparse._SubParsersAction) -> None:
    for name, help_text in (
        ("practice", "start the interview app (same as no command)"),
        ("demo", "run an interview answered by the simulated candidate (no microphone needed)"),
    ):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "--script", metavar="ID",
            help="bank script to run (default: the oral interview)" if name == "demo" else
            "bank script chosen on the start screen (default: the first in the bank)")
        p.add_argument("--questions", type=_count, metavar="N", help="ask only the first N questions")
        p.add_argument("--bank", type=Path, metavar="PATH", help="bank file or folder")
        p.add_argument("--voice", help="piper voice name in models/ or path to .onnx")
        p.add_argument("--speed", type=_speed, default=1.0,
                       help="voice speed, 0.25 to 4 (1.0 = normal)")
        p.add_argument("--input-device", help="input device index or name")
        p.add_argument("--output-device", help="output device index or name")
        p.add_argument("--asr-model", help="Whisper CTranslate2 folder in models/ or a path")
        if name == "demo":
            p.add_argument(
                "--headless", action="store_true", help="no UI: print feedback and the summary"
            )
            p.add_argument(
                "--fast", action="store_true", help="feed the candidate as fast as the CPU allows"
            )
            p.add_argument(
                "--fillers", type=_share, default=0.15,
                help="candidate fillers per sentence, 0 to 1"
            )
            p.add_argument(
                "--answer-sentences", type=_count, metavar="N",
                help="candidate says only N sentences"
            )
            p.add_argument("--json", action="store_true", help="with --headless: JSON lines")
            p.set_defaults(func=run_demo)
        else:
            p.add_argument("--typed", action="store_true", help="type answers instead of speaking")
            p.set_defaults(func=run_app)


def _count(text: str) -> int:
    """--questions, --answer-sentences: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("give 1 or more")
    return value


def _number(text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not low <= value <= high:  # also NaN, which crashed the voice
        raise argparse.ArgumentTypeError(f"use a value from {low:g} to {high:g}")
    return value


def _speed(text: str) -> float:
    """--speed: as `say --speed` takes it (0 was ignored, NaN crashed the voice)."""
    return _number(text, *SPEED_RANGE)


def _share(text: str) -> float:
    """--fillers: fillers per sentence, 0 to 1 (-1 crashed the candidate mid-session)."""
    return _number(text, 0.0, 1.0)


def check_script(args: argparse.Namespace) -> None:
    """--script names a script of the bank: UsageError naming the known ones otherwise (the start
    screen ignored an unknown one and highlighted the first)."""
    if not getattr(args, "script", None):
        return
    from oral_sim.engine.bank import load_bank

    load_bank(getattr(args, "bank", None)).script(args.script)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings with the command-line overrides applied."""
    import os

    s = Settings()
    voice = getattr(args, "voice", None) or os.environ.get("ORAL_SIM_VOICE")
    if voice:
        s.tts.voice = voice
    speed = getattr(args, "speed", None)
    if speed:
        if speed <= 0:
            from oral_sim.errors import UsageError

            raise UsageError("--speed must be greater than 0")
        s.tts.length_scale = 1.0 / speed
    model = getattr(args, "asr_model", None) or os.environ.get("ORAL_SIM_ASR_MODEL")
    if model:
        s.asr.model = model
    for attr in ("input_device", "output_device"):
        value = getattr(args, attr, None)
        if value is not None:
            setattr(s.audio, attr, int(value) if str(value).isdigit() else value)
    return s


def summary_line(s) -> str:
    """The headless session summary in one line; figures nobody measured are left out (it
    printed "average score None; None WPM")."""
    from oral_sim.engine.session import answered_text

    parts = ["answered " + answered_text(s)]
    from oral_sim.engine.shown import figure

    for value, digits, text in ((s.avg_score, 0, "average score {}/100"), (s.avg_wpm, 0, "{} WPM"),
                                (s.fillers_per_min, 1, "{} fillers/min"),
                                (s.avg_latency_s, 1, "latency {} s")):
        if value is not None:
            parts.append(text.format(figure(value, digits)))
    if s.answered:
        parts.append(f"{counted(len(s.missed_key_points), 'key point')} missed")
    return "; ".join(parts)


def default_script_id(bank) -> str:
    """The oral interview conversation if the bank has one, else the first script."""
    for script in bank.scripts:
        if script.kind == "conversation":
            return script.id
    return bank.scripts[0].id


def need_terminal(headless_hint: str) -> None:
    """UsageError unless standard input and output are a terminal: the full-screen app drew
    into a pipe and waited for keys that could never come, until it was killed."""
    from oral_sim.errors import UsageError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the interview app needs a terminal (standard input or output is not "
                         "one)", headless_hint)


def run_app(args: argparse.Namespace) -> int:
    """Start the Textual app (the start screen)."""
    from oral_sim.ui.app import make_app

    settings = settings_from_args(args)
    check_script(args)
    need_terminal("run it in a terminal; `oral-sim demo --headless` runs an interview without "
                  "one (answered by the simulated candidate)")
    mode = "typed" if getattr(args, "typed", False) else None
    app = make_app(
        settings,
        bank_path=getattr(args, "bank", None),
        mode=mode,
        script_id=getattr(args, "script", None),
        questions=getattr(args, "questions", None),
    )
    app.run()
    if getattr(app, "exit_message", None):
        print(app.exit_message, file=sys.stderr)
    return int(app.return_code or 0)


def run_demo(args: argparse.Namespace) -> int:
    """The simulated-candidate interview, in the app or headless."""
    if not args.headless:
        from oral_sim.ui.app import make_app

        check_script(args)
        need_terminal("add --headless to run it without one")
        app = make_app(
            settings_from_args(args),
            bank_path=args.bank,
            mode="demo",
            script_id=args.script,
            questions=args.questions,
            realtime=not args.fast,
            answer_sentences=args.answer_sentences,
        )
        app.run()
        if getattr(app, "exit_message", None):
            print(app.exit_message, file=sys.stderr)
        return int(app.return_code or 0)
    return run_headless(args)


def recover_at_start(store, settings: Settings) -> None:
    """Keep what an earlier crashed session recorded: repair, transcribe and store its answers."""
    from oral_sim.engine.recovery import recover_interrupted

    report = recover_interrupted(store, settings)
    if report.sessions:
        print(
            f"note: recovered {len(report.sessions)} interrupted session(s) "
            f"({len(report.answers)} answers kept): {', '.join(report.sessions)}",
            file=sys.stderr,
        )
    for problem in report.problems:
        print(f"note: {problem}", file=sys.stderr)


def run_headless(args: argparse.Namespace) -> int:
    """Run a demo session with no UI; print each answer's feedback and the summary."""
    from oral_sim.engine import models
    from oral_sim.engine import session as ev
    from oral_sim.engine.bank import load_bank
    from oral_sim.engine.feedback import render_text
    from oral_sim.engine.live import make_sources, make_speaker, start_background_loading
    from oral_sim.engine.plans import plan_for_script
    from oral_sim.engine.store import Store

    settings = settings_from_args(args)
    models.check(settings.asr.model, settings.tts.voice)  # before a session is stored
    start_background_loading(settings)  # the voice loads while the bank is read
    bank = load_bank(args.bank)
    plan = plan_for_script(
        bank, args.script or default_script_id(bank), args.questions, mode="demo"
    )
    as_json = args.json

    def emit(obj: dict) -> None:
        print(json.dumps(obj), flush=True)

    def on_event(event) -> None:
        if isinstance(event, ev.QuestionAsked):
            if as_json:
                emit(
                    {
                        "event": "question",
                        "ordinal": event.ordinal,
                        "number": event.number,
                        "id": event.question.id,
                        "prompt": event.question.prompt,
                        "follow_up": event.is_follow_up,
                    }
                )
            else:
                print(f"\n== {event.heading} [{event.question.id}]\n{event.question.prompt}",
                      flush=True)
        elif isinstance(event, ev.ListeningStarted):
            if as_json:
                emit(
                    {
                        "event": "listening",
                        "timebox_s": event.timebox_s,
                        "audio_path": str(event.audio_path) if event.audio_path else None,
                    }
                )
        elif isinstance(event, ev.FeedbackReady):
            if as_json:
                emit(
                    {
                        "event": "feedback",
                        "id": event.question.id,
                        "attempt_id": event.attempt_id,
                        "feedback": event.feedback.to_dict(),
                    }
                )
            else:
                print(render_text(event.feedback, width=text_width()), flush=True)
        elif isinstance(event, ev.Notice):
            print(
                f"note: {event.message}" + (f" ({event.hint})" if event.hint else ""),
                file=sys.stderr,
            )
        elif isinstance(event, ev.SessionEnded):
            s = event.summary
            if as_json:
                from dataclasses import asdict

                emit(
                    {
                        "event": "summary",
                        "session_id": event.session_id,
                        "status": event.status,
                        **asdict(s),
                    }
                )
            else:
                print(f"\n== Session {event.session_id} {event.status}")
                print(summary_line(s))

    speaker = make_speaker(settings, play=False)
    if as_json:
        import time

        # Benchmarks read when the first audio of each question was ready (wall clock).
        speaker.on_first_audio = lambda text: emit(
            {"event": "question_audio", "wall_time": time.time(), "text": text[:80]}
        )
    with Store() as store:
        recover_at_start(store, settings)
        runner = ev.InterviewRunner(
            plan,
            settings,
            store,
            speaker,
            make_sources(
                "demo",
                settings,
                realtime=not args.fast,
                fillers=args.fillers,
                answer_sentences=args.answer_sentences,
            ),
            on_event,
        )
        try:
            runner.run()
        except KeyboardInterrupt:
            runner.quit()
            print("\ninterrupted: the session so far is kept", file=sys.stderr)
            return 130
    return 0
