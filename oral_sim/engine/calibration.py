"""How well the content score tracks human grades, beside plain cosine (the baseline).

Data: SemEval-2013 Task 7 (2-way correct/incorrect human labels; science and electricity
questions) from the eval folder. Nothing is fitted: the score's weights are fixed in `scoring.py`;
here they are only measured, on every test split separately, so no single set decides anything.

Measures per split: ROC AUC (does a correct answer score above an incorrect one?), point-biserial
Pearson and Spearman correlation with the 0/1 label.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from oral_sim import locations


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
