from __future__ import annotations

import json

import pytest

from tests.eval.toy_task import ToyTask
from workbench.eval import compare, load_run, run_experiment, summarize
from workbench.eval.stats import bootstrap_ci, paired_delta, sign_flip_p


def test_protocol_shows_learning_and_a_flat_control(tmp_path):
    record = run_experiment(ToyTask(), model="offline", repeats=2, runs_dir=tmp_path,
                            progress=False)
    s = record.samples
    assert len(s) == 2 * 15 and set(s["phase"]) == {"cold", "warm", "control"}
    assert s[s.phase == "cold"]["lookups"].mean() == 1
    assert s[s.phase == "warm"]["lookups"].mean() == 0
    assert s[s.phase == "control"]["lookups"].mean() == 1
    assert s["correct"].all()
    table = compare(s, ["lookups", "tool_calls"], [("cold", "warm"), ("cold", "control")])
    warm = table[(table.metric == "lookups") & (table.b == "warm")].iloc[0]
    control = table[(table.metric == "lookups") & (table.b == "control")].iloc[0]
    assert warm["delta"] == -1 and warm["ci_high"] < 0
    assert warm["p_value"] == pytest.approx(2 / 2**5), "exact sign-flip p for 5 questions"
    assert control["delta"] == 0 and not control["significant"]
    assert record.offline and "offline stand-in" in record.label


def test_run_record_is_self_describing(tmp_path):
    record = run_experiment(ToyTask(), model="offline", repeats=1, runs_dir=tmp_path,
                            progress=False)
    config = json.loads((record.path / "config.json").read_text())
    for key in ("task", "model", "offline", "git_revision", "packages", "task_config", "phases"):
        assert key in config
    assert config["packages"]["chromadb"]
    traces = (record.path / "traces" / "r0.jsonl").read_text().splitlines()
    assert len(traces) == 15 and json.loads(traces[0])["tool_calls"]
    assert {"recalled", "tool_sequence", "tokens_in", "latency_s"} <= set(record.samples)


def test_interrupted_run_resumes_without_losing_or_duplicating(tmp_path):
    run_dir = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        run_experiment(ToyTask(crash_at=(1, "p-charlie", 0)), model="offline", repeats=3,
                       run_dir=run_dir, progress=False)
    partial = load_run(run_dir).samples
    assert set(partial["repeat"]) == {0, 1}, "repeat 0 finished, repeat 1 has its cold phase"
    resumed = run_experiment(ToyTask(), model="offline", repeats=3, run_dir=run_dir,
                             progress=False).samples
    assert len(resumed) == 45
    assert not resumed.duplicated(["repeat", "phase", "item_id"]).any()
    fresh = run_experiment(ToyTask(), model="offline", repeats=3, runs_dir=tmp_path / "b",
                           progress=False).samples
    cols = ["repeat", "phase", "item_id", "lookups", "tool_calls"]
    key = ["repeat", "phase", "item_id"]
    assert resumed[cols].sort_values(key).reset_index(drop=True).equals(
        fresh[cols].sort_values(key).reset_index(drop=True))


def test_resume_refuses_a_different_task_or_model(tmp_path):
    run_experiment(ToyTask(), model="offline", repeats=1, run_dir=tmp_path / "r",
                   progress=False)

    class Other(ToyTask):
        name = "other"

    from workbench.errors import EvalError

    with pytest.raises(EvalError, match="cannot resume"):
        run_experiment(Other(), model="offline", repeats=1, run_dir=tmp_path / "r",
                       progress=False)


def test_bootstrap_and_permutation_statistics():
    low, high = bootstrap_ci([1, 2, 3, 4, 5], seed=1)
    assert 1.5 < low < 3 < high < 4.5
    assert bootstrap_ci([]) != bootstrap_ci([])  # nan, nan
    assert sign_flip_p([0, 0, 0]) == 1.0
    assert sign_flip_p([-1] * 10) < 0.01
    assert sign_flip_p([1, -1, 1, -1]) == 1.0


def test_paired_delta_pairs_by_question():
    import pandas as pd

    frame = pd.DataFrame([
        {"phase": "cold", "pair_key": q, "m": v, "status": "ok"} for q, v in
        [("a", 3), ("b", 2), ("c", 4)]] + [
        {"phase": "warm", "pair_key": q, "m": v, "status": "ok"} for q, v in
        [("a", 1), ("a", 2), ("b", 1), ("c", 1), ("z", 9)]])
    result = paired_delta(frame, "m", "cold", "warm")
    assert result["n_questions"] == 3, "unpaired items are left out"
    assert result["mean_a"] == 3 and result["mean_b"] == pytest.approx((1.5 + 1 + 1) / 3)
    table = summarize(frame, "m")
    assert list(table["n"]) == [3, 4]


def test_ablation_options_reach_every_store_config(tmp_path):
    from pathlib import Path

    from workbench.errors import UnsupportedModeError
    from workbench.eval import RepeatContext
    from workbench.eval.memory import apply_options, experiment_machine
    from workbench.learn import EntityMemoryConfig, LearningMode
    from workbench.models import OfflineModel

    stores = {"user_profile": True, "entity_memory": EntityMemoryConfig(namespace="user"),
              "learned_knowledge": True}
    out = apply_options(stores, {"disable_stores": ["user_profile"], "k": 2,
                                 "modes": {"learned_knowledge": "always"}})
    assert set(out) == {"entity_memory", "learned_knowledge"}
    assert out["entity_memory"].max_entities_in_context == 2
    assert out["entity_memory"].namespace == "user", "other fields are kept"
    assert out["learned_knowledge"].mode is LearningMode.ALWAYS
    assert stores["entity_memory"].max_entities_in_context == 5, "configs are never mutated"
    with pytest.raises(UnsupportedModeError):
        apply_options({"session_context": True}, {"modes": {"session_context": "propose"}})
    rc = RepeatContext(0, 0, Path(tmp_path), OfflineModel(), {"embedder": "hashing"})
    machine = experiment_machine(rc, "main", **stores)
    assert machine.embedder.name == "hashing-256" and set(machine.stores) == set(stores)


def test_leave_one_learning_out_finds_the_learning_each_answer_needed(tmp_path):
    from workbench.eval.attribution import leave_one_out

    table = leave_one_out(ToyTask(), model="offline", work_dir=tmp_path, metric="lookups")
    baseline = table[table.learning_id == "(none removed)"].iloc[0]
    assert baseline["lookups"] == 0, "with every learning, no probe needs a lookup"
    rows = table[table.learning_id != "(none removed)"]
    assert len(rows) == 5
    for _, row in rows.iterrows():
        project = row["title"].removeprefix("code of ")
        assert row["delta"] == pytest.approx(1 / 5), "removing one code costs one lookup"
        assert row["items_changed"] == [f"p-{project}"]


def test_memory_snapshots_of_two_runs_diff_cleanly(tmp_path):
    from workbench.learn.diff import diff_snapshots

    first = run_experiment(ToyTask(), model="offline", repeats=1, runs_dir=tmp_path / "a",
                           progress=False)
    second = run_experiment(ToyTask(), model="offline", repeats=1, runs_dir=tmp_path / "b",
                            progress=False)
    a = json.loads((first.path / "memory" / "r0-snapshot.json").read_text())
    b = json.loads((second.path / "memory" / "r0-snapshot.json").read_text())
    assert len(a["learned_knowledge"]) == 5
    assert diff_snapshots(a, b).empty, "the same protocol learns the same things"
    b["learned_knowledge"][0]["learning"] = "The code is something else."
    removed = b["learned_knowledge"].pop()
    changes = diff_snapshots(a, b)
    assert sorted(changes["change"]) == ["changed", "removed"]
    assert removed["id"] in set(changes["id"])
