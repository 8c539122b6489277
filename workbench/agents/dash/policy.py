"""Dash's offline policy: a deterministic stand-in for a capable model on an unfamiliar warehouse.

It sees only the request (see :mod:`workbench.agents.dash.beliefs`) and keeps no state, so
the same request always gets the same reply. Per turn it:

1. searches learnings for the question (``search_learnings``), and — when the SQL it is about
   to write depends on tool-level knowledge that nothing in context settles (which SQL
   dialect the warehouse speaks, the row limit of long results) — once more for that topic;
2. maps the question to an intent by its wording and builds a first query from what it
   believes: the documentation at the run's context level, the learnings in context, and its
   priors (which are the classic first-attempt mistakes: ``'canceled'``, summing every
   subscription row, ``DATE_TRUNC``, ``invoice_date``, windows anchored to today, the 10-row
   default, trusting documentation that is wrong);
3. diagnoses through real tool calls: an error names a missing column (introspect that
   table) or a missing function (the engine is SQLite); an empty result or a guessed filter
   value gets a distinct-values probe; an unverified assumption (storage is cumulative,
   trials do not pay, one usage row per day, ...) gets a small probe query;
4. rebuilds the query from the new evidence and runs it again;
5. saves what it learned as structured learnings (or corrects a learning in context that
   turned out wrong) and answers with the figures and the caveats it knows.

Fixes are applied only when the evidence or a matching learning is in the request. Nothing
reads the question bank, gold answers or files.
"""

from __future__ import annotations

import re

from workbench.agents.dash.beliefs import read_beliefs
from workbench.agents.dash.build import Build, Plan
from workbench.agents.dash.context import TODAY
from workbench.agents.dash.intents import parse_ask
from workbench.agents.dash.lessons import find_lessons
from workbench.agents.dash.sqltext import normalize_sql, parse_result, tables_in
from workbench.agents.dash.templates_billing import BILLING_TEMPLATES
from workbench.agents.dash.templates_ops import OPS_TEMPLATES
from workbench.agents.dash.templates_revenue import REVENUE_TEMPLATES
from workbench.agents.dash.tools import DEFAULT_LIMIT
from workbench.models.offline import OfflineView, Reply, call
from workbench.models.types import ToolCall

__all__ = ["DIALECT_QUERY", "ROW_LIMIT_QUERY", "TEMPLATES", "dash_policy"]

TEMPLATES = {**REVENUE_TEMPLATES, **BILLING_TEMPLATES, **OPS_TEMPLATES}
DIALECT_QUERY = "SQL dialect of the warehouse: date functions like DATE_TRUNC, EXTRACT, INTERVAL"
ROW_LIMIT_QUERY = "run_sql row limit: long results and lists cut at 10 rows"
_TODAY = re.compile(r"Today is (\d{4}-\d{2}-\d{2})")


def _ran(steps: list[tuple[ToolCall, str]], sql: str, limit: int | None) -> str | None:
    """The result of an earlier run_sql call with this query and limit, if there was one."""
    want = normalize_sql(sql)
    for c, result in reversed(steps):
        args = c.arguments or {}
        if c.name == "run_sql" and normalize_sql(str(args.get("query", ""))) == want and \
                int(args.get("limit", DEFAULT_LIMIT)) == (limit or DEFAULT_LIMIT):
            return result
    return None


def _run(sql: str, limit: int | None) -> ToolCall:
    return call("run_sql", query=sql, limit=limit) if limit else call("run_sql", query=sql)


def _introspect_target(steps: list[tuple[ToolCall, str]]) -> str | None:
    """After "no such column", the table that should own it (not yet introspected)."""
    c, result = steps[-1]
    missing = re.search(r"no such column: (?:\w+\.)?(\w+)", result)
    if c.name != "run_sql" or not missing:
        return None
    seen = {str((s.arguments or {}).get("table", "")).lower() for s, _ in steps
            if s.name == "introspect_schema"}
    owners = tables_in(str((c.arguments or {}).get("query", "")), missing.group(1))
    return next((t for t in owners if t not in seen), None)


def _lesson_calls(b: Build, view: OfflineView, question: str) -> list[ToolCall]:
    if "save_learning" not in view.tools:
        return []
    done = {str((c.arguments or {}).get("title", "")) for c in view.calls_made("save_learning")}
    done |= {str((c.arguments or {}).get("learning_id", ""))
             for c in view.calls_made("update_learning")}
    calls = []
    for lesson in find_lessons(b, b.b, question):
        if lesson.update_id and "update_learning" in view.tools:
            if lesson.update_id not in done:
                calls.append(call("update_learning", learning_id=lesson.update_id,
                                  title=lesson.title, learning=lesson.learning,
                                  context=lesson.context, tags=lesson.tags))
        elif lesson.title not in done:
            calls.append(call("save_learning", title=lesson.title, learning=lesson.learning,
                              context=lesson.context, tags=lesson.tags))
    return calls


def _cannot_map(question: str) -> str:
    return ("I could not map this question to the warehouse's tables and metrics; could you "
            "say which metric, table or period you mean? (offline stand-in model)")


def dash_policy(view: OfflineView) -> Reply:
    """The offline model's Dash behaviour (see the module docstring)."""
    if view.response_format or "run_sql" not in view.tools:
        return None
    question = view.last_user.strip()
    steps = view.turn_steps()
    searched = [str((c.arguments or {}).get("query", "")) for c in view.calls_made(
        "search_learnings")]
    if "search_learnings" in view.tools and not searched:
        return call("search_learnings", query=question)
    found = _TODAY.search(view.system)
    today = found.group(1) if found else TODAY
    ask = parse_ask(question, today)
    if ask is None:
        return _cannot_map(question)
    b = Build(read_beliefs(view), ask, today)
    plan: Plan = TEMPLATES[ask.intent](b)
    # Tool-level knowledge (the SQL dialect, the row limit) is not about the question, so a
    # search with the question's wording would not find it: search for it by topic, once,
    # when the query about to run depends on it and nothing in context settles it.
    for fact, query in (("dialect", DIALECT_QUERY), ("row_limit", ROW_LIMIT_QUERY)):
        used = b.uses.get(("fact", fact))
        if (used is not None and used.source == "prior" and "search_learnings" in view.tools
                and query not in searched):
            return call("search_learnings", query=query)
    if steps and steps[-1][0].name == "run_sql" and steps[-1][1].startswith("Error"):
        target = _introspect_target(steps)
        if target:
            return call("introspect_schema", table=target)
    output = _ran(steps, plan.sql, plan.limit)
    if output is None:
        return _run(plan.sql, plan.limit)
    result = parse_result(output)
    if result.error:
        return (f"I could not get a working query for this question. The last attempt failed "
                f"with: {result.error.removeprefix('Error: ')}")
    for check in plan.checks:
        if b.settled(check.key) or not check.when(result):
            continue
        probed = _ran(steps, check.probe, None)
        if probed is None:
            return _run(check.probe, None)
    text = plan.answer(result)
    return _lesson_calls(b, view, question) or text
