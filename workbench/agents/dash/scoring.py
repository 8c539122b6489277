"""Deterministic metrics of one Dash run, for the learning-over-time experiment.

Everything is computed from the run's tool calls, its answer and the warehouse:

* ``sql_attempts`` / ``sql_errors`` / ``empty_results``: run_sql calls, failed ones (split into
  ``dialect_errors``, ``column_errors``, ``other_errors``), successful ones with nothing in them;
* ``first_query_correct``: the first run_sql query, executed again here with the limit the
  agent used, checked against gold with :func:`~workbench.agents.dash.checking.check_answer`'s
  rules (an ``empty`` question also accepts a single 0/NULL aggregate; a ``verdict`` question
  compares the evidence rows);
* ``final_correct``, ``trap_hit``, ``caveats_hit``: the answer text (and the last successful
  query's rows) checked the same way;
* ``learnings_saved`` / ``learnings_updated`` and ``learnings_recalled`` /
  ``recalled_relevant``: what the run wrote to and read from learned knowledge (the recall
  block and search results); a learning is relevant when one of its tags names the question's
  gotcha family (or the family of one of its G-numbers).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from workbench.agents.dash.checking import check_answer
from workbench.agents.dash.database import QueryError, run_query
from workbench.agents.dash.questions import AnswerSpec, Question
from workbench.agents.dash.sqltext import CHECK_TAG
from workbench.agents.dash.tools import DEFAULT_LIMIT

__all__ = ["RecalledLearning", "family_words", "recalled_learnings", "score_run",
           "query_correct"]

_DIALECT = re.compile(r"no such function|unrecognized token|syntax error|generate_series",
                      re.IGNORECASE)
_LEARNING = re.compile(r"^\[(?P<id>[^\]]+)\] (?P<title>.+)$")


@dataclass(frozen=True)
class RecalledLearning:
    """A learning the run saw, where it saw it (``recall`` block or ``search``), its tags."""

    id: str
    title: str
    tags: tuple[str, ...]
    source: str


def family_words(questions: Iterable[Question]) -> dict[str, set[str]]:
    """Question id -> the family words a relevant learning may carry.

    The question's own family, plus the families of cold items sharing one of its gotchas.
    """
    qs = list(questions)
    by_gotcha: dict[str, set[str]] = {}
    for q in qs:
        if q.variant == "cold":
            for g in q.gotchas:
                by_gotcha.setdefault(g, set()).add(q.family)
    return {q.id: {q.family}.union(*(by_gotcha.get(g, set()) for g in q.gotchas)) for q in qs}


def recalled_learnings(result: Any) -> list[RecalledLearning]:
    """Learnings in the run's recall block and in its search_learnings results."""
    out: dict[str, RecalledLearning] = {}
    for item in getattr(result, "recalled", []):
        if item.store == "learned_knowledge":
            out.setdefault(item.item_id, RecalledLearning(
                item.item_id, item.meta.get("title", ""), tuple(item.meta.get("tags", ())),
                "recall"))
    for call in result.tool_calls:
        if call.name != "search_learnings" or call.error:
            continue
        current: dict[str, Any] | None = None
        for line in call.result.splitlines() + ["[end] end"]:
            head = _LEARNING.match(line.strip())
            if head:
                if current and current["id"] not in out:
                    out[current["id"]] = RecalledLearning(current["id"], current["title"],
                                                          current["tags"], "search")
                current = {"id": head.group("id"), "title": head.group("title"), "tags": ()}
            elif current and line.strip().startswith("tags:"):
                current["tags"] = tuple(t.strip() for t in
                                        line.strip().removeprefix("tags:").split(","))
    return list(out.values())


def _as_empty(rows: Sequence[Sequence[Any]]) -> bool:
    """One row whose leading aggregate is NULL or 0 (e.g. ``SUM(...)`` over no rows)."""
    return len(rows) == 1 and bool(rows[0]) and rows[0][0] in (None, 0, 0.0)


def query_correct(question: Question, conn: sqlite3.Connection, sql: str,
                  limit: int | None = DEFAULT_LIMIT) -> bool:
    """Whether one query, run as the agent ran it, returns the gold answer."""
    try:
        result = run_query(conn, sql, max_rows=limit, timeout_s=10.0)
    except QueryError:
        return False
    rows, columns = result.rows, result.columns
    spec = question.answer
    if spec.type == "empty":
        return not rows or _as_empty(rows)
    if spec.type == "verdict":
        evidence = replace(question, answer=AnswerSpec(type="number_set", tolerance_pct=2.0))
        return check_answer(evidence, "", rows, columns).correct
    return check_answer(question, "", rows, columns).correct


def _sql_calls(result: Any) -> list[Any]:
    return [c for c in result.tool_calls if c.name == "run_sql"]


def _limit(call: Any) -> int:
    try:
        return int((call.arguments or {}).get("limit", DEFAULT_LIMIT))
    except (TypeError, ValueError):
        return DEFAULT_LIMIT


def score_run(question: Question, result: Any, conn: sqlite3.Connection,
              relevant: set[str] | None = None) -> dict[str, Any]:
    """The Dash metrics of one run (see the module docstring)."""
    sql = _sql_calls(result)
    errors = [c for c in sql if c.error]
    ok = [c for c in sql if not c.error]
    empty = sum(1 for c in ok if "\n-- 0 row(s)" in c.result or re.search(
        r"^[^\n]*\n(?:0|NULL|0\.0)\n-- 1 row", c.result))
    first = sql[0] if sql else None
    first_ok = bool(first) and not first.error and query_correct(
        question, conn, str((first.arguments or {}).get("query", "")), _limit(first))
    rows = columns = None
    if ok:
        last = ok[-1]
        try:
            final = run_query(conn, str((last.arguments or {}).get("query", "")),
                              max_rows=_limit(last), timeout_s=10.0)
            rows, columns = final.rows, final.columns
        except QueryError:
            pass
    check = check_answer(question, result.text, rows, columns)
    relevant = relevant or {question.family}
    seen = recalled_learnings(result)
    hits = [r for r in seen if relevant & set(r.tags)]
    saves = [c for c in result.tool_calls if c.name == "save_learning" and not c.error]
    updates = [c for c in result.tool_calls if c.name == "update_learning" and not c.error]
    return {
        "question_id": question.id, "family": question.family, "variant": question.variant,
        "sql_attempts": len(sql), "sql_errors": len(errors),
        "dialect_errors": sum(1 for c in errors if _DIALECT.search(c.result)),
        "column_errors": sum(1 for c in errors if "no such column" in c.result),
        "other_errors": sum(1 for c in errors if not _DIALECT.search(c.result)
                            and "no such column" not in c.result),
        "empty_results": empty,
        "probe_queries": sum(1 for c in sql if CHECK_TAG.search(
            str((c.arguments or {}).get("query", "")))),
        "introspections": sum(1 for c in result.tool_calls if c.name == "introspect_schema"),
        "learning_searches": sum(1 for c in result.tool_calls if c.name == "search_learnings"),
        "first_query_correct": int(first_ok),
        "final_correct": int(check.correct),
        "trap_hit": int(check.trap_hit),
        "caveats_required": len(check.caveats_hit),
        "caveats_hit": sum(check.caveats_hit.values()),
        "all_caveats": int(check.all_caveats_hit),
        "learnings_saved": sum(1 for c in saves if c.result.startswith("Learning saved")),
        "learnings_updated": len(updates) + sum(1 for c in saves
                                                if c.result.startswith("Updated")),
        "learnings_recalled": len(seen),
        "recalled_relevant": len(hits),
        "relevant_recalled": int(bool(hits)),
        "relevant_in_recall_block": int(any(r.source == "recall" for r in hits)),
        "recalled_titles": [r.title for r in seen],
    }
