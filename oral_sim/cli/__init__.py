"""Command line. Every subcommand is a thin call into the engine; each lives in its own module
with a `register(subparsers)` function that adds its parser and sets `func`."""

from __future__ import annotations

import argparse
import errno
import importlib
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oral_sim import __version__
from oral_sim.errors import OralSimError, UsageError

#: Subcommand modules, in the order their commands appear in `--help`.
COMMAND_MODULES = [
    "oral_sim.cli.bank_cmd",
    "oral_sim.cli.speech_cmd",
    "oral_sim.cli.audio_cmd",
    "oral_sim.cli.feedback_cmd",
    "oral_sim.cli.interview_cmd",
    "oral_sim.cli.sessions_cmd",
    "oral_sim.cli.bench_cmd",
]


def counted(n: int, word: str, many: str | None = None) -> str:
    """ "1 script", "2 scripts" ("key point" -> "key points"; `many` for another plural)."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def text_width() -> int:
    """Columns for text the commands print: the terminal's, within 40-100 (88 when the output
    is not a terminal and COLUMNS is not set). Wrapped at 92, an 80-column terminal broke
    words in two ("data driv / en")."""
    import shutil

    return max(40, min(100, shutil.get_terminal_size((89, 24)).columns - 1))


def progress_line(stream: Any = None) -> Callable[[Any], None] | None:
    """A transcript-so-far callback that keeps one line on a terminal up to date ("transcribed
    2:30 of the audio, 412 words"): a long file was transcribed in silence. None when `stream`
    (stderr) is not a terminal: nothing for a pipe or a log. `done()` on the callback ends it."""
    stream = stream if stream is not None else sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        return None
    shown = [False]

    def update(transcript: Any) -> None:
        end = transcript.words[-1].end_s if transcript.words else 0.0
        stream.write(f"\r  transcribed {int(end // 60)}:{int(end % 60):02d} of the audio, "
                     f"{len(transcript.words)} words ")
        stream.flush()
        shown[0] = True

    def done() -> None:
        if shown[0]:
            stream.write("\r\033[K")  # the line goes: what follows is the result
            stream.flush()

    update.done = done  # type: ignore[attr-defined]
    return update


def write_text_file(path: str | Path, text: str) -> None:
    """Write a command's output file (UTF-8), whole or not at all (`textfile.write`); a path that
    cannot be written is a UsageError naming it, not a traceback."""
    from oral_sim.engine import textfile

    textfile.write(path, text)


class _CommandParser(argparse.ArgumentParser):
    """A command's parser: an argument it does not know is its own error, said with its own
    usage (argparse leaves it to the top level, which printed the top-level usage)."""

    def parse_known_args(self, args=None, namespace=None):  # noqa: ANN001, ANN201 - argparse's
        found, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error("unrecognized arguments: " + " ".join(extras))
        return found, extras


def build_parser() -> argparse.ArgumentParser:
    """The whole argument parser."""
    parser = argparse.ArgumentParser(
        prog="oral-sim",
        description="Offline oral interview simulator. With no command, starts the interview app.",
    )
    parser.add_argument("--version", action="version", version=f"oral-sim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `oral-sim` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        from oral_sim.cli.interview_cmd import run_app

        func = run_app
    try:
        code = func(args)
    except OralSimError as exc:
        print(f"oral-sim: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("oral-sim: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            return _unexpected(exc, args)
        # a path given on the command line that the system refuses to look at: the user's
        name = str(exc.filename) if exc.filename is not None else "a path given"
        name = name if len(name) <= 80 else name[:60] + "…"
        print(f"oral-sim: {name}: the name is too long for this system", file=sys.stderr)
        print("  hint: use a shorter file name (most systems take up to 255 characters a name)",
              file=sys.stderr)
        return UsageError.exit_code
    except Exception as exc:  # a bug
        return _unexpected(exc, args)
    return int(code or 0)


def _unexpected(exc: BaseException, args: argparse.Namespace) -> int:
    """A bug: one line here, the whole traceback saved to a file."""
    from oral_sim.engine import crashlog

    during = f"running 'oral-sim {args.command}'" if args.command else "running the app"
    error = crashlog.unexpected(exc, during)
    print(f"oral-sim: {error.message}", file=sys.stderr)
    if error.log_path is None:
        traceback.print_exception(exc, file=sys.stderr)  # the file failed: never lose it
    print(f"  hint: {error.hint}", file=sys.stderr)
    return error.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
