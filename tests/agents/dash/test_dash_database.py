"""Read-only enforcement by the engine, row caps, timeouts and error classification."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from workbench.agents.dash.database import (
    DEFAULT_MAX_ROWS,
    QueryError,
    open_readonly,
    run_query,
)
from workbench.agents.dash.warehouse import file_sha256
from workbench.errors import ToolError

WRITES = [
    "INSERT INTO customers (id, company_name) VALUES (9999, 'Intruder')",
    "UPDATE customers SET status = 'active'",
    "DELETE FROM invoices",
    "CREATE TABLE scratch (a INTEGER)",
    "CREATE TEMP TABLE scratch (a INTEGER)",
    "CREATE VIEW v AS SELECT 1",
    "CREATE INDEX ix ON customers (id)",
    "DROP TABLE customers",
    "ALTER TABLE customers ADD COLUMN x TEXT",
    "ATTACH DATABASE ':memory:' AS other",
    "ATTACH 'x.db' AS y",
    "DETACH DATABASE main",
    "PRAGMA query_only = OFF",
    "PRAGMA writable_schema = ON",
    "PRAGMA journal_mode = WAL",
    "BEGIN IMMEDIATE",
    "ANALYZE",
    "VACUUM",
]


@pytest.fixture()
def conn(dash_warehouse: Path):
    c = open_readonly(dash_warehouse)
    yield c
    c.close()


@pytest.mark.parametrize("sql", WRITES)
def test_engine_refuses_every_write_and_escape(conn: sqlite3.Connection, sql: str) -> None:
    # Straight through sqlite3, no wrapper: the refusal comes from the database engine.
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute(sql)
    with pytest.raises(QueryError) as info:
        run_query(conn, sql)
    assert info.value.kind == "not_authorized"
    assert info.value.sqlite_message  # sqlite's own words are kept
    assert str(info.value).startswith("Error: ")


def test_nothing_changes_on_disk(dash_warehouse: Path, conn: sqlite3.Connection) -> None:
    before = file_sha256(dash_warehouse)
    for sql in WRITES:
        with pytest.raises(QueryError):
            run_query(conn, sql)
    assert run_query(conn, "SELECT COUNT(*) FROM customers").rows == [(888,)]
    assert file_sha256(dash_warehouse) == before


def test_query_only_and_ro_uri_hold_without_the_authorizer(conn: sqlite3.Connection) -> None:
    conn.set_authorizer(None)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("INSERT INTO customers (id) VALUES (1)")
    conn.execute("PRAGMA query_only = OFF")  # even with query_only gone, mode=ro remains
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM customers")


def test_select_with_and_introspection_work(conn: sqlite3.Connection) -> None:
    assert run_query(conn, "SELECT COUNT(*) AS n FROM customers").rows == [(888,)]
    res = run_query(conn, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r "
                          "WHERE n < 3) SELECT n FROM r")
    assert res.columns == ["n"] and res.rows == [(1,), (2,), (3,)]
    info = run_query(conn, "PRAGMA table_info(invoices)", max_rows=None)
    assert [r[1] for r in info.rows][:4] == ["id", "customer_id", "subscription_id", "amount"]
    tables = run_query(conn, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                       max_rows=None)
    assert len(tables.rows) == 6


def test_one_statement_per_call(conn: sqlite3.Connection) -> None:
    with pytest.raises(QueryError) as info:
        run_query(conn, "SELECT 1; SELECT 2")
    assert info.value.kind == "multiple_statements"
    assert "one" in str(info.value)
    with pytest.raises(QueryError):
        run_query(conn, "SELECT 1; DROP TABLE customers")
    assert run_query(conn, "SELECT 1;").rows == [(1,)]  # a trailing semicolon is fine


def test_row_cap_and_truncated_flag(conn: sqlite3.Connection) -> None:
    capped = run_query(conn, "SELECT id FROM customers ORDER BY id")
    assert DEFAULT_MAX_ROWS == 10
    assert capped.row_count == 10 and capped.truncated
    assert capped.rows[0] == (1,)
    exact = run_query(conn, "SELECT id FROM customers ORDER BY id LIMIT 10")
    assert exact.row_count == 10 and not exact.truncated
    everything = run_query(conn, "SELECT id FROM customers", max_rows=None)
    assert everything.row_count == 888 and not everything.truncated
    assert "more" in capped.as_text() and "(0 rows)" in run_query(
        conn, "SELECT id FROM customers WHERE id < 0").as_text()


def test_timeout_interrupts_a_runaway_statement(conn: sqlite3.Connection) -> None:
    with pytest.raises(QueryError) as info:
        run_query(conn, "SELECT COUNT(*) FROM usage_metrics a, usage_metrics b",
                  timeout_s=0.2)
    assert info.value.kind == "timeout"
    # the connection stays usable and the handler is cleared afterwards
    assert run_query(conn, "SELECT 1").rows == [(1,)]


@pytest.mark.parametrize(("sql", "kind", "fragment"), [
    ("SELECT DATE_TRUNC('month', signup_date) FROM customers", "no_such_function", "DATE_TRUNC"),
    ("SELECT ROUND(AVG(mrr)::numeric, 2) FROM subscriptions", "syntax", "unrecognized token"),
    ("SELECT EXTRACT(YEAR FROM signup_date) FROM customers", "syntax", "syntax error"),
    ("SELECT * FROM invoices WHERE issued_at > CURRENT_DATE - INTERVAL '30 days'", "syntax",
     "syntax error"),
    ("SELECT invoice_date FROM invoices", "no_such_column", "invoice_date"),
    ("SELECT * FROM customer", "no_such_table", "customer"),
])
def test_errors_are_classified_with_sqlite_wording(conn: sqlite3.Connection, sql: str,
                                                   kind: str, fragment: str) -> None:
    with pytest.raises(QueryError) as info:
        run_query(conn, sql)
    assert info.value.kind == kind
    assert fragment in info.value.sqlite_message
    assert isinstance(info.value, ToolError) and info.value.code == "sql_error"


def test_open_readonly_never_creates_a_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite"
    with pytest.raises(FileNotFoundError):
        open_readonly(missing)
    assert not missing.exists()


def test_paths_with_spaces_and_symbols(tmp_path: Path, dash_warehouse: Path) -> None:
    odd = tmp_path / "a dir #1?" / "dash warehouse.sqlite"
    odd.parent.mkdir()
    odd.write_bytes(dash_warehouse.read_bytes())
    c = open_readonly(odd)
    try:
        assert run_query(c, "SELECT COUNT(*) FROM customers").rows == [(888,)]
    finally:
        c.close()
