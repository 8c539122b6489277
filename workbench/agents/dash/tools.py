"""Dash's tools: read-only SQL, schema introspection, the curated knowledge, validated queries.

``make_tools(conn, ...)`` returns plain closures; the Agent derives their schemas from the
signatures and docstrings. Every failure reaches the model as an error text that keeps
sqlite's own wording (``Error: no such column: invoice_date``), never as a crash.

``search_knowledge`` searches a small in-memory embedding index over the curated semantic
model at the run's context level. It is *not* the learning store: learnings live in the
LearningMachine and are searched with ``search_learnings``.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.agents.dash.context import KnowledgeDoc
from workbench.agents.dash.database import QueryError, run_query
from workbench.errors import ToolError
from workbench.storage.embeddings import Embedder, get_embedder

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "KnowledgeIndex",
    "SavedQueries",
    "check_select",
    "make_tools",
]

DEFAULT_LIMIT = 10  # the upstream SQL tool's default: a silent cut is gotcha G22
MAX_LIMIT = 1000
_FEW_VALUES = 12  # columns with at most this many distinct values list them all


class KnowledgeIndex:
    """Cosine search over a handful of knowledge documents, kept in memory.

    Documents are embedded on the first search (many runs never search the curated docs).
    """

    def __init__(self, docs: Sequence[KnowledgeDoc], embedder: str | Embedder | None = None):
        self.embedder = get_embedder(embedder)
        self.docs: list[KnowledgeDoc] = list(docs)
        self._vectors: np.ndarray | None = None

    def _matrix(self) -> np.ndarray:
        if self._vectors is None or len(self._vectors) != len(self.docs):
            self._vectors = (self.embedder.embed([d.text for d in self.docs]) if self.docs
                             else np.zeros((0, self.embedder.dim), dtype=np.float32))
        return self._vectors

    def add(self, doc: KnowledgeDoc) -> None:
        """Add (or replace, by id) one document."""
        self.docs = [d for d in self.docs if d.id != doc.id] + [doc]
        self._vectors = None

    def search(self, query: str, limit: int = 3) -> list[tuple[KnowledgeDoc, float]]:
        """The ``limit`` most similar documents, best first."""
        if not self.docs or not query.strip():
            return []
        scores = self._matrix() @ self.embedder.embed([query])[0]
        order = np.argsort(-scores, kind="stable")[:max(1, limit)]
        return [(self.docs[i], float(scores[i])) for i in order]


@dataclass
class SavedQueries:
    """Validated queries saved during a session (the agent-written knowledge channel)."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, item: dict[str, Any]) -> None:
        self.items = [q for q in self.items if q["name"] != item["name"]] + [item]


_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_STRINGS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")


def check_select(query: str) -> str:
    """The query with trailing semicolons removed, if it is one SELECT/WITH statement.

    Raises :class:`ToolError` otherwise (this is for saving patterns; what may *run* is
    decided by the database's own read-only enforcement).
    """
    sql = query.strip().rstrip(";").strip()
    bare = _STRINGS.sub("''", _COMMENTS.sub(" ", sql)).strip()
    if ";" in bare:
        raise ToolError("only one SQL statement is allowed")
    first = bare.split(None, 1)[0].upper() if bare else ""
    if first not in ("SELECT", "WITH"):
        raise ToolError(f"only SELECT or WITH queries can be saved (got {first or 'nothing'})")
    return sql


def _quote(value: Any) -> str:
    return "NULL" if value is None else (f"'{value}'" if isinstance(value, str) else str(value))


def _describe_table(conn: sqlite3.Connection, table: str) -> str:
    info = run_query(conn, f"PRAGMA table_info({table})", max_rows=None)
    (rows,) = run_query(conn, f"SELECT COUNT(*) FROM {table}").rows[0]
    lines = [f"Table {table}: {rows} rows; no primary key, no indexes."]
    for _cid, name, declared, *_ in info.rows:
        stats = run_query(conn, f'SELECT COUNT(DISTINCT "{name}"), SUM("{name}" IS NULL), '
                                f'MIN("{name}"), MAX("{name}") FROM {table}').rows[0]
        distinct, nulls, low, high = stats
        detail = f"{distinct} distinct"
        if distinct <= _FEW_VALUES and not str(declared).upper().startswith(("BIGINT", "DOUBLE")):
            values = run_query(conn, f'SELECT "{name}", COUNT(*) FROM {table} GROUP BY 1 '
                                     f'ORDER BY 2 DESC, 1', max_rows=None).rows
            detail = "values: " + ", ".join(f"{_quote(v)} ({n})" for v, n in values)
        elif low is not None:
            detail += f", range {_quote(low)} .. {_quote(high)}"
        if nulls:
            detail += f", {nulls} NULL"
        lines.append(f"- {name} {declared}: {detail}")
    return "\n".join(lines)


def make_tools(conn: sqlite3.Connection, *, index: KnowledgeIndex | None = None,
               saved: SavedQueries | None = None,
               default_limit: int = DEFAULT_LIMIT) -> list[Callable[..., str]]:
    """The Dash tools bound to a read-only connection (and, when given, a knowledge index)."""
    saved = saved if saved is not None else SavedQueries()
    described: dict[str, str] = {}  # tool output cache: the warehouse never changes

    def run_sql(query: str, limit: int = default_limit) -> str:
        """Run one read-only SQL query (SELECT/WITH) on the warehouse and return its rows.

        The result is a pipe-separated table followed by a line with the row count; it says
        so when the row limit cut the result short.

        Args:
            query: exactly one SQL statement.
            limit: the most rows to return (default 10, at most 1000).
        """
        cap = max(1, min(int(limit), MAX_LIMIT))
        try:
            result = run_query(conn, query, max_rows=cap)
        except QueryError as exc:
            raise ToolError(str(exc).removeprefix("Error: ")) from exc
        footer = f"-- {result.row_count} row(s)"
        if result.truncated:
            footer += (f"; truncated at limit={cap}: the query returned more rows, pass a larger "
                       "limit to see them all")
        return f"{result.as_text()}\n{footer}"

    def introspect_schema(table: str | None = None) -> str:
        """Describe the warehouse: all tables with row counts, or one table's columns.

        For one table: each column's physical type, the number of distinct values, every
        value for low-cardinality text columns, ranges and NULL counts for the others.

        Args:
            table: a table name; leave empty to list the tables.
        """
        names = [r[0] for r in run_query(conn, "SELECT name FROM sqlite_master WHERE type = "
                                               "'table' ORDER BY rowid", max_rows=None).rows]
        if not table:
            counts = [f"- {n} ({run_query(conn, f'SELECT COUNT(*) FROM {n}').rows[0][0]} rows)"
                      for n in names]
            return (f"Engine: SQLite {sqlite3.sqlite_version} (dates and timestamps are ISO-8601 "
                    "text).\nTables:\n" + "\n".join(counts))
        key = table.strip().lower()
        if key not in names:
            raise ToolError(f"no table named {table!r}; tables: {', '.join(names)}")
        if key not in described:
            described[key] = _describe_table(conn, key)
        return described[key]

    def search_knowledge(query: str, limit: int = 3) -> str:
        """Search the curated knowledge: table docs, metrics, rules and validated queries.

        Args:
            query: what you need to know, e.g. "how is MRR defined".
            limit: how many documents to return.
        """
        hits = index.search(query, limit) if index is not None else []
        if not hits:
            return "No curated knowledge found."
        return "\n\n".join(f"[{d.id}] (relevance {s:.2f})\n{d.text}" for d, s in hits)

    def save_validated_query(name: str, question: str, query: str, summary: str | None = None,
                             tables_used: list[str] | None = None,
                             data_quality_notes: str | None = None) -> str:
        """Save a query that answered a question correctly, for reuse (after the user agrees).

        Args:
            name: a short snake_case name, e.g. "active_mrr_by_plan".
            question: the question it answers.
            query: one SELECT or WITH statement.
            summary: what it computes.
            tables_used: the tables it reads.
            data_quality_notes: caveats, e.g. "trial accounts are included".
        """
        sql = check_select(query)
        try:
            run_query(conn, f"EXPLAIN {sql}", max_rows=1)
        except QueryError as exc:
            raise ToolError(f"the query does not compile: {exc.sqlite_message}") from exc
        item = {"name": name, "question": question, "query": sql, "summary": summary,
                "tables_used": list(tables_used or []), "data_quality_notes": data_quality_notes}
        saved.add(item)
        if index is not None:
            index.add(KnowledgeDoc(f"saved:{name}", "saved_query", name,
                                   f"-- name: {name}\n-- question: {question}\n"
                                   f"-- summary: {summary or ''}\n{sql}"))
        return f"Saved validated query {name!r}."

    tools: list[Callable[..., str]] = [run_sql, introspect_schema]
    if index is not None:
        tools.append(search_knowledge)
    tools.append(save_validated_query)
    return tools
