"""Where the Dash data files live, and loaders for the documented semantic model.

The semantic model under ``datasets/dash/knowledge/`` is what an analyst is *told* about the
warehouse. It repeats the upstream documentation's mistakes on purpose (see
``datasets/dash/README.md``), so it must never be used to compute gold values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.settings import datasets_dir as settings_datasets_dir

__all__ = [
    "TABLE_NAMES",
    "ValidatedQuery",
    "dash_data_dir",
    "datasets_dir",
    "load_business_context",
    "load_table_docs",
    "load_validated_queries",
]

TABLE_NAMES = ("customers", "subscriptions", "plan_changes", "invoices", "usage_metrics",
               "support_tickets")


def datasets_dir() -> Path:
    """The repository's ``datasets/`` folder (see :func:`workbench.settings.datasets_dir`)."""
    return settings_datasets_dir()


def dash_data_dir() -> Path:
    """``datasets/dash``: questions, knowledge files and the README."""
    return datasets_dir() / "dash"


def load_table_docs(root: Path | None = None) -> dict[str, dict[str, Any]]:
    """The documented metadata of each table, keyed by table name, in physical table order."""
    base = (root or dash_data_dir()) / "knowledge" / "tables"
    return {name: json.loads((base / f"{name}.json").read_text(encoding="utf-8"))
            for name in TABLE_NAMES}


def load_business_context(root: Path | None = None) -> dict[str, Any]:
    """``metrics``, ``business_rules`` and ``common_gotchas`` as documented (errors included)."""
    path = (root or dash_data_dir()) / "knowledge" / "business" / "metrics.json"
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class ValidatedQuery:
    """One named pattern from ``validated_queries.sql`` (PostgreSQL dialect)."""

    name: str
    question: str
    summary: str
    sql: str


_NAME_LINE = re.compile(r"^-- name:\s*(\S+)\s*$", re.MULTILINE)


def load_validated_queries(root: Path | None = None) -> list[ValidatedQuery]:
    """Parse the validated query file into its named patterns, in file order."""
    path = (root or dash_data_dir()) / "knowledge" / "queries" / "validated_queries.sql"
    text = path.read_text(encoding="utf-8")
    starts = list(_NAME_LINE.finditer(text))
    out: list[ValidatedQuery] = []
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        block = text[match.end():end].strip("\n")
        meta: dict[str, str] = {}
        sql_lines: list[str] = []
        last_key = ""
        for line in block.splitlines():
            header = re.match(r"^--\s*(question|summary):\s*(.*)$", line)
            continuation = re.match(r"^--\s{2,}(.*)$", line)
            if header and not sql_lines:
                last_key = header.group(1)
                meta[last_key] = header.group(2).strip()
            elif continuation and not sql_lines and last_key:
                meta[last_key] += " " + continuation.group(1).strip()
            elif line.strip() or sql_lines:
                sql_lines.append(line)
        out.append(ValidatedQuery(match.group(1), meta.get("question", ""),
                                  meta.get("summary", ""), "\n".join(sql_lines).strip()))
    return out
