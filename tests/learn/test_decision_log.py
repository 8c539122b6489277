"""Decision log: log with reasoning, record outcomes by id at any age, search by relevance."""

from __future__ import annotations

import random

import pytest
from learn_helpers import scripted_agent, tool_names

from workbench.errors import UnsupportedModeError
from workbench.learn import DecisionLogConfig, LearningMode
from workbench.models import call


def run_calls(machine, calls, *, message="(tool calls)", name="investment", user_id="u1",
              session_id="s1", run_id=None):
    agent, model = scripted_agent(machine, [list(calls), "done"], name=name)
    return agent.run(message, user_id=user_id, session_id=session_id, run_id=run_id), model


def varied_decisions(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    verbs = ["Increase", "Trim", "Hold", "Exit", "Hedge", "Rebalance", "Review", "Double"]
    assets = ["the European equity sleeve", "short-dated treasuries", "emerging-market debt",
              "the gold allocation", "Nordic small caps", "the cash buffer", "Japanese REITs",
              "investment-grade credit", "the Lumen position", "copper futures"]
    reasons = ["after the rate decision", "ahead of earnings season", "on currency risk",
               "because of the drawdown limit", "to meet the income target"]
    return [f"{rng.choice(verbs)} {rng.choice(assets)} {rng.choice(reasons)} (memo {i})"
            for i in range(n)]


def test_log_then_record_outcome_in_a_later_run(make_machine):
    machine = make_machine(decision_log=True)
    logged, model = run_calls(machine, [call(
        "log_decision", decision="Pass on the Lumen seed round",
        reasoning="Valuation above our mandate", alternatives=["invest at a lower cap"],
        decision_type="investment", confidence=0.7, tags=["seed"])], run_id="r1")
    assert {"log_decision", "record_outcome", "search_decisions"} <= tool_names(model.requests[0])
    decision_id = logged.tool_calls[0].result.removeprefix("Decision logged: ")
    stored = machine.decision_log_store.get(decision_id)
    assert (stored["reasoning"], stored["alternatives"], stored["agent_id"], stored["run_id"]) \
        == ("Valuation above our mandate", ["invest at a lower cap"], "investment", "r1")

    outcome, _ = run_calls(machine, [call("record_outcome", decision_id=decision_id,
                                          outcome="Lumen was acquired at a 5x markup",
                                          quality="bad")], run_id="r2")
    assert outcome.tool_calls[0].result == f"Outcome recorded for {decision_id}."
    stored = machine.decision_log_store.get(decision_id)
    assert (stored["outcome"], stored["outcome_quality"], stored["outcome_run_id"]) == (
        "Lumen was acquired at a 5x markup", "bad", "r2")

    recalled = machine.recall("Should we look at the Lumen seed round again?")
    assert recalled.recalled[0].item_id == decision_id
    assert "outcome (bad): Lumen was acquired at a 5x markup" in recalled.data


def test_record_outcome_finds_a_decision_after_300_newer_ones(make_machine):
    machine = make_machine(decision_log=True)
    store = machine.decision_log_store
    first, _ = run_calls(machine, [call("log_decision", decision="Adopt Postgres for billing",
                                        reasoning="transactions")])
    first_id = first.tool_calls[0].result.removeprefix("Decision logged: ")
    for text in varied_decisions(300):
        store.log(text, agent_id="investment")
    assert store.collection().count() == 301

    result, _ = run_calls(machine, [call("record_outcome", decision_id=first_id,
                                         outcome="No billing incidents in a year",
                                         quality="good")])
    assert result.tool_calls[0].error is None
    assert store.get(first_id)["outcome"] == "No billing incidents in a year"

    found, _ = run_calls(machine, [call("search_decisions", query="Postgres billing database")])
    assert found.tool_calls[0].result.startswith(f"[{first_id}] Adopt Postgres for billing")
    assert "outcome (good): No billing incidents in a year" in found.tool_calls[0].result


def test_invalid_outcomes_are_refused(make_machine):
    machine = make_machine(decision_log=True)
    decision_id = machine.decision_log_store.log("Hire a data engineer", agent_id="investment")
    result, _ = run_calls(machine, [
        call("record_outcome", decision_id="dec_missing", outcome="x"),
        call("record_outcome", decision_id=decision_id, outcome="x", quality="great"),
        call("log_decision", decision="  "),
        call("log_decision", decision="y", confidence=1.5)])
    assert all(c.error for c in result.tool_calls)
    assert "no decision with id 'dec_missing'" in result.tool_calls[0].result
    assert machine.decision_log_store.get(decision_id)["outcome"] is None
    assert machine.decision_log_store.collection().count() == 1


def test_search_and_recall_are_scoped_to_the_agent(make_machine):
    machine = make_machine(decision_log=True)
    store = machine.decision_log_store
    mine = store.log("Rebalance the bond ladder", agent_id="investment")
    store.log("Rebalance the bond ladder quarterly", agent_id="other-agent")
    result, _ = run_calls(machine, [call("search_decisions", query="bond ladder rebalance")],
                          message="bond ladder rebalance")
    text = result.tool_calls[0].result
    assert text.startswith(f"[{mine}]") and "quarterly" not in text
    assert [i.item_id for i in result.recalled] == [mine]


def test_decision_log_supports_propose_but_not_always(make_machine):
    with pytest.raises(UnsupportedModeError, match="decision_log cannot run in ALWAYS"):
        DecisionLogConfig(mode=LearningMode.ALWAYS)
    machine = make_machine(decision_log=DecisionLogConfig(mode=LearningMode.PROPOSE))
    result, _ = run_calls(machine, [call("log_decision", decision="Buy more index funds")])
    assert result.tool_calls[0].result.startswith("Proposed prop_")
    assert machine.decision_log_store.collection().count() == 0
