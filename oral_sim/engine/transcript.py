"""Transcript data shared by the transcriber, the metrics and the store. Times are on the answer's
own timeline: 0.0 is the moment recording of the answer started."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Word:
    """One recognised word."""

    word: str
    """The word as Whisper wrote it, stripped of surrounding spaces."""
    start_s: float
    """Start time in seconds on the answer timeline."""
    end_s: float
    """End time in seconds on the answer timeline."""
    probability: float = 1.0
    """Whisper's word probability (0..1); 1.0 for words that came from elsewhere."""
    source: str = "asr"
    """Where it came from: "asr", or "voiced_gap" for a filled pause found from audio alone."""


@dataclass
class Segment:
    """One transcribed utterance."""

    start_s: float
    """Start of the utterance in seconds."""
    end_s: float
    """End of the utterance in seconds."""
    text: str
    """Text of the utterance."""


@dataclass
class Transcript:
    """A whole answer."""

    words: list[Word] = field(default_factory=list)
    """Every word in time order."""
    segments: list[Segment] = field(default_factory=list)
    """Every utterance in time order."""
    duration_s: float = 0.0
    """Length of the audio in seconds."""
    speech_s: float = 0.0
    """Seconds the VAD heard as speech."""

    @property
    def text(self) -> str:
        """The whole text, utterances joined by spaces."""
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    def to_dict(self) -> dict:
        """JSON-ready form (the `oral-sim transcribe --json` shape)."""
        return {
            "text": self.text,
            "duration_s": round(self.duration_s, 3),
            "words": [
                {
                    "word": w.word,
                    "start_s": round(w.start_s, 3),
                    "end_s": round(w.end_s, 3),
                    "probability": round(w.probability, 3),
                    **({"source": w.source} if w.source != "asr" else {}),
                }
                for w in self.words
            ],
            "segments": [
                {"start_s": round(s.start_s, 3), "end_s": round(s.end_s, 3), "text": s.text}
                for s in self.segments
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Transcript:
        """Inverse of `to_dict` (used by the store)."""
        return cls(
            words=[Word(**w) for w in data.get("words", [])],
            segments=[Segment(**s) for s in data.get("segments", [])],
            duration_s=float(data.get("duration_s", 0.0)),
            speech_s=float(data.get("speech_s", 0.0)),
        )


def transcript_asdict(t: Transcript) -> dict:
    """Full dataclass dump including `speech_s` (for storage)."""
    d = asdict(t)
    d["text"] = t.text
    return d
