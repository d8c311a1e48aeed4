"""`oral-sim say` (speak text with the interviewer voice) and `oral-sim devices` (list audio
devices). Engine modules are imported inside the handlers to keep start-up cheap."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `say` and `devices` subcommands."""
    say = sub.add_parser("say", help="speak text with the interviewer voice (or write an audio file)")
    say.add_argument("text", metavar="TEXT", help="what to say")
    say.add_argument(
        "-o", "--output", metavar="OUT.wav",
        help="write a file instead of playing; its ending picks the type: "
        ".wav, .flac, .mp3, .ogg or .opus",
    )
    say.add_argument("--force", action="store_true",
                     help="replace an existing -o file (it is kept otherwise)")
    say.add_argument("--voice", metavar="NAME", help="piper voice in models/ or a .onnx path")
    say.add_argument(
        "--speed", type=float, metavar="X",
        help="speaking speed, 0.25 to 4 (1.0 normal, 1.2 faster)"
    )
    say.add_argument("--output-device", metavar="DEV", help="output device index or name")
    say.add_argument("--no-cache", action="store_true", help="do not read or write the TTS cache")
    say.set_defaults(func=run_say)

    devices = sub.add_parser("devices", help="list audio input and output devices")
    devices.add_argument("--json", action="store_true", help="machine-readable output")
    devices.set_defaults(func=run_devices)


def run_say(args: argparse.Namespace) -> int:
    """Speak TEXT through the default (or chosen) output device, or write it to an audio file."""
    from oral_sim.config import SPEED_RANGE, AudioConfig, TtsConfig
    from oral_sim.engine.audiofile import output_format, write_audio
    from oral_sim.engine.tts import get_voice
    from oral_sim.errors import UsageError

    text = " ".join(args.text.split())
    if not text:
        raise UsageError("nothing to say", "give the text to speak, e.g. oral-sim say 'Hello.'")
    tts = TtsConfig(voice=args.voice or os.environ.get("ORAL_SIM_VOICE"), cache=not args.no_cache)
    if args.speed is not None:
        low, high = SPEED_RANGE
        if not low <= args.speed <= high:
            raise UsageError(f"speed {args.speed:g} is out of range",
                             f"use a value from {low:g} to {high:g}")
        tts.length_scale = 1.0 / args.speed
    if args.output:
        output_format(args.output)  # a wrong ending is refused before the voice loads
        if os.path.lexists(args.output) and not args.force:
            # a 12 s recording was replaced by 0.7 s of "Hello" without a word
            raise UsageError(f"{args.output} exists: it is kept",
                             "add --force to replace it, or choose another -o file")
        if not Path(args.output).resolve().parent.is_dir():  # said before the voice works
            raise UsageError(f"cannot write {args.output} (no folder "
                             f"{Path(args.output).resolve().parent})",
                             "check that the folder exists and you may write to it")
    voice = get_voice(tts)
    if args.output:
        samples = voice.synthesize(text)
        if not len(samples):  # "..." or "-": the voice says nothing ("cannot write (Invalid
            # argument)" blamed the file)
            raise UsageError(f"nothing to say in {text!r}: the voice made no sound from it",
                             "give words to speak, e.g. oral-sim say 'Hello.'")
        path = write_audio(args.output, samples, voice.sample_rate_hz)
        print(f"wrote {path} ({len(samples) / voice.sample_rate_hz:.1f} s)", file=sys.stderr)
        return 0
    from oral_sim.engine.audio import Player

    Player(AudioConfig(output_device=args.output_device)).play(voice.stream(text))
    return 0


def run_devices(args: argparse.Namespace) -> int:
    """List input and output devices, defaults marked with `*`."""
    from dataclasses import asdict

    from oral_sim.engine.audio import list_devices

    devices = list_devices()
    if args.json:
        json.dump([asdict(d) for d in devices], sys.stdout, indent=2)
        print()
        return 0
    inputs = [d for d in devices if d.max_input_channels > 0]
    outputs = [d for d in devices if d.max_output_channels > 0]
    for title, group, default_attr, channels_attr in (
        ("Input devices", inputs, "is_default_input", "max_input_channels"),
        ("Output devices", outputs, "is_default_output", "max_output_channels"),
    ):
        print(f"{title}:")
        if not group:
            print("  (none found)")
        for d in group:
            mark = "*" if getattr(d, default_attr) else " "
            print(
                f" {mark}{d.index:3d}  {d.name}  ({getattr(d, channels_attr)} ch, "
                f"{d.default_samplerate:g} Hz, {d.hostapi})"
            )
    if not inputs:
        print(
            "\nNo microphone found: plug one in, or run `oral-sim demo` to watch a simulated "
            "candidate answer.",
        )
    return 0
