"""Scoring one Dash run, and the per-item memory isolation of the protocol."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from workbench.agents.dash.agent import build_agent, dash_machine
from workbench.agents.dash.memory_ops import MemoryOps
from workbench.agents.dash.questions import load_questions
from workbench.agents.dash.scoring import recalled_learnings, score_run
from workbench.eval.task import EvalItem, Phase

BANK = {q.id: q for q in load_questions()}


@pytest.fixture()
def agent(tmp_path, dash_conn):
    machine = dash_machine(data_dir=tmp_path / "memory", embedder="hashing")
    return build_agent("offline", machine, dash_conn, context_level="semantic",
                       embedder="hashing"), machine


def test_score_counts_attempts_errors_and_checks_first_and_final_answers(agent, dash_conn):
    dash, _ = agent
    q = BANK["D23"]
    metrics = score_run(q, dash.run(q.question), dash_conn)
    assert metrics["sql_attempts"] >= 3 and metrics["sql_errors"] == 1
    assert metrics["dialect_errors"] == 1 and metrics["column_errors"] == 0
    assert metrics["first_query_correct"] == 0 and metrics["final_correct"] == 1
    assert metrics["learnings_saved"] == 2 and metrics["learnings_recalled"] == 0
    warm = BANK["D23.p1"]
    again = score_run(warm, dash.run(warm.question), dash_conn, {"postgres_dialect"})
    assert again["sql_attempts"] == 1 and again["sql_errors"] == 0
    assert again["first_query_correct"] == 1 and again["final_correct"] == 1
    assert again["relevant_recalled"] == 1 and again["learnings_saved"] == 0


def test_caveats_and_traps(agent, dash_conn):
    dash, _ = agent
    q = BANK["D13"]
    metrics = score_run(q, dash.run(q.question), dash_conn)
    assert metrics["final_correct"] == 1 and metrics["caveats_hit"] == 1
    trapped = SimpleNamespace(text="No subscriptions were canceled in 2025.", tool_calls=[],
                              recalled=[])
    scored = score_run(BANK["D04"], trapped, dash_conn)
    assert scored["trap_hit"] == 1 and scored["final_correct"] == 0
    assert scored["sql_attempts"] == 0 and scored["first_query_correct"] == 0


def test_recalled_learnings_come_from_the_block_and_from_search(agent):
    dash, machine = agent
    machine.learned_knowledge_store.save("Data window: the data ends on 2025-12-31",
                                         "No rows after 2025-12-31.", "last week",
                                         ["stale_dates"])
    result = dash.run("How many customers signed up last week?")
    seen = recalled_learnings(result)
    assert seen and {r.source for r in seen} <= {"recall", "search"}
    assert any("stale_dates" in r.tags for r in seen)


def test_isolation_teaches_from_every_cold_item_and_undoes_probe_writes(tmp_path):
    machine = dash_machine(data_dir=tmp_path / "m", embedder="hashing")
    store = machine.learned_knowledge_store
    ops = MemoryOps(isolate=True)
    rc = SimpleNamespace(repeat=0)
    cold = Phase("cold", [], memory="fresh")
    for i, title in enumerate(["first lesson", "second lesson"]):
        ops.before_item(EvalItem(f"c{i}", "q", meta={"phase": "cold"}), rc, machine)
        assert store.all() == [], "each cold item starts from an empty store"
        store.save(title, f"rule {i}")
    ops.after_phase(cold, rc, machine)
    assert sorted(d["title"] for d in store.all()) == ["first lesson", "second lesson"]
    warm = Phase("warm", [], memory="keep")
    ops.before_item(EvalItem("w0", "q", meta={"phase": "warm"}), rc, machine)
    store.save("written by a probe", "x")
    ops.before_item(EvalItem("w1", "q", meta={"phase": "warm"}), rc, machine)
    assert len(store.all()) == 2, "a probe's writes are undone before the next probe"
    ops.after_phase(warm, rc, machine)
    ops.poison_learnings = [{"title": "planted", "learning": "wrong rule"}]
    ops.poison(machine, rc)
    assert len(store.all()) == 3
    ops.after_phase(Phase("poison", [], memory="poison"), rc, machine)
    assert len(store.all()) == 2, "the planted learning is removed after its phase"
