"""The pieces beliefs are made of: a learning as the model sees it, one source's layer of
assertions, and a resolved value with its source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Layer", "Learning", "Value"]


@dataclass(frozen=True)
class Learning:
    """A learning as the model sees it: ``[id] title`` plus body, context and tags."""

    id: str
    title: str
    body: str
    context: str = ""
    tags: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.title}. {self.body} {self.context}"


@dataclass
class Layer:
    """What one source says: columns (complete or partial), enum values, facts."""

    source: str  # "turn", "learning" or "docs"
    learning_id: str | None = None
    columns: dict[str, set[str]] = field(default_factory=dict)
    complete: set[str] = field(default_factory=set)  # tables whose column list is complete
    missing: dict[str, set[str]] = field(default_factory=dict)
    vocab: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    vocab_complete: set[tuple[str, str]] = field(default_factory=set)
    facts: dict[str, Any] = field(default_factory=dict)

    def add_values(self, table: str, column: str, values: list[str], complete: bool) -> None:
        known = self.vocab.setdefault((table, column), [])
        known += [v for v in values if v not in known]
        self.columns.setdefault(table, set()).add(column)
        if complete:
            self.vocab_complete.add((table, column))
        if table == "subscriptions" and column == "status" and any(
                v in ("upgraded", "downgraded", "cancelled", "canceled") for v in known):
            self.facts.setdefault("history", True)  # closed rows exist: the table is a history


@dataclass(frozen=True)
class Value:
    """A resolved belief and where it came from (``prior`` when nothing said anything)."""

    value: Any
    source: str = "prior"
    learning_id: str | None = None
