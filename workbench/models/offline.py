"""The offline model: a deterministic stand-in selected as ``model="offline"``.

It sees exactly what a real model would see — the request's messages, tool specs and response
format — and keeps no state between calls, so everything it "knows" about past runs must have
reached it through the prompt (recalled memory) or tool results. Its behaviour comes from a
chain of *policies*: the first policy that answers a request wins. Demo agents put their own
policy first; the learning machine's rule-based extractor and a plain tool-following default
close the chain, so any agent with tools runs offline.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.models.types import (
    Message,
    ModelRequest,
    ModelResponse,
    ToolCall,
    ToolSpec,
    Usage,
    estimate_tokens,
    request_tokens,
)

OFFLINE_NOTICE = "(offline stand-in model: deterministic rules, not a language model)"


def call(tool_name: str, /, **arguments: Any) -> ToolCall:
    """A tool call for a policy to return; the model assigns its id."""
    return ToolCall(id="", name=tool_name, arguments=arguments,
                    raw_arguments=json.dumps(arguments, sort_keys=True, ensure_ascii=False))


@dataclass(frozen=True)
class OfflineView:
    """Read-only helpers over a request, so policies stay short and see only the prompt."""

    request: ModelRequest

    @property
    def messages(self) -> tuple[Message, ...]:
        return self.request.messages

    @property
    def system(self) -> str:
        return "\n\n".join(m.content or "" for m in self.messages if m.role == "system")

    @property
    def last_user(self) -> str:
        for m in reversed(self.messages):
            if m.role == "user":
                return m.content or ""
        return ""

    @property
    def tools(self) -> dict[str, ToolSpec]:
        return {t.name: t for t in self.request.tools}

    @property
    def response_format(self) -> str | None:
        fmt = self.request.response_format
        return fmt.name if fmt else None

    def _turn_start(self) -> int:
        for i in range(len(self.messages) - 1, -1, -1):
            if self.messages[i].role == "user":
                return i + 1
        return 0

    def turn_steps(self) -> list[tuple[ToolCall, str]]:
        """(call, result text) pairs made since the last user message, in order."""
        results = {m.tool_call_id: m.content or "" for m in self.messages[self._turn_start():]
                   if m.role == "tool"}
        steps = []
        for m in self.messages[self._turn_start():]:
            for c in m.tool_calls:
                steps.append((c, results.get(c.id, "")))
        return steps

    def calls_made(self, name: str | None = None) -> list[ToolCall]:
        return [c for c, _ in self.turn_steps() if name is None or c.name == name]

    def last_result(self, name: str | None = None) -> str | None:
        steps = [r for c, r in self.turn_steps() if name is None or c.name == name]
        return steps[-1] if steps else None

    def history_user_messages(self) -> list[str]:
        """Earlier user messages of this session (the history the agent sent)."""
        users = [m.content or "" for m in self.messages if m.role == "user"]
        return users[:-1]


Reply = str | ToolCall | Sequence[ToolCall] | ModelResponse | dict | None
Policy = Callable[[OfflineView], Reply]


class OfflineModel:
    """Deterministic model driven by a chain of policies.

    Args:
        policies: tried first, in order; each returns a reply or None to pass.
        name: shown in traces and run records (always marks the stand-in).
    """

    endpoint = "offline"

    def __init__(self, policies: Sequence[Policy] = (), *, name: str = "offline") -> None:
        self.name = name
        self.policies: list[Policy] = list(policies)

    def __repr__(self) -> str:
        names = [getattr(p, "__name__", type(p).__name__) for p in self.policies]
        return f"OfflineModel(policies={names})"

    def _chain(self) -> list[Policy]:
        from workbench.learn.offline_extraction import extraction_policy

        return [*self.policies, extraction_policy, default_policy]

    def complete(self, request: ModelRequest) -> ModelResponse:
        started = time.perf_counter()
        view = OfflineView(request)
        reply: Reply = None
        for policy in self._chain():
            reply = policy(view)
            if reply is not None:
                break
        response = to_response(reply, request, model=self.name)
        response.latency_s = time.perf_counter() - started
        return response


def to_response(reply: Reply, request: ModelRequest, *, model: str) -> ModelResponse:
    """Normalise a policy's reply into a :class:`ModelResponse` with deterministic call ids."""
    if isinstance(reply, ModelResponse):
        response = reply
    elif isinstance(reply, ToolCall) or (isinstance(reply, Sequence) and not isinstance(reply, str)
                                         and reply and isinstance(reply[0], ToolCall)):
        calls = [reply] if isinstance(reply, ToolCall) else list(reply)
        step = sum(1 for m in request.messages if m.role == "assistant")
        calls = [ToolCall(c.id or f"call_{step}_{i}", c.name, c.arguments,
                          c.raw_arguments or json.dumps(c.arguments or {}, sort_keys=True),
                          c.parse_error) for i, c in enumerate(calls)]
        response = ModelResponse(text=None, tool_calls=calls, finish_reason="tool_calls")
    elif isinstance(reply, dict):
        response = ModelResponse(text=json.dumps(reply, ensure_ascii=False, sort_keys=True),
                                 parsed=reply)
    else:
        response = ModelResponse(text=str(reply) if reply is not None else "")
    out_text = response.text or "".join(c.raw_arguments for c in response.tool_calls)
    response.usage = Usage(request_tokens(request), estimate_tokens(out_text))
    response.model = model
    return response


# --- the default policy: follow explicit tool requests, say plainly what it is ---------------

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?!\w)(?!\.\d)")
_QUOTED = re.compile(r"[\"“']([^\"”']+)[\"”']")
_BACKREF = re.compile(r"\b(result|that|it|this|the answer|the sum|the product)\b", re.I)


def _mentions(text: str, tools: dict[str, ToolSpec]) -> list[tuple[int, str]]:
    found = []
    for name in tools:
        pattern = r"\b" + re.escape(name).replace("_", "[_ ]") + r"\b"
        for match in re.finditer(pattern, text, flags=re.I):
            found.append((match.start(), name))
    return sorted(found)


def _number(text: str) -> float | int | None:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        match = _NUMBER.search(text or "")
        value = json.loads(match.group()) if match else None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _plan(view: OfflineView) -> list[tuple[str, list[Any]]]:
    """Tool steps named in the user message, with the literals found in each clause."""
    text = view.last_user
    mentions = _mentions(text, view.tools)
    plan = []
    for i, (pos, name) in enumerate(mentions):
        end = mentions[i + 1][0] if i + 1 < len(mentions) else len(text)
        clause = text[pos:end]
        literals: list[Any] = []
        if i > 0 and _BACKREF.search(clause):
            literals.append(_PREVIOUS)
        literals += [json.loads(n) for n in _NUMBER.findall(clause)]
        literals += _QUOTED.findall(clause)
        plan.append((name, literals))
    return plan


_PREVIOUS = object()


def _arguments(spec: ToolSpec, literals: list[Any], previous: Any) -> dict[str, Any]:
    args: dict[str, Any] = {}
    pool = list(literals)
    for pname, schema in spec.parameters.get("properties", {}).items():
        kind = schema.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        for idx, value in enumerate(pool):
            value = previous if value is _PREVIOUS else value
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            if ("integer" in kinds or "number" in kinds) and numeric:
                args[pname] = value
            elif "string" in kinds and isinstance(value, str):
                args[pname] = value
            else:
                continue
            pool.pop(idx)
            break
    return args


def default_policy(view: OfflineView) -> Reply:
    """Call the tools the user names, in order, then report the results plainly.

    Numbers and quoted strings in each clause fill the tool's parameters; "the result" refers
    to the previous tool's output. Without named tools it answers with a short notice.
    """
    if view.response_format:
        return {}
    plan = _plan(view)
    steps = view.turn_steps()
    if len(steps) < len(plan):
        name, literals = plan[len(steps)]
        previous = _number(steps[-1][1]) if steps else None
        if previous is None and steps:
            previous = steps[-1][1]
        return call(name, **_arguments(view.tools[name], literals, previous))
    if steps:
        done = "; ".join(f"{c.name}({json.dumps(c.arguments, sort_keys=True)}) -> {r}"
                         for c, r in steps)
        final = steps[-1][1]
        return f"The result is {final}. Steps: {done}. {OFFLINE_NOTICE}"
    if view.tools:
        names = ", ".join(sorted(view.tools))
        return (f"I am the offline model {OFFLINE_NOTICE}. I call tools you name explicitly "
                f"(available: {names}); configure OPENAI_API_KEY or OPENAI_BASE_URL for a real "
                "model.")
    return (f"I am the offline model {OFFLINE_NOTICE}. Configure OPENAI_API_KEY or "
            "OPENAI_BASE_URL to talk to a real model.")
