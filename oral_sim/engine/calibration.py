"""How well the content score tracks human grades, beside plain cosine (the baseline).

Data: SemEval-2013 Task 7 (2-way correct/incorrect human labels; science and electricity
questions) from the eval folder. Nothing is fitted: the score's weights are fixed in `scoring.py`;
here they are only measured, on every test split separately, so no single set decides anything.

Measures per split: ROC AUC (does a correct answer score above an incorrect one?), point-biserial
Pearson and Spearman correlation with the 0/1 label.

Key-point coverage (`evaluate_key_points`) is measured apart, on spoken-style answers to bank
questions labelled point by point (`locations.key_point_answers_file()`): precision and recall of
"covered", whether the evidence shown is the labelled span, and how often a point only mentioned,
stated wrongly or omitted is counted as covered. Short answers (`evaluate_short_answers`,
`locations.short_answers_file()`): how many points an answer that only names the topic is
credited with, and precision and recall on short answers that make one or two.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from oral_sim import locations

if TYPE_CHECKING:
    from oral_sim.config import ScoringConfig
    from oral_sim.engine.scoring import ContentScore

T = TypeVar("T")


@dataclass
class GradedAnswer:
    """One human-graded answer."""

    split: str
    """e.g. "sciEntsBank/test-unseen-answers"."""
    question: str
    references: list[str]
    answer: str
    label: int
    """1 = correct, 0 = incorrect (human)."""


def grading_root(eval_root: Path | None = None) -> Path:
    root = (eval_root or locations.eval_dir()) / "grading"
    found = sorted(root.glob("*/semeval2013-task7"))
    return found[0] if found else root / "semeval2013-task7"


def load_graded(eval_root: Path | None = None, part: str = "test") -> list[GradedAnswer]:
    """Every graded answer of the test (or training) splits."""
    base = grading_root(eval_root) / part / "2way"
    out: list[GradedAnswer] = []
    for xml in sorted(base.rglob("*.xml")):
        try:
            root = ET.parse(xml).getroot()
        except ET.ParseError:
            continue
        split = str(xml.parent.relative_to(base))
        question = (root.findtext("questionText") or "").strip()
        refs = [r.text.strip() for r in root.iter("referenceAnswer") if r.text and r.text.strip()]
        if not refs:
            continue
        for sa in root.iter("studentAnswer"):
            label = sa.get("accuracy")
            if label in ("correct", "incorrect") and sa.text:
                out.append(GradedAnswer(split, question, refs, sa.text.strip(), int(label == "correct")))
    return out


def load_items(eval_root: Path | None = None, limit: int | None = None) -> list:
    """Grade items (scoring.GradeItem) for the throughput figure."""
    from oral_sim.engine.scoring import GradeItem

    graded = load_graded(eval_root)
    if limit is not None:
        step = max(1, len(graded) // limit)
        graded = graded[::step][:limit]
    return [GradeItem(reference=g.references[0], answer=g.answer, id=str(i),
                      alternatives=g.references[1:], question=g.question)
            for i, g in enumerate(graded)]


def _auc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    pos, neg = scores[labels == 1], scores[labels == 0]
    if not len(pos) or not len(neg):
        return None
    from scipy.stats import mannwhitneyu

    u = mannwhitneyu(pos, neg, alternative="two-sided").statistic
    return float(u / (len(pos) * len(neg)))


def _metrics(scores: list[float], labels: list[int]) -> dict:
    from scipy.stats import pearsonr, spearmanr

    s, y = np.asarray(scores, dtype=float), np.asarray(labels, dtype=float)
    if len(set(labels)) < 2 or np.std(s) == 0:
        return {"n": len(s)}
    return {
        "n": len(s),
        "auc": round(_auc(s, y) or 0.0, 4),
        "pearson": round(float(pearsonr(s, y)[0]), 4),
        "spearman": round(float(spearmanr(s, y)[0]), 4),
    }


def evaluate(limit: int | None = None, eval_root: Path | None = None) -> dict:
    """Baseline (plain cosine, answer vs first reference) beside our score, per test split and
    pooled. `limit` takes an even sample of that many answers (quick runs)."""
    from oral_sim.engine.scoring import GradeItem, grade_batch, plain_cosine

    graded = load_graded(eval_root)
    if not graded:
        return {"skipped": f"no grading data under {grading_root(eval_root)}"}
    if limit is not None:
        step = max(1, len(graded) // limit)
        graded = graded[::step][:limit]
    baseline = plain_cosine([(g.answer, g.references[0]) for g in graded])
    ours = [r.exact for r in grade_batch([
        GradeItem(reference=g.references[0], answer=g.answer, alternatives=g.references[1:],
                  question=g.question)
        for g in graded])]
    labels = [g.label for g in graded]
    per_split = {}
    for split in sorted({g.split for g in graded}):
        idx = [i for i, g in enumerate(graded) if g.split == split]
        per_split[split] = {
            "baseline": _metrics([baseline[i] for i in idx], [labels[i] for i in idx]),
            "ours": _metrics([ours[i] for i in idx], [labels[i] for i in idx]),
        }
    return {
        "answers": len(graded),
        "baseline": _metrics(baseline, labels),
        "ours": _metrics(ours, labels),
        "per_split": per_split,
        "method": "plain cosine vs combined score; nothing fitted; SemEval-2013 2-way test splits",
    }


# --- key-point coverage ----------------------------------------------------------------------


@dataclass
class LabelledAnswer:
    """One spoken-style answer to a bank question, labelled point by point by its writer."""

    question_id: str
    """The bank question it answers."""
    answer: str
    """The answer, as a recognizer writes it."""
    covered: list[bool]
    """Per key point (bank order): does the answer make it?"""
    evidence: list[str | None]
    """Per key point: the span that makes it (None when not covered)."""
    why: list[str | None]
    """Per key point not covered: "omitted", "mentioned_not_made" or "wrong"."""
    line: int
    """Line in the labels file (1-based)."""


def _read_jsonl(path: Path, what: str, convert: Callable[[dict, int], T]) -> list[T]:
    """Each non-blank line of a JSON-lines file through `convert(object, line)`; a line that is
    not JSON, or that `convert` rejects, raises `UsageError` naming file and line."""
    import json

    from oral_sim.errors import UsageError

    out = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            out.append(convert(json.loads(raw), n))
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"{path}:{n}: not {what} ({exc})") from None
    return out


def _labelled_answer(item: dict, line: int) -> LabelledAnswer:
    labels = item["key_points"]
    return LabelledAnswer(
        str(item["question_id"]), str(item["answer"]),
        [bool(k["covered"]) for k in labels],
        [k.get("evidence") if k["covered"] else None for k in labels],
        [None if k["covered"] else str(k["why"]) for k in labels], line)


def load_labelled(path: Path | None = None) -> list[LabelledAnswer]:
    """The labelled answers; a malformed line raises `UsageError` naming file and line."""
    return _read_jsonl(path or locations.key_point_answers_file(), "a labelled answer",
                       _labelled_answer)


def labelled_in_bank(path: Path | None = None) -> tuple[list[LabelledAnswer], dict, list[str]]:
    """The labelled answers whose question is in the bank with as many key points as labels,
    the bank's questions by id, and the ids of labelled questions the bank does not have."""
    from oral_sim.engine.bank import load_bank

    labelled = load_labelled(path)
    questions = {q.id: q for q in load_bank().all_questions()}
    unknown = sorted({a.question_id for a in labelled if a.question_id not in questions})
    labelled = [a for a in labelled
                if a.question_id in questions
                and len(a.covered) == len(questions[a.question_id].key_points)]
    return labelled, questions, unknown


def evidence_matches(evidence: str | None, gold: str) -> bool:
    """Does the evidence shown point at the labelled span? True when it holds at least 60% of
    the span's words in one run, or is itself (80% or more) a run of at least 4 words of it."""
    from difflib import SequenceMatcher

    from oral_sim.engine.evaluation import normalize_text
    from oral_sim.engine.scoring import clean_spoken

    g, e = normalize_text(clean_spoken(gold)), normalize_text(evidence or "")
    if not g or not e:
        return False
    best = SequenceMatcher(None, g, e, autojunk=False).find_longest_match().size
    return best >= 0.6 * len(g) or (best >= 0.8 * len(e) and len(e) >= 4)


def _coverage_counts(pairs: list[tuple[LabelledAnswer, list]]) -> dict:
    tp = fp = fn = tn = ev_ok = 0
    false_cover: dict[str, list[int]] = {}
    for item, results in pairs:
        for k, res in enumerate(results):
            if item.covered[k]:
                if res.covered:
                    tp += 1
                    ev_ok += evidence_matches(res.evidence, item.evidence[k] or "")
                else:
                    fn += 1
            else:
                counts = false_cover.setdefault(item.why[k] or "?", [0, 0])
                counts[1] += 1
                if res.covered:
                    fp += 1
                    counts[0] += 1
                else:
                    tn += 1
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (2 * precision * recall / (precision + recall)
          if precision and recall else None)
    return {
        "labels": tp + fp + fn + tn,
        "precision": None if precision is None else round(precision, 3),
        "recall": None if recall is None else round(recall, 3),
        "f1": None if f1 is None else round(f1, 3),
        "true_covers": tp,
        "evidence_right": round(ev_ok / tp, 3) if tp else None,
        "false_cover": {why: f"{a}/{b}" for why, (a, b) in sorted(false_cover.items())},
    }


def _score_bank_answer(answer: str, question: Any, config: ScoringConfig, *,
                       examples: bool = True, parts: bool = True, blind: bool = False,
                       topic_gate: bool = True, contradictions: bool = True) -> ContentScore:
    """`answer` scored against a bank question's key points as a session scores it (the
    question's examples, story parts and prompt), each part switchable for a side-by-side."""
    from oral_sim.engine.scoring import score_texts, story_parts

    return score_texts(answer, question.reference_answer, list(question.key_points),
                       config.coverage_threshold,
                       examples=question.key_point_examples if examples else None,
                       example_threshold=config.example_threshold,
                       parts=story_parts(question, answer) if parts else None,
                       asked=question.prompt, blind=blind, topic_gate=topic_gate,
                       contradictions=contradictions)


def evaluate_key_points(path: Path | None = None) -> dict:
    """Key-point coverage against the labels: precision and recall of "covered", where the
    evidence shown is the labelled span, and how often each kind of negative is falsely covered.
    Side by side: ours (the bank's key-point examples and story parts, and no point made by a
    restatement of the question or an admission, `scoring.says_nothing`, or by a window saying
    its opposite, `contradiction.conflicts`), without the last (2026-12-02), without that filter
    (the method of 2026-12-01 later), without the story parts (2026-12-01 morning), and
    without examples either (the point's text only).
    Split by bank script (rubric-style project points behave unlike factual ones)."""
    from oral_sim.config import ScoringConfig

    labelled, questions, unknown = labelled_in_bank(path)
    config = ScoringConfig()
    threshold = config.coverage_threshold
    out: dict = {"answers": len(labelled), "unknown_questions": unknown}
    for variant, use_examples, use_parts, filtered, opposed in (
            ("ours", True, True, True, True),
            ("without_contradictions", True, True, True, False),
            ("without_says_nothing_filter", True, True, False, False),
            ("without_story_parts", True, False, False, False),
            ("without_examples", False, False, False, False)):
        pairs = []
        for a in labelled:
            res = _score_bank_answer(a.answer, questions[a.question_id], config,
                                     examples=use_examples, parts=use_parts, blind=not filtered,
                                     contradictions=opposed)
            pairs.append((a, res.key_points))
        by_script: dict[str, list] = {}
        for a, res in pairs:
            by_script.setdefault(questions[a.question_id].script_id, []).append((a, res))
        out[variant] = {"all": _coverage_counts(pairs),
                        **{sid: _coverage_counts(p) for sid, p in sorted(by_script.items())}}
    out["method"] = ("spoken-style answers written and labelled for this project, not by the scorer "
                     f"({locations.key_point_answers_file().name}); coverage threshold "
                     f"{threshold} (chosen on the bank), {config.example_threshold} for points "
                     "with examples (chosen on lines 1-40's project answers); a point with a "
                     "story part is also made by a sentence telling that part and at least "
                     "SOFT_COVER_FLOOR similar; a window that only restates the question, or "
                     "in which the speaker says they do not know or remember it, makes no point "
                     "(scoring.says_nothing), nor does one no closer to a point than to the "
                     "question (scoring.QUESTION_MARGIN)")
    return out


def evaluate_terse_points(path: Path | None = None) -> dict:
    """Key points as people write them in a grading file: the labelled long answers scored
    against their questions' points as the bank has them, rewritten in 5-8 words ("short") and
    in 1-4 ("terse"), with and without `scoring.SHORT_POINT_ALLOWANCE`. The questions are split
    in two halves (alternate ids): the allowance was chosen on half "A"; "B" was held out."""
    import dataclasses
    import json

    from oral_sim.config import ScoringConfig
    from oral_sim.engine import scoring
    from oral_sim.errors import OralSimError

    path = path or locations.terse_key_points_file()
    try:
        rewrites = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OralSimError(f"cannot read {path} ({exc})") from None
    labelled, questions, _ = labelled_in_bank()
    labelled = [a for a in labelled if a.question_id in rewrites]
    ids = sorted({a.question_id for a in labelled})
    half = {q: "AB"[i % 2] for i, q in enumerate(ids)}
    config = ScoringConfig()
    out: dict = {"answers": len(labelled), "questions": len(ids)}
    kept = scoring.SHORT_POINT_ALLOWANCE
    try:
        for variant, allowance in (("ours", kept), ("without_allowance", ())):
            scoring.SHORT_POINT_ALLOWANCE = allowance
            rows: dict = {}
            for form in ("key_points", "short", "terse"):
                pairs: dict[str, list] = {"A": [], "B": []}
                for a in labelled:
                    question = questions[a.question_id]
                    points = rewrites[a.question_id][form]
                    if len(points) != len(question.key_points):
                        raise OralSimError(f"{path}: {a.question_id} has {len(points)} {form} "
                                           f"points for {len(question.key_points)}")
                    asked = dataclasses.replace(question, key_points=list(points))
                    pairs[half[a.question_id]].append(
                        (a, _score_bank_answer(a.answer, asked, config).key_points))
                rows[form] = {h: _coverage_counts(p) for h, p in pairs.items()}
            out[variant] = rows
    finally:
        scoring.SHORT_POINT_ALLOWANCE = kept
    return out


@dataclass
class ShortAnswer:
    """A short answer to a bank question, labelled with the key points it makes."""

    question_id: str
    """The bank question it answers."""
    kind: str
    """"vacuous" (names the topic, makes no point), "short" (5-25 words making one or two
    points) or "medium" (30-70 words making one to three, among talk that makes none)."""
    answer: str
    """The answer as spoken."""
    makes: list[int]
    """Indices (0-based, bank order) of the key points it makes."""
    split: str
    """"development" (looked at while choosing `scoring.QUESTION_MARGIN`) or "test" (written
    apart, scored once the choice was made)."""
    line: int
    """Line in the file (1-based)."""


def _short_answer(item: dict, line: int) -> ShortAnswer:
    kind = str(item["kind"])
    if kind not in ("vacuous", "short", "medium"):
        raise ValueError(f"kind {kind!r} is not vacuous, short or medium")
    return ShortAnswer(str(item["question_id"]), kind, str(item["answer"]),
                       [int(i) for i in item["makes"]], str(item["split"]), line)


def load_short_answers(path: Path | None = None) -> list[ShortAnswer]:
    """The labelled short answers; a malformed line raises `UsageError` naming file and line."""
    return _read_jsonl(path or locations.short_answers_file(), "a labelled short answer",
                       _short_answer)


def evaluate_short_answers(path: Path | None = None) -> dict:
    """Short answers, with and without the question margin (`scoring.QUESTION_MARGIN`), per
    split: key points credited to answers that make none, precision and recall of "covered" on
    the others, and the mean score of each kind (an answer that only names the topic should
    score well below one that makes a point)."""
    from oral_sim.config import ScoringConfig
    from oral_sim.engine.bank import load_bank

    questions = {q.id: q for q in load_bank().all_questions()}
    items: list[ShortAnswer] = []
    left_out: list[int] = []  # lines whose question left the bank, or lost the point they name
    for a in load_short_answers(path):
        q = questions.get(a.question_id)
        known = q is not None and all(0 <= i < len(q.key_points) for i in a.makes)
        (items if known else left_out).append(a if known else a.line)
    config = ScoringConfig()
    out: dict = {"answers": len(items), "left_out_lines": left_out}
    for variant, gate in (("ours", True), ("without_question_margin", False)):
        by_split: dict[str, dict] = {}
        for split in sorted({a.split for a in items}):
            tp = fp = fn = vacuous_points = 0
            scores: dict[str, list[float]] = {}
            for a in (a for a in items if a.split == split):
                res = _score_bank_answer(a.answer, questions[a.question_id], config,
                                         topic_gate=gate)
                made = {i for i, kp in enumerate(res.key_points) if kp.covered}
                scores.setdefault(a.kind, []).append(res.exact)
                if a.kind == "vacuous":
                    vacuous_points += len(made)
                    continue
                gold = set(a.makes)
                tp, fp, fn = tp + len(made & gold), fp + len(made - gold), fn + len(gold - made)
            by_split[split] = {
                "answers": {k: len(v) for k, v in scores.items()},
                "points_credited_to_vacuous_answers": vacuous_points,
                **precision_recall(tp, fp, fn),
                "mean_score": {k: round(float(np.mean(v)), 1) for k, v in scores.items()},
            }
        out[variant] = by_split
    out["method"] = (f"{locations.short_answers_file().name}: answers written and labelled for "
                     "this project by three readers who had not seen the scorer; the development "
                     "split (the first two) was looked at while choosing the margin (0, 0.05 or "
                     "0.1) and the exemption for a point's own words; the test split (the third) "
                     "was scored once, after")
    return out


# --- structure (STAR+AT parts) -----------------------------------------------------------------


def _structure_counts(items: list[dict], predictions: list[list[str | None]]) -> dict:
    from oral_sim.engine.structure import PARTS

    classes = (*PARTS, "none")
    right = total = 0
    confusion: dict[tuple[str, str], int] = {}
    presence = {p: [0, 0, 0] for p in PARTS}  # found rightly, found wrongly, missed
    for item, pred in zip(items, predictions, strict=True):
        got = [p or "none" for p in pred]
        for gold, guess in zip(item["parts"], got, strict=True):
            total += 1
            right += gold == guess
            confusion[(gold, guess)] = confusion.get((gold, guess), 0) + 1
        for part in PARTS:
            said, found = part in item["parts"], part in got
            if found:
                presence[part][0 if said else 1] += 1
            elif said:
                presence[part][2] += 1
    f1 = []
    for c in classes:
        tp = confusion.get((c, c), 0)
        fp = sum(v for (g, p), v in confusion.items() if p == c and g != c)
        fn = sum(v for (g, p), v in confusion.items() if g == c and p != c)
        f1.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return {
        "sentences": total,
        "accuracy": round(right / total, 3) if total else None,
        "macro_f1": round(float(np.mean(f1)), 3),
        "presence": {p: {"precision": round(a / (a + b), 3) if a + b else None,
                         "recall": round(a / (a + m), 3) if a + m else None}
                     for p, (a, b, m) in presence.items()},
    }


def _star_stories(path: Path | None = None) -> list[dict]:
    def story(item: dict, line: int) -> dict:
        if len(item["parts"]) != len(item["sentences"]):
            raise ValueError("`parts` and `sentences` differ in length")
        return item

    return _read_jsonl(path or locations.star_sentences_file(), "a labelled story", story)


#: Labelled stories numbered below this are the tuning set (the classifier's settings and the
#: part-order counts come from them); the others are held out.
TUNING_LINES = 1000


def star_order_counts(path: Path | None = None) -> dict:
    """Which part opens each tuning story, and which part follows which, counted from the
    labels: what `structure.order_counts` ships (a test checks they agree)."""
    start: dict[str, int] = {}
    follow: dict[str, dict[str, int]] = {}
    for item in _star_stories(path):
        if item["line"] >= TUNING_LINES or not item["parts"]:
            continue
        parts = item["parts"]
        start[parts[0]] = start.get(parts[0], 0) + 1
        for before, now in pairwise(parts):
            row = follow.setdefault(before, {})
            row[now] = row.get(now, 0) + 1
    return {"start": start, "next": follow}


def evaluate_contradictions(path: Path | None = None) -> dict:
    """Key points against one-sentence answers that make them, that negate them, that give
    their numbers other values, or that say an antonym of their words
    (`locations.contradictions_file`): how often each kind is
    credited with the point, with `contradiction.conflicts` and without it."""
    import json

    from oral_sim.config import ScoringConfig
    from oral_sim.engine.bank import load_bank
    from oral_sim.errors import OralSimError

    path = path or locations.contradictions_file()
    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    except (OSError, ValueError) as exc:
        raise OralSimError(f"cannot read {path} ({exc})") from None
    questions = {q.id: q for q in load_bank().all_questions()}
    rows = [r for r in rows if r["question_id"] in questions]
    config = ScoringConfig()
    out: dict = {"answers": len(rows)}
    for variant, opposed in (("ours", True), ("without_contradictions", False)):
        credited: dict[str, list[int]] = {}
        for r in rows:
            res = _score_bank_answer(r["answer"], questions[r["question_id"]], config,
                                     contradictions=opposed)
            counts = credited.setdefault(r["kind"], [0, 0])
            counts[0] += bool(res.key_points[r["point"]].covered)
            counts[1] += 1
        out[variant] = {f"{kind}_credited": f"{a}/{b}" for kind, (a, b) in sorted(credited.items())}
    out["method"] = ("one- or two-sentence answers written for this project after the rule "
                     f"({path.name}): 'agrees' makes the point (often with a negation or a "
                     "number of its own), 'negated', 'number' and 'opposite' (an antonym of its "
                     "word: 'junior' for 'senior') say its opposite; scored "
                     "against the bank question as a session scores it")
    return out


def evaluate_structure(path: Path | None = None) -> dict:
    """STAR+AT parts against sentence labels: ours (nearest examples, keyword bonus and story
    order, `structure.sequence_parts`) beside the nearest examples alone (the method of
    2026-12-01 morning) and the keyword rules alone (before that). Per sentence (accuracy, macro
    F1 over the five parts and "none") and per answer (is each part present: what the
    "missing" advice rests on). The classifier's settings and the part-order counts come from
    the answers numbered below TUNING_LINES; the others are held out and reported apart."""
    from oral_sim.engine.structure import classify_all

    items = _star_stories(path)
    out: dict = {"answers": len(items)}
    methods = (("ours", "sequence"), ("nearest_examples", "nearest"), ("keywords_only", "keywords"))
    for name, subset in (("all", items),
                         ("picked_on", [i for i in items if i["line"] < TUNING_LINES]),
                         ("held_out", [i for i in items if i["line"] >= TUNING_LINES])):
        if subset:
            out[name] = {key: _structure_counts(subset, [classify_all(i["sentences"], method)
                                                         for i in subset])
                         for key, method in methods}
    return out


# --- filler words on labelled text ---------------------------------------------------------------

#: Inline filler tags of the labelled set: <fp>um</fp>, <dm>you know</dm>, <rep>the</rep> the.
FILLER_TAGS = {"fp": "filled_pause", "dm": "discourse_marker", "rep": "repetition"}
_TAG = re.compile(r"<(/?)(fp|dm|rep)>")


@dataclass
class TaggedText:
    """One labelled utterance: the text as transcribed and the fillers a person marked in it."""

    id: str
    """Its id; "A..." lines are the set the rules were looked at on, the others held out."""
    text: str
    """The utterance without tags."""
    fillers: list[tuple[int, int, str]]
    """Per marked filler: first token, number of tokens, kind (tokens as `fillers.tokens_from_text`
    counts them: whitespace-separated, skipping ones with no letter or digit)."""
    line: int
    """Line in the labels file (1-based)."""


def parse_tagged(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Tags out, and where they were in tokens. Raises ValueError for unbalanced or nested
    tags."""
    from oral_sim.engine.fillers import normalize

    clean, spans, open_tag = [], [], None
    pos = 0
    for m in _TAG.finditer(text):
        clean.append(text[pos : m.start()])
        pos = m.end()
        here = len("".join(clean))
        if m.group(1):  # closing
            if open_tag is None or open_tag[0] != m.group(2):
                raise ValueError(f"unbalanced </{m.group(2)}>")
            spans.append((open_tag[1], here, FILLER_TAGS[m.group(2)]))
            open_tag = None
        else:
            if open_tag is not None:
                raise ValueError(f"<{m.group(2)}> inside <{open_tag[0]}>")
            open_tag = (m.group(2), here)
    if open_tag is not None:
        raise ValueError(f"<{open_tag[0]}> never closed")
    clean.append(text[pos:])
    plain = "".join(clean)
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", plain)
              if normalize(m.group())]
    out = []
    for start, end, kind in spans:
        inside = [i for i, (a, b) in enumerate(tokens) if a < end and b > start]
        if not inside:
            raise ValueError(f"an empty {kind} tag")
        out.append((inside[0], len(inside), kind))
    return plain, out


def _tagged_text(item: dict, line: int) -> TaggedText:
    plain, fillers = parse_tagged(str(item["text"]))
    return TaggedText(str(item["id"]), plain, fillers, line)


def count_matches(counts: dict[str, list[int]], gold: set, found: set,
                  group: Callable[[tuple], list[str]]) -> None:
    """Add one item's hits to `counts` (group -> [true, false, missed]): a key in both sets is
    true, only in `found` false, only in `gold` missed; `group(key)` names the groups it counts
    in."""
    for key in gold | found:
        slot = 0 if key in gold and key in found else 1 if key in found else 2
        for name in group(key):
            counts.setdefault(name, [0, 0, 0])[slot] += 1


def precision_recall(tp: int, fp: int, fn: int) -> dict:
    """Precision and recall (None where undefined), with how many were marked and found."""
    return {"precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None,
            "marked": tp + fn, "found": tp + fp}


def evaluate_filler_labels(path: Path | None = None) -> dict:
    """Filler words found by `fillers.find_fillers` in typed text against the fillers people
    marked (`locations.filler_labels_file()`): precision and recall per kind, and per word for
    discourse markers, where "like I said" and "I mean the second one" are not fillers. A found
    filler counts when a marked one of the same kind starts on the same token. Text only: what
    the rules do with a transcript, apart from what the recognizer wrote."""
    from oral_sim.engine.fillers import find_fillers, tokens_from_text

    items = _read_jsonl(path or locations.filler_labels_file(), "a tagged utterance",
                        _tagged_text)
    out: dict = {"utterances": len(items)}
    for name, subset in (("all", items), ("picked_on", [i for i in items if i.id.startswith("A")]),
                         ("held_out", [i for i in items if not i.id.startswith("A")])):
        if not subset:
            continue
        counts: dict[str, list[int]] = {}  # kind or marker word -> [tp, fp, fn]
        misses: list[str] = []
        for item in subset:
            gold = {(start, kind): n for start, n, kind in item.fillers}
            tokens = tokens_from_text(item.text)
            found = {(f.index, f.kind): f.text for f in find_fillers(tokens)}
            said = {key: found.get(key) or " ".join(
                t.norm for t in tokens[key[0] : key[0] + gold.get(key, 1)])
                for key in gold.keys() | found.keys()}
            count_matches(counts, set(gold), set(found), lambda key, said=said: [key[1]] + (
                [f"marker: {said[key]}"] if key[1] == "discourse_marker" else []))
            for key in gold.keys() ^ found.keys():
                if len(misses) < 60:
                    misses.append(f"{item.id} {'false' if key in found else 'missed'} {key[1]} "
                                  f"{said[key]!r}: {item.text}")
        out[name] = {group: precision_recall(*c) for group, c in sorted(counts.items())}
        out[name]["errors"] = misses
    return out
