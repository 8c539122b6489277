"""Small text helpers shared by the policy and the scorer: read a ``run_sql`` result, find the
tables a query reads, and the ``/* check: ... */`` tag that marks a probe query."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["CHECK_TAG", "Result", "normalize_sql", "parse_result", "tables_in"]

CHECK_TAG = re.compile(r"/\* check: (\w+)(?: ([\w.]+))? \*/")
_FOOTER = re.compile(r"^-- (\d+) row\(s\)(?:; truncated at limit=(\d+))?")
_FROM = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(?!ON\b|WHERE\b|JOIN\b|LEFT\b|GROUP\b|"
                   r"ORDER\b|INNER\b|CROSS\b|LIMIT\b|USING\b)(\w+))?", re.IGNORECASE)


@dataclass
class Result:
    """A ``run_sql`` result as text became rows again (numbers as floats, NULL as None)."""

    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    row_count: int = 0
    truncated: bool = False
    limit: int | None = None
    error: str | None = None

    @property
    def empty(self) -> bool:
        """No rows, or one row whose cells are all NULL or zero (an empty aggregate)."""
        if self.error:
            return False
        if not self.rows:
            return True
        return len(self.rows) == 1 and all(v in (None, 0.0) for v in self.rows[0])


def _cell(text: str) -> str | float | None:
    if text == "NULL":
        return None
    try:
        return float(text)
    except ValueError:
        return text


def parse_result(text: str) -> Result:
    """Parse the text ``run_sql`` returns (or an ``Error: ...`` message)."""
    if text.startswith("Error"):
        return Result(error=text)
    lines = text.splitlines()
    out = Result()
    for i, line in enumerate(lines):
        footer = _FOOTER.match(line)
        if footer:
            out.row_count = int(footer.group(1))
            out.truncated = footer.group(2) is not None
            out.limit = int(footer.group(2)) if footer.group(2) else None
        elif i == 0:
            out.columns = [c.strip() for c in line.split(" | ")]
        elif not line.startswith("("):
            out.rows.append(tuple(_cell(c.strip()) for c in line.split(" | ")))
    return out


def normalize_sql(sql: str) -> str:
    """Whitespace-collapsed SQL, for "did I already run this?" comparisons."""
    return " ".join(sql.split()).rstrip(";").strip()


def tables_in(sql: str, column: str | None = None) -> list[str]:
    """The tables a query reads; with ``column``, the ones that could own it.

    A qualified reference (``i.invoice_date``) names its table through the alias; an
    unqualified one could belong to any table in the query.
    """
    aliases: dict[str, str] = {}
    tables: list[str] = []
    for table, alias in _FROM.findall(sql):
        if table.lower() in ("select", "lateral") or table.startswith("("):
            continue
        tables.append(table.lower())
        aliases[(alias or table).lower()] = table.lower()
        aliases[table.lower()] = table.lower()
    if column:
        qualified = re.findall(rf"\b(\w+)\.{re.escape(column)}\b", sql)
        owners = [aliases[a.lower()] for a in qualified if a.lower() in aliases]
        if owners:
            return list(dict.fromkeys(owners))
    return list(dict.fromkeys(tables))
