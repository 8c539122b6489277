"""A fast slice of ``workbench eval investment``: cumulative memory vs wiped, through the
shared harness, with the hashing embedder."""

from __future__ import annotations

import json

import matplotlib
import pytest

from workbench.agents.investment.experiment import (
    InvestmentTask,
    load_config,
    memory_frames,
    world_path,
)
from workbench.errors import ConfigError
from workbench.eval import compare, run_experiment
from workbench.eval.registry import make_task
from workbench.eval.summary import summary_table

matplotlib.use("Agg")

SLICE = ["M01", "M03", "M08", "M13", "M15", "M18"]


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    task = InvestmentTask(meetings=SLICE)
    return run_experiment(task, model="offline", repeats=1, progress=False,
                          runs_dir=tmp_path_factory.mktemp("runs"),
                          options={"embedder": "hashing"})


def test_registry_and_defaults():
    task = make_task("investment")
    assert isinstance(task, InvestmentTask) and len(task.meetings) == 30
    assert [p.name for p in task.phases()] == ["cumulative", "wiped"]
    assert [p.memory for p in task.phases()] == ["fresh", "empty"]
    assert load_config()["embedder"] == "minilm" and task.describe()["lesson_meeting_index"] == 8
    with pytest.raises(ConfigError):
        InvestmentTask(meetings=["M99"])


def test_cumulative_beats_wiped_on_the_slice(record):
    s = record.samples
    assert (s["status"] == "ok").all() and len(s) == 2 * len(SLICE)
    by = s.set_index(["phase", "item_id"])
    assert by.loc[("cumulative", "M03"), "decision"] == "PASS"      # precedent recalled
    assert by.loc[("wiped", "M03"), "decision"] == "BUY"
    assert by.loc[("wiped", "M03"), "consistency"] == 0
    assert by.loc[("cumulative", "M13"), "amount"] == 1_000_000      # lesson recalled
    assert by.loc[("wiped", "M13"), "amount"] == 1_500_000
    means = s.groupby("phase")[["compliance", "consistency", "lesson_reuse", "correct"]].mean()
    for metric in ("compliance", "consistency", "lesson_reuse", "correct"):
        assert means.loc["cumulative", metric] > means.loc["wiped", metric], metric
    assert means.loc["cumulative"].tolist() == [1.0, 1.0, 1.0, 1.0]
    # Written mandate: both comply (the engine is a tool in both); the difference is memory.
    assert s["mandate_compliance"].all()
    assert s["memo_ok"].all() and s["ledger_sync"].all() and s["ledger_correct"].all()
    assert (s["duplicate_learnings"] == 0).all()
    table = compare(s, ["compliance", "lesson_reuse"], InvestmentTask.PAIRS)
    assert (table["delta"] > 0).all()
    assert set(summary_table(record, InvestmentTask)["metric"]) >= {"compliance",
                                                                    "sizing_error_pct"}


def test_wiped_condition_forgets_but_keeps_its_own_books(record):
    s = record.samples
    wiped = s[s.phase == "wiped"]
    assert (wiped["learnings"] <= 1).all() and (wiped["decisions_logged"] <= 1).all()
    cumulative = s[s.phase == "cumulative"]
    assert cumulative["decisions_logged"].tolist() == list(range(1, len(SLICE) + 1))
    cold_book = json.loads((world_path(record, 0, "wiped") / "ledger.json").read_text())
    warm_book = json.loads((world_path(record, 0) / "ledger.json").read_text())
    assert "TSLA" in {p["ticker"] for p in cold_book["positions"]}
    assert cold_book["cash"] != warm_book["cash"]
    phases = record.phases.set_index("phase")
    assert phases.loc["cumulative", "memos_misplaced"] == 0
    assert phases.loc["cumulative", "summary_lesson_reuse_rate"] == 1.0


def test_memory_frames_and_report_figures(record):
    frames = memory_frames(record)
    lessons = frames["learned_knowledge"]
    assert len(lessons) == 1 and "two-thirds" in lessons.loc[0, "title"]
    assert len(frames["decision_log"]) == len(SLICE)
    figures = list(InvestmentTask(meetings=SLICE).report_figures(record))
    assert [caption.split(" ")[0] for caption, _ in figures] == ["Decisions", "Learning"]
    for _, fig in figures:
        assert "offline stand-in" in " ".join(t.get_text() for t in fig.texts)
