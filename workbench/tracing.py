"""One tracing path: every model call, tool call and memory read/write is a :class:`TraceEvent`.

An agent run opens a trace scope (a ContextVar) naming the run, session, user and agent; any
code that runs inside it — the agent loop, a tool, a learning store — emits events with
:func:`span` and never has to pass ids around. Events land in a :class:`Tracer`, which keeps
them in memory, optionally appends them to a JSONL file, and loads into pandas in one line.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

EVENT_KINDS = ("run", "model_call", "tool_call", "memory_read", "memory_write", "extraction",
               "embedding")


@dataclass
class TraceEvent:
    """One timed operation, with the ids of the run it belongs to."""

    kind: str
    name: str
    run_id: str | None = None
    session_id: str | None = None
    user_id: str | None = None
    agent_id: str | None = None
    start: float = 0.0
    duration_ms: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    status: str = "ok"
    error: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Tracer:
    """Collects events; ``frame()`` returns them as a DataFrame.

    Args:
        path: optional JSONL file each event is appended to as it happens.
        keep: keep events in memory (default True).
    """

    def __init__(self, path: str | Path | None = None, *, keep: bool = True) -> None:
        self.events: list[TraceEvent] = []
        self.path = Path(path) if path else None
        self.keep = keep
        self._lock = threading.Lock()

    def emit(self, event: TraceEvent) -> None:
        with self._lock:
            if self.keep:
                self.events.append(event)
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(event.to_dict(), default=str) + "\n")

    def frame(self, **filters: Any):
        """Events as a pandas DataFrame, optionally filtered by column equality."""
        return events_frame(self.events, **filters)

    def clear(self) -> None:
        with self._lock:
            self.events.clear()


def events_frame(events: list[TraceEvent] | list[dict[str, Any]], **filters: Any):
    """A DataFrame of events (one row each; ``attributes`` flattened as ``attr.<key>``)."""
    import pandas as pd

    rows = []
    for ev in events:
        row = ev.to_dict() if isinstance(ev, TraceEvent) else dict(ev)
        attrs = row.pop("attributes", None) or {}
        row.update({f"attr.{k}": v for k, v in attrs.items()})
        rows.append(row)
    frame = pd.DataFrame(rows)
    for key, value in filters.items():
        if key in frame:
            frame = frame[frame[key] == value]
    return frame


def load_events(path: str | Path):
    """Load a JSONL trace file written by a :class:`Tracer` into a DataFrame."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return events_frame([json.loads(line) for line in lines if line.strip()])


@dataclass
class TraceScope:
    """Who is running: the ids stamped on every event emitted inside the scope."""

    tracer: Tracer | None
    run_id: str | None = None
    session_id: str | None = None
    user_id: str | None = None
    agent_id: str | None = None
    sink: list[TraceEvent] | None = None


_SCOPE: ContextVar[TraceScope | None] = ContextVar("workbench_trace_scope", default=None)


@contextlib.contextmanager
def trace_scope(scope: TraceScope) -> Iterator[TraceScope]:
    """Make ``scope`` current for the duration of the block."""
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)


def current_scope() -> TraceScope | None:
    return _SCOPE.get()


@contextlib.contextmanager
def span(kind: str, name: str, **attributes: Any) -> Iterator[TraceEvent]:
    """Time a block and emit it as an event to the current scope (no-op outside one).

    The yielded event can be enriched inside the block (tokens, attributes). An exception
    marks the event as an error and propagates.
    """
    scope = _SCOPE.get()
    event = TraceEvent(kind=kind, name=name, start=time.time(), attributes=dict(attributes))
    if scope is not None:
        event.run_id, event.session_id = scope.run_id, scope.session_id
        event.user_id, event.agent_id = scope.user_id, scope.agent_id
    started = time.perf_counter()
    try:
        yield event
    except BaseException as exc:
        event.status = "error"
        event.error = event.error or f"{type(exc).__name__}: {exc}"
        raise
    finally:
        event.duration_ms = (time.perf_counter() - started) * 1000.0
        if scope is not None:
            if scope.tracer is not None:
                scope.tracer.emit(event)
            if scope.sink is not None:
                scope.sink.append(event)


def emit(event: TraceEvent) -> None:
    """Emit an already-timed event to the current scope (stamping its ids)."""
    scope = _SCOPE.get()
    if scope is None:
        return
    event.run_id, event.session_id = scope.run_id, scope.session_id
    event.user_id, event.agent_id = scope.user_id, scope.agent_id
    if scope.tracer is not None:
        scope.tracer.emit(event)
    if scope.sink is not None:
        scope.sink.append(event)
