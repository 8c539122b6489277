"""Turning beliefs into SQL, while recording every belief the SQL (or the answer) relied on.

A :class:`Build` resolves column names, enum values and facts through
:class:`~workbench.agents.dash.beliefs.Beliefs` and remembers each resolution in ``uses``.
Comparing those resolutions with what the same build gives *without* this turn's evidence is
how the policy knows what it just learned (and so what to save as a learning).

The priors below are the first-attempt guesses of a capable model on an unfamiliar
warehouse: ``created_at`` for a signup date, ``'canceled'`` with one l, ``'GB'`` for the
United Kingdom, Postgres date functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workbench.agents.dash.beliefs import Beliefs, Value
from workbench.agents.dash.intents import Ask
from workbench.agents.dash.sqltext import Result

__all__ = ["COLUMNS", "Build", "Check", "Plan", "UNTRUSTED_DOCS"]

# (table, concept) -> candidate column names, the prior guess first.
COLUMNS: dict[tuple[str, str], tuple[str, ...]] = {
    ("customers", "name"): ("name", "company_name"),
    ("customers", "signup"): ("created_at", "signup_date"),
    ("customers", "source"): ("channel", "source"),
    ("subscriptions", "start"): ("start_date", "started_at"),
    ("subscriptions", "end"): ("end_date", "ended_at", "canceled_at"),
    ("subscriptions", "reason"): ("churn_reason", "cancellation_reason"),
    ("plan_changes", "previous_plan"): ("old_plan", "previous_plan"),
    ("plan_changes", "previous_mrr"): ("old_mrr", "previous_mrr"),
    ("plan_changes", "date"): ("change_date", "changed_at"),
    ("invoices", "date"): ("invoice_date", "issued_at", "created_at"),
    ("usage_metrics", "date"): ("usage_date", "metric_date", "date"),
    ("support_tickets", "score"): ("csat", "satisfaction_score"),
}

# Value concepts: the candidates that mean the same thing, the prior guess first.
ACTIVE = ("active",)
CANCELLED = ("canceled", "cancelled")
CHURNED_SUB = ("churned", "cancelled", "canceled")
TRIAL = ("trial", "trialing", "trialling", "in_trial")
DONE = ("resolved", "closed", "solved", "done")
COUNTRIES = {"united kingdom": ("GB", "UK"), "uk": ("UK", "GB"), "britain": ("GB", "UK"),
             "united states": ("US", "USA"), "germany": ("DE",), "france": ("FR",),
             "canada": ("CA",), "australia": ("AU",), "india": ("IN",)}

# Facts whose documented value the policy double-checks before relying on it: claims that
# would silently change a number (a cumulative counter, trials that do not pay, ...).
UNTRUSTED_DOCS = frozenset({"storage", "trials", "annual_timing", "refund_paid_at",
                            "churn_rate"})
LIST_LIMIT = 1000


@dataclass
class Check:
    """A probe that settles ``key`` when it is not settled yet and ``when(result)`` holds."""

    key: tuple
    probe: str
    when: Callable[[Result], bool] = lambda _r: True


@dataclass
class Plan:
    """The query an intent wants to run now, its follow-up checks, and how to answer."""

    sql: str
    answer: Callable[[Result], str]
    checks: list[Check] = field(default_factory=list)
    limit: int | None = None


def quote(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


class Build:
    """One attempt at planning a query from beliefs; ``uses`` records what it relied on."""

    def __init__(self, beliefs: Beliefs, ask: Ask, today: str) -> None:
        self.b = beliefs
        self.ask = ask
        self.today = today
        self.uses: dict[tuple, Value] = {}
        self.how: dict[tuple, tuple] = {}

    # -- resolution (each records its use) ---------------------------------------------------

    def resolve(self, key: tuple, how: tuple, beliefs: Beliefs | None = None) -> Value:
        """Resolve ``key`` the way ``how`` says, on these beliefs or others (for lessons)."""
        b = beliefs or self.b
        kind = how[0]
        if kind == "col":
            return b.column(how[1], COLUMNS.get((how[1], how[2]), (how[2],)))
        if kind == "val":
            return b.values(how[1], how[2], how[3], many=how[4])
        return b.fact(how[1])

    def _use(self, key: tuple, how: tuple) -> Value:
        value = self.resolve(key, how)
        self.uses[key] = value
        self.how[key] = how
        return value

    def col(self, table: str, concept: str) -> str:
        """A column name for a concept (``col("invoices", "date")`` → ``issued_at``)."""
        if (table, concept) not in COLUMNS:
            return concept
        return self._use(("col", table, concept), ("col", table, concept)).value

    def values(self, table: str, column: str, label: str, candidates: tuple[str, ...], *,
               many: bool = False) -> tuple[str, ...] | None:
        """The stored values meaning ``label`` in ``table.column`` (None: not in this column)."""
        return self._use(("val", table, column, label),
                         ("val", table, column, candidates, many)).value

    def eq(self, expr: str, table: str, column: str, label: str, candidates: tuple[str, ...],
           *, many: bool = False) -> str:
        """``expr = 'value'`` (or ``IN (...)``) for a value concept; a never-true test if the
        column does not hold the concept."""
        found = self.values(table, column, label, candidates, many=many)
        if not found:
            return "1 = 0"
        return f"{expr} = {quote(found)}" if len(found) == 1 else f"{expr} IN ({quote(found)})"

    def fact(self, name: str) -> Any:
        return self._use(("fact", name), ("fact", name)).value

    def settled(self, key: tuple) -> bool:
        """Whether a belief is verified enough to skip its check."""
        value = self.uses.get(key)
        if value is None:
            if key[0] != "fact":
                return True  # nothing relied on it, nothing to verify
            value = self.b.fact(key[1])
        if key[0] == "val":
            return value.source == "turn"
        if key[0] == "fact":
            if self.b.disputed(key[1]):
                return False  # learnings disagree: verify before relying on either
            if value.source == "docs":
                return key[1] not in UNTRUSTED_DOCS
            return value.source in ("turn", "learning")
        return value.source != "prior"

    # -- shared SQL pieces ------------------------------------------------------------------

    @property
    def sqlite(self) -> bool:
        return self.fact("dialect") == "sqlite"

    def month(self, expr: str) -> str:
        return f"strftime('%Y-%m', {expr})" if self.sqlite else f"DATE_TRUNC('month', {expr})"

    def year(self, expr: str) -> str:
        return f"strftime('%Y', {expr})" if self.sqlite else f"EXTRACT(YEAR FROM {expr})"

    def days(self, later: str, earlier: str) -> str:
        if self.sqlite:
            return f"julianday({later}) - julianday({earlier})"
        return f"EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400"

    def minus_days(self, day: str, n: int) -> str:
        return f"date('{day}', '-{n} days')" if self.sqlite else f"DATE '{day}' - INTERVAL '{n} days'"

    def within(self, expr: str) -> str:
        """``expr`` inside the question's period (windows use date arithmetic)."""
        p = self.ask.period
        if p is None:
            return "1 = 1"
        if p.days and p.anchor:
            return f"{expr} > {self.minus_days(p.anchor, p.days)}"
        if p.month_back and p.anchor:
            if self.sqlite:
                return (f"{expr} >= date('{p.anchor}', 'start of month', '-1 month') "
                        f"AND {expr} < date('{p.anchor}', 'start of month')")
            return (f"{expr} >= DATE_TRUNC('month', DATE '{p.anchor}') - INTERVAL '1 month' "
                    f"AND {expr} < DATE_TRUNC('month', DATE '{p.anchor}')")
        if p.kind == "year":  # a Postgres habit: EXTRACT(YEAR FROM col) = 2025
            year = p.start[:4]
            return f"{self.year(expr)} = '{year}'" if self.sqlite else f"{self.year(expr)} = {year}"
        if p.kind == "quarter" and not self.sqlite:
            return (f"EXTRACT(QUARTER FROM {expr}) = {(int(p.start[5:7]) + 2) // 3} AND "
                    f"EXTRACT(YEAR FROM {expr}) = {p.start[:4]}")
        if p.kind == "month" and not self.sqlite:
            return f"DATE_TRUNC('month', {expr}) = DATE '{p.start}'"
        return f"{expr} >= '{p.start}' AND {expr} < '{p.end}'"

    def active(self, alias: str = "") -> str | None:
        """The "current rows only" filter on subscriptions, once the policy knows it needs one."""
        if not self.fact("history"):
            return None
        return self.eq(f"{alias}status", "subscriptions", "status", "active", ACTIVE)

    def cancelled(self, alias: str = "", churned: bool = False) -> str:
        """The cancelled-subscription filter (the question's word decides the first guess)."""
        return self.eq(f"{alias}status", "subscriptions", "status", "cancelled",
                       CHURNED_SUB if churned else CANCELLED)

    def list_limit(self) -> int | None:
        """A limit for "list them all" questions, once the policy knows the tool's default."""
        return LIST_LIMIT if self.fact("row_limit") else None


def where(*conditions: str | None) -> str:
    """``WHERE a AND b`` from the conditions that are not None (empty string for none)."""
    kept = [c for c in conditions if c]
    return (" WHERE " + " AND ".join(kept)) if kept else ""
