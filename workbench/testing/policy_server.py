"""Serve a model (e.g. the offline model with an agent's policy) as an OpenAI-compatible
endpoint on loopback.

This runs the *real-model path* end to end — the ``openai`` SDK, HTTP, JSON tool-call
encoding, retries, record/replay — with a deterministic brain behind it::

    with serve_model(OfflineModel([dash_policy])) as server:
        model = OpenAICompatibleModel("offline-over-http", base_url=server.base_url, api_key="x")
"""

from __future__ import annotations

import json
from typing import Any

from workbench.models.types import Message, Model, ModelRequest, ResponseFormat, ToolSpec
from workbench.testing.openai_server import FakeOpenAIServer, TextReply, ToolCallReply


def request_from_openai(body: dict[str, Any]) -> ModelRequest:
    """Rebuild a :class:`ModelRequest` from a chat-completions request body."""
    messages = tuple(Message.from_openai(m) for m in body.get("messages", []))
    tools = tuple(ToolSpec(t["function"]["name"], t["function"].get("description", ""),
                           t["function"].get("parameters", {}))
                  for t in body.get("tools") or ())
    fmt = body.get("response_format") or {}
    response_format = None
    if fmt.get("type") == "json_schema":
        spec = fmt["json_schema"]
        response_format = ResponseFormat(spec.get("name", "response"), spec.get("schema", {}),
                                          bool(spec.get("strict", False)))
    return ModelRequest(messages, tools, response_format)


def serve_model(model: Model, **server_kwargs: Any) -> FakeOpenAIServer:
    """A loopback server whose every chat completion is answered by ``model``."""

    def answer(body: dict[str, Any]):
        response = model.complete(request_from_openai(body))
        usage = (response.usage.prompt_tokens, response.usage.completion_tokens)
        if response.tool_calls:
            calls = tuple((c.name, c.raw_arguments or json.dumps(c.arguments or {}))
                          for c in response.tool_calls)
            return ToolCallReply(calls, text=response.text)
        return TextReply(response.text, finish_reason=response.finish_reason, usage=usage)

    return FakeOpenAIServer(answer, **server_kwargs)
