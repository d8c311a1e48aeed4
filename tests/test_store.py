"""The history store: round trips, transactions, privacy, migrations from an older schema, and
clear errors for a corrupt or locked database."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from oral_sim import locations
from oral_sim.engine.migrations import MIGRATIONS, migrate, schema_version
from oral_sim.engine.store import Store
from oral_sim.errors import StorageError, UsageError


def _fill(store: Store) -> str:
    rec = store.start_session("ml-questions", "ML questions", "live", {"tts": {"speed": 1}})
    q1 = store.add_question(rec.id, 1, "mlq-001", "What is X?", "conceptual", 90)
    store.add_attempt(q1, "sessions/x/q01-a1.wav", {"text": "an answer", "words": []},
                      {"content": {"score": 70, "key_points": [{"covered": False}]}}, False,
                      score=70, wpm=120.0, fillers_per_min=3.0, fillers_count=2, latency_s=1.2,
                      duration_s=40.0, key_points_missed=1)
    # answered again: the session's figures are the last answer's
    store.add_attempt(q1, "sessions/x/q01-a2.wav", {"text": "a better answer", "words": []}, {},
                      False, score=80, wpm=130.0, fillers_per_min=1.5, fillers_count=1,
                      latency_s=1.0, duration_s=40.0, key_points_missed=0)
    q2 = store.add_question(rec.id, 2, "mlq-002", "What is Y?", "conceptual", 90, is_follow_up=True)
    store.add_attempt(q2, None, {"text": "y"}, {}, True, score=50, wpm=None)
    store.finish_session(rec.id, "completed")
    return rec.id


def test_round_trip(tmp_path: Path) -> None:
    with Store() as store:
        sid = _fill(store)
        (summary,) = store.list_sessions()
        # mlq-002 was asked as a follow-up: counted apart
        assert (summary.id, summary.status, summary.questions, summary.answered,
                summary.follow_ups) == (sid, "completed", 1, 1, 1)
        # mlq-001 counts with its last answer (80, 1 filler in 40 s), not with both
        assert summary.avg_score == pytest.approx((80 + 50) / 2, abs=0.1)
        assert summary.fillers_per_min == pytest.approx(1.5)
        assert (summary.avg_wpm, summary.avg_latency_s) == (130, 1.0)
        from oral_sim.engine.progress import by_category

        cats = by_category(store)  # the progress chart counts mlq-001 once, with its last answer
        assert list(cats) == ["conceptual"] and sorted(cats["conceptual"]) == [50.0, 80.0]
        record = store.get_session(sid)
        assert [q.question_id for q in record.questions] == ["mlq-001", "mlq-002"]
        assert [a.attempt for a in record.questions[0].attempts] == [1, 2]
        assert record.questions[0].attempts[0].transcript["text"] == "an answer"
        assert record.questions[1].is_follow_up
        assert record.settings == {"tts": {"speed": 1}}
        assert [a.score for a in store.attempts_for_question("mlq-001")] == [70, 80]
        assert store.question_stats()["mlq-001"]["attempts"] == 2
        # a simulated candidate's session (demo) is kept but is not the user's practice
        demo = store.start_session("ml-questions", "ML questions", "demo", {})
        q = store.add_question(demo.id, 1, "mlq-001", "What is X?", "conceptual", 90)
        store.add_attempt(q, None, {"text": "the candidate"}, {}, False, score=95)
        store.finish_session(demo.id, "completed")
        assert store.question_stats()["mlq-001"]["last_score"] == 80
        assert [a.score for a in store.attempts_for_question("mlq-001", simulated=False)] == [70, 80]
        assert [a.score for a in store.attempts_for_question("mlq-001")] == [70, 80, 95]
        # compare opened from the candidate's session showed its answers among the user's own
        # ("score: 78 -> 100"): each side is compared with itself
        from oral_sim.engine.progress import compare_attempts

        assert [a.score for a in store.attempts_for_question("mlq-001", simulated=True)] == [95]
        assert [r["attempt"].score for r in compare_attempts(store, "mlq-001")] == [70, 80]
        assert [r["attempt"].score for r in compare_attempts(store, "mlq-001", True)] == [95]
        assert sorted(by_category(store)["conceptual"]) == [50.0, 80.0]
        assert len(store.list_sessions()) == 2
        assert store.answer_audio_path(sid, 3, 2).name == "q03-a2.wav"
        with pytest.raises(UsageError, match="no session"):
            store.get_session("nope")


def test_files_are_private_and_wal(tmp_path: Path) -> None:
    with Store() as store:
        sid = _fill(store)
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert stat.S_IMODE(store.session_dir(sid).stat().st_mode) == 0o700
    db = locations.database_path()
    for path in [db, *db.parent.glob(db.name + "-*")]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_reopen_keeps_everything(tmp_path: Path) -> None:
    with Store() as store:
        sid = _fill(store)
    with Store() as store:
        assert store.get_session(sid).questions[0].attempts[0].score == 70


def test_migration_from_version_1_keeps_old_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    migrate(db, upto=1)
    db.execute("INSERT INTO sessions VALUES ('s1', '2026-01-01T00:00:00', NULL, 'x', 'X', 'live', 'completed')")
    db.execute("INSERT INTO asked VALUES (1, 's1', 1, 'mlq-001', 'p', 'conceptual', 90, 0)")
    db.execute(
        "INSERT INTO attempts VALUES (1, 1, 1, '2026-01-01T00:01:00', NULL, '{}', "
        "'{\"content\": {\"key_points\": [{\"covered\": true}, {\"covered\": false}, {\"covered\": false}]}}',"
        " 0, 55, 130, 2, 1, 0.8, 30)"
    )
    db.commit()
    assert schema_version(db) == 1
    db.close()
    with Store(path) as store:
        assert schema_version(store._db) == len(MIGRATIONS)
        att = store.get_session("s1").questions[0].attempts[0]
        assert (att.score, att.key_points_missed) == (55, 2)  # back-filled by migration 3
        assert store.get_session("s1").settings == {}


def test_failed_migration_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.sqlite3"
    db = sqlite3.connect(path)
    migrate(db, upto=1)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE sessions ADD COLUMN half TEXT")
        raise RuntimeError("power cut")

    monkeypatch.setattr("oral_sim.engine.migrations.MIGRATIONS", [MIGRATIONS[0], broken, *MIGRATIONS[2:]])
    with pytest.raises(RuntimeError):
        migrate(db)
    assert schema_version(db) == 1
    cols = [r[1] for r in db.execute("PRAGMA table_info(sessions)")]
    assert "half" not in cols


def test_corrupt_database_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "bad.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StorageError) as info:
        Store(path)
    assert "damaged" in info.value.message and "mv " in info.value.hint


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StorageError, match="newer oral-sim"):
        Store(path)


def test_locked_database_is_explained(tmp_path: Path) -> None:
    with Store() as store:
        store._db.execute("PRAGMA busy_timeout = 100")
        other = sqlite3.connect(locations.database_path())
        other.execute("BEGIN EXCLUSIVE")
        try:
            store._db.execute("PRAGMA busy_timeout = 100")
            with pytest.raises(StorageError, match="locked"):
                store.start_session("x", "X", "live", {})
        finally:
            other.rollback()
            other.close()


def test_two_stores_opening_a_new_database_at_once(tmp_path: Path) -> None:
    """The app opens the store in two threads at start (recovery and the interview)."""
    import threading

    path = tmp_path / "race.sqlite3"
    errors: list[Exception] = []

    def open_store() -> None:
        try:
            with Store(path) as store:
                store.list_sessions()
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store(path) as store:
        assert schema_version(store._db) == len(MIGRATIONS)


def test_a_taken_session_id_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clean-clone CI once failed on `UNIQUE constraint failed: sessions.id`: two of twelve
    sessions started in one second drew the same 4 hex digits. A taken id, or a folder a removed
    history left behind, is passed over; only when every try is taken is it an error."""
    from oral_sim.engine import store as store_module

    draws = iter(["abcd", "abcd", "0f0f", "abcd", "0f0f", "1234"])
    monkeypatch.setattr(store_module.secrets, "token_hex", lambda n: next(draws))
    monkeypatch.setattr(store_module, "datetime", _FrozenClock("20261204-082129"))
    with Store() as store:
        first = store.start_session("ml-questions", "ML questions", "live", {})
        second = store.start_session("ml-questions", "ML questions", "live", {})
        assert (first.id, second.id) == ("20261204-082129-abcd", "20261204-082129-0f0f")
        # a folder of that name whose row is gone is not reused either
        store._write("DELETE FROM sessions WHERE id = ?", (first.id,))
        assert locations.sessions_dir().joinpath(first.id).is_dir()
        third = store.start_session("ml-questions", "ML questions", "live", {})
        assert third.id == "20261204-082129-1234"
        assert {s.id for s in store.list_sessions()} == {second.id, third.id}
        monkeypatch.setattr(store_module.secrets, "token_hex", lambda n: "0f0f")
        with pytest.raises(StorageError, match="no free session id"):
            store.start_session("ml-questions", "ML questions", "live", {})


class _FrozenClock:
    """Stands in for `datetime` in store: `now()` is always the given second."""

    def __init__(self, stamp: str) -> None:
        from datetime import datetime

        self._now = datetime.strptime(stamp, "%Y%m%d-%H%M%S")

    def now(self, tz=None):  # noqa: ANN001, ANN201
        return self._now if tz is None else self._now.replace(tzinfo=tz)
