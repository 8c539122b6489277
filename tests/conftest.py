"""Shared test setup: every test runs offline, in its own data directory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _offline_environment(monkeypatch, tmp_path):
    """No test may reach a real model or write outside its temporary directory."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "WORKBENCH_MODEL", "WORKBENCH_CHROMA_URL",
                 "WORKBENCH_EMBEDDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "workbench-data"))
    yield
