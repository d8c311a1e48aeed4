"""Text files in other encodings: UTF-16 (Notepad's 'Unicode') is read; anything else that is not
UTF-8 is named with its line and column, by bank validate, bank import and grade alike. Files
the CLI writes are written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from oral_sim.cli import main
from oral_sim.engine.bank import load_script
from oral_sim.engine.bank_import import import_file
from oral_sim.errors import BankError, ImportProblem

FIXTURES = Path(__file__).parent / "fixtures" / "bank"


def test_a_bank_file_saved_as_utf16_is_read(tmp_path: Path) -> None:
    good = (FIXTURES.parent.parent.parent / "scripts_bank").glob("*.yaml")
    source = sorted(good)[0]
    copy = tmp_path / source.name
    copy.write_bytes(source.read_text(encoding="utf-8").encode("utf-16"))
    assert copy.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    read, original = load_script(copy), load_script(source)
    assert [(q.id, q.prompt, q.reference_answer, q.key_points) for q in read.questions] == \
        [(q.id, q.prompt, q.reference_answer, q.key_points) for q in original.questions]
    assert len(read.questions) > 0


def test_notes_saved_as_utf16_import(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_bytes("Q: What is overfitting?\nA: Fitting the noise.\n".encode("utf-16"))
    result = import_file(notes)
    assert [q["prompt"] for q in result.questions] == ["What is overfitting?"]


def test_latin1_notes_name_line_and_column(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_bytes("Q: What is x?\nA: caf\xe9 au lait\n".encode("latin-1"))
    with pytest.raises(ImportProblem) as info:
        import_file(notes)
    assert str(info.value).startswith(f"{notes}:2: not UTF-8 text (byte 0xe9 in column 7)")
    assert "save it as UTF-8" in str(info.value)


def test_latin1_bank_file_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(b"script: s\ntitle: Caf\xe9\n")
    with pytest.raises(BankError) as info:
        load_script(path)
    assert info.value.line == 2
    assert "byte 0xe9 in column 11" in info.value.problem


def test_grade_names_the_bad_byte_not_a_codec_error(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_bytes(b'{"answer": "ok"}\n{"answer": "caf\xe9"}\n')
    assert main(["grade", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: not UTF-8 text (byte 0xe9 in column 16)" in err
    assert "codec" not in err
    assert main(["grade", str(tmp_path)]) == 2
    assert "is a folder, not a text file" in capsys.readouterr().err


def test_cut_off_utf16_is_said_as_such_not_as_a_stray_byte(tmp_path: Path) -> None:
    """It named 'byte 0x63 in column 5', a plain 'c'."""
    path = tmp_path / "u.yaml"
    path.write_bytes(b"\xff\xfeabc")
    with pytest.raises(BankError) as info:
        load_script(path)
    assert "not valid UTF-16 text" in info.value.problem and "0x63" not in info.value.problem


def test_an_output_file_is_written_whole_or_not_at_all(tmp_path: Path, monkeypatch) -> None:
    """A report exported over the old one on a full disk left 40 KB of broken JSON and lost the
    old report (helper's sweep, 2026-12-04); `say -o` into a read-only folder crashed on the
    clean-up of its temporary file. The old file stays, no temporary file is left, and the
    message says what to do about a full disk."""
    import errno

    from oral_sim.engine import textfile
    from oral_sim.engine.audiofile import write_audio
    from oral_sim.errors import UsageError

    target = tmp_path / "report.json"
    target.write_text('{"old": true}')

    def half_then_full(tmp: Path) -> None:
        tmp.write_text('{"new": tr')
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(UsageError) as info:
        textfile.write_whole(target, half_then_full)
    assert "No space left on device" in info.value.message and "disk is full" in info.value.hint
    assert target.read_text() == '{"old": true}' and sorted(tmp_path.iterdir()) == [target]
    textfile.write(target, '{"new": true}')
    assert target.read_text() == '{"new": true}' and sorted(tmp_path.iterdir()) == [target]

    # a folder where nothing may be written refuses the clean-up as well: still a message
    def read_only(self: Path, missing_ok: bool = False) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Path, "unlink", read_only)
    wav = tmp_path / "ro" / "x.wav"  # no such folder: the write fails, then the clean-up
    with pytest.raises(UsageError) as info:
        write_audio(wav, np.zeros(1600, np.int16), 16000)
    assert f"cannot write {wav}" in info.value.message and "folder exists" in info.value.hint
