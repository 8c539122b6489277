"""SQL templates for subscriptions, revenue, churn and customers (one function per intent).

Each function reads the question's slots from ``b.ask``, resolves names and values through the
:class:`~workbench.agents.dash.build.Build` (which records what it relied on) and returns the
:class:`~workbench.agents.dash.build.Plan` to run now: its SQL, the checks to run after it,
and how to word the answer.
"""

from __future__ import annotations

from workbench.agents.dash.answers import (
    active_filter,
    all_zero,
    data_end_note,
    date_range_check,
    history_check,
    money,
    number,
    pct,
    rows_text,
    value_check,
)
from workbench.agents.dash.build import COUNTRIES, TRIAL, Build, Check, Plan, where
from workbench.agents.dash.sqltext import Result

__all__ = ["REVENUE_TEMPLATES"]


def _trial_note(b: Build) -> str:
    if b.fact("trials") == "paying":
        return (" This includes trial accounts: they hold active paying subscriptions and "
                "never convert, so they are part of MRR.")
    return ""


def _first(result: Result) -> float | None:
    return result.rows[0][0] if result.rows and result.rows[0] else None


def active_subs(b: Build) -> Plan:
    status = active_filter(b)
    sql = f"SELECT COUNT(*) AS active_subscriptions FROM subscriptions WHERE {status}"
    return Plan(sql, lambda r: f"We have {number(_first(r))} active subscriptions.",
                [value_check(b, "subscriptions", "status", "active")])


def seats(b: Build) -> Plan:
    sql = "SELECT AVG(seats) AS avg_seats FROM subscriptions" + where(b.active())
    return Plan(sql, lambda r: f"The average is {number(_first(r))} seats per customer "
                               "(current subscriptions).", [history_check()])


def _plan_filter(b: Build, alias: str = "") -> str | None:
    if not b.ask.plan:
        return None
    plan = b.ask.plan
    return b.eq(f"{alias}plan", "subscriptions", "plan", "plan " + plan.lower(),
                (plan, plan.lower()))


def customers_on_plan(b: Build) -> Plan:
    active, plan = b.active(), _plan_filter(b)
    what = "COUNT(DISTINCT customer_id)" if active else "COUNT(*)"
    sql = f"SELECT {what} AS customers FROM subscriptions" + where(plan, active)
    checks = [history_check(), value_check(b, "subscriptions", "plan", "plan " +
                                           (b.ask.plan or "").lower())]
    return Plan(sql, lambda r: f"{number(_first(r))} customers are on the {b.ask.plan} plan.",
                checks)


def mrr_total(b: Build) -> Plan:
    active, plan = b.active("s."), _plan_filter(b, "s.")
    join, signup = "", None
    if b.ask.period and b.ask.subject == "customers" and "sign" in b.ask.question.lower():
        col = b.col("customers", "signup")
        join = " JOIN customers c ON c.id = s.customer_id"
        signup = b.within(f"c.{col}")
    sql = f"SELECT SUM(s.mrr) AS mrr FROM subscriptions s{join}" + where(active, plan, signup)
    checks = [history_check()]
    if b.ask.plan:
        checks.append(value_check(b, "subscriptions", "plan", "plan " + b.ask.plan.lower()))

    def answer(r: Result) -> str:
        scope = f" on the {b.ask.plan} plan" if b.ask.plan else ""
        scope += f" from customers who signed up in {b.ask.period.label}" if signup else ""
        return f"Current MRR{scope} is {money(_first(r))}." + _trial_note(b)

    return Plan(sql, answer, checks)


def mrr_by_plan(b: Build) -> Plan:
    active = b.active()
    total = "SELECT SUM(mrr) FROM subscriptions" + where(active)
    sql = (f"SELECT plan, SUM(mrr) AS mrr, 100.0 * SUM(mrr) / ({total}) AS share_pct "
           f"FROM subscriptions{where(active)} GROUP BY plan ORDER BY mrr DESC")
    return Plan(sql, lambda r: "Current MRR by plan (share of total):\n" + rows_text(r)
                + _trial_note(b), [history_check()])


def arpa(b: Build) -> Plan:
    sql = "SELECT AVG(mrr) AS arpa FROM subscriptions" + where(b.active())
    return Plan(sql, lambda r: f"Average revenue per customer (ARPA) is {money(_first(r))} "
                               "per month." + _trial_note(b), [history_check()])


def revenue_by_source(b: Build) -> Plan:
    source = b.col("customers", "source")
    sql = (f"SELECT c.{source} AS source, SUM(s.mrr) AS mrr FROM customers c "
           f"JOIN subscriptions s ON s.customer_id = c.id{where(b.active('s.'))} "
           "GROUP BY 1 ORDER BY mrr DESC")

    def answer(r: Result) -> str:
        if not r.rows:
            return "I found no revenue by source."
        top, value = r.rows[0][0], r.rows[0][1]
        return (f"{top} brings in the most recurring revenue: {money(value)} of MRR.\n"
                + rows_text(r))

    return Plan(sql, answer, [history_check()])


def enterprise(b: Build) -> Plan:
    active = b.active("s.")
    churn = b.ask.variant == "churn"
    if churn:
        end = b.col("subscriptions", "end")
        cond = [b.cancelled("s.", "churn" in b.ask.question.lower()), b.within(f"s.{end}")]
        plan_part, size_part = "SUM(CASE WHEN s.plan = 'enterprise' THEN 1 ELSE 0 END)", \
            "SUM(CASE WHEN c.company_size = 'enterprise' THEN 1 ELSE 0 END)"
    else:
        cond = [active]
        plan_part = "SUM(CASE WHEN s.plan = 'enterprise' THEN s.mrr END)"
        size_part = "SUM(CASE WHEN c.company_size = 'enterprise' THEN s.mrr END)"
    both = b.fact("enterprise") == "ambiguous"
    if both:
        sql = (f"SELECT {plan_part} AS enterprise_plan, {size_part} AS enterprise_size "
               f"FROM subscriptions s JOIN customers c ON c.id = s.customer_id" + where(*cond))
    else:
        sql = (f"SELECT {plan_part} AS enterprise_plan FROM subscriptions s" +
               where(*cond))
    checks: list[Check] = [history_check()] if not churn else [
        value_check(b, "subscriptions", "status", "cancelled")]

    def answer(r: Result) -> str:
        row = r.rows[0] if r.rows else (None, None)
        fmt = number if churn else money
        what = "churned in " + b.ask.period.label if churn and b.ask.period else "MRR"
        if both:
            return (f"'Enterprise' has two meanings here. Enterprise plan: {fmt(row[0])} {what}; "
                    f"enterprise company size (headcount band): {fmt(row[1])} {what}.")
        return f"Enterprise: {fmt(row[0])} {what} (customers on the enterprise plan)."

    return Plan(sql, answer, checks)


def churn_count(b: Build) -> Plan:
    q = b.ask.question.lower()
    churned_word = "churn" in q or "lost" in q
    per_customer = b.ask.subject == "customers"
    known = b.values("customers", "status", "churned", ("churned",))
    if per_customer and b.ask.period is None and known and (
            b.uses[("val", "customers", "status", "churned")].source != "prior"):
        sql = "SELECT COUNT(*) AS churned_customers FROM customers WHERE status = 'churned'"
        checks: list[Check] = []
    else:
        end = b.col("subscriptions", "end")
        what = "COUNT(DISTINCT customer_id)" if per_customer else "COUNT(*)"
        period = b.within(end) if b.ask.period else None
        sql = (f"SELECT {what} AS cancelled FROM subscriptions" +
               where(b.cancelled("", churned_word), period))
        checks = [value_check(b, "subscriptions", "status", "cancelled")]

    def answer(r: Result) -> str:
        who = "customers" if per_customer else "subscriptions"
        when = f" in {b.ask.period.label}" if b.ask.period else " so far"
        return f"{number(_first(r))} {who} cancelled (churned){when}."

    return Plan(sql, answer, checks)


def churn_list(b: Build) -> Plan:
    name, end = b.col("customers", "name"), b.col("subscriptions", "end")
    sql = (f"SELECT c.{name} AS company_name, s.{end} AS ended_at FROM customers c "
           f"JOIN subscriptions s ON s.customer_id = c.id"
           + where(b.cancelled("s.", True), b.within(f"s.{end}")) + f" ORDER BY c.{name}")

    def answer(r: Result) -> str:
        names = [str(row[0]) for row in r.rows]
        when = b.ask.period.label if b.ask.period else "the period"
        if not names:
            return f"No customers churned in {when}."
        return f"{len(names)} customers churned in {when}: " + ", ".join(names) + "."

    return Plan(sql, answer, [value_check(b, "subscriptions", "status", "cancelled")],
                limit=b.list_limit())


def list_customers(b: Build) -> Plan:
    name = b.col("customers", "name")
    filters = [_plan_filter(b, "s."), b.active("s.")]
    if b.ask.industry:
        filters.append(f"c.industry = '{b.ask.industry}'")
    sql = (f"SELECT DISTINCT c.{name} AS company_name FROM customers c JOIN subscriptions s "
           f"ON s.customer_id = c.id" + where(*filters) + f" ORDER BY c.{name}")

    def answer(r: Result) -> str:
        names = [str(row[0]) for row in r.rows]
        return f"{len(names)} customers match: " + ", ".join(names) + "."

    return Plan(sql, answer, [history_check()], limit=b.list_limit())


def cancel_reason(b: Build) -> Plan:
    reason = b.col("subscriptions", "reason")
    sql = (f"SELECT {reason} AS cancellation_reason, COUNT(*) AS cancellations FROM subscriptions"
           + where(b.cancelled()) + " GROUP BY 1 ORDER BY cancellations DESC")

    def answer(r: Result) -> str:
        if not r.rows:
            return "I found no cancellation reasons."
        return (f"The most common reason is {r.rows[0][0]} ({number(r.rows[0][1])} "
                "cancellations).\n" + rows_text(r))

    return Plan(sql, answer, [value_check(b, "subscriptions", "status", "cancelled")])


def trial(b: Build) -> Plan:
    # A first guess puts "trial" on subscriptions.status; the policy moves to customers once
    # something says customers.status holds it, or that subscriptions.status does not.
    on_customers = b.values("customers", "status", "trial", TRIAL)
    customers_known = bool(on_customers) and b.uses[
        ("val", "customers", "status", "trial")].source != "prior"
    not_on_subs = b.values("subscriptions", "status", "trial", TRIAL) is None
    use_customers = customers_known or not_on_subs
    wants_mrr = b.ask.variant == "mrr"
    if use_customers:
        status = b.eq("c.status", "customers", "status", "trial", TRIAL)
        if wants_mrr:
            sql = ("SELECT AVG(s.mrr) AS avg_mrr FROM subscriptions s JOIN customers c "
                   f"ON c.id = s.customer_id WHERE {status} AND {active_filter(b, 's.')}")
        else:
            sql = f"SELECT COUNT(*) AS trial_customers FROM customers c WHERE {status}"
        signup = b.col("customers", "signup")
        checks = [value_check(b, "customers", "status", "trial"), Check(
            ("fact", "trials"),
            f"/* check: trial_accounts */ SELECT COUNT(DISTINCT c.id) AS trials, SUM(s.mrr) AS "
            f"mrr, MIN(c.{signup}) AS earliest_signup FROM customers c JOIN subscriptions s ON "
            f"s.customer_id = c.id AND {active_filter(b, 's.')} WHERE {status}")]
    else:
        status = b.eq("status", "subscriptions", "status", "trial", TRIAL)
        what = "AVG(mrr) AS avg_mrr" if wants_mrr else "COUNT(*) AS trials"
        sql = f"SELECT {what} FROM subscriptions WHERE {status}"
        checks = [value_check(b, "subscriptions", "status", "trial")]

    def answer(r: Result) -> str:
        head = (f"A customer on a trial pays {money(_first(r))} MRR on average." if wants_mrr
                else f"{number(_first(r))} customers are on a trial.")
        if b.fact("trials") == "paying":
            head += (" Note: these 'trial' accounts are paying customers with active "
                     "subscriptions (counted in MRR), and trials never convert or expire: "
                     "some have been in trial since 2024.")
        return head

    return Plan(sql, answer, checks)


def churn_rate(b: Build) -> Plan:
    start, end = b.col("subscriptions", "start"), b.col("subscriptions", "end")
    year = (b.ask.period.start[:4] if b.ask.period else "2025")
    period_base = b.fact("churn_rate") == "period_base"
    cancelled = b.cancelled("s.", True)
    if b.ask.variant == "base":
        if period_base:
            sql = (f"WITH base AS (SELECT DISTINCT customer_id FROM subscriptions WHERE {start} "
                   f"< '{year}-01-01' AND ({end} IS NULL OR {end} >= '{year}-01-01')) "
                   "SELECT 100.0 * COUNT(DISTINCT s.customer_id) / (SELECT COUNT(*) FROM base) "
                   "AS churned_pct FROM subscriptions s JOIN base b ON b.customer_id = "
                   f"s.customer_id WHERE {cancelled} AND s.{end} >= '{year}-01-01' AND "
                   f"s.{end} < '{int(year) + 1}-01-01'")
        else:
            sql = ("SELECT 100.0 * SUM(CASE WHEN status = 'churned' THEN 1 ELSE 0 END) / "
                   "COUNT(*) AS churned_pct FROM customers")
    elif period_base and b.sqlite:
        sql = (f"WITH RECURSIVE months(m) AS (SELECT '{year}-01-01' UNION ALL SELECT "
               f"date(m, '+1 month') FROM months WHERE m < '{year}-12-01'), per_month AS ("
               f"SELECT s.plan, months.m, SUM(CASE WHEN s.{start} < months.m AND (s.{end} IS "
               f"NULL OR s.{end} >= months.m) THEN 1 ELSE 0 END) AS at_start, SUM(CASE WHEN "
               f"{cancelled} AND substr(s.{end}, 1, 7) = substr(months.m, 1, 7) THEN 1 ELSE 0 "
               "END) AS cancelled FROM months CROSS JOIN subscriptions s GROUP BY s.plan, "
               "months.m) SELECT plan, AVG(100.0 * cancelled / at_start) AS monthly_churn_pct "
               "FROM per_month GROUP BY plan ORDER BY plan")
    elif period_base:
        sql = (f"WITH months AS (SELECT generate_series(DATE '{year}-01-01', DATE "
               f"'{year}-12-01', INTERVAL '1 month') AS m) SELECT s.plan, AVG(100.0 * "
               f"cancelled / at_start) AS monthly_churn_pct FROM months CROSS JOIN "
               f"subscriptions s WHERE {cancelled} GROUP BY s.plan")
    else:
        sql = (f"SELECT plan, 100.0 * SUM(CASE WHEN {b.cancelled('', True)} THEN 1 ELSE 0 END) "
               "/ COUNT(*) AS churn_pct FROM subscriptions GROUP BY plan ORDER BY plan")
    checks = [value_check(b, "subscriptions", "status", "cancelled"), Check(
        ("fact", "churn_rate"),
        f"/* check: period_base */ SELECT COUNT(*) AS all_rows, SUM(CASE WHEN {start} < "
        f"'{year}-01-01' AND ({end} IS NULL OR {end} >= '{year}-01-01') THEN 1 ELSE 0 END) AS "
        f"running_at_start FROM subscriptions", lambda r: not all_zero(r))]

    def answer(r: Result) -> str:
        if b.ask.variant == "base":
            return (f"{pct(_first(r))} of the customers we had at the start of {year} churned "
                    f"during {year}.")
        how = ("cancellations in each month over subscriptions running at its start, averaged "
               "over the months" if period_base else "cancelled over all subscriptions")
        return f"Churn rate by plan ({how}):\n" + rows_text(r)

    return Plan(sql, answer, checks)


def customers_count(b: Build) -> Plan:
    a = b.ask
    filters: list[str | None] = []
    if a.period:
        filters.append(b.within(b.col("customers", "signup")))
    if a.size:
        norm = a.size.lower().replace(" ", "-")
        filters.append(b.eq("company_size", "customers", "company_size", "size " + norm,
                            (a.size, norm.replace("-", "_"))))
    if a.country:
        options = COUNTRIES.get(a.country.lower(), (a.country,))
        filters.append(b.eq("country", "customers", "country", "country " + options[0],
                            options))
    if a.source:
        filters.append(f"{b.col('customers', 'source')} = '{a.source}'")
    listing = a.wants_list
    name = b.col("customers", "name")
    select = f"SELECT {name} AS company_name FROM customers" if listing else \
        "SELECT COUNT(*) AS customers FROM customers"
    sql = select + where(*filters)
    checks = []
    if a.size:
        checks.append(value_check(b, "customers", "company_size",
                                  "size " + a.size.lower().replace(" ", "-")))
    if a.country:
        checks.append(value_check(b, "customers", "country", "country " +
                                  COUNTRIES.get(a.country.lower(), (a.country,))[0]))
    if a.period and a.period.relative:
        checks.append(date_range_check("customers", b.col("customers", "signup")))

    def answer(r: Result) -> str:
        when = f" in {a.period.label}" if a.period else ""
        if listing:
            names = [str(row[0]) for row in r.rows]
            text = (f"No customers signed up{when}." if not names else
                    f"{len(names)} customers{when}: " + ", ".join(names) + ".")
        else:
            n = _first(r)
            text = (f"No customers signed up{when}." if a.period and a.period.relative
                    and not n else f"{number(n)} customers{when}.")
        return text + (data_end_note(b) if a.period and a.period.relative else "")

    return Plan(sql, answer, checks, limit=b.list_limit() if listing else None)


REVENUE_TEMPLATES = {
    "active_subs": active_subs, "seats": seats, "customers_on_plan": customers_on_plan,
    "mrr_total": mrr_total, "mrr_by_plan": mrr_by_plan, "arpa": arpa,
    "revenue_by_source": revenue_by_source, "enterprise": enterprise, "churn_count": churn_count,
    "churn_list": churn_list, "list_customers": list_customers, "cancel_reason": cancel_reason,
    "trial": trial, "churn_rate": churn_rate, "customers_count": customers_count,
}
