"""The practice history: SQLite in the data home (WAL, every write in a transaction), one row per
session, per question asked and per answer attempt; answer audio as WAV files beside it.

Files are private to the user (folders 0700, database 0600). A corrupt or locked database is a
StorageError that says what to do; it never takes the app down with a traceback.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from oral_sim import locations
from oral_sim.engine.migrations import migrate
from oral_sim.errors import StorageError, UsageError

#: The mode of sessions the simulated candidate answered (`oral-sim demo`): kept and listed, but
#: not the user's practice, so left out of progress, category means, weak-first and compare.
SIMULATED_MODE = "demo"

#: The key in a session's settings of how many questions it set out to ask (`Session.run`).
PLANNED_KEY = "planned_questions"

def planned_of(planned: Any, asked: int) -> int:
    """How many questions a session set out to ask: its plan (`PLANNED_KEY`), or the questions
    it asked where no plan was kept (sessions from before it was)."""
    return planned if isinstance(planned, int) and planned >= asked else asked


#: How many new session ids `Store.start_session` tries before it gives up.
_ID_TRIES = 20


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class Attempt:
    """One answer to one asked question."""

    id: int
    """Row id."""
    asked_id: int
    """The asked question it answers."""
    attempt: int
    """1 for the first answer, 2 after a repeat..."""
    created_at: str
    """ISO time (UTC)."""
    audio_path: str | None
    """Answer WAV, relative to the data home (None for typed answers)."""
    transcript: dict
    """Transcript.to_dict() (+ speech_s)."""
    feedback: dict
    """Feedback.to_dict()."""
    typed: bool
    """Typed rather than spoken."""
    score: float | None
    """Content score 0-100."""
    wpm: float | None
    """Words per minute."""
    fillers_per_min: float | None
    """Fillers per minute."""
    fillers_count: int | None
    """Fillers."""
    latency_s: float | None
    """Response latency."""
    duration_s: float | None
    """The recording's length (it runs on past the last word, to the stop or the closing
    silence); `length_s` is the answer's length as shown."""
    key_points_missed: int | None
    """Key points not covered."""
    question_id: str = ""
    """The bank question (filled by queries that join it)."""
    session_id: str = ""
    """The session (filled by queries that join it)."""

    @property
    def length_s(self) -> float | None:
        """How long the answer took against its timebox: from the end of the question to the
        last word (`metrics.analyze_delivery`), the length the feedback card shows; the
        recording's length for an attempt stored without it. The history and the reports show
        this, so they agree with the card."""
        value = (self.feedback.get("timebox") or {}).get("duration_s")
        return float(value) if isinstance(value, int | float) else self.duration_s

    def audio_file(self) -> Path | None:
        """Absolute path of the answer audio, or None (typed, or the file is gone)."""
        if not self.audio_path:
            return None
        path = Path(self.audio_path)
        path = path if path.is_absolute() else locations.data_home() / path
        return path if path.is_file() else None


@dataclass
class AskedQuestion:
    """A question as it was asked in a session."""

    id: int
    ordinal: int
    question_id: str
    prompt: str
    category: str
    timebox_s: int
    is_follow_up: bool
    attempts: list[Attempt] = field(default_factory=list)
    """Answers, oldest first."""


@dataclass
class SessionSummary:
    """One line of the history list."""

    id: str
    started_at: str
    finished_at: str | None
    script_id: str
    script_title: str
    mode: str
    status: str
    """in_progress | completed | interrupted | recovered."""
    questions: int
    """Questions asked (follow-up probes apart)."""
    answered: int
    """Questions with at least one answer (follow-up probes apart)."""
    avg_score: float | None
    fillers_per_min: float | None
    avg_wpm: float | None
    avg_latency_s: float | None
    follow_ups: int = 0
    """Follow-up probes answered."""
    planned: int | None = None
    """Questions the session set out to ask (None: a session from before it was kept)."""

    @property
    def done(self) -> str:
        """"2/3" (answered of planned, or of asked), "+1" per follow-up answered: "2/3+1"."""
        extra = f"+{self.follow_ups}" if self.follow_ups else ""
        return f"{self.answered}/{planned_of(self.planned, self.questions)}{extra}"


@dataclass
class SessionRecord:
    """A whole session with its questions and attempts."""

    id: str
    started_at: str
    finished_at: str | None
    script_id: str
    script_title: str
    mode: str
    status: str
    settings: dict
    questions: list[AskedQuestion] = field(default_factory=list)


class Store:
    """The history database. Use as a context manager or call close()."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else locations.database_path()
        """The SQLite file."""
        try:
            locations.ensure_private_dir(self.path.parent)
        except OSError as exc:
            raise StorageError(f"cannot create {self.path.parent} ({exc.strerror})",
                               "set ORAL_SIM_HOME to a writable folder") from None
        old_umask = os.umask(0o077)  # the database and its WAL/SHM files: user only
        try:
            self._db = sqlite3.connect(str(self.path), timeout=5.0, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA foreign_keys = ON")
            _set_wal(self._db)
            self._db.execute("PRAGMA synchronous = NORMAL")
            migrate(self._db)
        except sqlite3.DatabaseError as exc:
            raise _explain(exc, self.path) from None
        finally:
            os.umask(old_umask)
        try:
            self.path.chmod(0o600)
        except OSError:
            pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        try:
            self._db.close()
        except sqlite3.Error:
            pass

    def _write(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        try:
            with self._db:  # one transaction
                return self._db.execute(sql, args)
        except sqlite3.DatabaseError as exc:
            raise _explain(exc, self.path) from None

    def _read(self, sql: str, args: tuple | dict = ()) -> list[sqlite3.Row]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _explain(exc, self.path) from None

    # --- sessions ----------------------------------------------------------------------------

    def start_session(self, script_id: str, script_title: str, mode: str,
                      settings: dict | None = None) -> SessionRecord:
        """A new session, status in_progress."""
        started = _now()
        for _ in range(_ID_TRIES):
            # second + 4 hex digits: two sessions started in one second (a script, a test) meet
            # one time in 65,536 per pair; a taken id, or a folder left by a removed history, is
            # passed over for a new one.
            sid = datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
            if locations.safe_child(locations.sessions_dir(), sid).exists():
                continue
            try:
                with self._db:  # one transaction
                    self._db.execute(
                        "INSERT INTO sessions (id, started_at, script_id, script_title, mode,"
                        " status, settings) VALUES (?, ?, ?, ?, ?, 'in_progress', ?)",
                        (sid, started, script_id, script_title, mode,
                         json.dumps(settings or {})),
                    )
                break
            except sqlite3.IntegrityError:
                continue
            except sqlite3.DatabaseError as exc:
                raise _explain(exc, self.path) from None
        else:
            raise StorageError(f"no free session id after {_ID_TRIES} tries in {self.path}",
                               "try again in a second")
        self.session_dir(sid)
        return SessionRecord(sid, started, None, script_id, script_title, mode, "in_progress",
                             settings or {})

    def session_dir(self, session_id: str) -> Path:
        """Folder of the session's answer audio (created, private)."""
        path = locations.safe_child(locations.sessions_dir(), session_id)
        return locations.ensure_private_dir(path)

    def finish_session(self, session_id: str, status: str) -> None:
        """Mark the session completed / interrupted / recovered."""
        self._write("UPDATE sessions SET status = ?, finished_at = ? WHERE id = ?",
                    (status, _now(), session_id))

    def add_question(self, session_id: str, ordinal: int, question_id: str, prompt: str,
                     category: str, timebox_s: int, is_follow_up: bool = False) -> int:
        """Record a question asked; returns its row id."""
        cur = self._write(
            "INSERT INTO asked (session_id, ordinal, question_id, prompt, category, timebox_s,"
            " is_follow_up, asked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, ordinal, question_id, prompt, category, int(timebox_s),
             int(is_follow_up), _now()),
        )
        return int(cur.lastrowid)

    def answer_audio_path(self, session_id: str, ordinal: int, attempt: int) -> Path:
        """Where the answer audio of this question/attempt is written."""
        return self.session_dir(session_id) / f"q{int(ordinal):02d}-a{int(attempt)}.wav"

    def add_attempt(self, asked_id: int, audio_path: str | None, transcript: dict,
                    feedback: dict, typed: bool, score: Any = None, wpm: Any = None,
                    fillers_per_min: Any = None, fillers_count: Any = None,
                    latency_s: Any = None, duration_s: Any = None,
                    key_points_missed: Any = None) -> int:
        """Record one answer; returns its row id."""
        try:
            with self._db:
                (n,) = self._db.execute("SELECT COUNT(*) FROM attempts WHERE asked_id = ?",
                                        (asked_id,)).fetchone()
                cur = self._db.execute(
                    "INSERT INTO attempts (asked_id, attempt, created_at, audio_path, transcript,"
                    " feedback, typed, score, wpm, fillers_per_min, fillers_count, latency_s,"
                    " duration_s, key_points_missed) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (asked_id, n + 1, _now(), audio_path, json.dumps(transcript),
                     json.dumps(feedback), int(typed), score, wpm, fillers_per_min,
                     fillers_count, latency_s, duration_s, key_points_missed),
                )
                return int(cur.lastrowid)
        except sqlite3.DatabaseError as exc:
            raise _explain(exc, self.path) from None

    # --- reading -----------------------------------------------------------------------------

    def list_sessions(self) -> list[SessionSummary]:
        """Every session, newest first, with its averages. A question answered again counts
        with its last answer, as in the session's own summary. Fillers per minute is over
        speaking time, as on each answer's card (the feedback's `pace.speaking_s`; the answer's
        length where a stored feedback has none)."""
        rows = self._read(
            """
            WITH t AS (SELECT t.*, a.session_id FROM attempts t JOIN asked a ON a.id = t.asked_id
                       WHERE t.id = (SELECT MAX(l.id) FROM attempts l WHERE l.asked_id = t.asked_id))
            SELECT s.*,
              (SELECT COUNT(*) FROM asked a WHERE a.session_id = s.id AND a.is_follow_up = 0)
                AS questions,
              (SELECT COUNT(*) FROM t JOIN asked a ON a.id = t.asked_id
                WHERE t.session_id = s.id AND a.is_follow_up = 0) AS answered,
              (SELECT COUNT(*) FROM t JOIN asked a ON a.id = t.asked_id
                WHERE t.session_id = s.id AND a.is_follow_up = 1) AS follow_ups,
              json_extract(s.settings, :planned) AS planned,
              (SELECT AVG(t.score) FROM t WHERE t.session_id = s.id) AS avg_score,
              (SELECT SUM(t.fillers_count) * 60.0 / NULLIF(SUM(
                        COALESCE(json_extract(t.feedback, '$.pace.speaking_s'), t.duration_s)), 0)
                 FROM t WHERE t.session_id = s.id AND t.typed = 0
                   AND COALESCE(json_extract(t.feedback, '$.pace.speaking_s'), t.duration_s) > 0
                ) AS fillers_per_min,
              (SELECT AVG(t.wpm) FROM t WHERE t.session_id = s.id) AS avg_wpm,
              (SELECT AVG(t.latency_s) FROM t WHERE t.session_id = s.id) AS avg_latency_s
            FROM sessions s ORDER BY s.started_at DESC, s.id DESC
            """,
            {"planned": f"$.{PLANNED_KEY}"},
        )
        return [
            SessionSummary(
                r["id"], r["started_at"], r["finished_at"], r["script_id"], r["script_title"],
                r["mode"], r["status"], r["questions"], r["answered"], _number(r["avg_score"]),
                _number(r["fillers_per_min"]), _number(r["avg_wpm"]), _number(r["avg_latency_s"]),
                r["follow_ups"], r["planned"] if isinstance(r["planned"], int) else None,
            )
            for r in rows
        ]

    def get_session(self, session_id: str) -> SessionRecord:
        """A session with its questions and attempts; UsageError if unknown."""
        rows = self._read("SELECT * FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise UsageError(f"no session {session_id!r} in the history",
                             "`oral-sim sessions list` shows the ids")
        r = rows[0]
        record = SessionRecord(r["id"], r["started_at"], r["finished_at"], r["script_id"],
                               r["script_title"], r["mode"], r["status"],
                               _loads(r["settings"]))
        asked = self._read("SELECT * FROM asked WHERE session_id = ? ORDER BY ordinal, id",
                           (session_id,))
        by_id: dict[int, AskedQuestion] = {}
        for a in asked:
            q = AskedQuestion(a["id"], a["ordinal"], a["question_id"], a["prompt"], a["category"],
                              a["timebox_s"], bool(a["is_follow_up"]))
            by_id[q.id] = q
            record.questions.append(q)
        if by_id:
            marks = ",".join("?" * len(by_id))
            for t in self._read(f"SELECT * FROM attempts WHERE asked_id IN ({marks}) "
                                "ORDER BY attempt, id", tuple(by_id)):
                att = _attempt(t)
                att.question_id = by_id[t["asked_id"]].question_id
                att.session_id = session_id
                by_id[t["asked_id"]].attempts.append(att)
        return record

    def attempts_for_question(self, question_id: str,
                              simulated: bool | None = None) -> list[Attempt]:
        """Every attempt at one bank question across sessions, oldest first; `simulated=False`
        only the user's own, `True` only the simulated candidate's (sessions of mode
        `SIMULATED_MODE`), None both."""
        rows = self._read(
            "SELECT t.*, a.question_id AS qid, a.session_id AS sid FROM attempts t "
            "JOIN asked a ON a.id = t.asked_id JOIN sessions s ON s.id = a.session_id "
            "WHERE a.question_id = ? AND (? OR (s.mode = ?) = ?) ORDER BY t.created_at, t.id",
            (question_id, int(simulated is None), SIMULATED_MODE, int(bool(simulated))),
        )
        out = []
        for r in rows:
            att = _attempt(r)
            att.question_id, att.session_id = r["qid"], r["sid"]
            out.append(att)
        return out

    def question_stats(self) -> dict[str, dict]:
        """Per bank question, from the user's own answers (the simulated candidate's left out):
        attempts, last score, mean missed key points, last seen."""
        rows = self._read(
            """
            SELECT a.question_id AS qid, COUNT(t.id) AS n, MAX(t.created_at) AS last_seen,
                   AVG(t.score) AS avg_score, AVG(t.key_points_missed) AS missed,
                   (SELECT t2.score FROM attempts t2 JOIN asked a2 ON a2.id = t2.asked_id
                     JOIN sessions s2 ON s2.id = a2.session_id
                     WHERE a2.question_id = a.question_id AND s2.mode != :sim
                     ORDER BY t2.created_at DESC, t2.id DESC LIMIT 1) AS last_score
            FROM asked a JOIN attempts t ON t.asked_id = a.id
            JOIN sessions s ON s.id = a.session_id
            WHERE s.mode != :sim GROUP BY a.question_id
            """, {"sim": SIMULATED_MODE}
        )
        return {r["qid"]: {"attempts": r["n"], "last_seen": r["last_seen"],
                           "avg_score": r["avg_score"], "last_score": r["last_score"],
                           "missed": r["missed"]} for r in rows}


def _number(x: Any) -> float | None:
    """A figure as it was measured: rounded only where it is shown (`shown.whole`), once. Rounded
    here to a decimal first, a mean of 100.45 WPM showed as 101 in the list and 100 in the
    report, and 1.749 fillers a minute as 1.8."""
    return None if x is None else float(x)


def _loads(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
        return value if isinstance(value, dict) else {}
    except json.JSONDecodeError:
        return {}


def _attempt(r: sqlite3.Row) -> Attempt:
    return Attempt(
        r["id"], r["asked_id"], r["attempt"], r["created_at"], r["audio_path"],
        _loads(r["transcript"]), _loads(r["feedback"]), bool(r["typed"]), r["score"], r["wpm"],
        r["fillers_per_min"], r["fillers_count"], r["latency_s"], r["duration_s"],
        r["key_points_missed"],
    )


def _set_wal(db: sqlite3.Connection, wait_s: float = 5.0) -> None:
    """Switch to WAL. Several connections opening a new database at once (the app's recovery
    and interview threads) may find it locked: the switch does not always wait on the busy
    timeout, so it is tried again for up to `wait_s` (once, in a test, it failed at once)."""
    import time

    deadline = time.monotonic() + wait_s
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _explain(exc: sqlite3.DatabaseError, path: Path) -> StorageError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StorageError(f"the history database {path} is locked",
                            "another oral-sim may be writing it; close it and try again")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StorageError(
            f"the history database {path} is damaged ({text})",
            f"move it aside (e.g. `mv {path} {path}.broken`); oral-sim then starts a new history "
            "and your answer audio in sessions/ is kept",
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StorageError(f"cannot write the history database {path} ({text})",
                            "set ORAL_SIM_HOME to a writable folder")
    return StorageError(f"history database error: {text}", None)
