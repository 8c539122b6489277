"""ContactsTask through the shared harness on a fast slice (10 turns, a few probes)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from workbench.agents.contacts.experiment import ContactsTask, load_defaults, turn_time  # noqa: E402
from workbench.agents.contacts.report import (  # noqa: E402
    category_frame,
    curve_frame,
    headline,
    plot_learning_curve,
    store_frame,
)
from workbench.eval import run_experiment  # noqa: E402
from workbench.eval.registry import task_class  # noqa: E402
from workbench.eval.summary import summary_table  # noqa: E402

PROBES = ["sf01", "sf02", "sf03", "tr06", "tr07", "ev01", "ev02", "gr01", "sf14", "ab01",
          "ab04", "ab05"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    task = ContactsTask(turns=10, curve=[5], probes=PROBES, options={"embedder": "hashing"})
    return run_experiment(task, model="offline", repeats=1, progress=False,
                          runs_dir=tmp_path_factory.mktemp("runs"))


def test_defaults_phases_and_registry():
    assert task_class("contacts") is ContactsTask
    config = load_defaults()
    assert config["curve"] == [5, 10, 20, 40] and config["options"]["embedder"] == "minilm"
    task = ContactsTask()
    names = [p.name for p in task.phases()]
    assert names[:3] == ["teach-05", "probe-05", "teach-10"]
    assert names[-3:] == ["teach-47", "warm", "control"]
    assert {"teach-16", "teach-22", "teach-43"} <= set(names)      # every session boundary
    teach = [i for p in task.phases() if p.name.startswith("teach") for i in p.items]
    assert [i.meta["turn"] for i in teach] == list(range(1, 48))
    probe5 = next(p for p in task.phases() if p.name == "probe-05")
    assert all(task._probe_by_id[i.id].available_after_turn <= 5 for i in probe5.items)
    assert turn_time(task.script[1]) == "2026-03-02T09:10:00Z"


def test_the_slice_learns_and_the_wiped_control_does_not(run):
    s = run.samples
    assert set(s["status"]) == {"ok"}
    warm, control = s[s.phase == "warm"], s[s.phase == "control"]
    assert warm["correct"].mean() == 1.0
    assert control["correct"].mean() < 0.4
    assert control[control.category == "absence"]["correct"].all()
    assert warm["hallucinated"].dropna().eq(0).all()
    teach = s[s.phase.str.startswith("teach")]
    assert teach["writes"].sum() > 15 and teach["write_errors"].sum() == 0
    table = summary_table(run, ContactsTask)
    row = table[(table.metric == "correct") & (table.a == "control")].iloc[0]
    assert row["delta"] > 0.5


def test_store_metrics_are_recorded_after_each_teach_phase(run):
    phases = run.phases
    assert list(phases["phase"]) == ["teach-05", "teach-10", "control"]
    t10 = phases[phases.phase == "teach-10"].iloc[0]
    assert t10["fact_f1"] == 1.0 and t10["relation_f1"] == 1.0 and t10["entity_f1"] == 1.0
    assert t10["profile_accuracy"] == 1.0 and 0 < t10["final_graph_f1"] < 0.5
    assert phases[phases.phase == "control"].iloc[0]["final_graph_f1"] == 0.0


def test_report_tables_and_learning_curve(run):
    curve = curve_frame(run)
    assert list(curve["turns"]) == [5, 10]
    assert (curve["coverage"].diff().dropna() >= 0).all()
    assert (curve["accuracy"] >= curve["control_accuracy"]).all()
    cats = category_frame(run)
    assert set(cats.columns) >= {"category", "warm", "control", "n"}
    assert not store_frame(run).empty
    numbers = headline(run)
    assert numbers["warm_accuracy"] == 1.0 and numbers["warm_hallucination_rate"] == 0.0
    fig = plot_learning_curve(run)
    assert "offline stand-in" in fig.texts[-1].get_text()
