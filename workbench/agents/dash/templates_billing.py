"""SQL templates for invoices and billing: annual plans, paid revenue, refunds, failures.

Same contract as :mod:`workbench.agents.dash.templates_revenue`: one function per intent,
returning the :class:`~workbench.agents.dash.build.Plan` to run now.
"""

from __future__ import annotations

from workbench.agents.dash.answers import (
    data_end_note,
    date_range_check,
    money,
    number,
    pct,
    rows_text,
    value_check,
)
from workbench.agents.dash.build import Build, Check, Plan, where
from workbench.agents.dash.sqltext import Result

__all__ = ["BILLING_TEMPLATES"]


def _first(result: Result) -> float | None:
    return result.rows[0][0] if result.rows and result.rows[0] else None


def _paid(b: Build, alias: str = "") -> str:
    return b.eq(f"{alias}status", "invoices", "status", "paid", ("paid",))


def _annual_note(b: Build) -> str:
    if b.fact("annual_timing") == "anniversary":
        return (" Annual plans are invoiced once a year on the signup anniversary (first 12 "
                "months after signup, at mrr x 12 x 0.9), so there are no annual invoices in "
                "2024.")
    return ""


def annual(b: Build) -> Plan:
    date, start = b.col("invoices", "date"), b.col("subscriptions", "start")
    join = ("FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id "
            "WHERE s.billing_cycle = 'annual'")
    timing = Check(("fact", "annual_timing"),
                   f"/* check: annual_invoices */ SELECT MIN(s.{start}) AS first_annual_start, "
                   f"MIN(i.{date}) AS first_annual_invoice FROM subscriptions s LEFT JOIN "
                   "invoices i ON i.subscription_id = s.id WHERE s.billing_cycle = 'annual'")
    if b.ask.variant == "avg_invoice":
        sql = f"SELECT AVG(i.amount) AS avg_invoice {join}"
        return Plan(sql, lambda r: f"An annual-billed invoice averages {money(_first(r))}; it "
                    "bills 12 months at once." + _annual_note(b), [timing])
    paid = _paid(b, "i.")
    if b.ask.period and len(b.ask.years) <= 1:
        sql = f"SELECT COALESCE(SUM(i.amount), 0) AS paid {join} AND {paid} AND " + \
              b.within(f"i.{date}")
        return Plan(sql, lambda r: f"Annual-billed customers paid {money(_first(r))} in "
                                   f"{b.ask.period.label}." + _annual_note(b), [timing])
    years = b.ask.years
    if years and b.fact("annual_timing") == "anniversary":
        values = ", ".join(f"('{y}')" for y in years)
        sql = (f"WITH years(year) AS (VALUES {values}) SELECT y.year, COALESCE((SELECT "
               f"SUM(i.amount) {join} AND {paid} AND {b.year(f'i.{date}')} = y.year), 0) AS "
               "paid FROM years y ORDER BY y.year")
    else:
        sql = f"SELECT {b.year(f'i.{date}')} AS year, SUM(i.amount) AS paid {join} AND {paid} " \
              "GROUP BY 1 ORDER BY 1"

    def answer(r: Result) -> str:
        found = {str(row[0])[:4]: row[1] for row in r.rows}
        shown = list(years) or sorted(found)
        parts = [f"{y}: {money(found.get(y))}" for y in shown]
        return "Cash paid by annual-plan customers (paid invoices) - " + "; ".join(parts) + \
            "." + _annual_note(b)

    return Plan(sql, answer, [timing])


def paid_by_year(b: Build) -> Plan:
    date = b.col("invoices", "date")
    sql = (f"SELECT {b.year(date)} AS year, SUM(amount) AS paid FROM invoices"
           + where(_paid(b)) + " GROUP BY 1 ORDER BY 1")
    return Plan(sql, lambda r: "Paid invoice revenue by year of issue:\n" + rows_text(r)
                + _annual_note(b), [])


def revenue_window(b: Build) -> Plan:
    collected = "collect" in b.ask.question.lower()
    column = "paid_at" if collected else b.col("invoices", "date")
    sql = "SELECT SUM(amount) AS paid FROM invoices" + where(_paid(b), b.within(column))
    checks = []
    if b.ask.period and b.ask.period.relative:
        checks.append(date_range_check("invoices", b.col("invoices", "date")))

    def answer(r: Result) -> str:
        label = b.ask.period.label if b.ask.period else "that period"
        if not _first(r):
            return f"No revenue was collected in {label}." + data_end_note(b)
        return f"Paid invoice revenue in {label}: {money(_first(r))}."

    return Plan(sql, answer, checks)


def invoice_count(b: Build) -> Plan:
    date = b.col("invoices", "date")
    sql = "SELECT COUNT(*) AS invoices FROM invoices" + where(b.within(date))
    label = b.ask.period.label if b.ask.period else "total"
    return Plan(sql, lambda r: f"We issued {number(_first(r))} invoices in {label}.", [])


def refunds(b: Build) -> Plan:
    status = b.eq("status", "invoices", "status", "refunded", ("refunded",))
    known_null = b.fact("refund_paid_at") == "null"
    date = b.col("invoices", "date")
    if b.ask.variant == "days":
        sql = (f"SELECT AVG({b.days('paid_at', date)}) AS avg_days_to_pay, COUNT(*) AS refunds "
               f"FROM invoices WHERE {status}")
    elif known_null:
        sql = f"SELECT SUM(amount) AS refunded, COUNT(*) AS refunds FROM invoices WHERE {status}"
    else:
        sql = ("SELECT SUM(amount) AS refunded, COUNT(*) AS refunds, MIN(paid_at) AS first_paid, "
               f"MAX(paid_at) AS last_paid FROM invoices WHERE {status}")
    check = Check(("fact", "refund_paid_at"),
                  "/* check: refund_paid_at */ SELECT COUNT(*) AS refunded, COUNT(paid_at) AS "
                  f"with_paid_at FROM invoices WHERE {status}",
                  lambda r: any(v is None for row in r.rows for v in row))

    def answer(r: Result) -> str:
        null = b.fact("refund_paid_at") == "null"
        row = r.rows[0] if r.rows else (None, None)
        if b.ask.variant == "days":
            if null or row[0] is None:
                return ("None of the refunded invoices has a payment date: paid_at is NULL on "
                        "every refunded invoice, so the days to payment cannot be computed.")
            return f"Refunded invoices were paid {number(row[0])} days after issue on average."
        text = f"We refunded {money(row[0])} across {number(row[1])} invoices."
        if null:
            text += (" When they were paid out is not recorded: paid_at is NULL on every "
                     "refunded invoice.")
        elif len(row) > 3:
            text += f" Payments ran from {row[2]} to {row[3]}."
        return text

    return Plan(sql, answer, [check])


def failure_rate(b: Build) -> Plan:
    failed = b.eq("status", "invoices", "status", "failed", ("failed",))
    sql = (f"SELECT 100.0 * SUM(CASE WHEN {failed} THEN 1 ELSE 0 END) / COUNT(*) AS "
           "failure_rate_pct, COUNT(*) AS invoices FROM invoices")
    return Plan(sql, lambda r: f"The payment failure rate is {pct(_first(r))} of invoices.",
                [value_check(b, "invoices", "status", "failed")])


BILLING_TEMPLATES = {
    "annual": annual, "paid_by_year": paid_by_year, "revenue_window": revenue_window,
    "invoice_count": invoice_count, "refunds": refunds, "failure_rate": failure_rate,
}
