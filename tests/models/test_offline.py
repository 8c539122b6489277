from __future__ import annotations

import pytest

from workbench.errors import ConfigError, ModelError
from workbench.models import OfflineModel, ScriptedModel, call, is_offline, resolve_model
from workbench.models.types import Message, ModelRequest, ResponseFormat, ToolSpec

ADD = ToolSpec("add", "Add.", {"type": "object", "properties": {
    "a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]})


def test_offline_is_the_default_without_a_key():
    model = resolve_model(None)
    assert model.name == "offline" and is_offline(model)


def test_a_real_model_name_without_key_is_a_clear_config_error():
    with pytest.raises(ConfigError, match="needs OPENAI_API_KEY"):
        resolve_model("gpt-4o-mini")


def test_offline_model_is_deterministic_and_sees_only_the_request():
    request = ModelRequest((Message.system("s"), Message.user("please add 2 and 40")), (ADD,))
    first, second = OfflineModel().complete(request), OfflineModel().complete(request)
    assert first.tool_calls == second.tool_calls
    assert first.tool_calls[0].name == "add" and first.tool_calls[0].arguments == {"a": 2, "b": 40}
    assert first.usage.prompt_tokens > 0 and first.model == "offline"


def test_offline_model_says_it_is_the_offline_model():
    text = OfflineModel().complete(ModelRequest((Message.user("hi"),))).text
    assert "offline" in text


def test_agent_policy_comes_first_and_can_pass():
    seen = []

    def policy(view):
        seen.append(view.last_user)
        return "mine" if "special" in view.last_user else None

    model = OfflineModel([policy])
    assert model.complete(ModelRequest((Message.user("special"),))).text == "mine"
    assert "offline" in model.complete(ModelRequest((Message.user("other"),))).text
    assert seen == ["special", "other"]


def test_structured_output_request_gets_parsed_json():
    fmt = ResponseFormat("anything", {"type": "object"})
    response = OfflineModel().complete(ModelRequest((Message.user("x"),), response_format=fmt))
    assert response.parsed == {}


def test_scripted_model_replays_items_and_raises_at_a_step():
    model = ScriptedModel(["one", call("add", a=1, b=2), RuntimeError("boom")])
    req = ModelRequest((Message.user("x"),))
    assert model.complete(req).text == "one"
    response = model.complete(req)
    assert response.tool_calls[0].arguments == {"a": 1, "b": 2} and response.tool_calls[0].id
    with pytest.raises(RuntimeError, match="boom"):
        model.complete(req)
    with pytest.raises(ModelError, match="exhausted"):
        model.complete(req)
    assert len(model.requests) == 4


def test_scripted_model_from_a_function_of_the_messages():
    model = ScriptedModel(lambda view: f"echo {view.last_user}")
    assert model.complete(ModelRequest((Message.user("ping"),))).text == "echo ping"
