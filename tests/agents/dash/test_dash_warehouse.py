"""The generator: determinism, caching, physical schema and every gotcha mechanism."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from workbench.agents.dash import warehouse
from workbench.agents.dash.warehouse import (
    GENERATOR_VERSION,
    build_warehouse,
    ensure_warehouse,
    file_sha256,
)

# The upstream physical column order, written out independently of warehouse.SCHEMA.
PHYSICAL_COLUMNS = {
    "customers": ["id", "company_name", "industry", "company_size", "country", "signup_date",
                  "source", "status"],
    "subscriptions": ["id", "customer_id", "plan", "mrr", "seats", "billing_cycle", "started_at",
                      "ended_at", "status", "cancellation_reason"],
    "plan_changes": ["customer_id", "previous_plan", "new_plan", "previous_mrr", "new_mrr",
                     "change_type", "changed_at", "id"],
    "invoices": ["id", "customer_id", "subscription_id", "amount", "currency", "status",
                 "issued_at", "paid_at", "period_start", "period_end"],
    "usage_metrics": ["customer_id", "metric_date", "api_calls", "active_users", "storage_mb",
                      "reports_generated", "integrations_active", "id"],
    "support_tickets": ["id", "customer_id", "priority", "category", "status", "created_at",
                        "resolved_at", "satisfaction_score"],
}


def one(conn: sqlite3.Connection, sql: str):
    return conn.execute(sql).fetchone()[0]


def column(conn: sqlite3.Connection, sql: str) -> list:
    return [r[0] for r in conn.execute(sql).fetchall()]


# -- determinism and caching ------------------------------------------------------------------

def test_same_seed_gives_identical_bytes(tmp_path: Path, dash_warehouse: Path) -> None:
    again = build_warehouse(tmp_path / "again.sqlite", seed=42)
    assert file_sha256(again) == file_sha256(dash_warehouse)


def test_different_seed_gives_different_data(tmp_path: Path, dash_warehouse: Path) -> None:
    other = build_warehouse(tmp_path / "seed7.sqlite", seed=7)
    assert file_sha256(other) != file_sha256(dash_warehouse)
    conn = sqlite3.connect(other)
    try:
        assert one(conn, "SELECT COUNT(*) FROM customers") == 888  # the curve is fixed
        assert one(conn, "SELECT COUNT(*) FROM usage_metrics") > 0
    finally:
        conn.close()


def test_generation_is_fast(tmp_path: Path) -> None:
    started = time.perf_counter()
    build_warehouse(tmp_path / "timed.sqlite")
    assert time.perf_counter() - started < 5.0


def test_build_replaces_existing_file_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "dash.sqlite"
    target.write_text("not a database")
    build_warehouse(target)
    conn = sqlite3.connect(target)
    try:
        assert one(conn, "SELECT COUNT(*) FROM customers") == 888
    finally:
        conn.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dash.sqlite"]


def test_ensure_warehouse_builds_once_per_seed_and_version(tmp_path: Path) -> None:
    first = ensure_warehouse(tmp_path, seed=42)
    assert first.parent == tmp_path
    assert f"g{GENERATOR_VERSION}" in first.name and "s42" in first.name
    stamp = first.stat().st_mtime_ns
    assert ensure_warehouse(tmp_path, seed=42) == first
    assert first.stat().st_mtime_ns == stamp  # reused, not rebuilt
    assert ensure_warehouse(tmp_path, seed=43) != first


def test_ensure_warehouse_ignores_a_cache_from_another_generator_version(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = ensure_warehouse(tmp_path)
    monkeypatch.setattr(warehouse, "GENERATOR_VERSION", GENERATOR_VERSION + 1)
    assert ensure_warehouse(tmp_path) != old


def test_cli_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.sqlite"
    assert warehouse.main(["--out", str(out), "--seed", "42"]) == 0
    printed = capsys.readouterr().out
    assert out.is_file() and "sha256=" in printed and "customers" in printed


# -- physical schema ----------------------------------------------------------------------------

@pytest.mark.parametrize("table", list(PHYSICAL_COLUMNS))
def test_physical_columns_in_upstream_order_without_keys(dash_conn: sqlite3.Connection,
                                                         table: str) -> None:
    info = dash_conn.execute(f"PRAGMA table_info({table})").fetchall()
    assert [r[1] for r in info] == PHYSICAL_COLUMNS[table]
    assert all(r[5] == 0 for r in info), "no primary keys"
    assert column(dash_conn, f"SELECT name FROM sqlite_master WHERE type = 'index' "
                             f"AND tbl_name = '{table}'") == []


def test_storage_classes(dash_conn: sqlite3.Connection) -> None:
    types = dash_conn.execute(
        "SELECT typeof(id), typeof(mrr), typeof(started_at), typeof(seats) FROM subscriptions "
        "GROUP BY 1, 2, 3, 4").fetchall()
    assert types == [("integer", "real", "text", "integer")]
    assert column(dash_conn, "SELECT DISTINCT typeof(signup_date) FROM customers") == ["text"]
    assert column(dash_conn, "SELECT DISTINCT typeof(satisfaction_score) FROM support_tickets "
                             "WHERE satisfaction_score IS NOT NULL") == ["real"]
    assert column(dash_conn, "SELECT DISTINCT typeof(storage_mb) FROM usage_metrics") == ["real"]


def test_row_counts_in_expected_ranges(dash_conn: sqlite3.Connection) -> None:
    counts = {t: one(dash_conn, f"SELECT COUNT(*) FROM {t}") for t in PHYSICAL_COLUMNS}
    assert counts["customers"] == 315 + 573
    assert 950 <= counts["subscriptions"] <= 1100
    assert 350 <= counts["plan_changes"] <= 520
    assert 3300 <= counts["invoices"] <= 4400
    assert 21_000 <= counts["usage_metrics"] <= 25_500
    assert 550 <= counts["support_tickets"] <= 760


def test_dates_and_timestamps_are_iso_text_at_midnight(dash_conn: sqlite3.Connection) -> None:
    """G14: every timestamp is a date at 00:00:00."""
    for table, col in [("subscriptions", "started_at"), ("subscriptions", "ended_at"),
                       ("plan_changes", "changed_at"), ("invoices", "issued_at"),
                       ("invoices", "paid_at"), ("support_tickets", "created_at"),
                       ("support_tickets", "resolved_at")]:
        bad = one(dash_conn, f"SELECT COUNT(*) FROM {table} WHERE {col} IS NOT NULL "
                             f"AND {col} NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] 00:00:00'")
        assert bad == 0, (table, col)
    assert one(dash_conn, "SELECT COUNT(*) FROM customers "
                          "WHERE signup_date NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'") == 0


def test_value_domains_are_lowercase_upstream_enums(dash_conn: sqlite3.Connection) -> None:
    """G18: exact spellings an agent has to match."""
    def values(sql: str) -> set:
        return set(column(dash_conn, sql))

    assert values("SELECT DISTINCT company_size FROM customers") == {
        "startup", "smb", "mid_market", "enterprise"}
    assert values("SELECT DISTINCT country FROM customers") == {
        "US", "UK", "DE", "CA", "AU", "FR", "IN"}
    assert values("SELECT DISTINCT status FROM customers") == {"active", "trial", "churned"}
    assert values("SELECT DISTINCT plan FROM subscriptions") == {
        "starter", "professional", "business", "enterprise"}
    assert values("SELECT DISTINCT status FROM subscriptions") == {
        "active", "cancelled", "upgraded", "downgraded"}
    assert values("SELECT DISTINCT change_type FROM plan_changes") == {
        "upgrade", "downgrade", "cancellation"}
    assert values("SELECT DISTINCT status FROM invoices") == {
        "paid", "pending", "failed", "refunded"}
    assert values("SELECT DISTINCT currency FROM invoices") == {"USD"}
    assert values("SELECT DISTINCT status FROM support_tickets") == {
        "open", "in_progress", "resolved", "closed"}
    assert values("SELECT DISTINCT category FROM support_tickets") == {
        "billing", "technical", "feature_request", "onboarding"}


def test_every_foreign_key_resolves(dash_conn: sqlite3.Connection) -> None:
    for table in ("subscriptions", "plan_changes", "invoices", "usage_metrics", "support_tickets"):
        assert one(dash_conn, f"SELECT COUNT(*) FROM {table} "
                              f"WHERE customer_id NOT IN (SELECT id FROM customers)") == 0
    assert one(dash_conn, "SELECT COUNT(*) FROM invoices "
                          "WHERE subscription_id NOT IN (SELECT id FROM subscriptions)") == 0
