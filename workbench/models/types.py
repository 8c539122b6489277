"""The data that crosses the model boundary: messages, tool specs, tool calls, responses.

Messages follow the OpenAI chat shape (roles ``system``, ``user``, ``assistant``, ``tool``) so
any OpenAI-compatible server accepts them unchanged, and so a recorded request is a plain,
hashable JSON document.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolCall:
    """One tool call requested by the model.

    ``arguments`` holds the parsed JSON object; when the model sent something that is not a
    JSON object, ``arguments`` is ``None`` and ``parse_error`` says why, so the agent can hand
    the error back to the model instead of crashing.
    """

    id: str
    name: str
    arguments: dict[str, Any] | None
    raw_arguments: str = ""
    parse_error: str | None = None

    @classmethod
    def from_raw(cls, id: str, name: str, raw_arguments: str | None) -> ToolCall:
        """Parse the raw argument string the way every backend must."""
        raw = raw_arguments or ""
        if not raw.strip():
            return cls(id=id, name=name, arguments={}, raw_arguments=raw)
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError as exc:
            return cls(id, name, None, raw, f"arguments are not valid JSON: {exc.msg} at {exc.pos}")
        if not isinstance(parsed, dict):
            return cls(id, name, None, raw,
                       f"arguments must be a JSON object, got {type(parsed).__name__}")
        return cls(id=id, name=name, arguments=parsed, raw_arguments=raw)

    def to_openai(self) -> dict[str, Any]:
        raw = self.raw_arguments or json.dumps(self.arguments or {}, sort_keys=True)
        return {"id": self.id, "type": "function",
                "function": {"name": self.name, "arguments": raw}}


@dataclass(frozen=True)
class Message:
    """One chat message. ``tool_calls`` only on assistant messages, ``tool_call_id`` on tool."""

    role: Role
    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None

    @classmethod
    def system(cls, content: str) -> Message:
        return cls("system", content)

    @classmethod
    def user(cls, content: str) -> Message:
        return cls("user", content)

    @classmethod
    def assistant(cls, content: str | None, tool_calls: tuple[ToolCall, ...] = ()) -> Message:
        return cls("assistant", content, tuple(tool_calls))

    @classmethod
    def tool(cls, tool_call_id: str, name: str, content: str) -> Message:
        return cls("tool", content, tool_call_id=tool_call_id, name=name)

    def to_openai(self) -> dict[str, Any]:
        """The chat-completions wire form."""
        out: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            out["tool_calls"] = [c.to_openai() for c in self.tool_calls]
        if self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        if self.name is not None and self.role == "tool":
            out["name"] = self.name
        return out

    @classmethod
    def from_openai(cls, data: dict[str, Any]) -> Message:
        calls = tuple(
            ToolCall.from_raw(c.get("id", ""), c["function"]["name"],
                              c["function"].get("arguments"))
            for c in data.get("tool_calls") or ()
        )
        return cls(role=data["role"], content=data.get("content"), tool_calls=calls,
                   tool_call_id=data.get("tool_call_id"), name=data.get("name"))


@dataclass(frozen=True)
class ToolSpec:
    """A tool as the model sees it: a name, a description and a JSON schema for arguments."""

    name: str
    description: str
    parameters: dict[str, Any]

    def to_openai(self) -> dict[str, Any]:
        return {"type": "function", "function": {
            "name": self.name, "description": self.description, "parameters": self.parameters}}


@dataclass(frozen=True)
class ResponseFormat:
    """Structured output: the reply must be a JSON document matching ``schema``."""

    name: str
    schema: dict[str, Any]
    strict: bool = False

    def to_openai(self) -> dict[str, Any]:
        return {"type": "json_schema", "json_schema": {
            "name": self.name, "schema": self.schema, "strict": self.strict}}


@dataclass
class Usage:
    """Token usage of one or more model calls."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.prompt_tokens + other.prompt_tokens,
                     self.completion_tokens + other.completion_tokens)


@dataclass
class ModelResponse:
    """What every model returns: text and/or tool calls, why it stopped, usage and latency.

    ``parsed`` holds the decoded JSON document when a ``ResponseFormat`` was requested and the
    text parsed; validation against the schema is the caller's job (it knows the schema).
    """

    text: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str = "stop"
    usage: Usage = field(default_factory=Usage)
    latency_s: float = 0.0
    model: str = ""
    parsed: Any = None

    def to_message(self) -> Message:
        return Message.assistant(self.text, tuple(self.tool_calls))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["tool_calls"] = [asdict(c) for c in self.tool_calls]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelResponse:
        calls = [ToolCall(**c) for c in data.get("tool_calls") or ()]
        usage = Usage(**(data.get("usage") or {}))
        return cls(text=data.get("text"), tool_calls=calls,
                   finish_reason=data.get("finish_reason", "stop"), usage=usage,
                   latency_s=data.get("latency_s", 0.0), model=data.get("model", ""),
                   parsed=data.get("parsed"))


@dataclass(frozen=True)
class ModelRequest:
    """Everything a model is asked in one call; the key of record/replay."""

    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...] = ()
    response_format: ResponseFormat | None = None

    def to_json(self, model: str = "", settings: dict[str, Any] | None = None) -> str:
        """Canonical JSON of the full request (sorted keys), used as the cache identity."""
        doc = {
            "model": model,
            "settings": settings or {},
            "messages": [m.to_openai() for m in self.messages],
            "tools": [t.to_openai() for t in self.tools],
            "response_format": self.response_format.to_openai() if self.response_format else None,
        }
        return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@runtime_checkable
class Model(Protocol):
    """The one model protocol: a request in, a typed response out.

    ``name`` identifies the model in traces and run records (for example ``"offline"`` or
    ``"gpt-4o-mini"``); ``endpoint`` says where requests go (``"offline"`` for local code).
    """

    name: str
    endpoint: str

    def complete(self, request: ModelRequest) -> ModelResponse:
        """Answer one request. Raises a :class:`~workbench.errors.ModelError` on failure."""
        ...


def estimate_tokens(text: str | None) -> int:
    """A cheap, deterministic token estimate (about four characters a token)."""
    if not text:
        return 0
    return max(1, (len(text) + 3) // 4)


def request_tokens(request: ModelRequest) -> int:
    """Estimated prompt tokens of a request, for backends that do not report usage."""
    total = 0
    for m in request.messages:
        total += 4 + estimate_tokens(m.content)
        for c in m.tool_calls:
            total += estimate_tokens(c.raw_arguments or json.dumps(c.arguments or {}))
    for t in request.tools:
        total += estimate_tokens(json.dumps(t.parameters)) + estimate_tokens(t.description)
    return total
