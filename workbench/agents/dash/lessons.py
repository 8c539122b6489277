"""What the offline policy learned in a turn, written up as reusable learnings.

A *lesson* is a belief that this turn's evidence changed and that the query or the answer
relied on: a column that was guessed wrong, a value spelled differently, a documented claim
that did not hold, a fact the data revealed. Each becomes a structured learning: a title that
names the table, column or topic; a one-line rule; when it applies (with the question that
taught it); and tags with the gotcha family words. A lesson that contradicts a learning that
was in context revises that learning (``update_learning``) instead of adding another.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.agents.dash.beliefs import Beliefs, Value
from workbench.agents.dash.build import Build, quote

__all__ = ["Lesson", "find_lessons"]

_COLUMN_LABELS = {"name": "company name", "signup": "signup date", "source": "acquisition channel",
                  "start": "start date", "end": "end date", "reason": "cancellation reason",
                  "previous_plan": "previous plan", "previous_mrr": "previous MRR",
                  "date": "date", "score": "satisfaction score"}
_VALUE_TAGS = {"cancelled": ["status_vocabulary", "cancellation", "churn"],
               "active": ["multiple_subscriptions"], "resolved": ["ticket_resolution"],
               "trial": ["trial_accounts"], "churned": ["status_vocabulary", "churn"],
               "upgrade": ["plan_change_movement"], "downgrade": ["plan_change_movement"],
               "cancellation": ["plan_change_movement", "status_vocabulary"]}
_VALUE_WHEN = {"cancelled": "counting or listing cancelled, churned or lost subscriptions and "
                            "customers, churn rates, cancellation reasons",
               "resolved": "counting resolved, closed, done or dealt-with support tickets",
               "trial": "counting trial accounts or their revenue",
               "active": "current subscriptions, MRR, plans and seats"}

# fact -> (title, rule, when, tags); {value} is filled in.
_FACTS: dict[str, tuple[str, str, str, list[str]]] = {
    "dialect": ("SQL dialect: the warehouse is SQLite, not Postgres",
                "SQLite has no DATE_TRUNC, EXTRACT, INTERVAL or ::casts: use strftime('%Y-%m', "
                "col) for months, strftime('%Y', col) for years, julianday(a) - julianday(b) "
                "for days between dates and date(col, '-30 days') for date windows.",
                "monthly or yearly breakdowns, durations in days, date windows, date functions",
                ["postgres_dialect", "sqlite", "dates"]),
    "data_end": ("Data window: the data ends on {value}",
                 "The warehouse has no rows after {value} although today is later: windows "
                 "relative to today (last week, last month, past 30 days) are empty; say so and "
                 "anchor recent windows to {value}.",
                 "last week, last month, past seven days, recent activity, at-risk customers",
                 ["stale_dates", "dates"]),
    "storage": ("usage_metrics.storage_mb is a level, not cumulative",
                "storage_mb is each account's storage at the sample date and goes up and down: "
                "for current storage take each customer's latest reading; never SUM rows or "
                "take MAX (the docs wrongly call it cumulative).",
                "total storage, storage footprint, megabytes used, top customers by storage",
                ["storage_level", "usage_metrics"]),
    "usage_days": ("usage_metrics repeats customer-days",
                   "Usage is sampled a few days a month with replacement, so the same customer "
                   "and metric_date can appear twice: count DISTINCT metric_date for days.",
                   "days of usage, customer-days, usage per month",
                   ["usage_sampling", "usage_metrics"]),
    "refund_paid_at": ("invoices.paid_at is NULL for refunded invoices",
                       "Refunded invoices never carry paid_at (NULL, like pending and failed "
                       "ones): refund payout dates are not recorded, so say so.",
                       "refunds, when refunds were paid, days to pay a refunded invoice",
                       ["invoice_nulls", "invoices", "refunds"]),
    "annual_timing": ("Annual plans are invoiced 12 months after signup",
                      "Annual subscriptions get one invoice a year on the signup anniversary "
                      "(mrr * 12 * 0.9, first one 12 months after signup): no annual invoices "
                      "in 2024, the first ones in 2025.",
                      "cash or invoices from annual-billed customers, revenue by year",
                      ["annual_billing", "invoices", "subscriptions"]),
    "row_limit": ("run_sql shows only {value} rows by default",
                  "Pass limit=1000 to run_sql when the user wants a full list; a result cut at "
                  "{value} rows is incomplete.",
                  "list all, every, the full list of customers or companies",
                  ["row_limit"]),
    "trials": ("customers.status = 'trial' accounts pay and never convert",
               "Trial customers hold active paying subscriptions (counted in MRR) and trials "
               "never convert or expire; some date back to 2024.",
               "trials, trial accounts, MRR and revenue that include trials",
               ["trial_accounts", "customers"]),
    "churn_rate": ("Churn rate: divide by subscriptions running at the period start",
                   "Compute churn per month as cancellations in the month over subscriptions "
                   "running at its start, then average; for a period share use the customers "
                   "running at the start. Cancelled rows over all rows is not a churn rate.",
                   "churn rate by plan, share of customers or subscriptions lost",
                   ["churn_rate_definition", "subscriptions"]),
    "history": ("subscriptions keeps one row per plan period",
                "A plan change closes the row and opens a new one, so for current MRR, ARPA, "
                "plans and seats filter subscriptions.status = 'active'.",
                "current MRR, revenue per customer, customers per plan, seats",
                ["multiple_subscriptions", "subscriptions"]),
    "signup_gap": ("New customers have no usage in their signup month",
                   "Activity starts the month after signup: customers with no usage rows are "
                   "the ones who signed up in the last month of data.",
                   "customers without usage, accounts that never logged usage",
                   ["signup_month_gap", "usage_metrics"]),
    "end_month_activity": ("Activity continues through the month a subscription ends",
                           "The churn or plan-change month still gets usage samples and its "
                           "invoice (issued on a random day), so rows dated after ended_at in "
                           "that same month are expected, not a bug.",
                           "usage or invoices after a cancellation, churn or plan change",
                           ["signup_month_gap", "usage_metrics", "invoices"]),
    "midnight": ("Timestamps are dates at midnight",
                 "Every timestamp is at 00:00:00, so durations are whole days and hour-level "
                 "questions cannot be answered.",
                 "resolution time, time to resolve, days between events",
                 ["dates", "day_granularity", "no_causal_link", "support_tickets"]),
}


# What kind of question taught a fact: named in the title, so the same fact learned from two
# kinds of question is kept as two learnings, each findable from its own wording.
_SITUATIONS = {
    "active_subs": "active subscriptions", "seats": "seats per customer",
    "customers_on_plan": "customers per plan", "mrr_total": "MRR", "mrr_by_plan": "MRR by plan",
    "arpa": "revenue per customer", "revenue_by_source": "revenue by source",
    "enterprise": "enterprise revenue", "churn_count": "cancellation counts",
    "churn_list": "lists of churned customers", "list_customers": "customer lists",
    "cancel_reason": "cancellation reasons", "trial": "trial accounts", "churn_rate": "churn rates",
    "customers_count": "customer counts", "annual": "annual billing", "paid_by_year": "revenue by year",
    "revenue_window": "revenue in a recent window", "invoice_count": "invoice counts",
    "refunds": "refunds", "failure_rate": "payment failures", "storage": "storage in use",
    "usage_days": "usage days", "no_usage": "customers without usage",
    "usage_after_cancel": "usage after cancellation", "invoices_after_end": "late invoices",
    "ticket_speed": "resolution speed", "resolve_time": "time to resolve",
    "rating_by_priority": "ratings by priority", "csat": "satisfaction",
    "tickets_resolved": "resolved tickets", "at_risk": "at-risk customers",
    "movement": "MRR movement", "downgrades": "downgrades", "monthly_signups": "monthly signups",
}


@dataclass(frozen=True)
class Lesson:
    """A learning to save (or, with ``update_id``, a learning in context to correct)."""

    title: str
    learning: str
    context: str
    tags: list[str]
    update_id: str | None = None


def _changed(b: Build, beliefs: Beliefs) -> list[tuple[tuple, Value, Value]]:
    """(key, what was believed, what this turn showed) for every belief the turn overturned.

    Besides the belief that was acted on, every learning in context that asserted something
    else about the same key is listed too, so that it can be corrected.
    """
    before = beliefs.without_turn()
    out = []
    for key, value in b.uses.items():
        if value.source != "turn":
            continue
        old = b.resolve(key, b.how[key], before)
        if old.value != value.value:
            out.append((key, old, value))
        for layer in beliefs.layers:
            if layer.source != "learning" or layer.learning_id == old.learning_id:
                continue
            other = b.resolve(key, b.how[key], Beliefs([layer], []))
            if other.source == "learning" and other.value not in (None, value.value):
                out.append((key, other, value))
    return out


def _learned_from(old: Value) -> str | None:
    return old.learning_id if old.source == "learning" else None


def find_lessons(b: Build, beliefs: Beliefs, question: str) -> list[Lesson]:
    """The lessons of a finished turn (empty when nothing new was learned)."""
    found = f' Learned answering "{question}".'
    lessons: list[Lesson] = []
    changed = _changed(b, beliefs)
    turn = beliefs.layers[0]
    by_table: dict[str, list[tuple[str, str, str]]] = {}
    for key, old, new in changed:
        if key[0] == "col" and old.source != "learning":
            by_table.setdefault(key[1], []).append((key[2], str(old.value), str(new.value)))
    for table, fixes in sorted(by_table.items()):
        columns = ", ".join(sorted(turn.columns.get(table, set())))
        rules = "; ".join(f"the {_COLUMN_LABELS.get(c, c)} is {table}.{new} (not {old})"
                          for c, old, new in fixes)
        title = f"{table} columns: " + ", ".join(f"{new} (not {old})" for _c, old, new in fixes)
        lessons.append(Lesson(title, f"Columns of {table}: {columns}. In {table}, {rules}.",
                              f"writing SQL on {table}." + found, ["column_names", table]))
    by_column: dict[tuple[str, str, str | None], list[tuple[str, Value, Value]]] = {}
    for key, old, new in changed:
        if key[0] == "val":
            by_column.setdefault((key[1], key[2], _learned_from(old)), []).append(
                (key[3], old, new))
    for (table, column, _lid), fixes in sorted(by_column.items(), key=lambda kv: str(kv[0])):
        lessons.append(_value_lesson(table, column, fixes, beliefs.vocabulary(table, column),
                                     found))
    for key, old, new in changed:
        if key[0] == "fact" and key[1] in _FACTS and new.value not in (None, False):
            if key[1] == "storage" and new.value != "level":
                continue  # only the surprising finding is worth a learning
            title, rule, when, tags = (s.format(value=new.value) if isinstance(s, str) else s
                                       for s in _FACTS[key[1]])
            situation = _SITUATIONS.get(b.ask.intent)
            title = f"{title} ({situation})" if situation else title
            lessons.append(Lesson(title, rule, when + "." + found, list(tags),
                                  _learned_from(old)))
    return lessons


def _value_lesson(table: str, column: str, fixes: list[tuple[str, Value, Value]],
                  vocabulary: list[str], found: str) -> Lesson:
    ref = f"{table}.{column}"
    rules, titles, tags, whens = [], [], [], []
    update_id = None
    for label, old, new in fixes:
        guess = quote(tuple(old.value or ()))
        update_id = update_id or _learned_from(old)
        if new.value is None:
            rules.append(f"{ref} has no {label} value")
            titles.append(f"no {label}")
            if label == "trial":
                rules.append("trial accounts are customers.status = 'trial'")
        elif len(new.value) > 1:
            rules.append(f"count {ref} IN ({quote(new.value)}) as {label}, not only {guess}")
            titles.append(f"{' and '.join(new.value)} both mean {label}")
        else:
            rules.append(f"for {label} use {ref} = {quote(new.value)} (not {guess})")
            titles.append(f"{label} is {quote(new.value)}")
        tags += _VALUE_TAGS.get(label.split()[0], ["enum_values"])
        whens.append(_VALUE_WHEN.get(label, f"filtering {ref} on {label}"))
    values = f"{ref} takes the values {quote(tuple(vocabulary))}; " if vocabulary else ""
    return Lesson(f"{ref} values: " + ", ".join(titles), values + "; ".join(rules) + ".",
                  "; ".join(whens) + "." + found,
                  list(dict.fromkeys([*tags, table, column])), update_id)
