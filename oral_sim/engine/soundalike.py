"""Words of a spoken answer that sound like a key term the answer is said to miss.

tiny.en mishears some terms of the subject ("gating checks" comes back "getting checks",
"stochastic" as "to Chastic", "variance" as "variants"), and the feedback then says the term was
not used. The transcript cannot tell a misheard term from a word the speaker really said, and
Whisper's own scores cannot tell them well enough to give credit: forcing the term into the
utterance and comparing Whisper's probabilities of the two texts on its audio ranked terms
really said above the rest with AUC 0.71 over 198 near words of 68 spoken answers (0.59 over
the 45 closest), and words never said gained up to +16.7 in log probability (BENCHMARKS.md,
2026-12-01 late morning). So a sound-alike is never counted as the term; the feedback shows it
beside the missed term ("gating, heard as 'getting'"), and the speaker, who knows what they
said, can tell.

Sound is compared as espeak-ng phonemes (the G2P piper speaks with, already installed), stress
and length marks left out and each diphthong one symbol ("gating" / "getting" differ in one
vowel, not two), by normalized Levenshtein distance (RapidFuzz).
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Largest normalized phoneme distance that counts as sounding alike. On the 68 spoken answers
#: the misheard terms sat at 0.0-0.2 ("wait" / weight, "variants" / variance, "to Chastic" /
#: stochastic, "check-winting" / checkpointing); other words near a missed term mostly at
#: 0.22-0.5 ("production" / prediction, "content" / context, "sample" / resample).
MAX_DISTANCE = 0.2

#: A term with fewer phonemes than this has too many sound-alikes ("two" / "to") to say anything.
MIN_PHONEMES = 4

#: Transcript spans of up to this many words are compared ("to our" / tower).
MAX_SPAN_WORDS = 3

_DIPHTHONGS = (("eɪ", "E"), ("aɪ", "I"), ("ɔɪ", "O"), ("aʊ", "A"), ("oʊ", "U"), ("əʊ", "U"))
_NOT_SOUND = re.compile(r"[ˈˌːˑ\s.,;:!?\"'()\-]")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-]*")
_BREAK = re.compile(r"[,.;:!?]\W*$")


@lru_cache(maxsize=1)
def _phonemizer():
    from piper.phonemize_espeak import EspeakPhonemizer

    return EspeakPhonemizer()


@lru_cache(maxsize=16384)
def phonemes(text: str) -> str:
    """`text` as espeak-ng's US English phonemes, without stress, length or spaces."""
    from oral_sim.engine.tts import ESPEAK_LOCK

    with ESPEAK_LOCK:  # espeak-ng keeps global state; piper's synthesis uses it too
        sentences = _phonemizer().phonemize("en-us", text)
    return _NOT_SOUND.sub("", "".join("".join(s) for s in sentences))


def warm(text: str) -> None:
    """Phonemize the words of `text` ahead (the answer so far, while it is spoken), so that
    `heard_as` at the end of the answer finds them cached: about 0.1 s for a 60 s answer."""
    for m in _WORD.finditer(text):
        phonemes(m.group(0).lower())


def _merged(sound: str) -> str:
    for pair, one in _DIPHTHONGS:
        sound = sound.replace(pair, one)
    return sound


def heard_as(terms: list[str], words: list[str]) -> dict[str, str]:
    """For each term, the span of `words` (a transcript's words, in order) that sounds most like
    it, when within `MAX_DISTANCE`; spans of stop words only are left out ("to" for "two"), and
    so are spans across a break Whisper wrote: "Um, supervised" is a filled pause, then a word,
    not "unsupervised" (the feedback counts that "Um" as a filler)."""
    if not terms:
        return {}
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    from oral_sim.engine.terms import STOP_WORDS, opposites

    found = [(m.group(0), bool(_BREAK.search(w))) for w in words if (m := _WORD.search(w))]
    clean = [w for w, _ in found]
    breaks = [b for _, b in found]  # the word is followed by punctuation
    sounds = [_merged(phonemes(w.lower())) for w in clean]
    spans: dict[str, str] = {}  # phonemes -> the span as written (the first one kept)
    for k in range(1, MAX_SPAN_WORDS + 1):
        for i in range(len(clean) - k + 1):
            part = clean[i:i + k]
            if all(w.lower() in STOP_WORDS for w in part) or any(breaks[i:i + k - 1]):
                continue
            spans.setdefault("".join(sounds[i:i + k]), " ".join(part))
    out: dict[str, str] = {}
    for term in terms:
        said = phonemes(term.lower())
        keys = [k for k, span in spans.items() if not opposites(term, span)]
        if len(said) < MIN_PHONEMES or not keys:
            continue
        said = _merged(said)
        best = process.extractOne(said, keys, scorer=Levenshtein.normalized_distance,
                                  score_cutoff=MAX_DISTANCE)
        if best is not None and spans[best[0]].lower() != term.lower():
            out[term] = spans[best[0]]
    return out
