"""What Dash is told about the warehouse, by context level (the experiment's main knob).

=========== ==================================================================================
level       the ``<warehouse_docs>`` block in the instructions (and the knowledge index) holds
=========== ==================================================================================
names       table names only
semantic    the documented semantic model: per table a description, columns with their
            *documented* types and meanings, and up to five data-quality notes (mistakes kept)
rules       semantic + documented metrics, business rules and "common gotchas"
queries     rules + the ten validated query patterns (PostgreSQL dialect, as documented)
=========== ==================================================================================

The docs are rendered in a fixed, plain layout (``### table`` sections, ``- column (TYPE):
meaning`` lines) so that a reader — a model or the offline policy — can find a table's columns
and documented values. Nothing here is ever used to compute gold values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.agents.dash.knowledge import (
    TABLE_NAMES,
    load_business_context,
    load_table_docs,
    load_validated_queries,
)
from workbench.errors import ConfigError

__all__ = [
    "CONTEXT_LEVELS",
    "DEFAULT_CONTEXT_LEVEL",
    "TODAY",
    "KnowledgeDoc",
    "check_level",
    "knowledge_docs",
    "render_docs",
]

CONTEXT_LEVELS = ("names", "semantic", "rules", "queries")
DEFAULT_CONTEXT_LEVEL = "semantic"
# Frozen "today": months after the data ends (2025-12-31), as in the upstream test premise.
TODAY = "2026-04-15"
_MAX_NOTES = 5  # upstream caps quality notes per table in the prompt


@dataclass(frozen=True)
class KnowledgeDoc:
    """One searchable piece of the curated knowledge: a table, metric, rule, gotcha or query."""

    id: str
    kind: str
    title: str
    text: str


def check_level(level: str | None) -> str:
    """Validate a context level name (None means the default)."""
    level = level or DEFAULT_CONTEXT_LEVEL
    if level not in CONTEXT_LEVELS:
        raise ConfigError(f"unknown Dash context level {level!r}; use one of {CONTEXT_LEVELS}")
    return level


def _table_section(name: str, doc: dict) -> str:
    lines = [f"### {name}", doc["description"], "Columns:"]
    lines += [f"- {c['name']} ({c['type']}): {c['description']}" for c in doc["columns"]]
    notes = doc.get("data_quality_notes", [])[:_MAX_NOTES]
    if notes:
        lines.append("Notes:")
        lines += [f"- {n}" for n in notes]
    return "\n".join(lines)


def _business_sections(business: dict) -> list[str]:
    metrics = ["### Metrics"] + [f"- {m['name']}: {m['definition']} Calculation: {m['calculation']}"
                                 for m in business["metrics"]]
    rules = ["### Business rules"] + [f"- {r}" for r in business["business_rules"]]
    gotchas = ["### Common gotchas"] + [
        f"- {g['issue']} ({', '.join(g['tables_affected'])}): {g['solution']}"
        for g in business["common_gotchas"]]
    return ["\n".join(metrics), "\n".join(rules), "\n".join(gotchas)]


def render_docs(level: str | None = None, root: Path | None = None) -> str:
    """The ``<warehouse_docs>`` block for the instructions at ``level``."""
    level = check_level(level)
    if level == "names":
        body = "Tables: " + ", ".join(TABLE_NAMES) + "."
    else:
        sections = [_table_section(n, d) for n, d in load_table_docs(root).items()]
        if level in ("rules", "queries"):
            sections += _business_sections(load_business_context(root))
        if level == "queries":
            queries = ["### Validated queries"]
            for q in load_validated_queries(root):
                queries.append(f"-- name: {q.name}\n-- question: {q.question}\n{q.sql}")
            sections.append("\n\n".join(queries))
        body = "\n\n".join(sections)
    return f'<warehouse_docs level="{level}">\n{body}\n</warehouse_docs>'


def knowledge_docs(level: str | None = None, root: Path | None = None) -> list[KnowledgeDoc]:
    """The curated knowledge ``search_knowledge`` covers at ``level`` (empty for ``names``)."""
    level = check_level(level)
    if level == "names":
        return []
    docs = [KnowledgeDoc(f"table:{n}", "table", n, _table_section(n, d))
            for n, d in load_table_docs(root).items()]
    if level in ("rules", "queries"):
        business = load_business_context(root)
        docs += [KnowledgeDoc(f"metric:{i}", "metric", m["name"],
                              f"{m['name']}: {m['definition']} Calculation: {m['calculation']}")
                 for i, m in enumerate(business["metrics"])]
        docs += [KnowledgeDoc(f"rule:{i}", "rule", r[:60], r)
                 for i, r in enumerate(business["business_rules"])]
        docs += [KnowledgeDoc(f"gotcha:{i}", "gotcha", g["issue"],
                              f"{g['issue']} ({', '.join(g['tables_affected'])}): {g['solution']}")
                 for i, g in enumerate(business["common_gotchas"])]
    if level == "queries":
        docs += [KnowledgeDoc(f"query:{q.name}", "query", q.name,
                              f"-- name: {q.name}\n-- question: {q.question}\n"
                              f"-- summary: {q.summary}\n{q.sql}")
                 for q in load_validated_queries(root)]
    return docs
