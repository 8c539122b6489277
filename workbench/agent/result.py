"""What a run returns: the answer plus everything needed to study it."""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from workbench.models.types import Message, Usage
from workbench.tracing import TraceEvent, events_frame


@dataclass
class ToolCallRecord:
    """One tool call as executed: arguments, result text, error (if any), timing."""

    name: str
    arguments: dict[str, Any] | None
    result: str
    error: str | None = None
    call_id: str = ""
    iteration: int = 0
    duration_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class RecalledItem:
    """A memory item that was placed in the prompt for this run."""

    store: str
    item_id: str
    text: str
    score: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Timings:
    """Seconds spent per part of the run; ``framework_s`` is whatever is left over."""

    total_s: float = 0.0
    model_s: float = 0.0
    tools_s: float = 0.0
    memory_s: float = 0.0

    @property
    def framework_s(self) -> float:
        return max(0.0, self.total_s - self.model_s - self.tools_s - self.memory_s)


@dataclass
class RunResult:
    """The outcome of ``Agent.run``: final text, messages, tool calls, usage, timings, memory."""

    text: str
    messages: list[Message]
    tool_calls: list[ToolCallRecord]
    usage: Usage
    timings: Timings
    iterations: int
    stop_reason: str
    run_id: str
    session_id: str
    user_id: str | None
    agent_name: str
    model: str
    offline: bool
    recalled: list[RecalledItem] = field(default_factory=list)
    events: list[TraceEvent] = field(default_factory=list)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        preview = self.text if len(self.text) < 80 else self.text[:77] + "..."
        return (f"RunResult({preview!r}, tool_calls={len(self.tool_calls)}, "
                f"iterations={self.iterations}, model={self.model!r})")

    @property
    def tool_errors(self) -> list[ToolCallRecord]:
        return [c for c in self.tool_calls if c.error]

    def calls(self, name: str) -> list[ToolCallRecord]:
        return [c for c in self.tool_calls if c.name == name]

    def events_frame(self):
        """This run's trace events as a DataFrame."""
        return events_frame(self.events)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record (messages in chat-completions form)."""
        return {
            "text": self.text, "run_id": self.run_id, "session_id": self.session_id,
            "user_id": self.user_id, "agent": self.agent_name, "model": self.model,
            "offline": self.offline, "iterations": self.iterations,
            "stop_reason": self.stop_reason,
            "usage": {"prompt_tokens": self.usage.prompt_tokens,
                      "completion_tokens": self.usage.completion_tokens},
            "timings": {**asdict(self.timings), "framework_s": self.timings.framework_s},
            "tool_calls": [asdict(c) for c in self.tool_calls],
            "recalled": [asdict(r) for r in self.recalled],
            "messages": [m.to_openai() for m in self.messages],
        }

    def _repr_html_(self) -> str:
        esc = html.escape
        label = " (offline stand-in)" if self.offline else ""
        rows = "".join(
            f"<tr><td>{c.iteration}</td><td><code>{esc(c.name)}</code></td>"
            f"<td><code>{esc(json.dumps(c.arguments, ensure_ascii=False))[:300]}</code></td>"
            f"<td style='color:{'#b00' if c.error else 'inherit'}'>"
            f"{esc(c.result[:300])}</td></tr>" for c in self.tool_calls)
        recalled = "".join(f"<li><b>{esc(r.store)}</b>: {esc(r.text[:200])}</li>"
                           for r in self.recalled)
        t = self.timings
        return (
            f"<div><p><b>{esc(self.agent_name)}</b> · model <code>{esc(self.model)}</code>{label}"
            f" · {self.iterations} iterations · {self.usage.total_tokens} tokens · "
            f"{t.total_s * 1000:.0f} ms (model {t.model_s * 1000:.0f}, tools "
            f"{t.tools_s * 1000:.0f}, memory {t.memory_s * 1000:.0f})</p>"
            f"<blockquote style='white-space:pre-wrap'>{esc(self.text)}</blockquote>"
            + (f"<table><tr><th>#</th><th>tool</th><th>arguments</th><th>result</th></tr>"
               f"{rows}</table>" if rows else "")
            + (f"<details><summary>{len(self.recalled)} recalled memory items</summary>"
               f"<ul>{recalled}</ul></details>" if recalled else "")
            + "</div>")
