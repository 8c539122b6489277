"""Evidence from this turn's tool results: introspected tables, probe rows, error messages.

A probe query carries a ``/* check: kind arg */`` tag naming what it checks, so its rows can be
read as evidence about that thing (a column's complete vocabulary, where the data ends, whether
storage ever falls, ...). An error message is evidence too: ``no such function: DATE_TRUNC``
means the engine is not Postgres; ``no such column: x`` means the guessed column is missing.
"""

from __future__ import annotations

import re

from workbench.agents.dash.layers import Layer
from workbench.agents.dash.sqltext import CHECK_TAG, Result, parse_result, tables_in
from workbench.models.offline import OfflineView

__all__ = ["read_turn"]

_QUOTED = re.compile(r"'([^']{1,40})'")
_DIALECT_ERRORS = re.compile(r"no such function: (?:date_trunc|date_part|to_char|now|extract)"
                             r"|unrecognized token: \":\"|no such table: generate_series",
                             re.IGNORECASE)
_POSTGRES_SQL = re.compile(r"\bEXTRACT\s*\(|\bINTERVAL\s+'|\bDATE\s+'|::\w+", re.IGNORECASE)


def read_turn(view: OfflineView) -> Layer:
    """The turn layer: what this turn's tool calls showed (the most authoritative source)."""
    layer = Layer("turn")
    for call, result in view.turn_steps():
        args = call.arguments or {}
        if call.name == "introspect_schema" and args.get("table") and not result.startswith(
                "Error"):
            table = str(args["table"]).lower()
            for line in result.splitlines():
                col = re.match(r"^- (\w+) ([A-Z ]+):(.*)$", line)
                if not col:
                    continue
                layer.columns.setdefault(table, set()).add(col.group(1))
                if "values:" in col.group(3):
                    values = _QUOTED.findall(col.group(3))
                    layer.add_values(table, col.group(1), values, complete=True)
            layer.complete.add(table)
        elif call.name == "run_sql":
            _read_sql_step(layer, str(args.get("query", "")), result)
    return layer


def _read_sql_step(layer: Layer, sql: str, text: str) -> None:
    if text.startswith("Error"):
        if _DIALECT_ERRORS.search(text) or ("syntax error" in text and _POSTGRES_SQL.search(sql)):
            layer.facts["dialect"] = "sqlite"
        missing = re.search(r"no such column: (?:\w+\.)?(\w+)", text)
        if missing:
            for table in tables_in(sql, missing.group(1)):
                layer.missing.setdefault(table, set()).add(missing.group(1))
        return
    result = parse_result(text)
    if result.truncated:
        layer.facts["row_limit"] = result.limit
    check = CHECK_TAG.search(sql)
    if check:
        _read_check(layer, check.group(1), check.group(2) or "", result)


def _read_check(layer: Layer, kind: str, arg: str, result: Result) -> None:
    """Evidence from a tagged probe query (``/* check: kind arg */``)."""
    first = result.rows[0] if result.rows else ()
    if kind == "values" and "." in arg:
        table, column = arg.split(".", 1)
        layer.add_values(table, column, [str(r[0]) for r in result.rows if r[0] is not None],
                         complete=not result.truncated)
    elif kind == "date_range" and first and first[-1]:
        layer.facts["data_end"] = str(first[-1])[:10]
    elif kind == "storage_series":
        series = [r[1] for r in result.rows if isinstance(r[1], float)]
        falls = any(b < a for a, b in zip(series, series[1:], strict=False))
        layer.facts["storage"] = "level" if falls else "cumulative"
    elif kind == "repeated_days":
        layer.facts["usage_days"] = "repeated" if result.rows else "unique"
    elif kind == "refund_paid_at" and first:
        layer.facts["refund_paid_at"] = "null" if first[1] == 0 else "set"
    elif kind == "annual_invoices" and first and first[0] and first[1]:
        gap = int(str(first[1])[:4]) * 12 + int(str(first[1])[5:7]) - (
            int(str(first[0])[:4]) * 12 + int(str(first[0])[5:7]))
        layer.facts["annual_timing"] = "anniversary" if gap >= 11 else "monthly"
    elif kind == "trial_accounts" and first:
        paying = isinstance(first[1], float) and first[1] > 0
        layer.facts["trials"] = "paying" if paying else "evaluating"
    elif kind == "no_usage_signups" and first:
        same_month = first[0] and first[1] and str(first[0])[:7] == str(first[1])[:7]
        layer.facts["signup_gap"] = bool(same_month)
    elif kind == "period_base" and first and isinstance(first[0], float):
        layer.facts["churn_rate"] = "period_base" if first[1] < first[0] else "all_rows"
    elif kind == "time_of_day" and first:
        layer.facts["midnight"] = first[0] == first[1]
    elif kind == "end_month_activity" and first:
        layer.facts["end_month_activity"] = bool(first[0]) and first[0] == first[1]
