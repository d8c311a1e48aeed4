"""Filler words in a transcript, with context rules so that real uses are not counted.

Kinds:
- `filled_pause`: um, uh, er, erm, ah, hmm, mm, mm-hmm (and a voiced pause Whisper left without a word,
  `Word.source == "voiced_gap"`);
- `discourse_marker`: like, you know, I mean, basically, actually, literally, honestly,
  sort of / kind of, "so" or "well" opening a sentence, a tag "right?";
- `repetition`: the same word or 2-3 word phrase said twice in a row ("I I", "the the",
  "we can we can"), also with filled pauses between ("the, um, the"); not a grammatical double
  ("had had", "that that"), emphasis ("very, very") or digits read out ("two two zero").

Context rules (each tested in tests/test_metrics.py; measured against 260 utterances people
marked, `calibration.evaluate_filler_labels`, and on LJ Speech's book text in the bench):
- "like" is a filler before a comma ("it was, like, slow"), before a number ("like 20 percent",
  "like nine times", "like a hundred") or how often ("like every day", "like twice a week"), after another filler unless a noun phrase follows, or
  before an intensifier or a pause when it opens a clause or follows "was"/"is" ("like really
  slow", "like, um", "were like really slow"); "I like Python", "looks like", "models like
  BERT", "like a funnel", "examples, like spam filters", "like I said" are not.
- "you know" is a filler unless it asks or states knowledge: "do you know", "if you know",
  "you know how/what/that/why/as ..." are not.
- "I mean" is a filler unless followed by what is meant ("I mean it", "I mean that we ...")
  or after "what" ("what I mean is", "that's what I mean by").
- "sort of"/"kind of" are fillers unless they name a type: "a/the/this/what/some/other kind of
  model".
- "basically/actually/literally/honestly" count opening a sentence or clause, or after a
  subject set off by a comma ("we basically, um, ..."); "honestly" also straight after one ("I
  honestly don't know"). "It actually works", "report it honestly, ..." are not counted.
- "so" counts only opening a sentence, and not in "so that", "so far", "so many", "so much".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FILLED_PAUSES = {
    "um", "umm", "ummm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "hmm", "hm", "hmmm",
    "mm", "mmm", "eh",
    # backchannels: sounds, not words, in an answer ("mm-hmm", "uh-huh")
    "mmhmm", "mhm", "mhmm", "mmhm", "uhhuh",
}
ADVERB_MARKERS = {"basically", "actually", "literally", "honestly", "totally", "seriously"}
TYPE_DETERMINERS = {
    "a", "an", "the", "this", "that", "these", "those", "what", "which", "some", "any", "every",
    "one", "each", "another", "same", "different", "whatever", "no", "of", "all", "many",
    "certain", "particular", "specific", "new", "right", "first", "second", "other",
}
LIKE_VERB_BEFORE = {
    "i", "you", "we", "they", "would", "'d", "to", "do", "don't", "didn't", "does", "doesn't",
    "did", "really", "feel", "feels", "felt", "look", "looks", "looked", "seem", "seems", "sound",
    "sounds", "something", "anything", "nothing", "much", "more", "exactly", "just", "he", "she",
    "people", "users", "would've", "it's", "isn't", "not", "be", "is", "are", "was", "were",
}
KNOW_FOLLOWERS = {
    "how", "what", "that", "why", "when", "where", "who", "whether", "if", "about", "the", "a",
    "an", "it", "this", "him", "her", "them", "which", "more", "much", "exactly", "as",
}
KNOW_BLOCKERS = {"do", "did", "don't", "didn't", "if", "as", "would", "'d", "should", "let",
                 "will", "won't", "can", "might", "could"}
MEAN_OBJECTS = {"it", "that", "to", "this", "what", "business", "exactly", "literally", "him",
                "her", "them", "the"}
LIKE_HEDGE_NEXT = {
    "really", "totally", "very", "super", "so", "just", "literally", "basically", "actually",
    "kind", "sort", "kinda", "sorta", "pretty", "completely", "almost", "about", "around",
}
SO_NOT_FILLER_NEXT = {"that", "far", "many", "much", "long", "well"}
NO_REPEAT = {"had", "is", "that"}  # "had had", "is is", "that that" can be grammatical
#: "like" before a number is an approximation filler ("like 20 percent", "like nine times out of
#: ten", "like a hundred"); "like a funnel", "like one of those" are comparisons.
NUMBER_WORDS = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand", "million", "billion", "half", "dozen", "couple", "few",
}
#: Said twice for emphasis, not from disfluency ("very, very slow", "no, no, no"); nor are
#: digits read out ("two two zero", "nineteen nineteen") a repetition.
EMPHATIC = {"very", "really", "many", "much", "no", "yes", "yeah", "bye"}
COPULAS = {"is", "are", "was", "were", "it's", "that's", "'s", "be", "been"}
#: "like" before how often is an approximation as before a number ("retrain like every day",
#: "like twice a week", "like once a month").
HOW_OFTEN = {"every", "twice", "once"}
#: ... "every" only before a time ("like every day"; "things like every other model" compares).
TIME_UNITS = {"day", "week", "month", "year", "hour", "minute", "second", "night", "morning",
              "time", "sprint", "quarter", "release", "epoch", "run", "few"}
#: Before these "like" starts a noun phrase it compares with ("sort of like a funnel").
DETERMINERS = {"a", "an", "the", "this", "that", "these", "those"}
#: A sentence adverb after these is a hedge ("I honestly don't know", "we basically, um, ...").
SUBJECTS = {"i", "we", "you", "they", "he", "she", "it", "i'd", "we'd", "i'll", "we'll", "i'm",
            "we're", "it's", "that's", "i've", "we've"}
#: The first copy of a repetition does not end a clause: "the training loss; the training loss".
CLAUSE_END = (".", ";", ":", "?", "!")


@dataclass
class Token:
    """A word as the filler rules see it."""

    raw: str
    """The word as transcribed, punctuation included."""
    norm: str
    """Lower-case, letters/digits/apostrophes only."""
    start_s: float | None
    """Answer time of the word, or None for typed answers."""
    sentence_start: bool
    """First word of a sentence (or of a clause after a long pause)."""
    source: str = "asr"
    """"asr" or "voiced_gap"."""


@dataclass
class FillerItem:
    """One filler found in the answer."""

    text: str
    """The filler as said ("um", "you know")."""
    kind: str
    """filled_pause | discourse_marker | repetition."""
    start_s: float | None
    """Answer time, or None for typed answers."""
    index: int = 0
    """Index of its first token in the answer's words (for highlighting)."""


def normalize(word: str) -> str:
    """Lower-case with only letters, digits and apostrophes."""
    return re.sub(r"[^a-z0-9']", "", word.lower().replace("\u2019", "'")).strip("'")


def is_filled_pause(word: str) -> bool:
    """Whether a written word ("Um,", "Mm-hmm.", "uh") is a filled pause."""
    return normalize(word) in FILLED_PAUSES


#: Backchannels Whisper sometimes writes as two words ("Mm hmm." for "Mm-hmm."): one sound.
BACKCHANNEL_HALVES = {("mm", "hmm"), ("mm", "hm"), ("mmm", "hmm"), ("m", "hmm"), ("uh", "huh")}


def one_sound(first: str, second: str) -> bool:
    """Whether two written words are the halves of one backchannel written apart ("Mm" "hmm."
    is "Mm-hmm.", one filled pause, not two): nothing written between them ("Mm. Hmm." is two
    sounds)."""
    return (not re.search(r"[^\w']$", first.strip()) and not second.startswith("-")
            and (normalize(first), normalize(second)) in BACKCHANNEL_HALVES)


def tokens_from_words(words, pause_break_s: float = 0.7) -> list[Token]:
    """Tokens from timed words; a sentence starts after . ? ! or a pause of `pause_break_s`."""
    out: list[Token] = []
    prev_end = None
    prev_raw = ""
    for w in words:
        for part in str(w.word).split():
            norm = normalize(part)
            if not norm:
                continue
            start = prev_raw == "" or prev_raw.rstrip().endswith((".", "?", "!"))
            if prev_end is not None and w.start_s - prev_end >= pause_break_s:
                start = True
            out.append(Token(part, norm, float(w.start_s), start, getattr(w, "source", "asr")))
            prev_raw = part
        prev_end = w.end_s
    return out


def tokens_from_text(text: str) -> list[Token]:
    """Tokens from untimed text (typed answers)."""
    out: list[Token] = []
    prev = ""
    for part in text.split():
        norm = normalize(part)
        if not norm:
            prev = part
            continue
        out.append(Token(part, norm, None, prev == "" or prev.endswith((".", "?", "!"))))
        prev = part
    return out


def _comma_after(tok: Token) -> bool:
    return tok.raw.rstrip().endswith((",", ";", "...", "\u2026", "-", ":"))


def find_fillers(tokens: list[Token]) -> list[FillerItem]:
    """Every filler in order. Each token belongs to at most one item."""
    items: list[FillerItem] = []
    used = [False] * len(tokens)
    n = len(tokens)
    # "Um, so ..." still opens the sentence with "so": a filled pause does not take the start.
    opens = [t.sentence_start for t in tokens]
    for k in range(1, n):
        if opens[k - 1] and tokens[k - 1].norm in FILLED_PAUSES:
            opens[k] = True

    def word(i: int) -> str:
        return tokens[i].norm if 0 <= i < n else ""

    def clause_start(i: int) -> bool:
        return i == 0 or tokens[i].sentence_start or _comma_after(tokens[i - 1]) or (
            used[i - 1] and items and items[-1].kind != "repetition"
        )

    def add(i: int, length: int, kind: str) -> None:
        text = " ".join(t.norm for t in tokens[i : i + length])
        items.append(FillerItem(text, kind, tokens[i].start_s, i))
        for j in range(i, i + length):
            used[j] = True

    i = 0
    while i < n:
        t = tokens[i]
        # the word before, within the sentence ("Where you can. You know, ..." is no "can you
        # know")
        w, nxt, prev = t.norm, word(i + 1), "" if t.sentence_start else word(i - 1)
        if t.source == "voiced_gap" or w in FILLED_PAUSES:
            add(i, 1, "filled_pause")
        elif w == "like":
            after = word(i + 2)
            number_next = bool(re.match(r"^\d", nxt)) or (
                nxt in NUMBER_WORDS and after != "of") or (
                nxt in {"a", "an"} and after in NUMBER_WORDS) or (
                nxt in HOW_OFTEN and prev not in LIKE_VERB_BEFORE
                and (nxt != "every" or after in TIME_UNITS))
            # At a clause start "like" is a filler only when nothing it compares or lists
            # follows: "it was, like, slow", "like really slow"; not "examples, like spam
            # filters" or "like I said". After "was"/"is" it is one before an intensifier
            # ("the cold starts were like really slow").
            hedge_next = nxt in LIKE_HEDGE_NEXT or nxt in FILLED_PAUSES or (
                nxt == "you" and after == "know")
            if (_comma_after(t) or (number_next and prev not in {"something"})
                    or ((clause_start(i) or prev in COPULAS) and hedge_next)
                    or (i > 0 and used[i - 1] and nxt not in DETERMINERS)) and prev not in {
                        "i", "you", "we", "they", "would", "'d", "don't", "didn't", "really"}:
                add(i, 1, "discourse_marker")
            elif prev not in LIKE_VERB_BEFORE and nxt in {"um", "uh", "you"}:
                add(i, 1, "discourse_marker")
        elif w == "you" and nxt == "know":
            after = word(i + 2)
            if prev not in KNOW_BLOCKERS and (after not in KNOW_FOLLOWERS
                                              or _comma_after(tokens[i + 1])):
                add(i, 2, "discourse_marker")
                i += 2
                continue
        elif w == "i" and nxt == "mean":
            after = word(i + 2)
            if prev != "what" and (after not in MEAN_OBJECTS or _comma_after(tokens[i + 1])):
                add(i, 2, "discourse_marker")
                i += 2
                continue
        elif w in {"sort", "kind"} and nxt == "of" and prev not in TYPE_DETERMINERS:
            add(i, 2, "discourse_marker")
            i += 2
            continue
        elif w in {"sorta", "kinda"} and prev not in TYPE_DETERMINERS:
            add(i, 1, "discourse_marker")
        elif w in ADVERB_MARKERS and (clause_start(i) or (
                prev in SUBJECTS and (_comma_after(t) or w == "honestly"))):
            add(i, 1, "discourse_marker")
        elif w in {"so", "well"} and opens[i] and nxt not in SO_NOT_FILLER_NEXT:
            if w == "so" or _comma_after(t) or nxt in {"i", "we", "you", "um", "uh"}:
                add(i, 1, "discourse_marker")
        elif w == "right" and (t.raw.rstrip().endswith("?") or (
                i == n - 1 and i > 0 and _comma_after(tokens[i - 1]))):
            add(i, 1, "discourse_marker")
        i += 1

    def restart(i: int, size: int) -> bool:
        """The first copy trails off ("I would... I would not") or is a sentence of its own
        apart from one word before it ("And I would. I would not use accuracy"): a false start
        the recognizer wrote as a sentence end, not two sentences."""
        last = tokens[i + size - 1].raw.rstrip()
        if last.endswith(("...", "\u2026")):
            return True
        begin = i
        while begin > 0 and not tokens[begin].sentence_start:
            begin -= 1
        return i - begin <= 1 and last.endswith(".")  # "There! there!" is said on purpose

    # immediate repetitions of 1-3 words, on what is not already a filler; filled pauses may
    # come between the copies ("the, um, the opposite direction"); a false start may end in a
    # full stop (`restart`)
    i = 0
    while i < n:
        for size in (3, 2, 1):
            a = tokens[i : i + size]
            if size > 1 and len({x.norm for x in a}) == 1:
                continue  # "I I I I" is the one word again three times, not "I I" twice
            j = i + size
            while j < n and j - (i + size) < 2 and tokens[j].norm in FILLED_PAUSES:
                j += 1
            b = tokens[j : j + size]
            if (len(b) == size and [x.norm for x in a] == [x.norm for x in b]
                    and not any(used[i : i + size]) and not any(used[j : j + size])
                    and (restart(i, size) or not (b[0].sentence_start
                                                  or a[-1].raw.rstrip().endswith(CLAUSE_END)))
                    and not (size == 1 and (a[0].norm in NO_REPEAT or a[0].norm in EMPHATIC
                                            or a[0].norm in NUMBER_WORDS
                                            or a[0].norm.isdigit()))):
                items.append(FillerItem(" ".join(x.norm for x in a), "repetition",
                                        tokens[i].start_s, i))
                for j in range(i, i + size):
                    used[j] = True
                i += size - 1
                break
        i += 1
    items.sort(key=lambda it: it.index)
    return items
