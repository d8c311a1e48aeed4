"""`oral-sim transcribe AUDIO [--json]`: a file through the live-capture path (frames -> VAD ->
incremental Whisper), as fast as the CPU allows."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("transcribe", help="transcribe an audio file through the live pipeline")
    p.add_argument("audio", help="wav, flac, mp3, ogg ... any rate, mono or stereo")
    p.add_argument("--json", action="store_true", help="words with timings, fillers and pace as JSON")
    p.add_argument("--asr-model", help="Whisper CTranslate2 folder in models/ or a path")
    p.add_argument("--realtime", action="store_true", help="pace the file as a live microphone")
    p.add_argument("--question", metavar="ID",
                   help="the bank question the file answers: its words are given to the "
                   "recognizer, as `analyze` and an interview do, so the words, fillers and "
                   "pauses are the ones they give")
    p.add_argument("--bank", type=Path, help="bank file or folder of --question (default: "
                   "scripts_bank/)")
    p.set_defaults(func=run_transcribe)


def run_transcribe(args: argparse.Namespace) -> int:
    from oral_sim.cli.interview_cmd import settings_from_args
    from oral_sim.engine.metrics import analyze_delivery, pace_without_speech
    from oral_sim.engine.pipeline import transcribe_file

    settings = settings_from_args(args)  # --asr-model, else $ORAL_SIM_ASR_MODEL
    question = None
    if args.question:
        from oral_sim.cli.feedback_cmd import bank_question

        question = bank_question(args.question, args.bank)  # before any model loads
    elif args.bank:
        from oral_sim.errors import UsageError

        raise UsageError("--bank names the bank of --question", "add --question ID")
    from oral_sim.cli import progress_line

    progress = progress_line()  # on a terminal only: a long file is not transcribed in silence
    try:
        result = transcribe_file(args.audio, settings, realtime=args.realtime, on_update=progress,
                                 asked=question.prompt if question else None,
                                 spell=question.written if question else None)
    finally:
        if progress is not None:
            progress.done()  # type: ignore[attr-defined]
    transcript = result.transcript
    delivery = analyze_delivery(transcript)
    if args.json:
        out = transcript.to_dict()
        d = delivery.to_dict()
        out["fillers"] = d["fillers"]
        # no words, no pace: the same shape with nothing in it (a reader of `pace.wpm` gets null)
        out["pace"] = d["pace"] or pace_without_speech()
        out["processing_s"] = round(result.processing_s, 3)
        print(json.dumps(out, indent=2))
        return 0
    print(transcript.text or "(no speech recognised)")
    f = delivery.fillers
    pace = delivery.pace
    extra = f"; {pace.wpm:.0f} WPM" if pace is not None and pace.wpm else ""
    print(f"\n[{result.duration_s:.1f} s of audio, transcribed in {result.processing_s:.1f} s; "
          f"{f.count} filler{'' if f.count == 1 else 's'}{extra}]")
    return 0
