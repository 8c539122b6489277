"""OpenAICompatibleModel through the real openai SDK against the loopback fake server."""

from __future__ import annotations

import base64
import struct

import openai
import pytest

from workbench.errors import (
    ConfigError,
    ModelHTTPError,
    ModelOutputError,
    ModelUnavailableError,
)
from workbench.models.openai_compat import OpenAICompatibleModel
from workbench.models.types import Message, Model, ModelRequest, ResponseFormat, ToolSpec
from workbench.testing import (
    FakeOpenAIServer,
    delay,
    drop_connection,
    reply_error,
    reply_json,
    reply_raw,
    reply_text,
    reply_tool_call,
    reply_tool_calls,
)

pytestmark = pytest.mark.server

KEY = "sk-test-SECRET-0123456789"
ADD = ToolSpec("add", "Add two integers.", {
    "type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
    "required": ["a", "b"]})
ANSWER = ResponseFormat("answer", {"type": "object", "properties": {"answer": {"type": "string"}},
                                   "required": ["answer"]})


def ask(text: str = "hello", **kw) -> ModelRequest:
    return ModelRequest((Message.system("be brief"), Message.user(text)), **kw)


def make(server: FakeOpenAIServer, sleeps: list[float] | None = None, **kw) -> OpenAICompatibleModel:
    kw.setdefault("timeout", 5.0)
    return OpenAICompatibleModel("fake-model", api_key=KEY, base_url=server.base_url,
                                 sleep=(sleeps.append if sleeps is not None else lambda s: None),
                                 **kw)


def test_plain_text_usage_latency_and_wire_format():
    with FakeOpenAIServer([reply_text("hi there", usage=(12, 3))], api_key=KEY) as server:
        model = make(server)
        resp = model.complete(ask("hello"))
    assert resp.text == "hi there"
    assert resp.tool_calls == []
    assert resp.finish_reason == "stop"
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens) == (12, 3)
    assert resp.latency_s > 0
    assert resp.model == "fake-model"
    assert resp.parsed is None
    (body,) = server.chat_requests
    assert body["model"] == "fake-model"
    assert body["messages"] == [{"role": "system", "content": "be brief"},
                                {"role": "user", "content": "hello"}]
    assert "tools" not in body and "response_format" not in body
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert server.requests[0].headers["x-stainless-retry-count"] == "0"


def test_endpoint_and_repr_hide_the_key():
    with FakeOpenAIServer() as server:
        model = make(server)
        assert isinstance(model, Model)
        assert model.name == "fake-model"
        assert model.endpoint == server.base_url
        assert KEY not in repr(model) and KEY not in str(vars(model))
        assert repr(model) == (f"OpenAICompatibleModel(model='fake-model', "
                               f"endpoint='{server.base_url}')")
    assert OpenAICompatibleModel("gpt-4o-mini").endpoint == "https://api.openai.com/v1"


def test_tool_calls_are_sent_and_parsed():
    with FakeOpenAIServer([reply_tool_calls(("add", {"a": 1, "b": 2}), ("add", '{"a": 3, "b": 4}'))]
                          ) as server:
        resp = make(server).complete(ask("add things", tools=(ADD,)))
    assert server.chat_requests[0]["tools"] == [ADD.to_openai()]
    assert resp.finish_reason == "tool_calls"
    assert [c.name for c in resp.tool_calls] == ["add", "add"]
    assert [c.arguments for c in resp.tool_calls] == [{"a": 1, "b": 2}, {"a": 3, "b": 4}]
    assert all(c.id and c.parse_error is None for c in resp.tool_calls)
    assert resp.tool_calls[1].raw_arguments == '{"a": 3, "b": 4}'


def test_tool_round_trip_messages_reach_the_server_unchanged():
    with FakeOpenAIServer([reply_tool_call("add", {"a": 1, "b": 2}), reply_text("3")]) as server:
        model = make(server)
        first = model.complete(ask("1+2?", tools=(ADD,)))
        call = first.tool_calls[0]
        messages = (Message.user("1+2?"), first.to_message(), Message.tool(call.id, "add", "3"))
        second = model.complete(ModelRequest(messages, tools=(ADD,)))
    assert second.text == "3"
    sent = server.chat_requests[1]["messages"]
    assert sent[1]["tool_calls"][0]["function"] == {"name": "add", "arguments": '{"a": 1, "b": 2}'}
    assert sent[2] == {"role": "tool", "content": "3", "tool_call_id": call.id, "name": "add"}


def test_malformed_tool_arguments_do_not_raise():
    with FakeOpenAIServer([reply_tool_call("add", '{"a": 1, "b": '),
                           reply_tool_call("add", "[1, 2]")]) as server:
        model = make(server)
        bad_json = model.complete(ask(tools=(ADD,))).tool_calls[0]
        not_object = model.complete(ask(tools=(ADD,))).tool_calls[0]
    assert bad_json.arguments is None and "not valid JSON" in (bad_json.parse_error or "")
    assert bad_json.raw_arguments == '{"a": 1, "b": '
    assert not_object.arguments is None and "JSON object" in (not_object.parse_error or "")


def test_json_schema_output_is_parsed():
    with FakeOpenAIServer([reply_json({"answer": "42"}), reply_text("sorry, no JSON")]) as server:
        model = make(server)
        good = model.complete(ask(response_format=ANSWER))
        bad = model.complete(ask(response_format=ANSWER))
    assert server.chat_requests[0]["response_format"] == ANSWER.to_openai()
    assert good.parsed == {"answer": "42"} and good.text == '{"answer": "42"}'
    assert bad.parsed is None and bad.text == "sorry, no JSON"


def test_429_then_success_honours_retry_after():
    sleeps: list[float] = []
    with FakeOpenAIServer([reply_error(429, "slow down", retry_after=3), reply_text("ok")]) as server:
        resp = make(server, sleeps).complete(ask())
    assert resp.text == "ok"
    assert len(server.chat_requests) == 2
    assert sleeps == [3.0]


def test_retry_after_is_capped_and_backoff_is_deterministic():
    sleeps: list[float] = []
    script = [reply_error(429, retry_after=3600), reply_error(503), reply_error(502),
              reply_text("ok")]
    with FakeOpenAIServer(script) as server:
        resp = make(server, sleeps, backoff_base=0.5, backoff_max=20.0).complete(ask())
    assert resp.text == "ok"
    assert sleeps == [20.0, 1.0, 2.0]  # capped Retry-After, then base * 2**attempt


def test_500_storm_gives_up_naming_model_endpoint_attempts_and_status():
    sleeps: list[float] = []
    with FakeOpenAIServer([reply_error(500, "boom")] * 10) as server:
        model = make(server, sleeps, max_retries=3, backoff_base=0.25)
        with pytest.raises(ModelUnavailableError) as info:
            model.complete(ask())
    err = info.value
    text = str(err)
    assert "fake-model" in text and server.base_url in text
    assert "4 attempts" in text and "HTTP 500" in text and "boom" in text
    assert (err.model, err.endpoint) == ("fake-model", server.base_url)
    assert err.attempts == 4 and err.last_status == 500
    assert len(server.chat_requests) == 4
    assert sleeps == [0.25, 0.5, 1.0]
    assert isinstance(err.__cause__, openai.InternalServerError)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_raise_http_error_without_retry(status):
    sleeps: list[float] = []
    with FakeOpenAIServer([reply_error(status, "you did it wrong"), reply_text("never")]) as server:
        with pytest.raises(ModelHTTPError) as info:
            make(server, sleeps).complete(ask())
    err = info.value
    assert err.status == status
    assert "you did it wrong" in str(err) and f"HTTP {status}" in str(err)
    assert "fake-model" in str(err) and server.base_url in str(err)
    assert "you did it wrong" in err.body
    assert len(server.chat_requests) == 1 and sleeps == []
    assert isinstance(err.__cause__, openai.APIStatusError)


def test_server_side_auth_rejects_a_wrong_key():
    with FakeOpenAIServer([reply_text("never")], api_key="the-right-key") as server:
        with pytest.raises(ModelHTTPError) as info:
            make(server).complete(ask())
    assert info.value.status == 401


def test_timeout_is_retried():
    sleeps: list[float] = []
    with FakeOpenAIServer([delay(2.0, reply_text("too late")), reply_text("in time")]) as server:
        resp = make(server, sleeps, timeout=0.3).complete(ask())
    assert resp.text == "in time"
    assert len(server.chat_requests) == 2 and sleeps == [0.5]


def test_timeouts_exhaust_into_unavailable():
    with FakeOpenAIServer([delay(2.0)] * 3) as server:
        with pytest.raises(ModelUnavailableError, match="timed out") as info:
            make(server, timeout=0.2, max_retries=1).complete(ask())
    assert info.value.attempts == 2 and info.value.last_status is None


def test_dropped_connection_is_retried():
    sleeps: list[float] = []
    with FakeOpenAIServer([drop_connection(), drop_connection(), reply_text("back")]) as server:
        resp = make(server, sleeps).complete(ask())
    assert resp.text == "back"
    assert len(server.chat_requests) == 3 and sleeps == [0.5, 1.0]


def test_api_key_never_appears_in_errors():
    leaky = f"Incorrect API key provided: {KEY}"
    with FakeOpenAIServer([reply_error(401, leaky), reply_error(500, leaky),
                           reply_error(500, leaky)]) as server:
        model = make(server, max_retries=1)
        with pytest.raises(ModelHTTPError) as http_err:
            model.complete(ask())
        with pytest.raises(ModelUnavailableError) as unavailable:
            model.complete(ask())
    for err in (http_err.value, unavailable.value):
        assert "[REDACTED]" in str(err)
        assert KEY not in str(err) and KEY not in repr(err)
        assert KEY not in str(err.__cause__) and KEY not in repr(err.__cause__.args)
    assert KEY not in http_err.value.body


def test_missing_usage_is_estimated():
    with FakeOpenAIServer([reply_text("a fairly long answer", include_usage=False)]) as server:
        resp = make(server).complete(ask("a question of some length"))
    assert resp.usage.prompt_tokens > 0 and resp.usage.completion_tokens > 0


def test_not_a_chat_completion_is_an_output_error():
    with FakeOpenAIServer([reply_raw("<html>proxy</html>", content_type="text/html"),
                           reply_raw({"unexpected": True})]) as server:
        model = make(server)
        with pytest.raises(ModelOutputError):
            model.complete(ask())
        with pytest.raises(ModelOutputError):
            model.complete(ask())
    assert len(server.chat_requests) == 2  # not retried


def test_settings_go_in_the_body_including_server_specific_ones():
    settings = {"temperature": 0.0, "max_tokens": 50, "seed": 7, "top_k": 5}
    with FakeOpenAIServer(["ok"]) as server:
        model = make(server, settings=settings)
        model.complete(ask())
    body = server.chat_requests[0]
    assert {k: body[k] for k in settings} == settings
    assert model.settings == settings


def test_injected_client_and_config_errors():
    with FakeOpenAIServer(["ok"]) as server:
        client = openai.OpenAI(api_key=KEY, base_url=server.base_url, max_retries=7)
        with pytest.raises(ConfigError):
            OpenAICompatibleModel("m", client=client, api_key=KEY)
        with pytest.raises(ConfigError):
            OpenAICompatibleModel("m", client=client, base_url=server.base_url)
        model = OpenAICompatibleModel("fake-model", client=client)
        assert model.endpoint == server.base_url
        assert model.complete(ask()).text == "ok"
        assert server.requests[0].headers["x-stainless-retry-count"] == "0"
    with pytest.raises(ConfigError):
        OpenAICompatibleModel("")
    with pytest.raises(ConfigError):
        OpenAICompatibleModel("m", settings={"stream": True})
    # No key for the default endpoint: construction is fine, the first request says why.
    lazy = OpenAICompatibleModel("gpt-4o-mini")
    with pytest.raises(ConfigError, match="api_key"):
        lazy.complete(ask())


def test_local_server_without_key():
    with FakeOpenAIServer(["local"]) as server:
        model = OpenAICompatibleModel("llama3", base_url=server.base_url, timeout=5)
        assert model.complete(ask()).text == "local"


def test_fake_server_embeddings_models_and_callable_script():
    def script(body):
        return reply_text(f"echo: {body['messages'][-1]['content']}")

    with FakeOpenAIServer(script, api_key=KEY, models=("a", "b"), embedding_dim=4) as server:
        client = openai.OpenAI(api_key=KEY, base_url=server.base_url, max_retries=0)
        assert [m.id for m in client.models.list()] == ["a", "b"]
        first = client.embeddings.create(model="e", input=["x", "y"]).data
        again = client.embeddings.create(model="e", input="x", encoding_format="base64").data
        assert len(first) == 2 and len(first[0].embedding) == 4
        assert first[0].embedding != first[1].embedding
        # Asked for base64 explicitly, the v3 SDK hands back the string undecoded.
        floats = struct.unpack("<4f", base64.b64decode(again[0].embedding))
        assert list(floats) == pytest.approx(first[0].embedding, rel=1e-6)
        assert make(server).complete(ask("ping")).text == "echo: ping"
        bad = openai.OpenAI(api_key="wrong", base_url=server.base_url, max_retries=0)
        with pytest.raises(openai.AuthenticationError):
            bad.models.list()
    assert [r.path for r in server.requests][:2] == ["/v1/models", "/v1/embeddings"]


def test_fake_server_reports_an_exhausted_script():
    with FakeOpenAIServer(["only one"]) as server:
        model = make(server)
        model.complete(ask())
        with pytest.raises(ModelHTTPError, match="script exhausted"):
            model.complete(ask())
