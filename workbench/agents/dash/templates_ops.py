"""SQL templates for usage, support tickets, plan changes and signups.

Same contract as :mod:`workbench.agents.dash.templates_revenue`: one function per intent,
returning the :class:`~workbench.agents.dash.build.Plan` to run now.
"""

from __future__ import annotations

import re

from workbench.agents.dash.answers import (
    active_filter,
    data_end_note,
    date_range_check,
    history_check,
    money,
    number,
    pct,
    rows_text,
    value_check,
)
from workbench.agents.dash.build import DONE, Build, Check, Plan, where
from workbench.agents.dash.sqltext import Result

__all__ = ["OPS_TEMPLATES"]


def _first(result: Result) -> float | None:
    return result.rows[0][0] if result.rows and result.rows[0] else None


def storage(b: Build) -> Plan:
    date = b.col("usage_metrics", "date")
    kind = b.fact("storage")
    active = b.active("s.")
    join = f" JOIN subscriptions s ON s.customer_id = u.customer_id AND {active}" if active else ""
    top = b.ask.variant == "top"
    name = b.col("customers", "name") if top else ""
    n = b.ask.top_n or 5
    if kind == "level":
        base = (f"WITH latest AS (SELECT u.customer_id, u.storage_mb, ROW_NUMBER() OVER "
                f"(PARTITION BY u.customer_id ORDER BY u.{date} DESC) AS rn FROM usage_metrics "
                f"u{join}) ")
        sql = base + ("SELECT SUM(storage_mb) AS storage_mb FROM latest WHERE rn = 1" if not top
                      else f"SELECT c.{name} AS company_name, l.storage_mb FROM latest l JOIN "
                      f"customers c ON c.id = l.customer_id WHERE l.rn = 1 ORDER BY "
                      f"l.storage_mb DESC LIMIT {n}")
    else:
        agg = "MAX" if kind == "cumulative" else "SUM"
        inner = (f"SELECT u.customer_id, {agg}(u.storage_mb) AS storage_mb FROM usage_metrics u"
                 f"{join} GROUP BY u.customer_id")
        sql = (f"SELECT SUM(storage_mb) AS storage_mb FROM ({inner})" if not top else
               f"SELECT c.{name} AS company_name, t.storage_mb FROM ({inner}) t JOIN customers c "
               f"ON c.id = t.customer_id ORDER BY t.storage_mb DESC LIMIT {n}")
    checks = [Check(("fact", "storage"),
                    f"/* check: storage_series */ SELECT {date} AS metric_date, storage_mb FROM "
                    f"usage_metrics WHERE customer_id = (SELECT MIN(customer_id) FROM "
                    f"usage_metrics) ORDER BY {date}"), history_check()]

    def answer(r: Result) -> str:
        how = {"level": " Each customer's latest reading is used: storage_mb is a level "
                        "(a snapshot), not cumulative.",
               "cumulative": " storage_mb is cumulative, so each customer's maximum is used."
               }.get(kind, "")
        if top:
            return f"Top {n} customers by storage:\n" + rows_text(r) + how
        return f"Customers use {number(_first(r))} MB of storage in total." + how

    return Plan(sql, answer, checks)


def usage_days(b: Build) -> Plan:
    date = b.col("usage_metrics", "date")
    repeated = b.fact("usage_days") == "repeated"
    if b.ask.variant == "customer_days":
        inner = (f"SELECT DISTINCT customer_id, {date} FROM usage_metrics WHERE "
                 f"{b.within(date)}")
        sql = (f"SELECT COUNT(*) AS customer_days FROM ({inner})" if repeated else
               f"SELECT COUNT(*) AS customer_days FROM usage_metrics WHERE {b.within(date)}")
    else:
        days = f"COUNT(DISTINCT {date})" if repeated else "COUNT(*)"
        sql = (f"SELECT AVG(days) AS days_per_customer_month FROM (SELECT customer_id, "
               f"{b.month(date)} AS month, {days} AS days FROM usage_metrics GROUP BY 1, 2)")
    check = Check(("fact", "usage_days"),
                  f"/* check: repeated_days */ SELECT customer_id, {date} AS day, COUNT(*) AS n "
                  f"FROM usage_metrics GROUP BY 1, 2 HAVING COUNT(*) > 1 LIMIT 5")

    def answer(r: Result) -> str:
        label = b.ask.period.label if b.ask.period else ""
        text = (f"We recorded {number(_first(r))} customer-days of usage in {label}."
                if b.ask.variant == "customer_days" else
                f"On average there are {number(_first(r))} days of usage data per customer per "
                "month.")
        if b.fact("sampled"):
            text += " Usage is sampled on a few days a month, not recorded daily."
        if b.fact("usage_days") == "repeated":
            text += " Some days are sampled twice, so days are counted as distinct dates."
        return text

    return Plan(sql, answer, [check])


def no_usage(b: Build) -> Plan:
    signup = b.col("customers", "signup")
    sql = ("SELECT COUNT(*) AS customers_without_usage FROM customers WHERE id NOT IN "
           "(SELECT customer_id FROM usage_metrics)")
    check = Check(("fact", "signup_gap"),
                  f"/* check: no_usage_signups */ SELECT MIN({signup}) AS first_signup, "
                  f"MAX({signup}) AS last_signup, COUNT(*) AS n FROM customers WHERE id NOT IN "
                  "(SELECT customer_id FROM usage_metrics)")

    def answer(r: Result) -> str:
        text = f"{number(_first(r))} customers have no usage data at all."
        if b.fact("signup_gap"):
            text += (" New customers have no usage in their signup month, and these all signed "
                     "up in the last month of data (December 2025).")
        return text

    return Plan(sql, answer, [check])


def _end_month_check(sql_from: str, date: str, end: str) -> Check:
    """Activity dated after a subscription ended is surprising: is it all in the end month?"""
    return Check(("fact", "end_month_activity"),
                 f"/* check: end_month_activity */ SELECT COUNT(*) AS after_end, SUM(CASE WHEN "
                 f"substr({date}, 1, 7) = substr({end}, 1, 7) THEN 1 ELSE 0 END) AS same_month "
                 f"{sql_from}", lambda r: bool(_first(r)))


def _end_month_note(b: Build, what: str) -> str:
    if not b.fact("end_month_activity"):
        return ""
    return (f" All of them fall in the same month the subscription ended: the end (churn or "
            f"plan change) month still gets its {what}.")


def usage_after_cancel(b: Build) -> Plan:
    date, end = b.col("usage_metrics", "date"), b.col("subscriptions", "end")
    sql_from = (f"FROM usage_metrics u JOIN subscriptions s ON s.customer_id = u.customer_id "
                f"WHERE {b.cancelled('s.')} AND u.{date} > s.{end}")
    return Plan(f"SELECT COUNT(*) AS usage_rows {sql_from}",
                lambda r: f"{number(_first(r))} usage records are dated after the subscription "
                          "was cancelled." + _end_month_note(b, "usage samples"),
                [value_check(b, "subscriptions", "status", "cancelled"),
                 _end_month_check(sql_from, f"u.{date}", f"s.{end}")])


def invoices_after_end(b: Build) -> Plan:
    date, end = b.col("invoices", "date"), b.col("subscriptions", "end")
    sql_from = (f"FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id WHERE "
                f"s.{end} IS NOT NULL AND i.{date} > s.{end}")
    return Plan(f"SELECT COUNT(*) AS invoices {sql_from}",
                lambda r: f"{number(_first(r))} invoices were issued after their subscription "
                          "had ended." + _end_month_note(b, "billing-month invoice, issued on a "
                                                            "random day"),
                [_end_month_check(sql_from, f"i.{date}", f"s.{end}")])


def _midnight(b: Build) -> Check:
    return Check(("fact", "midnight"),
                 "/* check: time_of_day */ SELECT COUNT(*) AS tickets, SUM(CASE WHEN "
                 "substr(created_at, 12) = '00:00:00' THEN 1 ELSE 0 END) AS at_midnight "
                 "FROM support_tickets")


def _day_note(b: Build) -> str:
    return (" Timestamps are dates at midnight, so resolution times are whole days."
            if b.fact("midnight") else "")


def ticket_speed(b: Build) -> Plan:
    sql = (f"SELECT priority, AVG({b.days('resolved_at', 'created_at')}) AS avg_days, COUNT(*) AS "
           "tickets FROM support_tickets WHERE resolved_at IS NOT NULL GROUP BY priority "
           "ORDER BY avg_days")

    def answer(r: Result) -> str:
        days = {str(row[0]): row[1] for row in r.rows if isinstance(row[1], float)}
        if not days:
            return "I could not compute resolution times."
        spread = max(days.values()) - min(days.values())
        lines = rows_text(r)
        verdict = ("No: priority makes no material difference to resolution time (a spread of "
                   f"{spread:.2f} days)." if spread < 1.0 else
                   f"Resolution time differs by priority (a spread of {spread:.2f} days).")
        return f"{verdict}\n{lines}{_day_note(b)}"

    return Plan(sql, answer, [_midnight(b)])


def resolve_time(b: Build) -> Plan:
    sql = (f"SELECT AVG({b.days('resolved_at', 'created_at')}) AS avg_days FROM support_tickets "
           "WHERE resolved_at IS NOT NULL")
    return Plan(sql, lambda r: f"A resolved ticket takes {number(_first(r))} days on average."
                + _day_note(b), [_midnight(b)])


def _unrated_note(b: Build) -> str:
    return " Unrated tickets (NULL satisfaction_score) are left out of the average." \
        if b.fact("unrated") else ""


def rating_by_priority(b: Build) -> Plan:
    score = b.col("support_tickets", "score")
    sql = (f"SELECT priority, AVG({score}) AS avg_score, COUNT({score}) AS rated FROM "
           f"support_tickets WHERE {score} IS NOT NULL GROUP BY priority ORDER BY priority")

    def answer(r: Result) -> str:
        scores = {str(row[0]): row[1] for row in r.rows}
        high, low = scores.get("high"), scores.get("low")
        verdict = ("No: high-priority tickets are not rated better" if high is not None and
                   low is not None and high <= low + 0.3 else "High-priority tickets rate higher")
        return f"{verdict}.\n{rows_text(r)}{_unrated_note(b)}"

    return Plan(sql, answer, [])


def csat(b: Build) -> Plan:
    score = b.col("support_tickets", "score")
    priority = f" WHERE priority = '{b.ask.priority}'" if b.ask.priority else ""
    share = "unrated" in b.ask.question.lower() or re.search(
        r"no rating|without a score|share|proportion", b.ask.question.lower())
    extra = (f", 100.0 * SUM(CASE WHEN {score} IS NULL THEN 1 ELSE 0 END) / COUNT(*) AS "
             "unrated_pct" if share else "")
    sql = f"SELECT AVG({score}) AS avg_score{extra} FROM support_tickets{priority}"

    def answer(r: Result) -> str:
        row = r.rows[0] if r.rows else (None, None)
        text = f"The average satisfaction score is {number(row[0])} out of 5."
        if share and len(row) > 1:
            text += f" {pct(row[1])} of tickets are unrated (no satisfaction score)."
        return text + _unrated_note(b)

    return Plan(sql, answer, [])


def tickets_resolved(b: Build) -> Plan:
    done = b.eq("status", "support_tickets", "status", "resolved", DONE, many=True)
    if b.ask.variant == "share":
        priority = f" WHERE priority = '{b.ask.priority}'" if b.ask.priority else ""
        sql = (f"SELECT 100.0 * SUM(CASE WHEN {done} THEN 1 ELSE 0 END) / COUNT(*) AS "
               f"resolved_pct FROM support_tickets{priority}")
        text = f"of {b.ask.priority or 'all'} tickets have been resolved"
        return Plan(sql, lambda r: f"{pct(_first(r))} {text}.",
                    [value_check(b, "support_tickets", "status", "resolved")])
    sql = f"SELECT COUNT(*) AS resolved_tickets FROM support_tickets WHERE {done}"
    return Plan(sql, lambda r: f"{number(_first(r))} support tickets have been resolved.",
                [value_check(b, "support_tickets", "status", "resolved")])


def at_risk(b: Build) -> Plan:
    date, name = b.col("usage_metrics", "date"), b.col("customers", "name")
    anchor = b.fact("data_end") or b.today
    n = b.ask.top_n or 10
    sql = (f"WITH recent AS (SELECT customer_id, AVG(api_calls) AS calls_30d FROM usage_metrics "
           f"WHERE {date} > {b.minus_days(anchor, 30)} GROUP BY customer_id), baseline AS ("
           f"SELECT customer_id, AVG(api_calls) AS calls_90d FROM usage_metrics WHERE {date} > "
           f"{b.minus_days(anchor, 90)} GROUP BY customer_id) SELECT c.{name} AS company_name, "
           "s.plan, s.mrr, COALESCE(r.calls_30d, 0) AS calls_30d, bl.calls_90d FROM customers c "
           f"JOIN subscriptions s ON s.customer_id = c.id AND {active_filter(b, 's.')} LEFT JOIN "
           "recent r ON r.customer_id = c.id JOIN baseline bl ON bl.customer_id = c.id WHERE "
           f"COALESCE(r.calls_30d, 0) < 0.5 * bl.calls_90d ORDER BY s.mrr DESC, c.{name} "
           f"LIMIT {n}")

    def answer(r: Result) -> str:
        if not r.rows:
            return "No active customer shows a usage drop in the last 30 days." + \
                data_end_note(b)
        names = ", ".join(f"{row[0]} ({money(row[2])} MRR)" for row in r.rows)
        return (f"The {len(r.rows)} largest at-risk customers (30-day API calls below half "
                f"their 90-day average, windows ending {anchor}): {names}." + data_end_note(b))

    return Plan(sql, answer, [date_range_check("usage_metrics", date)])


def movement(b: Build) -> Plan:
    prev = b.col("plan_changes", "previous_mrr")
    up = b.eq("change_type", "plan_changes", "change_type", "upgrade", ("upgrade",))
    down = b.eq("change_type", "plan_changes", "change_type", "downgrade", ("downgrade",))
    cancel = b.eq("change_type", "plan_changes", "change_type", "cancellation",
                  ("cancelled", "cancellation", "cancel"))
    sql = (f"SELECT SUM(CASE WHEN {up} THEN new_mrr - {prev} END) AS expansion, SUM(CASE WHEN "
           f"{down} THEN {prev} - new_mrr END) AS contraction, SUM(CASE WHEN {cancel} THEN "
           f"{prev} END) AS churned FROM plan_changes")

    def answer(r: Result) -> str:
        row = r.rows[0] if r.rows else (None, None, None)
        return (f"MRR movement: expansion {money(row[0])}, contraction {money(row[1])}, churned "
                f"{money(row[2])}.")

    checks = [value_check(b, "plan_changes", "change_type", label)
              for label in ("cancellation", "downgrade", "upgrade")]
    return Plan(sql, answer, [Check(c.key, c.probe, lambda r: any(
        v is None for row in r.rows for v in row) or r.empty) for c in checks])


def downgrades(b: Build) -> Plan:
    prev = b.col("plan_changes", "previous_plan")
    down = b.eq("change_type", "plan_changes", "change_type", "downgrade", ("downgrade",))
    if b.ask.plan:
        sql = (f"SELECT COUNT(*) AS downgrades FROM plan_changes WHERE {down} AND {prev} = "
               f"'{b.ask.plan.lower()}'")

        def answer(r: Result) -> str:
            n = _first(r)
            text = (f"No customers downgraded from the {b.ask.plan} plan." if not n else
                    f"{number(n)} customers downgraded from the {b.ask.plan} plan.")
            return text + (" Starter is the lowest plan, so there is nothing to downgrade to."
                           if b.ask.plan.lower() == "starter" else "")
    else:
        sql = (f"SELECT {prev} AS plan, COUNT(*) AS downgrades FROM plan_changes WHERE {down} "
               "GROUP BY 1 ORDER BY downgrades DESC")

        def answer(r: Result) -> str:
            if not r.rows:
                return "No downgrades found."
            top, n = r.rows[0][0], r.rows[0][1]
            note = (" Enterprise is the top plan, so its customers can only move down."
                    if top == "enterprise" else "")
            return f"{top} loses the most customers to downgrades ({number(n)}).{note}\n" + \
                rows_text(r)
    return Plan(sql, answer, [value_check(b, "plan_changes", "change_type", "downgrade")])


def monthly_signups(b: Build) -> Plan:
    signup = b.col("customers", "signup")
    sql = (f"SELECT {b.month(signup)} AS month, COUNT(*) AS signups FROM customers"
           + where(b.within(signup)) + " GROUP BY 1 ORDER BY 1")
    return Plan(sql, lambda r: "New customers per month:\n" + rows_text(r), [],
                limit=b.list_limit())


OPS_TEMPLATES = {
    "storage": storage, "usage_days": usage_days, "no_usage": no_usage,
    "usage_after_cancel": usage_after_cancel, "invoices_after_end": invoices_after_end,
    "ticket_speed": ticket_speed, "resolve_time": resolve_time,
    "rating_by_priority": rating_by_priority, "csat": csat,
    "tickets_resolved": tickets_resolved, "at_risk": at_risk, "movement": movement,
    "downgrades": downgrades, "monthly_signups": monthly_signups,
}
