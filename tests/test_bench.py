"""The benchmark harness: `oral-sim bench --quick` runs every section end to end (a smoke test of
the harness, not of the goals), and recording keeps earlier runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from oral_sim.bench import report

EXE = str(Path(sys.executable).parent / "oral-sim")


def test_quick_bench_runs_every_section_and_records(tmp_path: Path) -> None:
    bench_md = tmp_path / "BENCHMARKS.md"
    env = {**os.environ, "ORAL_SIM_BENCHMARKS": str(bench_md)}
    out = subprocess.run([EXE, "bench", "--quick", "--json", "--record"], capture_output=True,
                         text=True, env=env, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    results = json.loads(out.stdout)
    assert results["errors"] == {}
    assert set(results["sections"]) == {"latency", "transcription", "fillers", "tts", "startup",
                                        "scoring", "spoken"}
    assert results["end_of_answer_latency_s"] > 0
    assert results["latency_ratio_vs_batch"] > 0
    lat = results["sections"]["latency"]["answers"][0]
    assert lat["ours_words"] > 10 and lat["batch_words"] > 10, "both sides transcribed real speech"
    # the transcript is timed on its own as well, inside the time to feedback
    assert 0 < lat["ours_transcript_s"] <= lat["ours_s"]
    assert 0 < lat["batch_transcript_s"] <= lat["batch_s"]
    assert results["sections"]["tts"]["first_audio_cached_s"] < results["sections"]["tts"][
        "first_audio_uncached_s"]
    assert results["sections"]["startup"]["peak_rss_mb"] > 100
    # the scorer loaded in a new process from its export, and without one (its first load)
    assert results["sections"]["startup"]["scorer_load_s"] > 0
    assert results["sections"]["startup"]["scorer_load_first_s"] > 0
    # filled pauses the simulated candidate put in, found by the real pipeline (no eval data needed)
    sim = results["sections"]["fillers"]["simulated_candidate"]
    assert sim["answers"] == 1 and sim["filled_pauses"] > 0
    assert 1 <= sim["matched"] <= min(sim["filled_pauses"], sim["found"])
    fillers = results["sections"]["fillers"]
    # the marked utterances: as text, and spoken by the piper voice through the pipeline
    assert fillers["labelled_text"]["held_out"]["discourse_marker"]["marked"] > 100
    spoken = fillers["labelled_spoken"]
    assert spoken["utterances"] == 5
    heard = spoken["spoken"]["filled_pause"]
    assert heard["marked"] == spoken["text"]["filled_pause"]["marked"] > 0
    assert 0 < heard["found"] and heard["precision"] > 0, "the voice's fillers were transcribed"
    assert "spoken by the piper voice" in bench_md.read_text()
    if "pipeline" in fillers:  # the AMI clips are in the eval data
        heard = fillers["pipeline"]["in_the_audio"]
        assert fillers["reference_filled_pauses_in_the_audio"] == (
            fillers["reference_filled_pauses"] - len(fillers["cut_off_by_the_window"]))
        assert heard["matched"] <= fillers["reference_filled_pauses_in_the_audio"]
    # labelled answers spoken, transcribed and scored end to end, beside their written text
    said = results["sections"]["spoken"]
    assert said["answers"] == 3 and said["words"] > 100
    assert sum(said["word_errors"].values()) < 0.3 * said["words"], "the answers were heard"
    both = said["key_points"]
    assert both["spoken"]["labels"] == both["written"]["labels"] > 0
    terms = said["key_terms"]
    assert terms["hints_on_lost_terms"] <= min(terms["hints_shown"], terms["lost_by_recognizer"])
    text = bench_md.read_text()
    assert "end-of-answer latency" in text and "(quick)" in text
    assert "labelled answers spoken by the piper voice" in text


def test_record_keeps_previous_runs(tmp_path: Path) -> None:
    path = tmp_path / "B.md"
    base = {"command": "oral-sim bench", "machine": {"cpu": "x", "versions": {}}, "errors": {},
            "sections": {"tts": {"first_audio_uncached_s": 0.2, "first_audio_cached_s": 0.001,
                                 "real_time_factor": 0.05}}}
    report.record({**base, "date": "2026-01-01 10:00 UTC"}, path)
    report.record({**base, "date": "2026-01-02 10:00 UTC"}, path)
    text = path.read_text()
    assert text.count("## 2026-") == 2
    assert text.index("2026-01-02") < text.index("2026-01-01"), "newest first, older kept"
    assert "| TTS first audio, cached | 0.001 s |" in text


def test_the_returning_users_launch_finds_the_question_audio_cached(tmp_path: Path) -> None:
    """The launch that fills the bench home's caches runs to its end: killed at the first audio
    it kept no question audio, and "a returning user" was timed with the voice synthesizing."""
    from oral_sim.bench.startup import first_question_audio_s

    home = tmp_path / "home"
    env = {**os.environ, "ORAL_SIM_HOME": str(home)}
    whole = first_question_audio_s(env, to_the_end=True)
    assert whole is not None and whole > 0
    assert list(home.glob("cache/tts/*.npz")), "the question's audio was not kept"


def test_the_first_screen_launch_gets_its_own_environment(tmp_path: Path) -> None:
    """A tmux session made on a running server gets that server's environment: with the user's
    own tmux running (here one started with another data home), the bench launched the app
    with that home. It now runs its own tmux server."""
    import shutil

    import pytest

    from oral_sim.bench.startup import first_screen_s

    if shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    name = f"foreign-{os.getpid()}"
    wrong, right = tmp_path / "wrong", tmp_path / "right"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "sleep 120"], check=True,
                   env={**os.environ, "ORAL_SIM_HOME": str(wrong)})
    try:
        assert first_screen_s({**os.environ, "ORAL_SIM_HOME": str(right)}) is not None
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    assert list(right.glob("cache/bank/*.pickle")) and not wrong.exists()
