"""Long use, time-compressed: a session of many answers of real speech fed through the file
source as fast as the CPU allows, through the same runner, pipeline, scorer and store as a live
session. Reports resident memory after every answer and checks that every answer was stored.

A two-hour session is `oral-sim bench --only soak --soak-minutes 120`.
"""

from __future__ import annotations

import os
import statistics
import threading
from collections.abc import Callable
from pathlib import Path

from oral_sim.config import Settings


def run(
    settings: Settings,
    eval_root: Path,
    work: Path,
    minutes: float = 10.0,
    answer_s: float = 60.0,
    log: Callable[[str], None] = print,
) -> dict:
    """Run a session of `minutes` of answer audio in answers of `answer_s` seconds."""
    import psutil

    from oral_sim.bench.latency import build_answer, lj_clips, tts_clips
    from oral_sim.engine import session as ev
    from oral_sim.engine.audio import FileSource
    from oral_sim.engine.bank import load_bank
    from oral_sim.engine.live import make_speaker
    from oral_sim.engine.store import Store

    clips = lj_clips(eval_root) or tts_clips(work)
    count = max(2, round(minutes * 60 / answer_s))
    # A handful of distinct answer files, reused round-robin: the audio varies, the disk stays small.
    files = [build_answer(clips, answer_s, work / f"soak-{i}.wav", offset=i * 5)[0] for i in range(4)]
    bank = load_bank()
    pool = bank.all_questions()
    plan = ev.SessionPlan(
        script_id="soak",
        script_title="Soak test",
        questions=[pool[i % len(pool)] for i in range(count)],
        mode="file",
    )
    settings.session.ask_follow_ups = False
    proc = psutil.Process(os.getpid())
    rss_mb: list[float] = []
    done = threading.Event()

    def on_event(event) -> None:
        if isinstance(event, ev.FeedbackReady):
            rss_mb.append(proc.memory_info().rss / 1e6)
            if len(rss_mb) % 10 == 0:
                log(f"  soak: {len(rss_mb)}/{count} answers, RSS {rss_mb[-1]:.0f} MB")
        elif isinstance(event, ev.SessionEnded):
            done.set()

    with Store() as store:
        runner = ev.InterviewRunner(
            plan,
            settings,
            store,
            make_speaker(settings, play=False),
            lambda question, ordinal: FileSource(files[ordinal % len(files)], realtime=False),
            on_event,
        )
        summary = runner.run()
        record = store.get_session(runner.session_id)
        stored = sum(len(q.attempts) for q in record.questions)
        with_audio = sum(
            1 for q in record.questions for a in q.attempts if a.audio_path
        )
    # Memory after warm-up (models loaded, caches filled) against the end of the session.
    warm = statistics.median(rss_mb[1:4]) if len(rss_mb) >= 4 else (rss_mb[0] if rss_mb else 0)
    end = statistics.median(rss_mb[-3:]) if rss_mb else 0
    return {
        "answers": count,
        "answer_audio_min": round(count * answer_s / 60, 1),
        "stored_attempts": stored,
        "stored_with_audio": with_audio,
        "answered": summary.answered,
        "rss_warm_mb": round(warm, 1),
        "rss_end_mb": round(end, 1),
        "rss_growth_mb": round(end - warm, 1),
        "rss_max_mb": round(max(rss_mb), 1) if rss_mb else None,
        "rss_per_answer_mb": [round(x, 1) for x in rss_mb],
    }
