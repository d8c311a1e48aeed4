"""Where a bank file goes wrong, for a person: the line of a YAML node, pydantic's errors told
as sentences (each problem once), keys written twice, and the first problem raised with a count
of the rest. `bank.py` checks the files; this module only locates and words what it finds.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml

from oral_sim.engine import bank_format as fmt
from oral_sim.errors import BankError

#: Said with a YAML syntax error, after which nothing else in the file can be checked.
SYNTAX_HINT = "nothing after a YAML syntax error is checked: fix it and check the file again"


#: PyYAML's problems as a person would say them: (words of PyYAML's problem, any one of them;
#: words in its context or ""; what is wrong). The first that matches is used; PyYAML's own
#: words follow in brackets.
_YAML_WORDS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("mapping values are not allowed",), "",
     "a ':' where none can go: quote a value that contains ': ' (prompt: \"Why: ...\"), "
     "or check the line's indentation"),
    (("cannot start any token", "tab character"), "", "a tab: YAML indents with spaces only"),
    (("unexpected end of stream",), "quoted scalar", "a quote that is never closed"),
    (("unknown escape character",), "", "a backslash inside double quotes: write it as \\\\ "
     "or use single quotes"),
    (("expected ',' or ']'",), "flow sequence", "a [list] that is not closed with ']'"),
    (("expected ',' or '}'",), "flow mapping", "a {mapping} that is not closed with '}'"),
    (("could not find expected ':'",), "", "a line that is neither 'key: value' nor a list item "
     "('- ...'), or the line before it goes on where it should not"),
    (("found '<block sequence start>'",), "",
     "a list item ('- ...') indented unlike the lines around it"),
    (("did not find expected '-' indicator",), "",
     "a list item ('- ...') indented unlike the items above it"),
    (("found '<block mapping start>'", "did not find expected key"), "",
     "a line indented unlike the keys around it"),
    (("found undefined alias",), "", "a '*name' that nothing defines: quote a value that starts "
     "with '*'"),
    (("found another document",), "", "a second document (a '---' line) in one file: a bank "
     "file holds one script"),
    (("found character '@'", "found character '`'"), "",
     "a value that starts with '@' or '`': quote it"),
)


def yaml_problem(exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """The 1-based line and the words for a YAML syntax error (0 when PyYAML gives no place).

    An unclosed quote or bracket is placed on the line where it opens (PyYAML places it where it
    gave up, at the end of the file for a quote)."""
    problem = exc.problem or exc.context or "invalid YAML"
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 0
    for phrasings, within, said in _YAML_WORDS:
        if any(words in problem for words in phrasings) and within in context:
            if within and exc.context_mark is not None:
                line = exc.context_mark.line + 1
            return line, f"YAML syntax: {said} (PyYAML: {problem})"
    return line, f"YAML syntax: {problem}"


def raise_first(problems: list[BankError], where: Path) -> None:
    """Raise the first problem, its hint counting the others; nothing when there are none."""
    if not problems:
        return
    first, more = problems[0], len(problems) - 1
    if not more:
        raise first
    others = (f"{more} more problem{'s' if more > 1 else ''}: "
              f"`oral-sim bank validate {where}` lists them all")
    hint = f"{first.hint}; {others}" if first.hint else others
    raise BankError(first.path, first.line, first.problem, hint)


def duplicate_keys(node: yaml.Node, where: str) -> list[BankError]:
    """Every key written twice in one mapping: PyYAML keeps the last silently; a bank file must
    not have them."""
    problems = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        problems.append(BankError(
                            where, key.start_mark.line + 1, f"`{key.value}` appears twice here"
                        ))
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return problems


def child(node: yaml.Node | None, key: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        # the last of two equal keys: the value PyYAML keeps (and the schema checked)
        for k, v in reversed(node.value):
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def line_of(root: yaml.Node, loc: tuple[Any, ...]) -> int:
    """The line of the deepest node on `loc` that exists in the file (a missing field points at
    the mapping that lacks it; an unknown field at the field itself)."""
    node = root
    line = root.start_mark.line + 1
    for key in loc:
        at_key = None
        if isinstance(node, yaml.MappingNode):
            for k, _ in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    at_key = line = k.start_mark.line + 1
        below = child(node, key)
        if below is None:
            break
        node = below
        # a field's value starts on its key's line, or (a block list or mapping) on the next
        line = at_key if at_key is not None else node.start_mark.line + 1
    return line


#: How pydantic names the branches of a key point's `Text | KeyPointModel` in an error's location.
_UNION_BRANCHES = ("str", "constrained-str", "KeyPointModel", "GradeKeyPointModel")
_TEXT_BRANCHES = ("str", "constrained-str")


#: Most values (mappings, lists and scalars, aliases counted where they are used) a bank file
#: may expand to: the shipped banks have a few thousand; a file of nested aliases can stand
#: for billions, and building them hangs (`expanded_nodes`).
MAX_NODES = 200_000


def expanded_nodes(node: yaml.Node) -> int:
    """How many values the composed YAML `node` stands for once every alias is expanded,
    counted without expanding them (each node once; an alias to a node counts its size
    again). Past `MAX_NODES` the count stops growing much: it is only compared to it."""
    sizes: dict[int, int] = {}

    def size(n: yaml.Node) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        sizes[key] = 1  # a node that contains itself (a recursive alias) counts once
        if isinstance(n, yaml.MappingNode):
            total = 1 + sum(min(size(k) + size(v), MAX_NODES + 1) for k, v in n.value)
        elif isinstance(n, yaml.SequenceNode):
            total = 1 + sum(min(size(v), MAX_NODES + 1) for v in n.value)
        else:
            total = 1
        sizes[key] = min(total, MAX_NODES + 1)
        return sizes[key]

    return size(node)


def written_nodes(node: yaml.Node) -> int:
    """How many values the YAML `node` is written with (each node once, aliases not expanded):
    over `MAX_NODES` when the file itself is that big, with no alias to blame."""
    seen: set[int] = set()
    todo = [node]
    while todo:
        n = todo.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            todo += [x for kv in n.value for x in kv]
        elif isinstance(n, yaml.SequenceNode):
            todo += n.value
    return len(seen)


def schema_errors(errors: list[dict[str, Any]], data: dict[str, Any],
                   filled: dict[str, Any]) -> list[tuple[dict[str, Any], tuple[Any, ...]]]:
    """pydantic's errors, one per problem, each with its location in the file (`filled` is
    `data` with the defaults applied). Two kinds of repeat are dropped. A key point is text or
    a mapping, and pydantic reports a bad one against both forms: the errors of the form the
    file used are kept, or one saying it is neither. A value a question takes from `defaults`
    is reported once, at `defaults`, not again in every question that lacks it."""
    kept = []
    neither: set[tuple[Any, ...]] = set()
    for error in errors:
        loc = _probe_at(tuple(error["loc"]), str(error.get("msg", "")), data)
        if _from_defaults(loc, data, filled):
            continue
        cut = next((i for i, part in enumerate(loc) if part in _UNION_BRANCHES), None)
        if cut is None:
            kept.append((error, loc))
            continue
        at = loc[:cut]
        value = _value_at(filled, at)
        if isinstance(value, (str, dict)):
            if isinstance(value, str) == (loc[cut] in _TEXT_BRANCHES):  # the form the file used
                kept.append((error, at + loc[cut + 1:]))
        elif at not in neither:
            neither.add(at)
            kept.append(({**error, "type": "key_point_type",
                          "msg": "a key point is text, or a mapping with `point` and `examples` "
                                 "(see scripts_bank/README.md)"}, at))
    return kept


def _probe_at(loc: tuple[Any, ...], message: str, data: dict[str, Any]) -> tuple[Any, ...]:
    """A follow-up probing a key point the question lacks is found by the question's own check:
    its place is the follow-up's `key_point`, not the question's first line."""
    found = re.search(r"a follow-up probes key point (\d+)", message)
    if not found or len(loc) != 2 or loc[0] != "questions":
        return loc
    question = _value_at(data, loc)
    probes = question.get("follow_ups") if isinstance(question, dict) else None
    for j, probe in enumerate(probes if isinstance(probes, list) else []):
        if isinstance(probe, dict) and str(probe.get("key_point")) == found.group(1):
            return (*loc, "follow_ups", j, "key_point")
    return loc


def _value_at(data: Any, loc: tuple[Any, ...]) -> Any:
    """The value at a pydantic location in parsed YAML, or None."""
    for key in loc:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data


def _from_defaults(loc: tuple[Any, ...], data: dict[str, Any], filled: dict[str, Any]) -> bool:
    """Whether `loc` is in a question's field that the question took from `defaults`."""
    if len(loc) < 3 or loc[0] != "questions":
        return False
    written = _value_at(data, loc[:2])
    return isinstance(written, dict) and loc[2] not in written and loc[2] in _value_at(filled, loc[:2])


def describe(error: dict[str, Any], loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """A sentence for a person from a pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    name = ".".join(str(p) for p in loc if not isinstance(p, int)) or "file"
    prefix = ""
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        questions = data.get("questions") or []
        qid = questions[loc[1]].get("id") if isinstance(questions[loc[1]], dict) else None
        prefix = f"question {loc[1] + 1}" + (f" ({qid})" if isinstance(qid, str) else "") + ": "
        name = ".".join(str(p) for p in loc[2:] if not isinstance(p, int)) or "question"
        if len(loc) > 3 and loc[2] == "follow_ups" and isinstance(loc[3], int):
            within = ".".join(str(p) for p in loc[4:] if not isinstance(p, int))
            name = f"follow-up {loc[3] + 1}" + (f": {within}" if within else "")
    field_name = str(loc[-1]) if loc else "file"
    if kind == "missing":
        return f"{prefix}missing required field `{field_name}`"
    if kind == "extra_forbidden":
        guess = _closest_field(field_name, loc)
        return (f"{prefix}unknown field `{field_name}`"
                + (f"; did you mean `{guess}`?" if guess else
                   " (see scripts_bank/README.md for the fields)"))
    if kind == "literal_error":
        allowed = {
            "category": fmt.CATEGORIES,
            "difficulty": fmt.DIFFICULTIES,
            "kind": fmt.KINDS,
            "part": fmt.STORY_PARTS,
        }.get(field_name)
        got = error.get("input")
        if allowed:
            near = (difflib.get_close_matches(str(got).lower(), list(allowed), n=1, cutoff=0.7)
                    if isinstance(got, str) else [])
            # "behavioural" -> behavioral, "Medium" -> medium: the one meant, then the list
            return (f"{prefix}unknown {field_name} {got!r}"
                    + (f"; did you mean `{near[0]}`?" if near else ".")
                    + f" Use one of: {', '.join(allowed)}")
    if kind == "string_pattern_mismatch":
        return (
            f"{prefix}`{name}` {error.get('input')!r} is not a valid id (lower-case letters, "
            "digits, '.', '-', '_'; starts with a letter or digit)"
        )
    if kind in ("too_short", "too_long") and field_name == "key_points":
        found = len(error.get("input") or [])
        return (
            f"{prefix}needs {fmt.MIN_KEY_POINTS} to {fmt.MAX_KEY_POINTS} key points, "
            f"found {found}"
        )
    if kind in ("too_short", "too_long") and field_name == "examples":
        return (f"{prefix}a key point's `examples` needs 1 to {fmt.MAX_EXAMPLES} sentences, "
                f"found {len(error.get('input') or [])}")
    if kind in ("greater_than_equal", "less_than_equal") and field_name == "timebox_s":
        return (
            f"{prefix}timebox_s must be between {fmt.MIN_TIMEBOX_S} and "
            f"{fmt.MAX_TIMEBOX_S} seconds, got {error.get('input')!r}"
        )
    if kind == "too_short" and field_name == "questions":
        return "the script has no questions"
    if kind == "string_too_short":
        item = f" item {loc[-1] + 1}" if loc and isinstance(loc[-1], int) else ""
        return f"{prefix}`{name}`{item} must not be empty"
    message = error.get("msg", "invalid value")
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    del ctx
    if message.startswith("a follow-up probes key point"):  # says which itself
        return f"{prefix}{message}"
    if name in ("question", "file"):
        return f"{prefix}{message}"
    if len(loc) == 4 and loc[2] == "follow_ups":  # the follow-up as a whole
        return f"{prefix}{name}: {message}"
    return f"{prefix}`{name}`: {message}"


def _closest_field(name: str, loc: tuple[Any, ...]) -> str | None:
    """The field of the mapping at `loc` (a pydantic location ending in `name`) that `name`
    looks like a misspelling of ("promt" -> "prompt"), or None."""

    from oral_sim.engine import bank_schema as schema

    where = [p for p in loc[:-1] if isinstance(p, str)]
    model = {"questions": schema.QuestionModel, "defaults": schema.DefaultsModel,
             "follow_ups": schema.FollowUpModel, "key_points": schema.KeyPointModel}.get(
        where[-1] if where else "", schema.ScriptModel)
    fields = [f.alias or n for n, f in model.model_fields.items()]
    found = difflib.get_close_matches(name, fields, n=1, cutoff=0.7)
    return found[0] if found else None
