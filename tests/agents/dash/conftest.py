"""Dash test fixtures: one warehouse per test session, opened read-only."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.agents.dash.database import open_readonly
from workbench.agents.dash.warehouse import build_warehouse


@pytest.fixture(scope="session")
def dash_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed-42 warehouse, built once for the whole session."""
    return build_warehouse(tmp_path_factory.mktemp("dash") / "dash.sqlite", seed=42)


@pytest.fixture(scope="session")
def dash_conn(dash_warehouse: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the session warehouse, shared by read-only tests."""
    conn = open_readonly(dash_warehouse)
    yield conn
    conn.close()
