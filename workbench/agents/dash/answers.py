"""Formatting query results as an analyst's answer, and the checks every template shares."""

from __future__ import annotations

from workbench.agents.dash.build import ACTIVE, Build, Check
from workbench.agents.dash.sqltext import Result

__all__ = ["active_filter", "all_zero", "cell", "data_end_note", "date_range_check",
           "history_check", "money", "number", "pct", "rows_text", "value_check"]

_MONEY = ("mrr", "amount", "paid", "revenue", "refunded", "arpa", "cash", "expansion",
          "contraction", "churned", "avg_invoice", "enterprise_plan", "enterprise_size")


def money(value: float | None) -> str:
    return "$0.00" if value is None else f"${value:,.2f}"


def pct(value: float | None) -> str:
    return "0.00%" if value is None else f"{value:.2f}%"


def number(value: float | str | None) -> str:
    if value is None:
        return "none"
    if isinstance(value, str):
        return value
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def cell(column: str, value: float | str | None) -> str:
    """A value rendered by what its column measures (money, a percentage, a count)."""
    name = column.lower()
    if isinstance(value, float) and (name.endswith("_pct") or name == "pct"):
        return pct(value)
    if isinstance(value, float) and any(m in name for m in _MONEY):
        return money(value)
    return number(value)


def rows_text(result: Result, limit: int = 60) -> str:
    """``- label: value, value`` lines for a grouped result."""
    lines = []
    for row in result.rows[:limit]:
        label, *rest = row
        values = ", ".join(cell(c, v) for c, v in zip(result.columns[1:], rest, strict=False))
        shown = str(int(label)) if isinstance(label, float) and label.is_integer() else label
        lines.append(f"- {shown}: {values}")
    return "\n".join(lines)


def all_zero(result: Result) -> bool:
    """Every numeric cell is zero or NULL (e.g. a rate per plan that is 0 everywhere)."""
    cells = [v for row in result.rows for v in row if not isinstance(v, str)]
    return bool(cells) and all(v in (None, 0.0) for v in cells)


def value_check(b: Build, table: str, column: str, label: str) -> Check:
    """Look at a column's values when a filter on a guessed value found nothing (or when the
    value was only guessed): the distinct-values probe every analyst runs."""
    key = ("val", table, column, label)

    def when(result: Result) -> bool:
        used = b.uses.get(key)
        return result.empty or all_zero(result) or (used is not None and used.source == "prior")

    return Check(key, f"/* check: values {table}.{column} */ SELECT {column}, COUNT(*) AS n "
                      f"FROM {table} GROUP BY {column} ORDER BY n DESC", when)


def history_check() -> Check:
    """Does subscriptions hold one row per customer, or a history of rows? (its statuses)"""
    return Check(("fact", "history"), "/* check: values subscriptions.status */ SELECT status, "
                                      "COUNT(*) AS n FROM subscriptions GROUP BY status "
                                      "ORDER BY n DESC")


def date_range_check(table: str, column: str, when=None) -> Check:
    """Where does the data end? Run when a window found nothing."""
    return Check(("fact", "data_end"),
                 f"/* check: date_range {table}.{column} */ SELECT MIN({column}) AS first, "
                 f"MAX({column}) AS last FROM {table}",
                 when or (lambda r: r.empty or all_zero(r)))


def active_filter(b: Build, alias: str = "") -> str:
    """The active-subscription filter used by definitions that always need it."""
    return b.eq(f"{alias}status", "subscriptions", "status", "active", ACTIVE)


def data_end_note(b: Build) -> str:
    end = b.fact("data_end")
    if not end:
        return ""
    return (f" The data ends on {end}, months before today ({b.today}), so there is nothing "
            "in windows after that date.")
