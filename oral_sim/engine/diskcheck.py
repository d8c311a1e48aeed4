"""Room to record: checked before a session and before each answer, so a full disk or a read-only
data home is reported before the user speaks, not after the answer is lost."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from oral_sim import locations
from oral_sim.errors import StorageError

#: 16 kHz mono int16 answer audio is 1.9 MB a minute; 50 MB holds a long answer plus the
#: database's growth with room to spare.
MIN_FREE_BYTES = 50_000_000


def check_data_home(path: Path | None = None, min_free_bytes: int = MIN_FREE_BYTES) -> Path:
    """Raise StorageError unless the data home exists (or can be made), is writable and has room."""
    home = path or locations.data_home()
    hint = "set ORAL_SIM_HOME to a writable folder with free space, or free some space"
    try:
        locations.ensure_private_dir(home)
    except OSError as exc:
        raise StorageError(f"cannot create the data folder {home} ({exc.strerror})", hint) from None
    try:
        with tempfile.NamedTemporaryFile(dir=home, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise StorageError(f"the data folder {home} is not writable ({exc.strerror})", hint) from None
    free = shutil.disk_usage(home).free
    if free < min_free_bytes:
        raise StorageError(
            f"only {free / 1e6:.0f} MB free where answers are recorded ({home}); "
            f"at least {min_free_bytes / 1e6:.0f} MB are needed",
            hint,
        )
    return home
