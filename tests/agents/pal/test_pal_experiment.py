"""PalTask on a tiny slice through the shared harness, and the isolation checks it relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.agents.pal.experiment import PalTask, load_config, stored_texts
from workbench.agents.pal.measure import leak_metrics, output_of, stated_outcomes
from workbench.agents.pal.report import adherence_by_rule, conflict_table, leak_summary
from workbench.eval import RepeatContext, run_experiment
from workbench.eval.summary import summary_table
from workbench.models import OfflineModel


@pytest.fixture(scope="module")
def slice_run(tmp_path_factory):
    task = PalTask(max_session=2, options={"embedder": "hashing"})
    return run_experiment(task, model="offline", repeats=1,
                          runs_dir=tmp_path_factory.mktemp("runs"), progress=False)


def test_defaults_come_from_evals_pal_json():
    config = load_config()
    assert config["options"]["embedder"] == "minilm" and config["control"] is True
    task = PalTask()
    assert [p.name for p in task.phases()] == ["cold", "warm", "control"]
    cold, warm, control = task.phases()
    assert cold.memory == "fresh" and warm.memory == "keep" and control.memory == "empty"
    assert [i.id for i in cold.items][:2] == ["user_a-import", "user_b-import"]
    # turns of one script session share a session; sessions differ
    sessions = {i.session_id for i in warm.items if i.user_id == "user_a"}
    assert sessions == {f"user_a-s{n}" for n in range(2, 7)}
    assert all(i.meta["kind"] in ("setup", "draft", "filename", "retrieval", "recurring")
               for i in control.items)


def test_a_tiny_slice_runs_and_learns(slice_run):
    samples = slice_run.samples
    assert set(samples["phase"]) == {"cold", "warm", "control"}
    assert (samples["status"] == "ok").all()
    cold = samples[(samples.phase == "cold") & samples.pref_adherence.notna()]
    warm = samples[(samples.phase == "warm") & samples.pref_adherence.notna()]
    control = samples[(samples.phase == "control") & samples.pref_adherence.notna()]
    assert cold.pref_adherence.max() == 0, "conversation rules fail before they are stated"
    assert warm.pref_adherence.min() == 1, "and hold once stated"
    assert control.pref_adherence.mean() < 0.5, "an empty memory loses them again"
    assert samples.file_adherence.dropna().min() == 1
    assert samples.leaks.sum() == 0 and slice_run.phases.store_leaks.sum() == 0
    retrieval = samples[samples.retrieval_id.notna()]
    assert retrieval.retrieval_complete.all()
    table = summary_table(slice_run, PalTask)
    row = table[(table.metric == "pref_adherence") & (table.a == "cold")].iloc[0]
    assert row.mean_a == 0 and row.mean_b == 1


def test_report_tables_on_the_slice(slice_run):
    rules = adherence_by_rule(slice_run)
    signoff = rules[rules.rule == "A-CONV-SIGNOFF-J"].iloc[0]
    assert signoff.before == 0 and signoff.same_session == 1
    assert leak_summary(slice_run) == {"turn_leaks": 0, "store_leaks": 0, "total": 0}
    assert conflict_table(slice_run).empty, "the conflict rule is stated in session 3"


class _Result:
    def __init__(self, text: str) -> None:
        self.text, self.messages, self.tool_calls, self.recalled = text, [], [], []


def test_a_planted_marker_counts_as_a_leak():
    markers = {"user_a": ("Quillon Systems",)}
    clean = leak_metrics("user_b", _Result("Hej Mattias,"), "", None, None, {}, markers)
    leaked = leak_metrics("user_b", _Result("re: quillon systems"), "", None, None, {}, markers)
    assert clean["leaks"] == 0 and leaked["leaks"] == 1


def test_a_planted_memory_is_found_at_rest(tmp_path):
    task = PalTask(max_session=1, control=False)
    rc = RepeatContext(0, 0, Path(tmp_path), OfflineModel(), {"embedder": "hashing"})
    machine = task.make_machine(rc, "main")
    machine.user_memory_store.add("user_b", "Mentioned TERN-4471 from Quillon Systems")
    assert any("TERN-4471" in t for t in stored_texts(machine, None, "user_b"))
    metrics = task.after_phase(task.phases()[0], rc, machine)
    assert metrics["store_leaks"] == 2
    machine.close()


def test_output_and_stated_rules_helpers():
    class Call:
        name, ok, arguments = "write_draft", True, {"text": "body", "filename": "x.md"}

    result = _Result("Call it `2025-05-01 - meeting - review.md`.")
    assert output_of(result) == (result.text, "2025-05-01 - meeting - review.md")
    assert output_of(result, wants_filename=False) == (result.text, None)
    result.tool_calls = [Call()]
    assert output_of(result) == ("body", "x.md")
    assert stated_outcomes([], {}) == []
