"""Delivery metrics of one answer: fillers, pace, pauses, response latency and the timebox.

Reference ranges, and where they come from:
- Pace: Microsoft PowerPoint Speaker Coach recommends 100-165 words per minute.
- Pauses: silences of about 0.5-1 s read as natural (Speaker Coach and public-speaking guidance);
  silent pauses are counted from 0.25 s (Goldman-Eisler's classic threshold); a pause over 2 s is
  "long" and is reported with where it happened.
- Response latency: from the end of the question audio to the first word that is not a filled
  pause (an "um" while thinking is still thinking).
- Timebox: "within" means between 40 % and 100 % of the question's timebox (+10 % grace);
  shorter is "under" (the answer is likely thin), longer is "over". The length is judged in
  whole seconds, as it is shown, so the verdict agrees with the numbers beside it.

Words are counted as spoken, not as written: Whisper writes "1455" for "fourteen fifty-five"
(3 words) and "42" for "forty-two" (2), and a hyphenated word is as many words as its parts, so
"forty-two" and "42" count alike (`spoken_words`). The speaking time runs from the first word to
the last; the pipeline has already moved the outer edges of each utterance's words to the voice
(`voice.voice_span`: Whisper's last word often ends early, a final "s" or a whole syllable left
out).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field

from oral_sim.engine.fillers import (
    FILLED_PAUSES,
    FillerItem,
    find_fillers,
    tokens_from_text,
    tokens_from_words,
)
from oral_sim.engine.shown import whole
from oral_sim.engine.transcript import Transcript

PAUSE_MIN_S = 0.25
LONG_PAUSE_S = 2.0
WPM_RANGE = (100.0, 165.0)
#: Fewer spoken words than this get no pace verdict: a word or two says nothing of a pace.
PACE_MIN_WORDS = 8
NATURAL_PAUSE_S = (0.5, 1.0)
TIMEBOX_UNDER_FRACTION = 0.4
TIMEBOX_GRACE_FRACTION = 0.1


@dataclass
class FillerStats:
    """Fillers in one answer."""

    count: int
    """Number of filler items."""
    per_min: float | None
    """Fillers per minute of speaking time (None without timings)."""
    per_100_words: float | None
    """Fillers per 100 words (None when there are no words)."""
    items: list[FillerItem] = field(default_factory=list)
    """Every filler, in order."""
    by_kind: dict[str, int] = field(default_factory=dict)
    """Count per kind."""
    by_text: dict[str, int] = field(default_factory=dict)
    """Count per filler text ("um": 4, "you know": 2)."""


@dataclass
class Pauses:
    """Silences between words."""

    count: int
    """Pauses of at least PAUSE_MIN_S."""
    longest_s: float
    """The longest pause."""
    per_min: float
    """Pauses per minute of speaking time."""
    long_count: int
    """Pauses over LONG_PAUSE_S."""
    long_pauses: list[tuple[float, float]] = field(default_factory=list)
    """(start_s, duration_s) of each long pause."""
    mean_s: float = 0.0
    """Average pause length."""


@dataclass
class Pace:
    """Speed of speech."""

    wpm: float
    """Spoken words (`spoken_words`) per minute of `speaking_s`."""
    articulation_wpm: float
    """Spoken words per minute of `speaking_s` less the pauses."""
    response_latency_s: float | None
    """Seconds from the end of the question to the first word; a filled pause ("um") is not a
    start, so "um ... so the model" started at "so"."""
    speaking_s: float
    """Seconds from the start of the first word to the end of the last."""
    pauses: Pauses
    """Silences between words."""
    verdict: str
    """"slow", "good" or "fast": `wpm` against WPM_RANGE (words per minute); "too short to
    judge" under `PACE_MIN_WORDS` words (one word in 0.7 s is not a pace: "286 WPM, fast")."""


@dataclass
class Timebox:
    """The answer's length against the question's timebox."""

    timebox_s: int | None
    """The question's timebox."""
    duration_s: float
    """Length of the answer (to the end of the last word)."""
    status: str
    """"under", "within", "over" (or "none" without a timebox)."""
    delta_s: float | None
    """duration_s - timebox_s."""


@dataclass
class Delivery:
    """Everything about how the answer was said."""

    words: int
    """Words said, counted as spoken (`spoken_words`; filled pauses excluded)."""
    fillers: FillerStats
    """Fillers."""
    pace: Pace | None
    """Pace, or None for typed answers / no words."""
    timebox: Timebox
    """Timebox check."""

    def to_dict(self) -> dict:
        """The JSON shape used by `transcribe --json`, `analyze --json` and the store."""
        f = self.fillers
        pace = None
        if self.pace is not None:
            p = self.pace
            pace = {
                "wpm": round(p.wpm, 1),
                "articulation_wpm": round(p.articulation_wpm, 1),
                "response_latency_s": None if p.response_latency_s is None
                else round(p.response_latency_s, 2),
                "speaking_s": round(p.speaking_s, 2),
                "verdict": p.verdict,
                "reference_wpm": list(WPM_RANGE),
                "pauses": {
                    "count": p.pauses.count,
                    "longest_s": round(p.pauses.longest_s, 2),
                    "per_min": round(p.pauses.per_min, 2),
                    "mean_s": round(p.pauses.mean_s, 2),
                    "long_count": p.pauses.long_count,
                    "long": [{"start_s": round(s, 2), "duration_s": round(d, 2)}
                             for s, d in p.pauses.long_pauses],
                },
            }
        return {
            "words": self.words,
            "fillers": {
                "count": f.count,
                "per_min": None if f.per_min is None else round(f.per_min, 2),
                "per_100_words": None if f.per_100_words is None else round(f.per_100_words, 2),
                "by_kind": f.by_kind,
                "by_text": f.by_text,
                "items": [{"text": it.text, "kind": it.kind,
                           "start_s": None if it.start_s is None else round(it.start_s, 2)}
                          for it in f.items],
            },
            "pace": pace,
            "timebox": asdict(self.timebox) | {
                "duration_s": round(self.timebox.duration_s, 2),
                "delta_s": None if self.timebox.delta_s is None else round(self.timebox.delta_s, 2),
            },
        }


def pace_without_speech() -> dict:
    """The `pace` JSON of an answer with no spoken word: every key a spoken answer's has, each
    null (a reader of `pace.verdict` or `pace.pauses` gets null, not a missing key)."""
    return {"wpm": None, "articulation_wpm": None, "response_latency_s": None,
            "speaking_s": None, "verdict": None, "reference_wpm": list(WPM_RANGE),
            "pauses": None}


def analyze_delivery(
    transcript: Transcript, question_end_s: float = 0.0, timebox_s: int | None = None
) -> Delivery:
    """Fillers, pace, pauses and timebox of one answer. Typed answers (no word timings) get
    fillers and the timebox from their text; pace is None."""
    timed = [w for w in transcript.words if w.end_s >= w.start_s]
    if timed:
        tokens = tokens_from_words(timed)
    else:
        tokens = tokens_from_text(transcript.text)
    items = find_fillers(tokens)
    spoken = [w for w in timed if w.source != "voiced_gap"
              and tokens_from_text(w.word) and tokens_from_text(w.word)[0].norm not in FILLED_PAUSES]
    if timed:
        n_words = sum(spoken_words(w.word) for w in spoken)
    else:
        n_words = sum(spoken_words(t.raw) for t in tokens if t.norm not in FILLED_PAUSES)

    pace = _pace(timed, spoken, n_words, question_end_s) if spoken else None
    minutes = pace.speaking_s / 60 if pace and pace.speaking_s > 0 else None
    fillers = FillerStats(
        count=len(items),
        per_min=(len(items) / minutes) if minutes else None,
        per_100_words=(100 * len(items) / n_words) if n_words else None,
        items=items,
        by_kind=dict(Counter(it.kind for it in items)),
        by_text=dict(Counter(it.text for it in items).most_common()),
    )
    # nothing said is an answer of no length: 10 minutes of silence was "over by 480 s"
    duration = (timed[-1].end_s - question_end_s if timed
                else transcript.duration_s if n_words else 0.0)
    return Delivery(n_words, fillers, pace, _timebox(max(0.0, duration), timebox_s))


def _pace(timed, spoken, n_words: int, question_end_s: float) -> Pace:
    speaking = max(timed[-1].end_s - timed[0].start_s, 1e-6)
    gaps = []
    for a, b in zip(timed, timed[1:], strict=False):
        gap = b.start_s - a.end_s
        if gap >= PAUSE_MIN_S:
            gaps.append((a.end_s, gap))
    paused = sum(g for _, g in gaps)
    minutes = speaking / 60
    wpm = n_words / minutes
    articulation = n_words / max((speaking - paused) / 60, 1e-6)
    long = [(s, d) for s, d in gaps if d > LONG_PAUSE_S]
    verdict = ("too short to judge" if n_words < PACE_MIN_WORDS
               else "slow" if wpm < WPM_RANGE[0] else "fast" if wpm > WPM_RANGE[1] else "good")
    first_word = spoken[0].start_s if spoken else timed[0].start_s
    return Pace(
        wpm=wpm,
        articulation_wpm=articulation,
        response_latency_s=max(0.0, first_word - question_end_s),
        speaking_s=speaking,
        pauses=Pauses(
            count=len(gaps),
            longest_s=max((d for _, d in gaps), default=0.0),
            per_min=len(gaps) / minutes,
            long_count=len(long),
            long_pauses=long,
            mean_s=(paused / len(gaps)) if gaps else 0.0,
        ),
        verdict=verdict,
    )


def _timebox(duration: float, timebox_s: int | None) -> Timebox:
    if not timebox_s:
        return Timebox(None, duration, "none", None)
    # judged on the length as shown, in whole seconds: 17.7 s was "under" the 18 s it showed
    # as, and 49.5 s "within" 45 s while 49.55 s was "over", both shown as 0:50
    said = whole(duration)
    if said > timebox_s * (1 + TIMEBOX_GRACE_FRACTION):
        status = "over"
    elif said < timebox_s * TIMEBOX_UNDER_FRACTION:
        status = "under"
    else:
        status = "within"
    return Timebox(timebox_s, duration, status, duration - timebox_s)


_EDGE_PUNCT = "\"'()[]{}.,;:!?\u2018\u2019\u201c\u201d\u2026*"
_NUMERAL = re.compile(
    r"^(?P<sign>[$\u00a3\u20ac])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
    r"(?P<suffix>st|nd|rd|th|'s|s|%)?$")


def spoken_words(word: str) -> int:
    """How many words a transcribed word is when said. A word is as many words as its
    hyphen-, dash-, slash- or dot-joined parts ("forty-two" 2, "and/or" 2, "i.e." 2); a numeral
    counts the words it is read as (`numeral_words`); punctuation alone counts 0."""
    count = 0
    for part in re.split(r"[-\u2010-\u2015/\s]+", word):
        part = part.strip(_EDGE_PUNCT)
        if any(ch.isdigit() for ch in part):
            count += numeral_words(part)
        else:  # dotted letters are said one by one: "i.e." is "i e", "U.S." "U S"
            count += sum(1 for piece in part.split(".") if any(ch.isalnum() for ch in piece))
    return count


def numeral_words(text: str) -> int:
    """Words a numeral is read as, spelled by num2words: "1455" 3 ("fourteen fifty-five": a
    four-digit number with no thousands separator, 1000-2099, is read as a year, which is how
    Whisper writes years; "1,455" is a quantity, "one thousand, four hundred and fifty-five", 7),
    "1990s" 2, "18th" 1, "3.25" 4 ("three point two five"), "$5" 2 ("five dollars"), "5%" 2
    ("five percent"). Anything else with digits ("10:30", "mp3", "2.6mb") counts each number in
    it (a decimal point kept: "2.6" is "two point six") as a numeral and each run of letters as
    a word."""
    from num2words import num2words

    m = _NUMERAL.match(text)
    if m is None:
        runs = re.findall(r"\d+(?:\.\d+)?|[^\W\d_]+", text)
        return sum(numeral_words(r) if re.match(r"\d", r) else 1 for r in runs)
    digits = m["int"].replace(",", "")
    try:
        value = int(digits)
        if m["suffix"] in {"st", "nd", "rd", "th"}:
            said = num2words(value, lang="en", to="ordinal")
        elif m["frac"] is None and len(m["int"]) == 4 and 1000 <= value < 2100:
            said = num2words(value, lang="en", to="year")
        else:
            said = num2words(value, lang="en")
    except (OverflowError, ValueError):  # past int's or num2words' range: read digit by digit
        said = " ".join(digits)
    count = len(re.findall(r"[a-z]+|\d", said))
    if m["frac"]:
        count += len(m["frac"])  # "point" and one word per digit
    if m["sign"] or m["suffix"] == "%":
        count += 1  # "dollars", "percent"
    return count
