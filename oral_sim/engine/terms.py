"""Key terms: which of the reference answer's content words the answer uses.

The embedder hears meaning but is loose about specifics ("L1 regularization" and "dropout" sit
close together); graders are not. Term recall is the share of the reference's content words
(stemmed with the Snowball English stemmer, stop words left out) that appear in the answer, the
best over the acceptable references. On the SemEval-2013 human grades it tracks correctness
better than embedding similarity alone, and the two together better still, on every test split
(`calibration.py`, BENCHMARKS.md). The words missed are shown to the user.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache

#: Function words, very common verbs and generic words: they say nothing about the content of an
#: answer (chosen by hand before measuring, not tuned on the graded data). The prepositions,
#: conjunctions and adverbs from "across" on were added 2026-12-02 ("across" and "between" were
#: shown as missed key terms): SemEval AUC 0.763 -> 0.766, Spearman 0.450 -> 0.454, one try.
STOP_WORDS = frozenset("""
a an the of to in on at for and or but nor is are was were be been being am it its it's this that
these those there their theirs they them he she his her hers we us our you your yours i my me mine
with as by from into onto than then so if not no do does did doing done have has had having can
could will would should may might must shall also just very more most less some any all each both
which what who whom whose when where why how about over under again further once here own same
such too only other out up down off s t don't isn't aren't wasn't weren't let's i'm you're we're
they're that's there's what's get gets got use used using make makes made like one ones thing
things way ways lot lots really well yes yeah okay ok right mean means meaning instead perform
performs performing performed work works worked working good better best different important
example examples often usually new many much various several etc called call based need needs
want try able
across after against along although among around because before behind below above beside besides
between beyond during either neither every another even ever never always already still yet
though through throughout toward towards until upon via per while whether within without whereas
therefore thus hence however since rather quite almost else include includes including
""".split())

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@dataclass
class TermMatch:
    """How many of the reference's key terms the answer used."""

    recall: float | None
    """Share of the reference's terms used (None when the reference has none)."""
    used: list[str] = field(default_factory=list)
    """Reference terms the answer used, as the reference spells them."""
    missing: list[str] = field(default_factory=list)
    """Reference terms the answer did not use, in reference order."""


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


#: British spellings written the American way, as Whisper (tiny.en) writes them: a bank answer's
#: "neighbours", "behaviour", "summarised" could never be matched in a transcript. Regular
#: endings only; applied to both sides before stemming, so a rule that also rewrites a word with
#: no second spelling ("promise" -> "promize") changes nothing. No maintained library does this,
#: and Whisper's own British-American list ships with the model repos, not with our model
#: packages. Longer words only, so "four" / "hour" / "your" are left alone.
_AMERICAN = (
    (re.compile(r"(?<=\w{3})our(s|ed|ing|ite|ites|able|er|ers)?$"), r"or\1"),  # colour, behaviour
    (re.compile(r"(?<=\w{3})is(e|es|ed|ing|ation|ations|er|ers)$"), r"iz\1"),  # summarise
    (re.compile(r"(?<=\w{3})ys(e|es|ed|ing)$"), r"yz\1"),  # analyse
    (re.compile(r"(?<=\w{3})tre(s)?$"), r"ter\1"),  # centre, metre
    (re.compile(r"(?<=\w{3})ogue(s)?$"), r"og\1"),  # catalogue, dialogue
)


def american(word: str) -> str:
    """`word` (lower case) with a British ending spelled the American way."""
    for pattern, repl in _AMERICAN:
        word = pattern.sub(repl, word)
    return word


#: The Snowball stemmer cuts "-ance" / "-ence" off a long noun but not off its "-ed" / "-ing"
#: forms: "experience" -> "experi" but "experienced" -> "experienc", "imbalance" -> "imbal" but
#: "imbalanced" -> "imbalanc". Those forms are stemmed as the noun.
_NCE_FORM = re.compile(r"(?<=\w{4})nc(ed|ing)$")


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    return _stemmer().stemWord(_NCE_FORM.sub("nce", american(word)))


def _words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").lower())


def key_terms(text: str) -> dict[str, str]:
    """Stem -> first surface form of each content word of `text`, in order."""
    out: dict[str, str] = {}
    for word in _words(text):
        if word in STOP_WORDS or len(word) < 2:
            continue
        out.setdefault(_stem(word), word)
    return out


def _said(answer: str) -> tuple[set[str], set[str]]:
    """Stems of the terms `answer` uses, and its words. A compound counts however it is
    written: spoken, "dropout" and "drop out" are one word, and Whisper writes either ("under
    sample" for "undersample", "lowercase" for the reference's "lower-case"). So the answer's
    adjacent words joined count as the one word ("drop out" uses "dropout"; parts of three
    letters or more), and `_joined_in` adds the reference's pairs the answer writes as one."""
    words = _words(answer)
    said = set(key_terms(answer))
    # parts of three letters or more: "soap is" is not "soapy" (both stem to "soapi")
    said.update(_stem(a + b) for a, b in itertools.pairwise(words) if min(len(a), len(b)) >= 3)
    return said, set(words)


def _joined_in(written: set[str], reference: str) -> set[str]:
    """Stems of both words of each adjacent pair of `reference` that the answer (its words,
    `written`) writes as one word: "minibatch" uses "mini" and "batch"."""
    out: set[str] = set()
    for a, b in itertools.pairwise(_words(reference)):
        if a + b in written:
            out.update((_stem(a), _stem(b)))
    return out


def term_recall(answer: str, references: list[str], within: str | None = None) -> TermMatch:
    """The answer's use of the reference's terms, against the reference it matches best. With
    `within`, only the terms that text uses too: a bank question's terms are the words its key
    points share with its model answer, not the key points' own paraphrase ("grows", "falls",
    "plus" were listed as missed key terms to a candidate who gave the model answer)."""
    inside = set(key_terms(within)) if within else None
    said_alone, written = _said(answer)  # the answer's side, once for every reference
    best: TermMatch | None = None
    for reference in references:
        terms = key_terms(reference)
        if inside is not None:
            terms = {s: w for s, w in terms.items() if s in inside}
        if not terms:
            continue
        said = said_alone | _joined_in(written, reference)
        used = [w for s, w in terms.items() if s in said]
        match = TermMatch(len(used) / len(terms), used,
                          [w for s, w in terms.items() if s not in said])
        if best is None or (match.recall or 0) > (best.recall or 0):
            best = match
    return best or TermMatch(None)


# --- opposites ---------------------------------------------------------------------------------

#: Prefixes that make a word its opposite: "unsupervised", "nonlinear", "imbalanced".
NEGATING_PREFIXES = ("un", "non", "in", "im", "ir", "il", "dis")

#: The shortest stem an opposite is looked for on: "even" / "uneven", "like" / "unlike", "seen" /
#: "unseen" are everyday words, not terms.
MIN_OPPOSITE_STEM = 5

_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")


def plain_words(text: str) -> frozenset[str]:
    """The lower-case words of `text`, a hyphenated word as one ("non-linear" -> "nonlinear")."""
    return frozenset(re.findall(r"[a-z]+", _HYPHEN.sub("", text.lower())))


def _negated_stems(word: str) -> list[str]:
    """The stems `word` negates: "unlabeled" -> ["labeled"] (a negating prefix on a stem of
    `MIN_OPPOSITE_STEM` letters or more that is not a stop word)."""
    return [word[len(p):] for p in NEGATING_PREFIXES
            if word.startswith(p) and len(word) - len(p) >= MIN_OPPOSITE_STEM
            and word[len(p):] not in STOP_WORDS]


def opposites(a: str, b: str) -> bool:
    """Is one word the other with a negating prefix ("unlabeled" / "labeled", "non-linear" /
    "linear")? Two words that sound alike and mean the opposite."""

    def one_word(text: str) -> str:  # "" for a span of several words
        words = plain_words(text)
        return next(iter(words)) if len(words) == 1 else ""

    x, y = one_word(a), one_word(b)
    return x in _negated_stems(y) or y in _negated_stems(x)


def contradicts(point_words: frozenset[str], window_words: frozenset[str]) -> bool:
    """Does a window name a term of a key point only by its opposite? ("supervised learning
    trains on labeled data" for "unsupervised learning finds structure in unlabeled data").
    Where the window says either word of such a pair, it must say each one the point says: a
    point that contrasts the two ("supervised minimizes error; unsupervised is exploratory")
    is not made by one side alone. The embedder cannot tell: the two sentences above sit close
    together. Both arguments are `plain_words`."""
    both = point_words | window_words
    for word in both:
        for stem in _negated_stems(word):
            if stem in both:
                need, have = {word, stem} & point_words, {word, stem} & window_words
                if need and have and not need <= have:
                    return True
    return False
