"""The Dash question bank: probes tagged with the gotchas they exercise, with gold SQL.

Every value in ``datasets/dash/questions.jsonl`` that describes the data (``gold``, and the
``value``/``error`` of each ``known_wrong`` and ``also_accept`` entry) is computed by running
SQL against the generated warehouse, never typed in. Recompute them after any generator
change with::

    python -m workbench.agents.dash.questions --write-gold     # rewrite the JSONL
    python -m workbench.agents.dash.questions --check          # exit 1 if anything drifted

Answer types (``answer.type``) and how ``gold`` is derived from the gold SQL's result:

========== ============================================= ========================================
type       gold                                          the answer is correct when
========== ============================================= ========================================
number     first cell of the first row, as a float       a number in it is within tolerance
count      first cell of the first row, as an int        an integer in it equals gold (+-abs_tol)
number_set {label: value}: rows of (label, value), or    every value appears (``require: all``)
           one row's columns (``shape: columns``)        or at least one (``require: any``)
top        {"label", "value"} of the first row           the label and the value both appear
rows       list of the ``key`` column's values           at least ``min_recall`` of them appear
empty      the number of rows (expected 0)               it says there is nothing / rows are []
verdict    rows of (label, value) as evidence            an ``accept`` regex matches, no ``reject``
========== ============================================= ========================================

Numbers match when ``|x - gold| <= max(abs_tol, tolerance_pct% of |gold|)``. ``unit: pct``
means gold is in percentage points and a bare fraction (0.035 for 3.5%) also matches;
``ignore_sign`` compares magnitudes. See :mod:`workbench.agents.dash.checking`.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from workbench.agents.dash.database import QueryError, open_readonly, run_query
from workbench.agents.dash.knowledge import dash_data_dir
from workbench.agents.dash.warehouse import DEFAULT_SEED, build_warehouse

__all__ = [
    "ANSWER_TYPES",
    "VARIANTS",
    "AnswerSpec",
    "Caveat",
    "Question",
    "ValueVariant",
    "compute_gold",
    "compute_variant",
    "dump_questions",
    "load_questions",
    "main",
    "questions_path",
    "refresh_question",
    "shape_result",
]

ANSWER_TYPES = ("number", "count", "number_set", "top", "rows", "empty", "verdict")
VARIANTS = ("cold", "paraphrase", "transfer")
_DECIMALS = 6  # stored precision of float gold values; comparisons allow for it


@dataclass(frozen=True)
class AnswerSpec:
    """How an answer to a question is checked. Unused fields keep their defaults."""

    type: str
    tolerance_pct: float = 0.5
    abs_tol: float = 0.0
    unit: str | None = None  # "usd", "pct", "days", "mb", "count" (informational except pct)
    ignore_sign: bool = False
    shape: str = "pairs"  # number_set: "pairs" (label, value rows) or "columns" (one row)
    require: str = "all"  # number_set: "all" or "any"
    key: str | None = None  # rows: the column whose values identify a row
    min_recall: float = 1.0  # rows: share of gold keys that must appear
    accept: tuple[str, ...] = ()  # verdict: regexes of an acceptable conclusion
    reject: tuple[str, ...] = ()  # verdict: regexes of the trapped conclusion

    def __post_init__(self) -> None:
        if self.type not in ANSWER_TYPES:
            raise ValueError(f"unknown answer type {self.type!r}; expected one of {ANSWER_TYPES}")
        if self.type == "rows" and not self.key:
            raise ValueError("answer type 'rows' needs a 'key' column")

    def to_dict(self) -> dict[str, Any]:
        """Only the fields that differ from the defaults, for a compact JSONL line."""
        default = AnswerSpec(type=self.type, key=self.key)
        out: dict[str, Any] = {"type": self.type}
        if self.key:
            out["key"] = self.key
        for name, value in asdict(self).items():
            if name not in ("type", "key") and value != getattr(default, name):
                out[name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class ValueVariant:
    """A value some SQL produces: a known wrong answer, or an alternative accepted answer.

    ``value`` is shaped like the question's gold. ``error`` holds sqlite's message
    when the SQL fails, which is itself the expected first-attempt outcome for dialect and
    column-name traps. ``sql`` may be None for values that come from reasoning, not a query.
    """

    id: str
    why: str
    sql: str | None = None
    value: Any = None
    error: str | None = None


@dataclass(frozen=True)
class Caveat:
    """Something a good answer must mention; hit when any regex matches (case-insensitive)."""

    id: str
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    """One probe. ``of`` links a paraphrase or transfer item to its cold question."""

    id: str
    family: str
    variant: str
    of: str | None
    question: str
    gotchas: tuple[str, ...]
    gold_sql: str
    answer: AnswerSpec
    gold: Any = None
    known_wrong: tuple[ValueVariant, ...] = ()
    also_accept: tuple[ValueVariant, ...] = ()
    required_caveats: tuple[Caveat, ...] = ()
    today: str | None = None
    notes: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Question:
        """Build from one JSONL object; unknown keys are kept in ``extra``."""
        known = {"id", "family", "variant", "of", "question", "gotchas", "gold_sql", "answer",
                 "gold", "known_wrong", "also_accept", "required_caveats", "today", "notes"}
        answer = dict(d["answer"])
        for name in ("accept", "reject"):
            if name in answer:
                answer[name] = tuple(answer[name])
        return cls(
            id=d["id"], family=d["family"], variant=d["variant"], of=d.get("of"),
            question=d["question"], gotchas=tuple(d.get("gotchas", ())), gold_sql=d["gold_sql"],
            answer=AnswerSpec(**answer), gold=d.get("gold"),
            known_wrong=tuple(ValueVariant(**v) for v in d.get("known_wrong", ())),
            also_accept=tuple(ValueVariant(**v) for v in d.get("also_accept", ())),
            required_caveats=tuple(Caveat(c["id"], tuple(c["patterns"]))
                                   for c in d.get("required_caveats", ())),
            today=d.get("today"), notes=d.get("notes"),
            extra={k: v for k, v in d.items() if k not in known},
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSONL object, keys in a fixed order so rewrites give small diffs."""
        def variant(v: ValueVariant) -> dict[str, Any]:
            return {"id": v.id, "why": v.why, "sql": v.sql, "value": v.value, "error": v.error}

        out: dict[str, Any] = {
            "id": self.id, "family": self.family, "variant": self.variant, "of": self.of,
            "question": self.question, "gotchas": list(self.gotchas), "today": self.today,
            "gold_sql": self.gold_sql, "answer": self.answer.to_dict(), "gold": self.gold,
            "known_wrong": [variant(v) for v in self.known_wrong],
            "also_accept": [variant(v) for v in self.also_accept],
            "required_caveats": [{"id": c.id, "patterns": list(c.patterns)}
                                 for c in self.required_caveats],
            "notes": self.notes,
        }
        out.update(self.extra)
        return out


def questions_path() -> Path:
    """Default location of the question bank."""
    return dash_data_dir() / "questions.jsonl"


def load_questions(path: str | Path | None = None) -> list[Question]:
    """Load and validate the bank: unique ids, known variants, ``of`` pointing at a cold item."""
    source = Path(path) if path is not None else questions_path()
    questions = [Question.from_dict(json.loads(line))
                 for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = [q.id for q in questions]
    if len(ids) != len(set(ids)):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate question ids in {source}: {dupes}")
    cold = {q.id for q in questions if q.variant == "cold"}
    for q in questions:
        if q.variant not in VARIANTS:
            raise ValueError(f"{q.id}: unknown variant {q.variant!r}")
        if (q.variant == "cold") != (q.of is None) or (q.of is not None and q.of not in cold):
            raise ValueError(f"{q.id}: 'of' must be null for cold items and name a cold item "
                             f"otherwise (got {q.of!r})")
    return questions


def dump_questions(questions: Sequence[Question], path: str | Path | None = None) -> Path:
    """Write the bank as JSONL, one question per line, in the given order."""
    target = Path(path) if path is not None else questions_path()
    lines = [json.dumps(q.to_dict(), ensure_ascii=False) for q in questions]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def _num(v: Any, allow_null: bool = False) -> float | None:
    if v is None:
        if allow_null:
            return None
        raise ValueError("the SQL returned NULL where a number was expected (use COALESCE)")
    return round(float(v), _DECIMALS)


def shape_result(spec: AnswerSpec, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                 *, variant: bool = False) -> Any:
    """Turn a query result into the JSON value the answer type stores as ``gold``.

    With ``variant=True`` (known-wrong and alternative values) a number_set may hold NULL
    entries, meaning "this reading gives no value here", and an ``empty`` question's variant
    that returns one scalar (say, the revenue of the wrong month) keeps that scalar.
    """
    kind = spec.type
    if kind == "empty":
        if variant and len(rows) == 1 and len(rows[0]) == 1 and isinstance(rows[0][0],
                                                                           int | float):
            return _num(rows[0][0])
        return len(rows)
    if kind == "rows":
        if spec.key not in columns:
            raise ValueError(f"rows answer needs a column named {spec.key!r}, got {list(columns)}")
        idx = list(columns).index(spec.key)
        return [str(r[idx]) for r in rows]
    if not rows:
        raise ValueError(f"{kind} answer: the SQL returned no rows")
    if kind == "number":
        return _num(rows[0][0])
    if kind == "count":
        return int(rows[0][0] or 0)
    if kind == "top":
        return {"label": str(rows[0][0]), "value": _num(rows[0][1])}
    if kind == "number_set" and spec.shape == "columns":
        return {c: _num(v, variant) for c, v in zip(columns, rows[0], strict=True)}
    # number_set pairs and verdict evidence: (label, value) rows
    return {str(r[0]): _num(r[1], variant) for r in rows}


def _execute(conn: sqlite3.Connection, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    result = run_query(conn, sql, max_rows=None, timeout_s=30.0)
    return result.columns, result.rows


def compute_gold(question: Question, conn: sqlite3.Connection) -> Any:
    """Run the question's gold SQL on ``conn`` and shape the result as its answer type says."""
    columns, rows = _execute(conn, question.gold_sql)
    try:
        return shape_result(question.answer, columns, rows)
    except ValueError as exc:
        raise ValueError(f"{question.id}: {exc}") from exc


def compute_variant(question: Question, variant: ValueVariant,
                    conn: sqlite3.Connection) -> ValueVariant:
    """Recompute a known-wrong or accepted-alternative value; SQL errors are recorded."""
    if variant.sql is None:
        return variant
    try:
        columns, rows = _execute(conn, variant.sql)
    except QueryError as exc:
        return replace(variant, value=None, error=exc.sqlite_message)
    try:
        value = shape_result(question.answer, columns, rows, variant=True)
    except ValueError as exc:
        raise ValueError(f"{question.id} / {variant.id}: {exc}") from exc
    return replace(variant, value=value, error=None)


def refresh_question(question: Question, conn: sqlite3.Connection) -> Question:
    """A copy of ``question`` with gold, known_wrong and also_accept recomputed from SQL."""
    return replace(
        question,
        gold=compute_gold(question, conn),
        known_wrong=tuple(compute_variant(question, v, conn) for v in question.known_wrong),
        also_accept=tuple(compute_variant(question, v, conn) for v in question.also_accept),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: recompute (``--write-gold``) or verify (``--check``) the stored values."""
    parser = argparse.ArgumentParser(prog="python -m workbench.agents.dash.questions")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write-gold", action="store_true", help="rewrite values in the JSONL")
    mode.add_argument("--check", action="store_true", help="exit 1 if stored values drifted")
    parser.add_argument("--path", default=None, help="question bank (default: datasets/dash)")
    parser.add_argument("--db", default=None, help="an existing warehouse file to use")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)

    questions = load_questions(args.path)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else build_warehouse(Path(tmp) / "dash.sqlite", args.seed)
        conn = open_readonly(db)
        try:
            refreshed = [refresh_question(q, conn) for q in questions]
        finally:
            conn.close()
    changed = [new.id for old, new in zip(questions, refreshed, strict=True)
               if old.to_dict() != new.to_dict()]
    if args.check:
        if changed:
            print(f"{len(changed)} question(s) have stale values: {', '.join(changed)}")
            print("run: python -m workbench.agents.dash.questions --write-gold")
            return 1
        print(f"all {len(questions)} questions match the warehouse")
        return 0
    path = dump_questions(refreshed, args.path)
    print(f"recomputed {len(refreshed)} questions ({len(changed)} changed) -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
