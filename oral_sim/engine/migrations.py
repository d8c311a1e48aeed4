"""Schema migrations of the history database: a list of functions, applied in order inside one
transaction each; `PRAGMA user_version` records how many have run."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


def _v1_initial(db: sqlite3.Connection) -> None:
    # Statement by statement: executescript() would commit the open transaction first.
    _script(
        db,
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            script_id TEXT NOT NULL,
            script_title TEXT NOT NULL,
            mode TEXT NOT NULL,
            status TEXT NOT NULL
        );
        CREATE TABLE asked (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            question_id TEXT NOT NULL,
            prompt TEXT NOT NULL,
            category TEXT NOT NULL,
            timebox_s INTEGER NOT NULL,
            is_follow_up INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            asked_id INTEGER NOT NULL REFERENCES asked(id) ON DELETE CASCADE,
            attempt INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            audio_path TEXT,
            transcript TEXT NOT NULL,
            feedback TEXT NOT NULL,
            typed INTEGER NOT NULL DEFAULT 0,
            score REAL,
            wpm REAL,
            fillers_per_min REAL,
            fillers_count INTEGER,
            latency_s REAL,
            duration_s REAL
        );
        CREATE INDEX asked_session ON asked(session_id);
        CREATE INDEX asked_question ON asked(question_id);
        CREATE INDEX attempts_asked ON attempts(asked_id);
        """
    )


def _v2_settings_and_times(db: sqlite3.Connection) -> None:
    """Sessions remember their settings; questions when they were asked."""
    db.execute("ALTER TABLE sessions ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'")
    db.execute("ALTER TABLE asked ADD COLUMN asked_at TEXT")


def _v3_key_points_missed(db: sqlite3.Connection) -> None:
    """Missed key points per attempt, for the weak-first practice mix."""
    db.execute("ALTER TABLE attempts ADD COLUMN key_points_missed INTEGER")
    db.execute(
        "UPDATE attempts SET key_points_missed = ("
        " SELECT COUNT(*) FROM json_each(json_extract(feedback, '$.content.key_points')) k"
        " WHERE json_extract(k.value, '$.covered') = 0)"
        " WHERE json_valid(feedback) AND json_extract(feedback, '$.content.key_points') IS NOT NULL"
    )


def _script(db: sqlite3.Connection, sql: str) -> None:
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


#: Every migration, in order. Append only; never edit one that has shipped.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _v1_initial,
    _v2_settings_and_times,
    _v3_key_points_missed,
]


def schema_version(db: sqlite3.Connection) -> int:
    """How many migrations this database has had."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, upto: int | None = None) -> int:
    """Apply the missing migrations (up to `upto`, default all); returns the new version."""
    target = len(MIGRATIONS) if upto is None else upto
    version = schema_version(db)
    if version > len(MIGRATIONS):
        from oral_sim.errors import StorageError

        raise StorageError(
            f"the history database is from a newer oral-sim (schema {version}, this one knows "
            f"{len(MIGRATIONS)})",
            "update oral-sim, or set ORAL_SIM_HOME to another folder",
        )
    while version < target:
        db.execute("BEGIN IMMEDIATE")
        try:
            # Another process or thread may have migrated while we waited for the write lock.
            version = schema_version(db)
            if version >= target:
                db.execute("COMMIT")
                break
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        version += 1
    return version
