from __future__ import annotations

import json

import pytest

from workbench import Agent
from workbench.errors import ModelError
from workbench.models import ScriptedModel, call
from workbench.models.types import ModelResponse, ToolCall


def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    return a * b


TASK = "Use add on 2 and 3, then multiply the result by 4."


def test_two_tool_task_completes_offline():
    agent = Agent("calc", model="offline", tools=[add, multiply])
    result = agent.run(TASK)
    assert [c.name for c in result.tool_calls] == ["add", "multiply"]
    assert [c.result for c in result.tool_calls] == ["5", "20"]
    assert "20" in result.text and result.offline
    assert result.iterations == 3 and result.stop_reason == "stop"
    assert result.usage.total_tokens > 0


def test_invalid_tool_calls_go_back_to_the_model_and_the_run_continues():
    bad_json = ToolCall.from_raw("c1", "add", "{not json")
    model = ScriptedModel([
        call("nope", x=1),                       # unknown tool
        ModelResponse(tool_calls=[bad_json], finish_reason="tool_calls"),
        call("add", a=1),                        # missing argument
        call("add", a="one", b=2),               # mistyped argument
        call("add", a=1, b=2),
        "done: 3",
    ])
    agent = Agent("calc", model=model, tools=[add])
    result = agent.run("add 1 and 2")
    assert result.text == "done: 3"
    errors = [c.error for c in result.tool_calls]
    assert errors[0] == "unknown tool 'nope'"
    assert "not valid JSON" in errors[1]
    assert "missing required property 'b'" in errors[2]
    assert "expected number, got string" in errors[3]
    assert errors[4] is None and result.tool_calls[4].result == "3"
    tool_messages = [m for m in model.requests[-1].messages if m.role == "tool"]
    assert tool_messages[0].content.startswith("Error: there is no tool named 'nope'")
    model.assert_complete()


def test_tool_exception_does_not_crash_the_run():
    def explode() -> str:
        """Raise."""
        raise RuntimeError("disk on fire")

    agent = Agent("x", model=ScriptedModel([call("explode"), "recovered"]), tools=[explode])
    result = agent.run("go")
    assert result.text == "recovered"
    assert result.tool_calls[0].error == "RuntimeError: disk on fire"


def test_iterations_are_bounded():
    agent = Agent("loop", model=ScriptedModel(lambda v: call("add", a=1, b=1)), tools=[add],
                  max_iterations=3)
    result = agent.run("forever")
    assert result.iterations == 3 and result.stop_reason == "max_iterations"
    assert len(result.tool_calls) == 3 and "Stopped after 3" in result.text


def test_model_errors_raise_a_typed_error():
    agent = Agent("x", model=ScriptedModel([ModelError("overloaded", model="m", endpoint="e")]))
    with pytest.raises(ModelError, match="overloaded"):
        agent.run("hi")


def test_session_history_is_per_session_and_bounded():
    model = ScriptedModel(lambda v: f"seen {sum(m.role == 'user' for m in v.messages)}")
    agent = Agent("h", model=model, history_runs=2)
    for _ in range(4):
        agent.run("again", session_id="s1")
    other = agent.run("fresh", session_id="s2")
    assert other.text == "seen 1", "a new session starts without history"
    assert agent.run("again", session_id="s1").text == "seen 3", "2 earlier runs + this one"
    assert len(agent.session_history("s1")) == 10


def test_traces_have_ids_timing_tokens_and_load_into_pandas():
    agent = Agent("calc", model="offline", tools=[add, multiply])
    result = agent.run(TASK, user_id="u1", session_id="s1")
    frame = agent.tracer.frame()
    assert list(frame["kind"]) == ["model_call", "tool_call", "model_call", "tool_call",
                                   "model_call", "run"]
    assert set(frame["run_id"]) == {result.run_id} and set(frame["user_id"]) == {"u1"}
    assert (frame["duration_ms"] >= 0).all()
    assert frame[frame.kind == "model_call"]["tokens_in"].sum() == result.usage.prompt_tokens
    assert len(result.events_frame()) == 6


def test_result_serialises_and_renders_in_a_notebook():
    result = Agent("calc", model="offline", tools=[add, multiply]).run(TASK)
    record = json.loads(json.dumps(result.to_dict()))
    assert record["tool_calls"][1]["result"] == "20" and record["offline"] is True
    html = result._repr_html_()
    assert "multiply" in html and "offline stand-in" in html


@pytest.mark.server
def test_the_same_agent_completes_the_task_through_a_loopback_server():
    from workbench.models import OfflineModel
    from workbench.models.openai_compat import OpenAICompatibleModel
    from workbench.testing import serve_model

    with serve_model(OfflineModel(), api_key="sk-test-123456") as server:
        model = OpenAICompatibleModel("offline-over-http", base_url=server.base_url,
                                      api_key="sk-test-123456")
        result = Agent("calc", model=model, tools=[add, multiply]).run(TASK)
        assert len(server.chat_requests) == 3
    assert [c.result for c in result.tool_calls] == ["5", "20"]
    assert "20" in result.text and not result.offline
    assert result.model == "offline-over-http"
    assert "sk-test-123456" not in json.dumps(result.to_dict())
