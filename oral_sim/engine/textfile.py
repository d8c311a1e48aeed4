"""Text files people hand the CLI (bank files, grading JSONL, prep notes): read as UTF-8 (or
UTF-16 with its byte-order mark), and a file that is neither named with the line and column of its
first bad byte. And the files the CLI writes (reports, imported banks, audio): written whole or
not at all."""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
from collections.abc import Callable
from pathlib import Path

from oral_sim.errors import OralSimError, UsageError

#: What to do about a file in another encoding, said with every decoding error.
SAVE_AS_UTF8 = "save it as UTF-8 (most editors offer it under 'Save as' or 'Encoding')"


def is_utf16(raw: bytes) -> bool:
    """Does `raw` start with a UTF-16 byte-order mark?"""
    return raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def to_text(raw: bytes) -> str:
    """`raw` decoded: UTF-16 when it starts with a UTF-16 byte-order mark (Windows Notepad's
    'Unicode'), else UTF-8 with or without a byte-order mark. UnicodeDecodeError otherwise."""
    if is_utf16(raw):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def undecodable(raw: bytes, exc: UnicodeDecodeError) -> tuple[int, str]:
    """The 1-based line and the words for text that does not decode."""
    if is_utf16(raw):
        # byte offsets mean nothing to a person here: say what the file claims to be
        return 1, "not valid UTF-16 text, though it starts as UTF-16 does (is it cut off?)"
    line, column = bad_byte_place(raw, exc)
    return line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} in column {column})"


def bad_byte_place(raw: bytes, exc: UnicodeDecodeError) -> tuple[int, int]:
    """The 1-based line and column of the first byte that is not UTF-8."""
    before = raw[: exc.start]
    line = before.count(b"\n") + 1
    column = exc.start - (before.rfind(b"\n") + 1) + 1
    return line, column


def decode(raw: bytes, path: Path | str,
           error: type[OralSimError] = UsageError) -> str:
    """`raw` as text (see `to_text`), or `error` naming where it is not UTF-8."""
    try:
        return to_text(raw)
    except UnicodeDecodeError as exc:
        line, words = undecodable(raw, exc)
        raise error(f"{path}:{line}: {words}", SAVE_AS_UTF8) from None


def read(path: Path, error: type[OralSimError] = UsageError) -> str:
    """The text of `path`; `error` when it cannot be read or is not UTF-8."""
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise error(f"{path} is a folder, not a text file") from None
    except FileNotFoundError:
        raise error(f"{path}: no such file", "check the path") from None
    except OSError as exc:
        raise error(f"cannot read {path} ({exc.strerror or exc})") from None
    return decode(raw, path, error)


def cannot_write(path: Path | str, exc: OSError | Exception) -> UsageError:
    """The error for an output file that could not be written, with what to do about it (a full
    disk is not a missing folder)."""
    reason = getattr(exc, "strerror", None) or exc
    if getattr(exc, "errno", None) == errno.ENOSPC:
        hint = "the disk is full: free some space, or write the file elsewhere"
    else:
        hint = "check that the folder exists and you may write to it"
    return UsageError(f"cannot write {path} ({reason})", hint)


def check_target(path: Path | str) -> Path:
    """The file an output path names: a symbolic link's target (the link was replaced by a
    file of its own, its target left as it was). UsageError for a device, pipe or socket
    (`-o /dev/full` grew without bound, `-o /dev/stdout` waited forever): an output file is a
    regular file or nothing yet."""
    import stat

    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = path.stat().st_mode  # through any link: /dev/stdout is a link to a pipe
    except FileNotFoundError:  # nothing there yet (a link's target included)
        return target
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise
        raise cannot_write(path, exc) from None
    if stat.S_ISDIR(mode):
        raise UsageError(f"{path} is a folder", "give a file name")
    if not stat.S_ISREG(mode):
        raise UsageError(f"{path} is not a regular file (a device, pipe or socket)",
                         "give the name of a file to write; without -o the output goes to "
                         "standard output")
    return target


def write_whole(path: Path | str, fill: Callable[[Path], None],
                errors: tuple[type[BaseException], ...] = (OSError,)) -> Path:
    """Write `path` through `fill(temporary path)`, then move it into place: a failure (a full
    disk, a read-only folder) leaves any file already at `path` as it was and no half file.
    `errors`: what `fill` raises on a failed write (said as `cannot_write`)."""
    path = check_target(path)
    tmp = path.with_name(f".{path.name}.part")  # same folder: the move is atomic
    try:
        fill(tmp)
        os.replace(tmp, path)
    except errors as exc:
        with contextlib.suppress(OSError):  # a read-only folder refuses the clean-up too
            tmp.unlink(missing_ok=True)
        raise cannot_write(path, exc) from None
    return path


def write(path: Path | str, text: str) -> Path:
    """Write a text file (UTF-8) whole or not at all (`write_whole`)."""
    return write_whole(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
