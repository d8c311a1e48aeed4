"""Crash recovery. A running session keeps `owner.pid` in its folder; on the next start, a session
still "in_progress" whose owner is gone is interrupted: its half-written answer WAVs are repaired
(header sizes from the file length), transcribed, scored and kept, and the session is marked
"recovered"."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oral_sim import locations

PID_FILE = "owner.pid"
"""Name of the file that holds the pid of the process running a session."""


@dataclass
class RecoveryReport:
    """What the recovery pass did."""

    sessions: list[str] = field(default_factory=list)
    """Ids of sessions found interrupted."""
    answers: list[Path] = field(default_factory=list)
    """Answer WAVs that were repaired, transcribed and stored."""
    problems: list[str] = field(default_factory=list)
    """Files that could not be recovered, with the reason (the files are kept)."""


def claim(session_dir: Path) -> None:
    """Mark `session_dir` as owned by this process."""
    path = session_dir / PID_FILE
    path.write_text(str(os.getpid()))
    path.chmod(0o600)


def release(session_dir: Path) -> None:
    """The session ended normally."""
    try:
        (session_dir / PID_FILE).unlink()
    except FileNotFoundError:
        pass


def _owner_alive(session_dir: Path) -> bool:
    try:
        pid = int((session_dir / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_interrupted(
    store: Any, settings: Any = None, transcribe: bool = True
) -> RecoveryReport:
    """Find sessions whose process died, keep and transcribe their audio. Safe to run at every start."""
    from oral_sim.config import Settings

    settings = settings or Settings()
    report = RecoveryReport()
    for summary in store.list_sessions():
        if summary.status != "in_progress":
            continue
        sdir = store.session_dir(summary.id)
        if _owner_alive(sdir):
            continue
        report.sessions.append(summary.id)
        record = store.get_session(summary.id)
        for asked in record.questions:
            if asked.attempts:
                continue
            for wav in sorted(sdir.glob(f"q{asked.ordinal:02d}-*.wav")) or _any_wav_for(
                sdir, asked
            ):
                _recover_answer(store, settings, asked, wav, report, transcribe)
        store.finish_session(summary.id, "recovered")
        release(sdir)
    return report


def _any_wav_for(sdir: Path, asked: Any) -> list[Path]:
    # Fallback when the store names answer files differently: any WAV that mentions the ordinal.
    return sorted(p for p in sdir.glob("*.wav") if f"{asked.ordinal:02d}" in p.stem)


def _recover_answer(
    store, settings, asked, wav: Path, report: RecoveryReport, transcribe: bool
) -> None:
    from oral_sim.engine.audio import repair_wav
    from oral_sim.engine.transcript import Transcript

    try:
        repair_wav(wav)
    except Exception as exc:  # keep the file whatever happens
        report.problems.append(f"{wav}: could not repair ({exc})")
        return
    transcript = Transcript()
    feedback_dict: dict = {}
    numbers: dict = {}
    if transcribe:
        try:
            from oral_sim.engine.bank import Question
            from oral_sim.engine.feedback import build_feedback
            from oral_sim.engine.pipeline import transcribe_file
            from oral_sim.engine.session import feedback_numbers

            # as asked, with the bank question's content (reference, key points and all that
            # comes with them) when it is still in the bank
            in_bank = _bank_question(asked.question_id, asked.prompt)
            transcript = transcribe_file(wav, settings, asked=asked.prompt,
                                         spell=in_bank.written if in_bank else None).transcript
            known = in_bank or Question(
                id=asked.question_id, prompt=asked.prompt, category=asked.category,
                difficulty="medium", timebox_s=asked.timebox_s, reference_answer="",
                key_points=[], follow_ups=[], source_line=0)
            question = dataclasses.replace(known, prompt=asked.prompt, category=asked.category,
                                           timebox_s=asked.timebox_s, follow_ups=[])
            fb = build_feedback(
                transcript, question, question_end_s=0.0, score=bool(question.reference_answer)
            )
            feedback_dict = fb.to_dict()
            numbers = feedback_numbers(fb)
        except Exception as exc:
            report.problems.append(f"{wav}: kept, but not transcribed ({exc})")
    t = transcript.to_dict()
    t["speech_s"] = transcript.speech_s
    try:
        rel = str(wav.relative_to(locations.data_home()))
    except ValueError:
        rel = str(wav)
    numbers.setdefault("score", None)
    store.add_attempt(
        asked.id,
        audio_path=rel,
        transcript=t,
        feedback=feedback_dict,
        typed=False,
        **{
            k: numbers.get(k)
            for k in (
                "score",
                "wpm",
                "fillers_per_min",
                "fillers_count",
                "latency_s",
                "duration_s",
                "key_points_missed",
            )
        },
    )
    report.answers.append(wav)


def _bank_question(qid: str, prompt: str):
    """The question as asked (a follow-up: its probe, scored as the interview scored it), or
    None when the bank no longer has it."""
    try:
        from oral_sim.engine.bank import load_bank

        return load_bank().asked(qid, prompt)
    except Exception:
        return None

