"""A full disk or a data home that cannot be written is reported before anything is recorded."""

from __future__ import annotations

import os
import shutil
from collections import namedtuple
from pathlib import Path

import pytest

from oral_sim.engine.diskcheck import check_data_home
from oral_sim.errors import StorageError


def test_writable_home_with_room_passes(tmp_path: Path) -> None:
    assert check_data_home(tmp_path / "home") == tmp_path / "home"
    assert (tmp_path / "home").stat().st_mode & 0o077 == 0


def test_read_only_home_is_refused_with_a_hint(tmp_path: Path) -> None:
    home = tmp_path / "ro"
    home.mkdir()
    home.chmod(0o500)
    if os.geteuid() == 0:
        home = Path("/proc")  # mode bits do not stop root; a read-only file system does
    try:
        with pytest.raises(StorageError) as info:
            check_data_home(home)
    finally:
        (tmp_path / "ro").chmod(0o700)
    assert "not writable" in info.value.message and "ORAL_SIM_HOME" in info.value.hint


def test_uncreatable_home_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot create"):
        check_data_home(blocker / "home")


def test_full_disk_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**9, 10**9 - 10**6, 10**6))
    with pytest.raises(StorageError, match="only 1 MB free"):
        check_data_home(tmp_path)
