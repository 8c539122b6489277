"""A fast slice of the Dash experiment through the shared harness (hashing embedder)."""

from __future__ import annotations

import json

import pytest

from workbench.agents.dash.analysis import (
    condition_table,
    family_table,
    fixed_after_learning,
    stress_effects,
)
from workbench.agents.dash.experiment import DashTask, default_config
from workbench.agents.dash.questions import load_questions
from workbench.agents.dash.scoring import family_words, query_correct
from workbench.eval import run_experiment
from workbench.eval.registry import make_task

OPTIONS = {"embedder": "hashing"}


@pytest.fixture(scope="module")
def slice_run(tmp_path_factory):
    """Four gotcha families, cold → warm → control → poison, two repeats."""
    tmp = tmp_path_factory.mktemp("dash-exp")
    task = DashTask(questions=["D04", "D17", "D23", "D26"],
                    phases=["cold", "warm", "control", "poison"], data_dir=tmp / "data")
    return run_experiment(task, model="offline", repeats=2, runs_dir=tmp / "runs",
                          progress=False, options=OPTIONS)


def means(record, phase, metric):
    s = record.samples
    return s[s["phase"] == phase][metric].mean()


def test_warm_needs_fewer_attempts_and_errors_and_control_matches_cold(slice_run):
    s = slice_run.samples
    assert (s["status"] == "ok").all()
    assert means(slice_run, "warm", "sql_attempts") < means(slice_run, "cold", "sql_attempts")
    assert means(slice_run, "warm", "sql_errors") < means(slice_run, "cold", "sql_errors")
    assert means(slice_run, "warm", "first_query_correct") > means(slice_run, "cold",
                                                                   "first_query_correct")
    assert means(slice_run, "warm", "relevant_recalled") > 0.5
    assert means(slice_run, "control", "relevant_recalled") == 0
    assert means(slice_run, "control", "learnings_recalled") == 0
    table = condition_table(s)
    assert list(table["metric"]) == ["sql_attempts", "sql_errors", "first_query_correct",
                                     "final_correct"]
    assert not family_table(s).empty and not fixed_after_learning(s).empty


def test_repeats_are_identical_offline(slice_run):
    s = slice_run.samples
    cols = ["phase", "item_id", "sql_attempts", "sql_errors", "first_query_correct",
            "final_correct"]
    r0 = s[s["repeat"] == 0][cols].sort_values(["phase", "item_id"]).reset_index(drop=True)
    r1 = s[s["repeat"] == 1][cols].sort_values(["phase", "item_id"]).reset_index(drop=True)
    assert r0.equals(r1)


def test_poison_hurts_and_is_removed_afterwards(slice_run):
    effects = stress_effects(slice_run.samples)
    attempts = effects[(effects["stress"] == "poison") & (effects["metric"] == "sql_attempts")]
    first = effects[(effects["stress"] == "poison") &
                    (effects["metric"] == "first_query_correct")]
    assert attempts["delta"].iloc[0] > 0 and first["delta"].iloc[0] < 0
    phases = slice_run.phases
    poison = phases[phases["phase"] == "poison"].iloc[0]
    assert all(p["status"] == "saved" for p in poison["planted"])
    assert not any("canceled" in t for t in poison["titles"]), "planted learnings were removed"


def test_run_record_describes_the_experiment(slice_run):
    config = json.loads((slice_run.path / "config.json").read_text())
    assert config["task"] == "dash" and config["offline"]
    assert config["task_config"]["context_level"] == "semantic"
    assert config["task_config"]["warehouse_sha256"]
    cold = slice_run.phases[slice_run.phases["phase"] == "cold"].iloc[0]
    assert cold["learnings"] >= 3 and cold["saved_by_items"] >= cold["learnings"]


def test_task_knobs_and_registry(tmp_path):
    task = make_task("dash", context_level="names")
    assert task.context_level == "names" and task.name == "dash"
    assert [p.name for p in task.phases()] == default_config()["phases"]
    small = DashTask(questions=["D01"], phases=["cold", "warm"], data_dir=tmp_path)
    counts = {p.name: len(p.items) for p in small.phases()}
    assert counts == {"cold": 1, "warm": 4}
    assert all(i.pair_key == "D01" for p in small.phases() for i in p.items)


def test_gold_sql_is_a_correct_first_query_and_known_wrong_is_not(dash_conn):
    for q in load_questions():
        if q.answer.type == "verdict":
            continue
        assert query_correct(q, dash_conn, q.gold_sql, limit=1000), q.id
        for wrong in q.known_wrong:
            if wrong.sql and wrong.value is not None and wrong.value != q.gold:
                assert not query_correct(q, dash_conn, wrong.sql, limit=1000), (q.id, wrong.id)
    words = family_words(load_questions())
    assert words["D14.p1"] >= {"churn_rate_definition", "status_vocabulary"}
