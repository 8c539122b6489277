"""A run through the real-model path can be recorded and replayed exactly, with no server."""

from __future__ import annotations

import json

import pytest

from workbench.agents.dash.experiment import DashTask
from workbench.agents.dash.policy import dash_policy
from workbench.errors import ReplayMissError
from workbench.eval import run_experiment
from workbench.learn.diff import diff_snapshots
from workbench.models import OfflineModel
from workbench.models.openai_compat import OpenAICompatibleModel
from workbench.models.replay import RecordReplayModel
from workbench.testing import serve_model

NAME = "offline-dash-policy-over-http"


def _trace(record) -> list[dict]:
    rows = [json.loads(line) for line in
            (record.path / "traces" / "r0.jsonl").read_text().splitlines()]
    return [{"item": r["item_id"], "calls": r["tool_calls"], "recalled": r["recalled"]}
            for r in rows]


@pytest.mark.server
def test_recorded_run_replays_byte_for_byte_without_the_server(tmp_path):
    task = DashTask(phases=["cold", "warm"], questions=["D04", "D23"], data_dir=tmp_path)
    cache = tmp_path / "cache"
    options = {"embedder": "hashing"}
    with serve_model(OfflineModel([dash_policy])) as server:
        live = OpenAICompatibleModel(NAME, base_url=server.base_url, api_key="local")
        recorder = RecordReplayModel(live, cache, mode="record")
        recorded = run_experiment(task, model=recorder, repeats=1, runs_dir=tmp_path / "a",
                                  progress=False, options=options)
        calls = len(server.chat_requests)
    assert calls > 0 and recorder.misses == calls
    replayer = RecordReplayModel(live, cache, mode="replay")  # the server is gone now
    replayed = run_experiment(task, model=replayer, repeats=1, runs_dir=tmp_path / "b",
                              progress=False, options=options)
    assert replayer.hits == calls and replayer.misses == 0
    assert replayed.config["model"] == recorded.config["model"] == NAME
    cols = ["phase", "item_id", "answer", "tool_sequence", "sql_attempts", "tokens_in",
            "tokens_out"]
    assert replayed.samples[cols].to_dict("records") == recorded.samples[cols].to_dict("records")
    assert json.dumps(_trace(replayed)) == json.dumps(_trace(recorded))
    before = json.loads((recorded.path / "memory" / "r0-snapshot.json").read_text())
    after = json.loads((replayed.path / "memory" / "r0-snapshot.json").read_text())
    assert before == after, "identical memory, timestamps included (simulated clock)"
    assert diff_snapshots(before, after).empty


@pytest.mark.server
def test_replay_only_refuses_a_request_it_has_not_seen(tmp_path):
    live = OpenAICompatibleModel(NAME, base_url="http://127.0.0.1:9", api_key="local")
    task = DashTask(phases=["cold"], questions=["D04"], data_dir=tmp_path)
    record = run_experiment(task, model=RecordReplayModel(live, tmp_path / "empty",
                                                          mode="replay"),
                            repeats=1, runs_dir=tmp_path, progress=False,
                            options={"embedder": "hashing"})
    assert set(record.samples["status"]) == {"error"}
    assert ReplayMissError.__name__ in record.samples["error"].iloc[0]
