"""Shared pieces of the learning stores: the per-turn context, clocks, scopes, text helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from workbench.errors import NamespaceError
from workbench.models.types import estimate_tokens
from workbench.text import fold, normalize_name, slug, stable_id, words

__all__ = ["fold", "normalize_name", "slug", "stable_id", "words"]  # re-exported helpers

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class SteppingClock:
    """A deterministic clock for experiments: starts at ``start``, advances ``step`` per call.

    With it, stored timestamps (valid-from/valid-to, provenance) and therefore record ids and
    memory snapshots are identical across repeated runs.
    """

    def __init__(self, start: datetime | str = "2026-01-05T09:00:00Z",
                 step: timedelta = timedelta(seconds=1)) -> None:
        if isinstance(start, str):
            start = datetime.fromisoformat(start.replace("Z", "+00:00"))
        self.current = start
        self.step = step

    def __call__(self) -> datetime:
        value = self.current
        self.current = self.current + self.step
        return value

    def set(self, moment: datetime | str) -> None:
        """Jump to a moment (e.g. the simulated date of a session)."""
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        self.current = moment


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class TurnContext:
    """Everything a store may need during one turn.

    The message embedding is computed once, lazily, and shared by every store's recall.
    """

    message: str
    user_id: str | None = None
    session_id: str | None = None
    agent_id: str | None = None
    run_id: str | None = None
    embed: Callable[[str], np.ndarray] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _embedding: np.ndarray | None = None

    @property
    def embedding(self) -> np.ndarray:
        if self._embedding is None:
            if self.embed is None:
                raise RuntimeError("TurnContext has no embedder")
            self._embedding = self.embed(self.message)
        return self._embedding


def scope_key(namespace: str, user_id: str | None) -> str:
    """The storage scope for a namespace: ``global``, ``user:<id>`` or the custom string.

    The ``user`` namespace fails closed: without a user id there is no scope to read or write.
    """
    if namespace == "user":
        if not user_id:
            raise NamespaceError(
                "the 'user' namespace needs a user_id; pass user_id= to agent.run()")
        return f"user:{user_id}"
    if namespace.startswith("user:"):
        raise NamespaceError("custom namespaces may not start with 'user:' (reserved)")
    return namespace


def clip_to_budget(text: str, max_tokens: int) -> str:
    """Cut one over-long item to the budget (a single item may not blow the prompt)."""
    limit = max(16, max_tokens * 4)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def within_budget(texts: list[str], max_tokens: int) -> int:
    """How many of ``texts`` (in order) fit in ``max_tokens``; always at least one."""
    used = 0
    for i, text in enumerate(texts):
        used += estimate_tokens(text)
        if used > max_tokens and i > 0:
            return i
    return len(texts)


def tag(name: str, body: str, **attrs: Any) -> str:
    """Wrap a data block in an XML-ish tag, keeping data apart from instructions."""
    attributes = "".join(f' {k}="{v}"' for k, v in attrs.items() if v is not None)
    return f"<{name}{attributes}>\n{body.strip()}\n</{name}>"


def days_between(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 86400.0
