"""RecordReplayModel: record once, replay for free, byte for byte."""

from __future__ import annotations

import json

import pytest

from workbench.errors import ConfigError, ReplayMissError
from workbench.models.openai_compat import OpenAICompatibleModel
from workbench.models.replay import RecordReplayModel
from workbench.models.types import (
    Message,
    Model,
    ModelRequest,
    ModelResponse,
    ResponseFormat,
    ToolCall,
    ToolSpec,
    Usage,
)
from workbench.testing import FakeOpenAIServer, reply_json, reply_text, reply_tool_call

KEY = "sk-replay-SECRET-9876543210"
ADD = ToolSpec("add", "Add two integers.", {"type": "object", "properties": {
    "a": {"type": "integer"}, "b": {"type": "integer"}}})


def ask(text: str = "hello", **kw) -> ModelRequest:
    return ModelRequest((Message.user(text),), **kw)


class CountingModel:
    """A tiny in-process model: answers with the call number, counts calls."""

    name = "counting"
    endpoint = "offline"

    def __init__(self, settings: dict | None = None) -> None:
        self.calls = 0
        self.settings = settings or {}

    def complete(self, request: ModelRequest) -> ModelResponse:
        self.calls += 1
        return ModelResponse(text=f"answer {self.calls}", usage=Usage(3, 2),
                             latency_s=0.123456789 * self.calls, model=self.name,
                             tool_calls=[ToolCall.from_raw("c1", "add", '{"a": 1}')])


@pytest.mark.server
def test_auto_records_then_hits_through_the_real_sdk(tmp_path):
    with FakeOpenAIServer([reply_text("recorded", usage=(5, 1)), reply_text("never")]) as server:
        inner = OpenAICompatibleModel("fake-model", api_key=KEY, base_url=server.base_url)
        model = RecordReplayModel(inner, tmp_path)
        first = model.complete(ask())
        second = model.complete(ask())
    assert len(server.chat_requests) == 1
    assert first.text == second.text == "recorded"
    assert (model.hits, model.misses) == (1, 1)
    assert isinstance(model, Model)
    assert model.name == "fake-model" and model.endpoint == server.base_url
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    stored = json.loads(files[0].read_text())
    assert stored["key"] == files[0].stem == model.key(ask())
    assert stored["request"]["model"] == "fake-model"
    assert stored["request"]["messages"] == [{"role": "user", "content": "hello"}]
    assert stored["response"]["text"] == "recorded"
    # The key never reaches the cache, nor the wrapper's repr.
    assert KEY not in files[0].read_text() and KEY not in repr(model)


def test_to_dict_is_byte_identical_across_replays(tmp_path):
    inner = CountingModel()
    dumps = []
    for mode in ("auto", "auto", "replay", "replay"):
        response = RecordReplayModel(inner, tmp_path, mode=mode).complete(ask())
        dumps.append(json.dumps(response.to_dict(), sort_keys=True))
    assert inner.calls == 1
    assert len(set(dumps)) == 1
    assert json.loads(dumps[0])["latency_s"] == 0.123456789


def test_replay_miss_raises_with_key_and_description(tmp_path):
    inner = CountingModel()
    model = RecordReplayModel(inner, tmp_path, mode="replay")
    long_question = "why " * 50
    with pytest.raises(ReplayMissError) as info:
        model.complete(ask(long_question))
    err = info.value
    assert err.key == model.key(ask(long_question)) and err.key in str(err)
    assert "why why" in str(err) and "…" in str(err) and len(str(err)) < 600
    assert "counting" in str(err)
    assert inner.calls == 0 and model.misses == 1
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_record_mode_always_calls_and_overwrites(tmp_path):
    inner = CountingModel()
    RecordReplayModel(inner, tmp_path).complete(ask())
    recorder = RecordReplayModel(inner, tmp_path, mode="record")
    assert recorder.complete(ask()).text == "answer 2"
    assert inner.calls == 2 and recorder.misses == 1
    assert RecordReplayModel(inner, tmp_path, mode="replay").complete(ask()).text == "answer 2"


def test_different_requests_get_different_keys(tmp_path):
    fmt = ResponseFormat("answer", {"type": "object"})
    sub = ToolSpec("sub", "Subtract.", ADD.parameters)
    requests = [
        ask("hello"), ask("hello!"), ask("hello", tools=(ADD,)), ask("hello", tools=(sub,)),
        ask("hello", tools=(ADD, sub)), ask("hello", response_format=fmt),
        ModelRequest((Message.system("s"), Message.user("hello"))),
    ]
    model = RecordReplayModel(CountingModel(), tmp_path)
    keys = {model.key(r) for r in requests}
    assert len(keys) == len(requests)
    # Model name and settings are part of the key too.
    other_settings = RecordReplayModel(CountingModel({"temperature": 0.7}), tmp_path)
    assert other_settings.key(ask()) != model.key(ask())
    assert model.key(ask("hello")) == RecordReplayModel(CountingModel(), tmp_path).key(ask())


@pytest.mark.server
def test_tool_calls_and_parsed_survive_replay(tmp_path):
    fmt = ResponseFormat("answer", {"type": "object"})
    with FakeOpenAIServer([reply_tool_call("add", '{"a": 1'), reply_json({"answer": 4})]) as srv:
        inner = OpenAICompatibleModel("fake-model", api_key=KEY, base_url=srv.base_url)
        recorder = RecordReplayModel(inner, tmp_path)
        live_call = recorder.complete(ask("add", tools=(ADD,)))
        live_json = recorder.complete(ask("json", response_format=fmt))
    replayer = RecordReplayModel(inner, tmp_path, mode="replay")
    call = replayer.complete(ask("add", tools=(ADD,)))
    parsed = replayer.complete(ask("json", response_format=fmt))
    assert call.to_dict() == live_call.to_dict()
    assert call.tool_calls[0].arguments is None and call.tool_calls[0].parse_error
    assert parsed.parsed == {"answer": 4} and parsed.to_dict() == live_json.to_dict()


def test_atomic_writes_leave_no_temp_files(tmp_path):
    cache = tmp_path / "nested" / "cache"
    model = RecordReplayModel(CountingModel(), cache)
    for i in range(5):
        model.complete(ask(f"q{i}"))
    model.complete(ask("q0"))
    names = sorted(p.name for p in cache.iterdir())
    assert len(names) == 5
    assert all(n.endswith(".json") and not n.startswith(".") for n in names)
    text = (cache / names[0]).read_text()
    assert text.startswith("{\n  ")  # pretty, one document per file


def test_failed_write_cleans_up_its_temp_file(tmp_path, monkeypatch):
    import workbench.models.replay as replay_module

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(replay_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        RecordReplayModel(CountingModel(), tmp_path).complete(ask())
    assert list(tmp_path.iterdir()) == []


def test_damaged_entry_is_a_miss(tmp_path):
    inner = CountingModel()
    model = RecordReplayModel(inner, tmp_path)
    model.path_for(ask()).parent.mkdir(parents=True, exist_ok=True)
    model.path_for(ask()).write_text("{ not json")
    with pytest.raises(ReplayMissError):
        RecordReplayModel(inner, tmp_path, mode="replay").complete(ask())
    assert model.complete(ask()).text == "answer 1"  # auto re-records
    assert RecordReplayModel(inner, tmp_path, mode="replay").complete(ask()).text == "answer 1"


def test_bad_mode_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        RecordReplayModel(CountingModel(), tmp_path, mode="sometimes")  # type: ignore[arg-type]
