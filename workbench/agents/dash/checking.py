"""Deterministic answer checking for Dash questions: correct, trapped, caveats mentioned.

Pure functions over a :class:`~workbench.agents.dash.questions.Question`, the answer text and,
optionally, the rows of the final SQL. Text and rows are two pieces of evidence: the answer is
correct when either shows the gold (rows of a numeric question count only when the result is a
single row, so an ``id`` column can never match a count by accident).

``trap_hit`` means the answer gives a known wrong value *and* is not correct: an answer that
names the right figure and contrasts it with the trap value ("$417.85, not $356.18 over all
rows") is not trapped. ``traps_mentioned`` lists every known wrong value seen, regardless.
Values in ``also_accept`` (defensible alternatives, or what is right after a user correction)
are reported in ``alternates_matched`` and never change ``correct``; the eval decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.agents.dash.questions import AnswerSpec, Question

__all__ = [
    "CheckResult",
    "ExtractedNumber",
    "check_answer",
    "check_caveats",
    "extract_numbers",
    "value_matches",
]

_NUMBER = re.compile(
    r"(?<![\w.,$\-−])(?P<sign>[-−–])?\s?(?P<cur>\$|USD\s?)?\s?"
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
    r"(?:\s?(?P<suf>%|percent\b|pct\b|k\b|K\b|thousand\b|M\b|million\b|bn\b|billion\b))?"
)
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
# "Nothing" phrasing, for gold values of 0 and empty results. Deliberately not a bare "no",
# which opens half of all answers ("No, critical tickets are not faster").
_NOTHING = re.compile(
    r"\b(none|zero|nothing|nobody|no one|not any|no longer any)\b"
    r"|\bno\s+(?:\w+\s+){0,3}?(customers?|sign-?ups?|accounts?|companies|rows?|results?|records?|"
    r"data|invoices?|revenue|payments?|cash|refunds?|downgrades?|tickets?|matches|dates?|"
    r"paid_at|activity|usage|churn\w*|cancel\w*|subscriptions?|users?|days?|trials?|changes?|"
    r"one)\b"
    r"|(?<![\w.,])\$?0(?:\.0+)?(?![\w.,]|\.\d)"
    r"|n't (any|find|have any)",
    re.IGNORECASE)
_WORD_NUMBERS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_ROWS_NUMERIC_MAX = 200  # number_set may be read off a grouped result up to this many rows


@dataclass(frozen=True)
class ExtractedNumber:
    """A number found in text; ``pct`` is True when written with % or 'percent'."""

    value: float
    pct: bool
    raw: str


@dataclass(frozen=True)
class CheckResult:
    """Outcome of checking one answer."""

    correct: bool
    trap_hit: bool
    traps_mentioned: tuple[str, ...]
    alternates_matched: tuple[str, ...]
    caveats_hit: dict[str, bool]
    detail: str

    @property
    def all_caveats_hit(self) -> bool:
        """True when every required caveat was mentioned (vacuously true with none)."""
        return all(self.caveats_hit.values())


def extract_numbers(text: str) -> list[ExtractedNumber]:
    """Numbers in free text: ``$1,234.5``, ``-$3k``, ``45.2%``, ``1.2 million``, ``3.8``.

    Thousands separators are commas; a leading minus counts only when it is not a hyphen
    inside a date or a word, so ``2025-12-31`` yields just ``2025``. Small number words
    (zero to ten) are included.
    """
    out: list[ExtractedNumber] = []
    for m in _NUMBER.finditer(text):
        value = float(m.group("int").replace(",", "") + (m.group("frac") or ""))
        suffix = (m.group("suf") or "").lower()
        if suffix in _SCALE:
            value *= _SCALE[suffix]
        if m.group("sign"):
            value = -value
        out.append(ExtractedNumber(value, suffix in ("%", "percent", "pct"), m.group(0).strip()))
    for word, value in _WORD_NUMBERS.items():
        if re.search(rf"\b{word}\b", text, re.IGNORECASE):
            out.append(ExtractedNumber(float(value), False, word))
    return out


def _close(x: float, gold: float, spec: AnswerSpec) -> bool:
    if spec.ignore_sign:
        x, gold = abs(x), abs(gold)
    # A floor of 1e-6 absorbs the 6-decimal rounding of stored gold values.
    return abs(x - gold) <= max(spec.abs_tol, spec.tolerance_pct / 100 * abs(gold), 1e-6)


def value_matches(gold: float, numbers: Iterable[ExtractedNumber], spec: AnswerSpec) -> bool:
    """Whether any extracted number equals ``gold`` under the answer spec's tolerance."""
    for n in numbers:
        candidates = [n.value]
        if spec.unit == "pct" and not n.pct:
            candidates.append(n.value * 100)  # 0.035 written for 3.5%
        if spec.type == "count":
            candidates = [c for c in candidates if float(c).is_integer()]
        if any(_close(c, gold, spec) for c in candidates):
            return True
    return False


def _text_has_value(gold: float, text: str, numbers: list[ExtractedNumber],
                    spec: AnswerSpec) -> bool:
    if gold == 0 and _NOTHING.search(text):
        return True
    return value_matches(gold, numbers, spec)


def _cells(rows: Sequence[Sequence[Any]]) -> list[ExtractedNumber]:
    return [ExtractedNumber(float(v), False, str(v)) for r in rows for v in r
            if isinstance(v, int | float) and not isinstance(v, bool)]


def _mentions(key: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(key)}(?!\w)", text, re.IGNORECASE) is not None


def _row_keys(rows: Sequence[Sequence[Any]], columns: Sequence[str] | None,
              key: str | None) -> set[str]:
    if columns is not None and key in columns:
        idx = list(columns).index(key)
        return {str(r[idx]) for r in rows}
    return {str(v) for r in rows for v in r}


def _matches(spec: AnswerSpec, value: Any, text: str, numbers: list[ExtractedNumber],
             rows: Sequence[Sequence[Any]] | None, columns: Sequence[str] | None,
             gold: Any) -> bool:
    """Whether the answer (text or rows) shows ``value``, a gold-shaped value."""
    kind = spec.type
    if value is None:
        return False
    if kind in ("number", "count"):
        if _text_has_value(float(value), text, numbers, spec):
            return True
        return rows is not None and len(rows) == 1 and value_matches(
            float(value), _cells(rows), spec)
    if kind == "empty":
        if value == 0:
            return bool(_NOTHING.search(text)) or (rows is not None and len(rows) == 0)
        # a known wrong value of an empty question: a count or an amount for the wrong period
        return value_matches(float(value), numbers, AnswerSpec(type="number"))
    if kind == "number_set":
        return _number_set_matches(spec, value, text, numbers, rows, gold)
    if kind == "top":
        in_text = _mentions(value["label"], text) and value_matches(value["value"], numbers, spec)
        in_rows = bool(rows) and value["label"] in {str(c) for c in rows[0]} and value_matches(
            value["value"], _cells(rows[:1]), spec)
        return in_text or in_rows
    if kind == "rows":
        return _rows_match(spec, value, text, rows, columns, gold)
    return False


def _number_set_matches(spec: AnswerSpec, value: dict[str, float | None], text: str,
                        numbers: list[ExtractedNumber], rows: Sequence[Sequence[Any]] | None,
                        gold: dict[str, float] | None) -> bool:
    gold = gold or {}
    present = {k: v for k, v in value.items() if v is not None}
    differing = [v for k, v in present.items() if k not in gold or not _close(v, gold[k], spec)]
    if value == gold:
        wanted, test = list(present.values()), (all if spec.require == "all" else any)
    elif differing:
        # A wrong reading is recognised by any figure that the right reading does not share.
        wanted, test = differing, any
    else:
        # A partial reading (a subset of gold, e.g. only the plan meaning of "enterprise"):
        # all of it present; that the rest is missing is what makes it not correct.
        wanted, test = list(present.values()), all
    if not wanted:
        return False
    pools: list[tuple[str, list[ExtractedNumber]]] = [(text, numbers)]
    if rows is not None and len(rows) <= _ROWS_NUMERIC_MAX:
        pools.append(("", _cells(rows)))
    return any(test(_text_has_value(float(v), pool_text, pool, spec) for v in wanted)
               for pool_text, pool in pools)


def _rows_match(spec: AnswerSpec, value: list[str], text: str,
                rows: Sequence[Sequence[Any]] | None, columns: Sequence[str] | None,
                gold: list[str]) -> bool:
    wanted = set(value)
    if not wanted:
        return False
    is_gold = wanted == set(gold)
    truncation = not is_gold and wanted < set(gold)
    if truncation:
        # A strict subset of the gold list: the signature is "exactly this many of the
        # gold rows", whichever ones a truncated result happened to show.
        seen_text = sum(_mentions(k, text) for k in gold)
        seen_rows = len(_row_keys(rows, columns, spec.key) & set(gold)) if rows else -1
        return len(wanted) in (seen_text, seen_rows)
    need = spec.min_recall if is_gold else 0.8
    if sum(_mentions(k, text) for k in wanted) >= need * len(wanted):
        return True
    if rows is not None:
        got = _row_keys(rows, columns, spec.key)
        if is_gold and columns is not None and spec.key in columns:
            return got == wanted or len(got & wanted) >= need * len(wanted) and not (
                got - wanted)
        return len(got & wanted) >= need * len(wanted)
    return False


def _verdict(spec: AnswerSpec, text: str) -> bool:
    accepted = any(re.search(p, text, re.IGNORECASE) for p in spec.accept)
    rejected = any(re.search(p, text, re.IGNORECASE) for p in spec.reject)
    return accepted and not rejected


def check_caveats(question: Question, text: str) -> dict[str, bool]:
    """For each required caveat id, whether the answer text mentions it."""
    return {c.id: any(re.search(p, text, re.IGNORECASE) for p in c.patterns)
            for c in question.required_caveats}


def check_answer(question: Question, text: str, rows: Sequence[Sequence[Any]] | None = None,
                 columns: Sequence[str] | None = None) -> CheckResult:
    """Check an answer against the question's gold, known wrong values and caveats.

    ``rows``/``columns`` are the final SQL's result, when the caller has it. For a
    first-query check pass ``text=""`` and the rows only.
    """
    spec = question.answer
    numbers = extract_numbers(text)
    if spec.type == "verdict":
        correct = _verdict(spec, text)
    else:
        correct = _matches(spec, question.gold, text, numbers, rows, columns, question.gold)
    mentioned = tuple(v.id for v in question.known_wrong if spec.type != "verdict"
                      and _matches(spec, v.value, text, numbers, rows, columns, question.gold))
    alternates = tuple(v.id for v in question.also_accept
                       if _matches(spec, v.value, text, numbers, rows, columns, question.gold))
    trap_hit = bool(mentioned) and not correct
    if spec.type == "verdict" and spec.reject:
        trap_hit = any(re.search(p, text, re.IGNORECASE) for p in spec.reject)
    caveats = check_caveats(question, text)
    detail = (f"{question.id}: {'correct' if correct else 'not correct'}"
              + (f"; trap values {', '.join(mentioned)}" if mentioned else "")
              + (f"; alternates {', '.join(alternates)}" if alternates else "")
              + (f"; caveats missing {', '.join(k for k, v in caveats.items() if not v)}"
                 if not all(caveats.values()) else ""))
    return CheckResult(correct, trap_hit, mentioned, alternates, caveats, detail)
