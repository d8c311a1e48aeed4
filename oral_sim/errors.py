"""One error hierarchy. The CLI and the UI show `message` and `hint` plainly; tests see tracebacks.

Exit codes (README): 2 when what the user gave is wrong (an argument, a file given on the command
line, a name of a model or voice that is not there, a broken bank file); 1 when this machine
cannot do it (a model that fails to load, no audio device, the data home); 130 on Ctrl+C."""

from __future__ import annotations


class OralSimError(Exception):
    """Base of every error oral-sim raises on purpose."""

    exit_code: int = 1
    """Process exit code the CLI uses for this error."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        """What went wrong, in one sentence."""
        self.hint = hint
        """What the user can do about it, or None."""

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class UsageError(OralSimError):
    """Bad command-line arguments or a reference to something that does not exist."""

    exit_code = 2


class BankError(OralSimError):
    """A scripts-bank file is malformed. The message starts with `file:line:` (`file:` alone when the
    problem concerns the whole file)."""

    exit_code = 2

    def __init__(self, path: str, line: int, problem: str, hint: str | None = None) -> None:
        super().__init__(f"{path}:{line}: {problem}" if line > 0 else f"{path}: {problem}", hint)
        self.path = path
        """The bank file at fault."""
        self.line = line
        """1-based line number of the problem (0 when it concerns the whole file)."""
        self.problem = problem
        """What is wrong, without the location."""


class ImportProblem(OralSimError):
    """The importer could not make a bank out of a file."""

    exit_code = 2


class ModelError(OralSimError):
    """A model (Whisper, piper voice, embedder) is missing or failed to load."""


class UnknownModel(ModelError):
    """A model or voice the user named (--asr-model, --voice, ORAL_SIM_ASR_MODEL,
    ORAL_SIM_VOICE) is not there."""

    exit_code = 2


class AudioError(OralSimError):
    """An audio device or an audio file cannot be used."""


class AudioFileError(AudioError):
    """An audio file the user gave (missing, a folder, empty, not audio) cannot be used."""

    exit_code = 2


class DeviceError(AudioError):
    """No usable input/output device, or the device went away."""


class StorageError(OralSimError):
    """The data home or the history database cannot be used."""


class UnexpectedError(OralSimError):
    """An exception oral-sim did not expect (a bug). Its traceback is saved to a file
    (`engine.crashlog`), which the hint names, because a screen has room for one line."""

    def __init__(self, message: str, hint: str | None = None, log_path: str | None = None) -> None:
        super().__init__(message, hint)
        self.log_path = log_path
        """The saved traceback, or None when it could not be written."""
