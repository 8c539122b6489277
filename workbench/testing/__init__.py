"""Test and benchmark helpers: a loopback OpenAI-compatible server with scripted answers."""

from workbench.testing.openai_server import (
    FakeOpenAIServer,
    RecordedRequest,
    delay,
    drop_connection,
    reply_error,
    reply_json,
    reply_raw,
    reply_text,
    reply_tool_call,
    reply_tool_calls,
)
from workbench.testing.policy_server import request_from_openai, serve_model

__all__ = [
    "FakeOpenAIServer",
    "RecordedRequest",
    "delay",
    "drop_connection",
    "reply_error",
    "reply_json",
    "reply_raw",
    "reply_text",
    "reply_tool_call",
    "reply_tool_calls",
    "request_from_openai",
    "serve_model",
]
