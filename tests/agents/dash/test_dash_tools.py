"""Dash's tools (run_sql, introspect_schema, search_knowledge, save_validated_query) and the
context levels that decide what the instructions hold."""

from __future__ import annotations

import pytest

from workbench.agent.tools import Tool
from workbench.agents.dash.agent import instructions
from workbench.agents.dash.context import CONTEXT_LEVELS, check_level, knowledge_docs
from workbench.agents.dash.sqltext import parse_result, tables_in
from workbench.agents.dash.tools import KnowledgeIndex, SavedQueries, check_select, make_tools
from workbench.errors import ConfigError, ToolError


@pytest.fixture(scope="module")
def tools(dash_conn):
    index = KnowledgeIndex(knowledge_docs("queries"), "hashing")
    saved = SavedQueries()
    return {t.__name__: Tool(t) for t in make_tools(dash_conn, index=index, saved=saved)}, saved


def run(tools, tool, **args):
    return tools[0][tool].invoke(args)


def test_run_sql_returns_rows_count_and_truncation(tools):
    out = run(tools, "run_sql", query="SELECT status, COUNT(*) AS n FROM subscriptions "
                                       "GROUP BY status ORDER BY n DESC")
    assert out.error is None
    result = parse_result(out.content)
    assert result.columns == ["status", "n"]
    assert result.rows[0] == ("active", 546.0) and result.row_count == 4
    assert not result.truncated
    cut = parse_result(run(tools, "run_sql", query="SELECT id FROM customers").content)
    assert cut.row_count == 10 and cut.truncated and cut.limit == 10
    full = parse_result(run(tools, "run_sql", query="SELECT id FROM customers", limit=1000).content)
    assert full.row_count == 888 and not full.truncated


def test_run_sql_errors_keep_sqlites_words_and_writes_are_refused(tools):
    missing = run(tools, "run_sql", query="SELECT invoice_date FROM invoices")
    assert missing.error and "no such column: invoice_date" in missing.content
    assert missing.content.startswith("Error: ") and "Error: Error" not in missing.content
    dialect = run(tools, "run_sql", query="SELECT DATE_TRUNC('month', signup_date) FROM customers")
    assert "no such function: DATE_TRUNC" in dialect.content
    for write in ("DELETE FROM invoices", "DROP TABLE customers",
                  "UPDATE customers SET status = 'x'"):
        refused = run(tools, "run_sql", query=write)
        assert refused.error and "read-only" in refused.content
    assert parse_result(run(tools, "run_sql", query="SELECT COUNT(*) FROM invoices").content
                        ).rows == [(3662.0,)]


def test_introspect_schema_lists_tables_then_columns_and_values(tools):
    overview = run(tools, "introspect_schema").content
    assert "SQLite" in overview and "customers (888 rows)" in overview
    detail = run(tools, "introspect_schema", table="subscriptions").content
    assert "- ended_at TIMESTAMP" in detail
    assert "values: 'active' (546), 'cancelled' (342)" in detail
    unknown = run(tools, "introspect_schema", table="orders")
    assert unknown.error and "customers" in unknown.content


def test_search_knowledge_covers_the_curated_docs(tools):
    out = run(tools, "search_knowledge", query="validated query for the churn rate per plan")
    assert out.error is None and "[" in out.content
    assert "churn_rate_by_plan" in out.content or "Churn" in out.content


def test_save_validated_query_accepts_one_select_and_makes_it_searchable(tools):
    ok = run(tools, "save_validated_query", name="active_mrr", question="What is MRR?",
             query="SELECT SUM(mrr) FROM subscriptions WHERE status = 'active';")
    assert ok.error is None and "active_mrr" in ok.content
    assert tools[1].items[-1]["query"].endswith("'active'")
    assert "saved:active_mrr" in run(tools, "search_knowledge", query="What is MRR?",
                                     limit=20).content
    for bad in ("DELETE FROM invoices", "SELECT 1; SELECT 2", "SELECT nope FROM nowhere"):
        assert run(tools, "save_validated_query", name="x", question="q", query=bad).error
    assert check_select("WITH a AS (SELECT 1) SELECT * FROM a") .startswith("WITH")
    with pytest.raises(ToolError):
        check_select("PRAGMA table_info(customers)")


def test_context_levels_change_what_the_instructions_hold():
    names, semantic = instructions("names"), instructions("semantic")
    rules, queries = instructions("rules"), instructions("queries")
    assert "Today is 2026-04-15." in names
    assert "Tables: customers, subscriptions" in names and "- status (" not in names
    assert "- status (VARCHAR(20)): active, cancelled, upgraded or downgraded." in semantic
    assert "### Metrics" not in semantic and "### Metrics" in rules
    assert "-- name: current_mrr" in queries and "-- name:" not in rules
    assert "search_knowledge" not in names and "search_knowledge" in semantic
    assert len(knowledge_docs("names")) == 0 < len(knowledge_docs("semantic")) < len(
        knowledge_docs("queries"))
    assert set(CONTEXT_LEVELS) == {"names", "semantic", "rules", "queries"}
    with pytest.raises(ConfigError):
        check_level("everything")


def test_tables_in_resolves_aliases():
    sql = "SELECT c.channel FROM customers c JOIN subscriptions s ON s.customer_id = c.id"
    assert tables_in(sql, "channel") == ["customers"]
    assert tables_in("SELECT x FROM invoices WHERE y = 1", "x") == ["invoices"]
