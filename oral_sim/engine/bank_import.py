"""Turn plain-text interview prep material into a bank file (a first draft to review).

Shapes recognised:
- **qa-list**: a question line ending in "▾" (as copied from collapsible Q&A pages), its answer
  on the following lines;
- **q-and-a**: "Q:" / "A:" lines ("Question 1:" / "Answer:" too), each answer running on until
  the next label or the next question written another way (a heading, bold line or list item
  that asks, or a line of its own ending in "?" or asking: "Explain gradient descent.");
- **dialogue**: "Interviewer:" / "Candidate:" turns (label alone on a line or inline), kept in
  order as a conversation; a greeting-only first turn becomes the opening, a thank-you last turn
  the closing;
- **markdown**: notes where a question is a heading, a **bold line** or a list item ending in
  "?", its answer below; headings that are not questions set the category.

Key points are drawn from each answer without any model: its most informative sentences or
clauses (content words, numbers, named techniques), in order, trimmed to 25 words. Anything that
cannot be placed is listed with its line number, never dropped silently.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from oral_sim.engine import textfile
from oral_sim.errors import ImportProblem

MAX_BYTES = 5_000_000
DEFAULT_TIMEBOX = {"conceptual": 90, "rapid-fire": 60, "scenario": 180, "system-design": 240,
                   "behavioral": 180, "project-deep-dive": 270, "debugging": 150, "coding": 180,
                   "opening": 90, "closing": 60}
STOPWORDS = set("""a an the and or but if of to in on for with by at from as is are was were be been
being this that these those it its into than then so such can could would should will may might
do does did has have had not no we you they he she i our your their which who whom what when where
how why also very more most much many some any each other about over under between while""".split())
CATEGORY_WORDS = [
    ("system-design", r"\b(design|architect|system design|scalable|build a system)\b"),
    ("behavioral", r"\b(tell me about a time|describe a time|conflict|stakeholder|behaviou?ral|"
                   r"leadership|why do you want|prioriti[sz]e)\b"),
    ("project-deep-dive", r"\b(walk me through|your project|resume|deep[- ]dive)\b"),
    ("debugging", r"\b(debug|crash|error|nan|oom|out of memory|spikes?|imbalanced utili[sz]ation|"
                  r"diagnos|trace)\b"),
    ("scenario", r"\b(your (model|team)|you need to|how would you|a stakeholder|scenario)\b"),
    ("coding", r"\b(implement|write (a|the) (function|code)|coding)\b"),
    ("rapid-fire", r"\b(rapid|name three|stand for|default)\b"),
]


@dataclass
class Unplaced:
    """Content the importer could not place."""

    line: int
    """1-based line in the source file."""
    text: str
    """The text."""
    reason: str
    """Why it was not placed."""


@dataclass
class ImportResult:
    """A draft script made from a prep file."""

    script_id: str
    title: str
    shape: str
    """"qa-list", "dialogue" or "markdown"."""
    questions: list[dict]
    """Question dicts in bank-file form."""
    unplaced: list[Unplaced] = field(default_factory=list)
    opening: str | None = None
    closing: str | None = None
    description: str | None = None
    source: str | None = None

    def to_yaml(self) -> str:
        """A bank file in the documented format."""
        import yaml

        class Folded(str):
            pass

        class Dumper(yaml.SafeDumper):
            pass

        Dumper.add_representer(
            Folded, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style=">")
        )
        doc: dict = {"script": self.script_id, "title": self.title,
                     "kind": "conversation" if self.shape == "dialogue" else "questions"}
        if self.source:
            doc["source"] = self.source
        if self.description:
            doc["description"] = Folded(self.description)
        if self.opening:
            doc["opening"] = self.opening
        if self.closing:
            doc["closing"] = self.closing
        qs = []
        for q in self.questions:
            q = dict(q)
            q["reference_answer"] = Folded(q["reference_answer"])
            qs.append(q)
        doc["questions"] = qs
        head = (f"# Imported from {self.source or 'notes'} by `oral-sim bank import`: key points are\n"
                "# a first draft drawn from the answers; review them. Format: scripts_bank/README.md\n")
        return head + yaml.dump(doc, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)


def slug(text: str, fallback: str = "imported") -> str:
    """A bank id from any text: lower-case letters, digits and dashes, at most 40 characters."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")
    return s if s and s[0].isalnum() else fallback


def import_file(path: str | Path, script_id: str | None = None) -> ImportResult:
    """Import a prep file; ImportProblem (naming the file) when it cannot be used at all."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportProblem(f"cannot read {path} ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise ImportProblem(f"{path} is larger than {MAX_BYTES // 1_000_000} MB; is it prep notes?")
    if b"\x00" in raw and not textfile.is_utf16(raw):  # UTF-16 text has zero bytes
        raise ImportProblem(f"{path} is a binary file, not text notes")
    text = textfile.decode(raw, path, ImportProblem)
    if "\x00" in text:
        raise ImportProblem(f"{path} is a binary file, not text notes")
    stem = re.sub(r"^\d+_[0-9a-f]+$", "", path.stem) or path.stem
    return import_text(text, path.name, script_id or slug(stem))


def import_text(text: str, source_name: str, script_id: str | None = None) -> ImportResult:
    """Import prep text (see the module doc for the shapes)."""
    if not text.strip():
        raise ImportProblem(f"{source_name} is empty")
    if sum(not (c.isprintable() or c.isspace()) for c in text) > max(3, len(text) // 100):
        raise ImportProblem(f"{source_name} does not look like text notes (control characters)")
    sid = slug(script_id or Path(source_name).stem)
    lines = text.splitlines()
    if any(line.rstrip().endswith("▾") for line in lines):
        result = _qa_list(lines, sid)
    elif sum(bool(re.match(r"^\s*(\*\*)?(interviewer|candidate)(\*\*)?\s*:", line, re.I))
             for line in lines) >= 2:
        result = _dialogue(lines, sid)
    elif sum(bool(_QA_LABEL.match(line)) for line in lines) >= 2:
        result = _q_and_a(lines, sid)
    else:
        result = _markdown(lines, sid)
    if not result.questions:
        raise ImportProblem(
            f"no questions found in {source_name}",
            "questions must end with ▾, be Q:/A: or Interviewer:/Candidate: turns, or be markdown "
            "headings, bold lines or list items ending in '?'",
        )
    kept = []
    for q in result.questions:
        if q["prompt"] and q["reference_answer"]:
            kept.append(q)
        else:
            result.unplaced.append(Unplaced(0, q["prompt"] or q["reference_answer"],
                                            "empty question or answer"))
    result.questions = kept
    if not result.questions:
        raise ImportProblem(f"no usable questions in {source_name}")
    result.source = source_name
    for n, q in enumerate(result.questions, 1):
        q["id"] = f"{sid}-{n:03d}"[:64]
    return result


# --- shapes ------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "").replace("__", "")).strip()


def _preamble(lines: list[tuple[int, str]]) -> tuple[str, str | None]:
    texts = [_clean(t.lstrip("#")) for _, t in lines if _clean(t)]
    if not texts:
        return "Imported questions", None
    return texts[0][:120], (" ".join(texts[1:]) or None)


def _question(prompt: str, answer: str, category: str | None = None) -> dict:
    prompt = _clean(prompt)
    answer = _clean(answer)
    cat = category or guess_category(prompt)
    return {
        "id": "",
        "prompt": prompt,
        "category": cat,
        "difficulty": "medium",
        "timebox_s": DEFAULT_TIMEBOX.get(cat, 120),
        "reference_answer": answer,
        "key_points": key_points(answer),
    }


def _qa_list(lines: list[str], sid: str) -> ImportResult:
    starts = [i for i, line in enumerate(lines) if line.rstrip().endswith("▾")]
    title, desc = _preamble([(i + 1, lines[i]) for i in range(starts[0])])
    result = ImportResult(sid, title, "qa-list", [], description=desc)
    for k, i in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        answer = " ".join(line.strip() for line in lines[i + 1 : end] if line.strip())
        prompt = lines[i].rstrip().rstrip("▾").strip()
        if not answer:
            result.unplaced.append(Unplaced(i + 1, prompt, "question without an answer"))
            continue
        result.questions.append(_question(prompt, answer))
    return result


_LABEL = re.compile(r"^\s*(\*\*)?(interviewer|candidate)(\*\*)?\s*:\s*(.*)$", re.I)
_QA_LABEL = re.compile(r"^\s*(?:\*\*)?(q|question|a|answer)\s*\d*(?:\*\*)?\s*:(?:\*\*)?\s*(.*)$",
                       re.I)


def _notes_prompt(line: str, paragraph_start: bool) -> str | None:
    """In Q:/A: notes, a question written another way: a markdown heading, bold line or list
    item that asks, or a line of its own (after a blank line, at most 25 words) that ends in
    "?" or makes a request ("Explain gradient descent."). Its text, or None. Notes that mix
    the shapes lost such questions: read as part of the answer before them."""
    text = line.strip()
    if not text:
        return None
    marked = _HEADING.match(text) or _BOLD.match(text) or _ITEM_ASK.match(line)
    if marked:
        text = marked.group(2) if marked.re is _HEADING else marked.group(1)
    elif not paragraph_start or len(text.split()) > 25:
        return None
    text = text.strip().strip("*").strip()
    return text if _asks(text) else None


def _q_and_a(lines: list[str], sid: str) -> ImportResult:
    """"Q: ..." then "A: ..." (continuation lines join the label before them); a question
    written the markdown way among them (`_notes_prompt`) is one too, its answer the lines
    below it; a heading that does not ask is a section title, part of no answer."""
    items: list[list] = []  # [kind "q"/"a", text, line]
    pre: list[tuple[int, str]] = []
    blank_before = True
    for n, line in enumerate(lines, 1):
        m = _QA_LABEL.match(line)
        prompt = None if m else _notes_prompt(line, blank_before)
        blank_before = not line.strip()
        if m:
            items.append([m.group(1)[0].lower(), m.group(2).strip(), n])
        elif prompt:
            items += [["q", prompt, n], ["a", "", n + 1]]
        elif items:
            if line.strip() and not line.lstrip().startswith("#"):
                items[-1][1] = (items[-1][1] + " " + line.strip()).strip()
        else:
            pre.append((n, line))
    title, desc = _preamble(pre)
    result = ImportResult(sid, title, "q-and-a", [], description=desc)
    i = 0
    while i < len(items):
        kind, text, n = items[i]
        if kind == "a":
            result.unplaced.append(Unplaced(n, text, "answer with no question before it"))
            i += 1
            continue
        answer = items[i + 1] if i + 1 < len(items) and items[i + 1][0] == "a" else None
        if answer is None or not answer[1].strip():
            result.unplaced.append(Unplaced(n, text, "question without an answer"))
            i += 2 if answer is not None else 1
            continue
        result.questions.append(_question(text, answer[1]))
        i += 2
    return result


def _dialogue(lines: list[str], sid: str) -> ImportResult:
    turns: list[list] = []  # [speaker, text, line]
    pre: list[tuple[int, str]] = []
    for n, line in enumerate(lines, 1):
        m = _LABEL.match(line)
        if m:
            turns.append([m.group(2).lower(), m.group(4).strip(), n])
        elif turns:
            if line.strip():
                turns[-1][1] = (turns[-1][1] + " " + line.strip()).strip()
        else:
            pre.append((n, line))
    title, desc = _preamble(pre)
    result = ImportResult(sid, title, "dialogue", [], description=desc)

    def greeting(text: str) -> bool:
        return "?" not in text and bool(re.search(r"\b(hello|hi|welcome|thanks? for|good (morning|"
                                                  r"afternoon))\b", text, re.I))

    def farewell(text: str) -> bool:
        return "?" not in text and bool(re.search(r"\b(thank|that's all|that is all|bye|end of)\b",
                                                  text, re.I))

    i = 0
    if turns and turns[0][0] == "interviewer" and greeting(turns[0][1]):
        result.opening = _clean(turns[0][1])
        i = 1
        if len(turns) > 1 and turns[1][0] == "candidate" and len(turns[1][1].split()) < 12:
            i = 2  # the candidate's "thanks, happy to be here"
    while i < len(turns):
        speaker, text, n = turns[i]
        if speaker == "candidate":
            result.unplaced.append(Unplaced(n, text, "candidate turn with no interviewer question"))
            i += 1
            continue
        reply = turns[i + 1] if i + 1 < len(turns) and turns[i + 1][0] == "candidate" else None
        last = i + (2 if reply else 1) >= len(turns)
        if last and farewell(text):
            result.closing = _clean(text)
            break
        if reply is None or not reply[1].strip():
            result.unplaced.append(Unplaced(n, text, "interviewer turn with no candidate answer"))
            i += 1
            continue
        result.questions.append(_question(text, reply[1]))
        i += 2
    return result


_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BOLD = re.compile(r"^\s*\*\*(.+?)\*\*\s*:?\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*\?)\s*$")
#: An interviewer's request without a "?": "Tell me about a time you disagreed with your manager."
_ASK = re.compile(r"^(tell me about|describe a (time|situation|project)|walk me through|"
                  r"give (me )?an example of|talk me through|explain|describe|define|compare|"
                  r"how would you|what would you)\b", re.I)
_ITEM_ASK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.+)$")
#: The requests that are prompts on a line of their own in plain notes, as "?" lines are
#: ("Describe a time you led a project." was glued into the answer before it).
_REQUEST_LINE = re.compile(r"^(tell me about|describe a (time|situation|project)|walk me through|"
                           r"give (me )?an example of|talk me through)\b.{3,200}[.!]$", re.I)


#: Words a short question opens with ("What is dropout?", "Why ReLU?").
_QUESTION_WORDS = frozenset({"what", "why", "how", "when", "which", "who", "where", "is", "are",
                             "can", "could", "do", "does", "did", "should", "would", "will",
                             "have", "has", "explain", "describe", "define", "name"})


def _question_line(text: str) -> bool:
    """A line of its own ending in "?" that is a question: 4 words or more, or 2 or more that
    open as one ("What is dropout?" was read as the notes' title)."""
    words = text.split()
    return len(words) >= 4 or (len(words) >= 2 and words[0].lower().strip("*_") in _QUESTION_WORDS)


def _asks(text: str) -> bool:
    """A prompt: a question, or a request an interviewer makes ("Tell me about a time...")."""
    text = text.strip().strip("*").strip()
    return text.endswith("?") or bool(_ASK.match(text))


def _markdown(lines: list[str], sid: str) -> ImportResult:
    category: str | None = None
    pre: list[tuple[int, str]] = []
    current: dict | None = None
    result = ImportResult(sid, "Imported questions", "markdown", [])
    seen_question = False
    heading_levels: list[int] = []
    page_mode = False  # a question page: everything after its "Quick Answer:" is the answer
    meta = dict(
        (m.group(1).lower(), m.group(2).strip())
        for line in lines[:15]
        if (m := re.match(r"^(Category|Difficulty|Role|Company|Interview Round):\s*(.+)$", line))
    )

    def next_text(k: int) -> str:
        for later in lines[k:]:
            if later.strip():
                return later.strip()
        return ""

    def close() -> None:
        nonlocal current
        if current is None:
            return
        answer = " ".join(current["answer"]).strip()
        if answer:
            result.questions.append(_question(current["prompt"], answer, current["category"]))
        else:
            result.unplaced.append(Unplaced(current["line"], current["prompt"],
                                            "question without an answer"))
        current = None

    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        h = _HEADING.match(stripped)
        q_text = None
        if h and _asks(h.group(2)):
            q_text = h.group(2)
        elif (b := _BOLD.match(stripped)) and _asks(b.group(1)):
            q_text = b.group(1)
        elif ((it := _ITEM.match(line) or _ITEM_ASK.match(line)) and _asks(it.group(1))
              and not line.startswith(("    ", "\t"))):
            q_text = it.group(1)
        elif (iv := re.match(r"^\s*interviewer\s*:\s*(.+)$", stripped, re.I)):
            q_text = iv.group(1).strip().strip('"\u201c\u201d')
        elif stripped and not page_mode and next_text(n).lower().startswith("quick answer"):
            q_text = stripped  # a question page: the prompt, then "Quick Answer:"
            page_mode = True
        elif (not page_mode and ((stripped.endswith("?") and _question_line(stripped))
                                 or _REQUEST_LINE.match(stripped))
              and (n == 1 or not lines[n - 2].strip() or _HEADING.match(lines[n - 2].strip()))):
            q_text = stripped
        if page_mode and current is not None and q_text is None:
            if stripped:
                current["answer"].append(_clean(stripped.lstrip("#-* ")))
            continue
        if q_text is not None:
            close()
            seen_question = True
            cat = category
            if page_mode and meta.get("category"):
                cat = map_category(meta["category"])
            current = {"prompt": q_text.strip("* "), "answer": [], "line": n, "category": cat,
                       "item": bool(_ITEM_ASK.match(line)), "gap": False}
            continue
        if h:
            close()
            level = len(h.group(1))
            heading_levels.append(level)
            name = _clean(h.group(2))
            mapped = map_category(name)
            first_top = level == 1 or (mapped is None and level == min(heading_levels))
            if not seen_question and result.title == "Imported questions" and first_top:
                result.title = name[:120]
            else:
                category = mapped or "conceptual"
            continue
        if current is not None and current["item"] and current["answer"] and current["gap"] \
                and stripped and not line.startswith((" ", "\t")):
            # a list item's answer is indented under it: text back at the margin after a blank
            # line is not part of it
            close()
        if current is not None:
            if stripped:
                current["answer"].append(re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", stripped))
            else:
                current["gap"] = True
        elif stripped and not seen_question:
            pre.append((n, stripped))
        elif stripped:
            result.unplaced.append(Unplaced(n, stripped, "text outside any question"))
    close()
    if page_mode and meta.get("difficulty", "").lower() in ("easy", "medium", "hard"):
        for q in result.questions:
            q["difficulty"] = meta["difficulty"].lower()
    if pre:
        if result.title == "Imported questions":
            result.title, result.description = _preamble(pre)
        else:
            result.description = " ".join(_clean(t) for _, t in pre) or None
    return result


# --- categories and key points -----------------------------------------------------------------


def map_category(heading: str) -> str | None:
    """The bank category a section heading names, or None."""
    h = heading.lower()
    table = [("system-design", ("system design", "design")), ("behavioral", ("behavio", "leadership",
             "soft skill")), ("project-deep-dive", ("project", "deep dive", "deep-dive", "resume")),
             ("debugging", ("debug", "troubleshoot")), ("scenario", ("scenario", "situational")),
             ("coding", ("coding", "code", "algorithm")), ("rapid-fire", ("rapid", "quick")),
             ("conceptual", ("concept", "theory", "fundamental", "basics", "ml", "machine learning",
              "deep learning", "statistics"))]
    for cat, words in table:
        if any(w in h for w in words):
            return cat
    return None


def guess_category(prompt: str) -> str:
    """A category from the question's wording."""
    low = prompt.lower()
    for cat, pattern in CATEGORY_WORDS:
        if re.search(pattern, low):
            return cat
    return "conceptual"


def _informativeness(text: str) -> float:
    words = re.findall(r"[A-Za-z0-9][A-Za-z0-9'+.-]*", text)
    content = [w for w in words if w.lower() not in STOPWORDS]
    numbers = sum(bool(re.search(r"\d", w)) for w in words)
    named = sum(1 for w in content[1:] if w[0].isupper() or w.isupper())
    return len(content) + 2 * numbers + 1.5 * named - 0.15 * max(0, len(words) - 25)


def _trim(text: str, limit: int = 25) -> str:
    words = text.split()
    if len(words) <= limit:
        return text.rstrip(" ,;")
    cut = " ".join(words[:limit])
    comma = cut.rfind(",")
    if comma > len(cut) // 2:
        cut = cut[:comma]
    return cut.rstrip(" ,;")


#: Words a phrase can start with, where a one-sentence answer is cut into key points.
_JOINS = frozenset({"and", "but", "so", "when", "which", "because", "while", "or", "to", "by",
                    "with", "that", "then", "if"})


def key_points(answer: str, low: int = 3, high: int = 8) -> list[str]:
    """3-8 of the answer's most informative sentences (or clauses), in order, trimmed."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", answer) if len(s.split()) >= 3]
    if len(sentences) < low:
        sentences = [c.strip() for c in re.split(r"(?<=[.!?;,])\s+", answer) if len(c.split()) >= 2]
    if len(sentences) < low:
        # a one-sentence answer in `low` parts, every word kept (the last part ran "fails to
        # generalize to new" and dropped "data"), each cut moved to just before a joining word
        # ("and", "when", "so", ...) near it so the parts read as phrases
        words = answer.split()
        cuts = [0]
        for k in range(1, low):
            at = round(k * len(words) / low)
            near = [j for j in range(max(cuts[-1] + 1, at - 2), min(len(words), at + 3))
                    if words[j].lower() in _JOINS]
            cuts.append(min(near, key=lambda j: abs(j - at)) if near else at)
        cuts.append(len(words))
        sentences = [" ".join(words[a:b]) for a, b in itertools.pairwise(cuts) if b > a]
    while 0 < len(sentences) < low:
        sentences.append(sentences[-1])
    want = max(low, min(high, round(len(sentences) * 0.6)))
    ranked = sorted(range(len(sentences)), key=lambda i: -_informativeness(sentences[i]))[:want]
    chosen = [_trim(sentences[i].rstrip(".")) for i in sorted(ranked)]
    seen: set[str] = set()
    out = []
    for i, c in enumerate(chosen):
        key = c.lower()
        out.append(c if key not in seen else f"{c} (point {i + 1})")
        seen.add(key)
    return out[:high] if len(out) >= low else (out + ["(review: add a key point)"] * low)[:low]
