"""The Dash warehouse: a seeded, byte-for-byte reproducible SQLite file of a small SaaS company.

Six tables (customers, subscriptions, plan_changes, invoices, usage_metrics, support_tickets)
cover January 2024 to December 2025. Column names and order follow the physical tables of the
upstream Dash demo (``id`` last in plan_changes and usage_metrics, no primary keys), and the
declared types are the physical ones (BIGINT, DOUBLE PRECISION, DATE, TIMESTAMP), which is what
``PRAGMA table_info`` shows an agent. Storage in SQLite: dates are ``'YYYY-MM-DD'`` text,
timestamps ``'YYYY-MM-DD 00:00:00'`` text, money REAL.

    python -m workbench.agents.dash.warehouse --out /tmp/dash.sqlite --seed 42
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from workbench.agents.dash._generate import WarehouseRows, generate_rows

__all__ = [
    "DATA_END",
    "DATA_START",
    "DEFAULT_SEED",
    "GENERATOR_VERSION",
    "SCHEMA",
    "build_warehouse",
    "ensure_warehouse",
    "file_sha256",
    "generate_rows",
    "main",
    "warehouse_filename",
]

# Bump whenever a change to the generator or the file layout changes any byte of the output,
# so cached warehouses built by an older generator are never reused.
GENERATOR_VERSION = 1
DEFAULT_SEED = 42
DATA_START = "2024-01-01"
DATA_END = "2025-12-31"
_PAGE_SIZE = 4096

# Physical schema: (column, declared type) in physical order. The declared names give SQLite
# the right affinities (BIGINT -> INTEGER, DOUBLE PRECISION -> REAL, DATE/TIMESTAMP -> NUMERIC,
# which keeps ISO text as text) and match what the upstream Postgres load produced.
SCHEMA: dict[str, tuple[tuple[str, str], ...]] = {
    "customers": (
        ("id", "BIGINT"), ("company_name", "TEXT"), ("industry", "TEXT"),
        ("company_size", "TEXT"), ("country", "TEXT"), ("signup_date", "DATE"),
        ("source", "TEXT"), ("status", "TEXT"),
    ),
    "subscriptions": (
        ("id", "BIGINT"), ("customer_id", "BIGINT"), ("plan", "TEXT"),
        ("mrr", "DOUBLE PRECISION"), ("seats", "BIGINT"), ("billing_cycle", "TEXT"),
        ("started_at", "TIMESTAMP"), ("ended_at", "TIMESTAMP"), ("status", "TEXT"),
        ("cancellation_reason", "TEXT"),
    ),
    "plan_changes": (
        ("customer_id", "BIGINT"), ("previous_plan", "TEXT"), ("new_plan", "TEXT"),
        ("previous_mrr", "DOUBLE PRECISION"), ("new_mrr", "DOUBLE PRECISION"),
        ("change_type", "TEXT"), ("changed_at", "TIMESTAMP"), ("id", "BIGINT"),
    ),
    "invoices": (
        ("id", "BIGINT"), ("customer_id", "BIGINT"), ("subscription_id", "BIGINT"),
        ("amount", "DOUBLE PRECISION"), ("currency", "TEXT"), ("status", "TEXT"),
        ("issued_at", "TIMESTAMP"), ("paid_at", "TIMESTAMP"), ("period_start", "DATE"),
        ("period_end", "DATE"),
    ),
    "usage_metrics": (
        ("customer_id", "BIGINT"), ("metric_date", "DATE"), ("api_calls", "BIGINT"),
        ("active_users", "BIGINT"), ("storage_mb", "DOUBLE PRECISION"),
        ("reports_generated", "BIGINT"), ("integrations_active", "BIGINT"), ("id", "BIGINT"),
    ),
    "support_tickets": (
        ("id", "BIGINT"), ("customer_id", "BIGINT"), ("priority", "TEXT"), ("category", "TEXT"),
        ("status", "TEXT"), ("created_at", "TIMESTAMP"), ("resolved_at", "TIMESTAMP"),
        ("satisfaction_score", "DOUBLE PRECISION"),
    ),
}


def _write(conn: sqlite3.Connection, rows: WarehouseRows) -> None:
    # Settings that change the file's bytes are pinned instead of inherited from the build.
    conn.execute(f"PRAGMA page_size = {_PAGE_SIZE}")
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA auto_vacuum = NONE")
    conn.execute("PRAGMA encoding = 'UTF-8'")
    conn.execute(f"PRAGMA user_version = {GENERATOR_VERSION}")
    with conn:
        for table, columns in SCHEMA.items():
            cols = ", ".join(f"{name} {decl}" for name, decl in columns)
            conn.execute(f"CREATE TABLE {table} ({cols})")
            marks = ", ".join("?" * len(columns))
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", getattr(rows, table))


def build_warehouse(path: str | os.PathLike[str], seed: int = DEFAULT_SEED) -> Path:
    """Generate the warehouse for ``seed`` and write it to ``path`` (replaced if it exists).

    The same seed and generator version always give the same bytes on the same SQLite
    library. The file is written next to ``path`` first and renamed into place, so a reader
    never sees a half-written warehouse.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = generate_rows(seed)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()  # sqlite must create the file itself for page_size to apply
        conn = sqlite3.connect(tmp)
        try:
            _write(conn, rows)
        finally:
            conn.close()
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target


def warehouse_filename(seed: int = DEFAULT_SEED) -> str:
    """The cache file name for a seed: changes with GENERATOR_VERSION, so stale caches miss."""
    return f"dash_warehouse_g{GENERATOR_VERSION}_s{seed}.sqlite"


def ensure_warehouse(cache_dir: str | os.PathLike[str], seed: int = DEFAULT_SEED) -> Path:
    """Return the cached warehouse for ``seed`` under ``cache_dir``, building it on first use.

    Safe when several processes race: each builds into its own temporary file and the atomic
    rename makes the last one win with identical bytes.
    """
    target = Path(cache_dir) / warehouse_filename(seed)
    if target.is_file():
        return target
    return build_warehouse(target, seed)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file, for recording which warehouse a run used."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build a warehouse file and print its path, row counts and sha256."""
    parser = argparse.ArgumentParser(prog="python -m workbench.agents.dash.warehouse",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="path of the SQLite file to write")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 42)")
    args = parser.parse_args(argv)
    path = build_warehouse(args.out, args.seed)
    conn = sqlite3.connect(path)
    try:
        for table in SCHEMA:
            (n,) = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
            print(f"{table:16s} {n:>7,d} rows")
    finally:
        conn.close()
    print(f"{path}  sha256={file_sha256(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
