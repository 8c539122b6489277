"""Read-only access to the Dash warehouse, enforced by SQLite itself.

Three independent layers, so no single bypass opens the file for writing:

1. the file is opened through a ``file:...?mode=ro`` URI (the OS-level handle cannot write);
2. ``PRAGMA query_only = ON`` (the engine refuses to change the database);
3. an authorizer that the engine consults while compiling every statement: it allows reads,
   selects, functions and recursive CTEs, a short list of introspection pragmas, and denies
   everything else (writes, DDL, ATTACH/DETACH, other pragmas, transactions).

A denied statement fails inside ``sqlite3`` with ``not authorized``; nothing here inspects
SQL text. ``run_query`` adds a per-statement time limit, a row cap with a ``truncated`` flag,
and turns every sqlite error into a :class:`QueryError` whose message keeps sqlite's wording.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import ToolError

__all__ = [
    "DEFAULT_MAX_ROWS",
    "DEFAULT_TIMEOUT_S",
    "READ_ONLY_PRAGMAS",
    "QueryError",
    "QueryResult",
    "open_readonly",
    "run_query",
]

# Mirrors the upstream SQL tool's default of 10 rows: a top-N or "list all" answer cut at 10
# without noticing is gotcha G22, so the cap is reported, never silent.
DEFAULT_MAX_ROWS = 10
DEFAULT_TIMEOUT_S = 5.0
_PROGRESS_EVERY = 10_000  # VM instructions between deadline checks (~sub-millisecond)

# Introspection pragmas an analyst legitimately needs. Each only reads the schema.
READ_ONLY_PRAGMAS = frozenset({
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
    "foreign_key_list",
})

_ALLOWED_ACTIONS = frozenset({
    sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
    sqlite3.SQLITE_RECURSIVE,
})


def _authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None,
               _trigger: str | None) -> int:
    if action in _ALLOWED_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in READ_ONLY_PRAGMAS:
        return sqlite3.SQLITE_OK
    # Deny-by-default covers INSERT/UPDATE/DELETE, every CREATE/DROP/ALTER, ATTACH/DETACH,
    # ANALYZE, REINDEX, TRANSACTION/SAVEPOINT and any pragma not listed (query_only=OFF, ...).
    return sqlite3.SQLITE_DENY


def open_readonly(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """Open the warehouse so that the database engine refuses every write.

    Raises ``FileNotFoundError`` if ``path`` does not exist (``mode=ro`` never creates it).
    The connection may be shared across threads only by one caller at a time.
    """
    file = Path(path).resolve()
    if not file.is_file():
        raise FileNotFoundError(f"Dash warehouse not found: {file}")
    conn = sqlite3.connect(f"{file.as_uri()}?mode=ro", uri=True, isolation_level=None,
                           check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    # Installed last: from here on even PRAGMA query_only = OFF is refused at compile time.
    conn.set_authorizer(_authorize)
    return conn


@dataclass(frozen=True)
class QueryResult:
    """The outcome of one SELECT.

    ``row_count`` is the number of rows returned (at most ``max_rows``); ``truncated`` says
    whether the query had more rows than that.
    """

    columns: list[str]
    rows: list[tuple[Any, ...]]
    row_count: int
    truncated: bool
    elapsed_ms: float

    def as_text(self, max_width: int = 60) -> str:
        """A compact pipe-separated table for a model, with a note when rows were cut."""
        def cell(v: Any) -> str:
            s = "NULL" if v is None else str(v)
            return s if len(s) <= max_width else s[: max_width - 1] + "…"

        lines = [" | ".join(self.columns)]
        lines += [" | ".join(cell(v) for v in row) for row in self.rows]
        if self.truncated:
            lines.append(f"(showing the first {self.row_count} rows; the result has more)")
        elif not self.rows:
            lines.append("(0 rows)")
        return "\n".join(lines)


class QueryError(ToolError):
    """A statement the warehouse refused or could not run. ``kind`` classifies the failure.

    Kinds: ``not_authorized`` (a write, DDL, ATTACH or pragma), ``readonly``, ``multiple_statements``,
    ``timeout``, ``syntax``, ``no_such_table``, ``no_such_column``, ``no_such_function``,
    ``other``. ``sqlite_message`` is sqlite's own text, unchanged.
    """

    code = "sql_error"

    def __init__(self, message: str, *, kind: str, sqlite_message: str) -> None:
        self.kind = kind
        self.sqlite_message = sqlite_message
        super().__init__(message)


def _classify(exc: sqlite3.Error, timed_out: bool) -> tuple[str, str]:
    msg = str(exc)
    low = msg.lower()
    if timed_out or low == "interrupted":
        return "timeout", "the statement ran past its time limit and was interrupted"
    if isinstance(exc, sqlite3.ProgrammingError) and "one statement" in low:
        return "multiple_statements", "only one SQL statement can run per call"
    if "not authorized" in low or "authorization denied" in low:
        return "not_authorized", "the warehouse is read-only; only SELECT/WITH queries may run"
    if "readonly" in low or "read-only" in low:
        return "readonly", "the warehouse is read-only"
    for prefix, kind in (("no such table", "no_such_table"), ("no such column", "no_such_column"),
                         ("no such function", "no_such_function")):
        if low.startswith(prefix):
            return kind, ""
    if "syntax error" in low or "unrecognized token" in low or "incomplete input" in low:
        return "syntax", ""
    return "other", ""


def run_query(conn: sqlite3.Connection, sql: str, max_rows: int | None = DEFAULT_MAX_ROWS,
              params: Sequence[Any] = (), timeout_s: float | None = DEFAULT_TIMEOUT_S
              ) -> QueryResult:
    """Run exactly one statement and return at most ``max_rows`` rows (``None``: all rows).

    Raises :class:`QueryError` for anything sqlite rejects; the message starts with
    ``"Error: "`` and includes sqlite's own wording, which is what a model should see.
    """
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    timed_out = False

    def _progress() -> int:
        nonlocal timed_out
        if deadline is not None and time.monotonic() > deadline:
            timed_out = True
            return 1  # non-zero asks sqlite to interrupt the running statement
        return 0

    started = time.perf_counter()
    conn.set_progress_handler(_progress, _PROGRESS_EVERY)
    try:
        cur = conn.execute(sql, tuple(params))
        columns = [d[0] for d in cur.description or ()]
        if max_rows is None:
            rows = cur.fetchall()
            truncated = False
        else:
            rows = cur.fetchmany(max_rows + 1)
            truncated = len(rows) > max_rows
            rows = rows[:max_rows]
        cur.close()
    except sqlite3.Error as exc:
        kind, hint = _classify(exc, timed_out)
        detail = f"{exc}" if not hint else f"{hint} (sqlite: {exc})"
        raise QueryError(f"Error: {detail}", kind=kind, sqlite_message=str(exc)) from exc
    finally:
        conn.set_progress_handler(None, 0)
    return QueryResult(columns=columns, rows=[tuple(r) for r in rows], row_count=len(rows),
                       truncated=truncated,
                       elapsed_ms=round((time.perf_counter() - started) * 1000, 3))
