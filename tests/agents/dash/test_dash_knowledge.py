"""The documented semantic model: complete, loadable, and wrong in the planted places."""

from __future__ import annotations

import sqlite3

import pytest

from workbench.agents.dash.database import QueryError, run_query
from workbench.agents.dash.knowledge import (
    TABLE_NAMES,
    load_business_context,
    load_table_docs,
    load_validated_queries,
)
from workbench.agents.dash.questions import load_questions

DOCS = load_table_docs()


def documented(table: str, column: str) -> dict:
    return next(c for c in DOCS[table]["columns"] if c["name"] == column)


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_table_docs_cover_the_physical_columns(dash_conn: sqlite3.Connection, table: str) -> None:
    doc = DOCS[table]
    physical = {r[1] for r in dash_conn.execute(f"PRAGMA table_info({table})")}
    assert doc["table_name"] == table and doc["description"]
    assert {c["name"] for c in doc["columns"]} == physical
    assert all(c["type"] and c["description"] for c in doc["columns"])
    assert doc["use_cases"]
    assert 3 <= len(doc["data_quality_notes"]) <= 5


def test_documented_types_differ_from_physical(dash_conn: sqlite3.Connection) -> None:
    """G1: the docs promise SERIAL keys, NUMERIC money and INTEGER scores; the file has none."""
    physical = {(t, r[1]): r[2] for t in TABLE_NAMES
                for r in dash_conn.execute(f"PRAGMA table_info({t})")}
    assert documented("subscriptions", "mrr")["type"] == "NUMERIC(10,2)"
    assert physical[("subscriptions", "mrr")] == "DOUBLE PRECISION"
    assert documented("invoices", "amount")["type"] == "NUMERIC(10,2)"
    assert documented("support_tickets", "satisfaction_score")["type"] == "INTEGER"
    assert physical[("support_tickets", "satisfaction_score")] == "DOUBLE PRECISION"
    assert documented("usage_metrics", "storage_mb")["type"] == "INTEGER"
    assert all(documented(t, "id")["type"] == "SERIAL" for t in TABLE_NAMES)
    assert all(physical[(t, "id")] == "BIGINT" for t in TABLE_NAMES)


def test_planted_documentation_mistakes() -> None:
    assert "cumulative" in documented("usage_metrics", "storage_mb")["description"].lower()
    paid_at = documented("invoices", "paid_at")["description"].lower()
    assert "pending" in paid_at and "failed" in paid_at and "refund" not in paid_at
    business = load_business_context()
    assert set(business) == {"metrics", "business_rules", "common_gotchas"}
    assert len(business["metrics"]) == 8 and len(business["common_gotchas"]) == 5
    mrr = next(m for m in business["metrics"] if m["name"].startswith("MRR"))
    assert "status = 'active'" in mrr["calculation"] and "trial" not in str(mrr).lower()
    churn = next(m for m in business["metrics"] if m["name"] == "Churn rate")
    assert "/ COUNT(*)" in churn["calculation"]  # denominator includes upgraded/downgraded rows
    assert any(r.startswith("Enterprise") and "plan" not in r and "size" not in r
               for r in business["business_rules"])
    health = next(m for m in business["metrics"] if m["name"] == "Usage health score")
    assert "CURRENT_DATE" in health["calculation"]


def test_validated_queries_are_postgres_and_several_fail_on_sqlite(
        dash_conn: sqlite3.Connection) -> None:
    queries = load_validated_queries()
    assert [q.name for q in queries] == [
        "current_mrr", "mrr_by_plan", "monthly_mrr_trend", "churn_rate_by_plan",
        "cohort_retention", "revenue_by_source", "at_risk_customers", "net_revenue_retention",
        "cancellation_reasons", "support_quality"]
    assert all(q.question and q.summary and q.sql.rstrip().endswith(";") for q in queries)
    failures = {}
    for q in queries:
        try:
            run_query(dash_conn, q.sql, max_rows=None)
        except QueryError as exc:
            failures[q.name] = exc.kind
    assert set(failures) == {"monthly_mrr_trend", "cohort_retention", "at_risk_customers",
                             "net_revenue_retention", "support_quality"}
    assert set(failures.values()) == {"syntax"}
    at_risk = next(q for q in queries if q.name == "at_risk_customers")
    assert "CURRENT_DATE" in at_risk.sql and "INTERVAL" in at_risk.sql


def test_documented_churn_pattern_is_the_known_wrong_churn_answer(
        dash_conn: sqlite3.Connection) -> None:
    """Following the validated churn pattern reproduces the trap value stored for D14."""
    pattern = next(q for q in load_validated_queries() if q.name == "churn_rate_by_plan")
    rows = run_query(dash_conn, pattern.sql, max_rows=None).rows
    d14 = next(q for q in load_questions() if q.id == "D14")
    trap = next(v for v in d14.known_wrong if v.id == "lifetime_row_ratio").value
    assert {plan: pct for plan, _c, _t, pct in rows} == {
        plan: round(v, 1) for plan, v in trap.items()}
