"""Windows of an answer that say the opposite of a key point, which the embedder cannot tell
from windows that make it: "removing regularization" sits as close to "L1 or L2 regularization
penalizes large weights" as "adding regularization" does, and "two years of experience" as
close to "7 years of experience" as "seven years" does.

Two rules, both about the point's own words, so that a window saying something else is left to
the embedder:

- `denies`: the window negates ("not", "never", "no", "without", "-n't", "removing") one of the
  point's content words within a few words after the negation, where the point does not negate
  it itself. A point that reduces something ("reduces overfitting", "fewer parameters") takes
  "without overfitting" as agreeing.
- `misquotes`: the window puts another number on one of the point's counted things, said of
  the same thing ("two years of experience" against "7 years of experience"), and nowhere the
  point's own number for it.
- `opposes`: the window says the antonym of one of the point's words about the same thing
  ("junior" for "senior" engineer, "false negatives" for "false positives"), and never the
  point's word.

Measured on labelled answers and on `bench/data/contradictions.jsonl` (BENCHMARKS.md,
2026-12-03): `calibration.evaluate_contradictions`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from oral_sim.engine.terms import STOP_WORDS, _stem

#: Words that negate what follows them in a window.
NEGATORS = frozenset({"not", "never", "no", "without", "cannot", "nor", "neither", "remove",
                      "removes", "removing", "removed", "none"})
#: Words by which a key point says it lowers what follows ("reduces overfitting"): a window that
#: negates that thing ("without overfitting") agrees with the point.
REDUCERS = frozenset({"reduce", "reduces", "reducing", "reduced", "prevent", "prevents",
                      "preventing", "avoid", "avoids", "avoiding", "lower", "lowers", "lowering",
                      "less", "fewer", "limit", "limits", "limiting", "fight", "fights",
                      "combat", "combats", "minimize", "minimizes", "minimise", "minimises",
                      "penalize", "penalizes", "penalizing", "penalise", "penalises", "punish",
                      "punishes", "punishing", "shrink", "shrinks", "shrinking", "eliminate",
                      "eliminates", "eliminating"})
#: Words by which a key point says what comes before them fails ("generalizes poorly"): a
#: window that negates it ("does not generalize") agrees.
FAILS_AFTER = frozenset({"poorly", "badly", "worse"})
#: Negators followed by these words do not negate ("not only", "no matter", "or not").
NOT_NEGATING = {"not": {"only", "just", "to", "necessarily"}, "no": {"matter", "doubt"}}
#: A negation reaches this many words ahead, at most `SCOPE_CONTENT` content words (the verb
#: and its object: "doesn't use bootstrap samples"), and stops at punctuation, at a
#: preposition ("does not generalize | to data") or at these words.
SCOPE_WORDS = 4
SCOPE_CONTENT = 2
SCOPE_ENDS = frozenset({"and", "or", "but", "so", "because", "which", "while", "although",
                        "though", "instead", "rather", "whereas", "then", "to", "for", "on", "in", "at",
                        "with", "from", "about", "by", "of", "as", "into", "than", "like",
                        "it", "they", "we", "i", "you", "he", "she", "that"})

#: A preposition right after the negation opens the phrase it negates ("overfitting is not
#: about noise", "not for speed"); elsewhere a preposition ends the scope.
NEGATED_PHRASE_OPENERS = frozenset({"about", "for", "on", "in", "at", "with", "from", "by"})
#: A negation carries over "or" to what follows it: "never use regularization or early
#: stopping" says neither.
NEGATED_ALTERNATIVES = frozenset({"or", "nor"})

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?(?:'[a-z]+)?|[,.;:!?]")

#: Numbers as words ("one" left out: "one thing", "one and a half million").
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split()) if w != "one"}
_NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
                      "eighty": 80, "ninety": 90, "hundred": 100})
#: Words between a number and what it counts that are part of the number ("80 million users").
_MULTIPLIERS = frozenset({"hundred", "thousand", "million", "billion", "k", "m", "and", "a",
                          "half", "over", "about", "around", "roughly", "nearly", "almost"})


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("%", " percent")
    return _TOKEN.findall(re.sub(r"(?<=\d),(?=\d{3}\b)", "", text))


def _is_negator(tokens: list[str], i: int) -> bool:
    word = tokens[i]
    if word.endswith("n't") or word in ("dont", "doesnt", "didnt", "isnt", "cant", "wont"):
        return True
    if word not in NEGATORS:
        return False
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    before = tokens[i - 1] if i else ""
    if word == "not" and before in ("or", "if"):
        return False
    return after not in NOT_NEGATING.get(word, ())


def _scoped(tokens: list[str]) -> frozenset[str]:
    """Stems of the content words a window negates: within `SCOPE_WORDS` of a negation, at
    most `SCOPE_CONTENT` of them, up to the end of the phrase."""
    out: set[str] = set()
    inside: set[int] = set()  # positions a negation covers, the negation itself included
    for i, _word in enumerate(tokens):
        if not _is_negator(tokens, i):
            continue
        inside.add(i)
        reached, j, end = 0, i + 1, i + 1 + SCOPE_WORDS
        if j < len(tokens) and tokens[j] in NEGATED_PHRASE_OPENERS:  # "is not | about noise"
            j, end = j + 1, end + 1
        while j < min(end, len(tokens)):
            word = tokens[j]
            j += 1
            if word in NEGATED_ALTERNATIVES and reached:  # "never use A | or B": neither
                reached, end = 0, j + SCOPE_WORDS
                continue
            if reached == SCOPE_CONTENT or not word[0].isalnum() or word in SCOPE_ENDS:
                break
            inside.add(j - 1)
            if word not in STOP_WORDS and len(word) > 2:
                out.add(_stem(word))
                reached += 1
                if reached == SCOPE_CONTENT:
                    end = max(end, j + 1)  # the next word may still be an "or"
    # a word the window also says outside any negation is not denied: "not about zeroing
    # weights but about zeroing activations" says "zeroing"
    said = {_stem(w) for k, w in enumerate(tokens)
            if k not in inside and w[0].isalpha() and w not in STOP_WORDS and len(w) > 2}
    return frozenset(out - said)


def _point_negates(tokens: list[str], i: int) -> int:
    """Where a key point's own negation starts after token i (0: none there). Generous: what a
    point negates itself cannot be contradicted by a window negating it, so reading more of
    the point as negated only makes fewer windows conflict. Beside the window's negations:
    "instead of", "before", "unless", "rather than", "stops improving", "keeps X from
    pushing", and the object of a reducer ("reduces overfitting", `REDUCERS`)."""
    word = tokens[i]
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    if word in ("instead", "rather") and after in ("of", "than"):
        return i + 2
    if word in ("before", "unless", "without") or word in REDUCERS or _is_negator(tokens, i):
        return i + 1
    if word in ("stop", "stops", "stopped", "from") and after.endswith("ing"):
        return i + 1
    return 0


def _point_scoped(tokens: list[str]) -> set[str]:
    out: set[str] = set()
    for i in range(len(tokens)):
        start = _point_negates(tokens, i)
        if not start:
            continue
        # a reducer lowers its object only ("fewer parameters | or dropout help")
        reach = 1 if tokens[i] in REDUCERS else POINT_SCOPE_WORDS
        for word in tokens[start: start + POINT_SCOPE_WORDS]:
            if not word[0].isalnum() or word in POINT_SCOPE_ENDS:
                break
            if word not in STOP_WORDS and len(word) > 2:
                out.add(_stem(word))
                reach -= 1
                if not reach:
                    break
    return out


#: A key point's own negation reaches this far, to the end of its clause.
POINT_SCOPE_WORDS = 6
POINT_SCOPE_ENDS = frozenset({"but", "so", "because", "which", "while", "although", "though",
                              "whereas", "then", "and", "versus", "vs"})


@lru_cache(maxsize=4096)
def _point_view(point: str) -> tuple[frozenset[str], frozenset[str]]:
    """(content stems of the point, those it negates or reduces itself)."""
    tokens = _tokens(point)
    stems = frozenset(_stem(w) for w in tokens if w[0].isalpha() and w not in STOP_WORDS
                      and len(w) > 2)
    own = _point_scoped(tokens)
    own |= {_stem(tokens[i - 1]) for i, w in enumerate(tokens) if w in FAILS_AFTER and i}
    return stems, frozenset(own)


@lru_cache(maxsize=8192)
def _window_negated(window: str) -> frozenset[str]:
    return _scoped(_tokens(window))


def denies(point: str, window: str) -> bool:
    """Does `window` negate a content word of `point` that the point itself asserts?"""
    stems, own = _point_view(point)
    return bool((_window_negated(window) & stems) - own)


def _number(word: str) -> float | None:
    if word in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[word])
    try:
        return float(word)
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def counted(text: str) -> dict[str, dict[float, frozenset[str]]]:
    """What `text` puts a number on: stem of the counted word -> each number given it -> what
    it is said of (the content word before the number and the one after the counted word,
    within the phrase). "4 years as a Senior" -> {"year": {4: {"senior"}}}; "5-7 years" ->
    {"year": {5: ..., 7: ...}}."""
    tokens = _tokens(text)
    out: dict[str, dict[float, set[str]]] = {}

    def content(word: str) -> bool:
        return word[0].isalpha() and word not in STOP_WORDS and len(word) > 2 \
            and word not in _MULTIPLIERS and _number(word) is None

    for i, word in enumerate(tokens):
        value = _number(word)
        if value is None:
            continue
        for j in range(i + 1, min(i + 5, len(tokens))):
            unit = tokens[j]
            if unit in _MULTIPLIERS or _number(unit) is not None:
                continue
            if unit[0].isalpha() and unit not in STOP_WORDS:
                about: set[str] = set()
                for k in range(i - 1, -1, -1):  # the word before the number
                    if not tokens[k][0].isalnum():
                        break
                    if content(tokens[k]):
                        about.add(_stem(tokens[k]))
                        break
                for k in range(j + 1, len(tokens)):  # the word after what it counts
                    if not tokens[k][0].isalnum():
                        break
                    if content(tokens[k]):
                        about.add(_stem(tokens[k]))
                        break
                out.setdefault(_stem(unit), {}).setdefault(value, set()).update(about)
            break
    return {unit: {v: frozenset(a) for v, a in values.items()} for unit, values in out.items()}


def misquotes(point: str, window: str) -> bool:
    """Does `window` give one of the point's counted things another number, said of the same
    thing (a word beside it that the point has beside its own, or no word beside it on either
    side), and nowhere the point's own number? "two years of experience" against "7 years of
    experience"; not "seven years of experience" against "the last 4 years as a Senior"."""
    wanted = counted(point)
    if not wanted:
        return False
    said = counted(window)
    for unit, values in wanted.items():
        if unit not in said or set(said[unit]) & set(values):
            continue
        ours = frozenset().union(*values.values())
        for about in said[unit].values():
            if not ours or not about or ours & about:
                return True
    return False


#: Words whose pair says the opposite of the same thing ("senior engineer" / "junior engineer",
#: "false positives" / "false negatives", "high bias" / "low bias"), as stems. A pair whose
#: words differ by a prefix ("supervised" / "unsupervised") is `terms.contradicts`'s.
ANTONYMS: tuple[tuple[str, str], ...] = (
    ("senior", "junior"), ("high", "low"), ("higher", "lower"), ("increas", "decreas"),
    ("posit", "negat"), ("overfit", "underfit"), ("larg", "small"), ("larger", "smaller"),
    ("minim", "maxim"), ("fast", "slow"), ("faster", "slower"), ("ascend", "descend"),
)
_OPPOSITE: dict[str, str] = {a: b for pair in ANTONYMS for a, b in (pair, pair[::-1])}
@lru_cache(maxsize=8192)
def _contexts(text: str) -> dict[str, frozenset[str]]:
    """For each antonym `text` uses (`ANTONYMS`, as a stem): the content words next to it, on
    either side within its phrase (stop words skipped, punctuation ends it). "false positives"
    -> {"posit": {"fals"}}; "4 years as a Senior Machine" -> {"senior": {"year", "machin"}}."""
    phrases: list[list[str]] = [[]]
    for word in _tokens(text):
        if not word[0].isalnum():
            phrases.append([])
            continue
        stem = _stem(word)
        if stem in _OPPOSITE or (word[0].isalpha() and word not in STOP_WORDS and len(word) > 2):
            phrases[-1].append(stem)
    out: dict[str, set[str]] = {}
    for phrase in phrases:
        for i, stem in enumerate(phrase):
            if stem in _OPPOSITE:
                near = out.setdefault(stem, set())
                near.update(s for s in (phrase[i - 1] if i else None,
                                        phrase[i + 1] if i + 1 < len(phrase) else None)
                            if s is not None and s not in _OPPOSITE)
    return {stem: frozenset(near) for stem, near in out.items()}


def opposes(point: str, window: str) -> bool:
    """Does `window` say the antonym of one of the point's words (`ANTONYMS`) of the same thing
    (a word next to both), where it never says the point's word of that thing? "a junior
    engineer last year" against "4 years as a Senior Machine Learning Engineer"; "plus false
    positives" against "plus false negatives". Not "maximize the likelihood" against "minimize
    the loss" (another thing), nor "high bias underfits, low variance ..." (a point's word said
    of the same thing too)."""
    wanted, said = _contexts(point), _contexts(window)
    for word, near in wanted.items():
        other = _OPPOSITE[word]
        shared = near & said.get(other, frozenset())
        if not shared - said.get(word, frozenset()) - wanted.get(other, frozenset()):
            continue
        # "penalizes large weights" is made by "keeps the weights small": one side lowers what
        # it names, the other says its antonym
        if (word in _lowered(point)) == (other in _lowered(window)):
            return True
    return False


@lru_cache(maxsize=8192)
def _lowered(text: str) -> frozenset[str]:
    """Stems `text` negates, lowers or penalizes (`_point_scoped`, generous)."""
    return frozenset(_point_scoped(_tokens(text)))


def conflicts(point: str, window: str) -> bool:
    """`denies`, `misquotes` or `opposes`: the window cannot make the point, however close it
    sits."""
    return denies(point, window) or misquotes(point, window) or opposes(point, window)
