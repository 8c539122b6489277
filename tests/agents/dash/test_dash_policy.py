"""The offline Dash policy: first-attempt mistakes, diagnosis by tool calls, structured
learnings, fixes only from context, and no hidden state."""

from __future__ import annotations

import builtins
import pathlib

import pytest

from workbench.agents.dash.agent import build_agent, dash_machine
from workbench.agents.dash.intents import parse_ask
from workbench.agents.dash.policy import TEMPLATES, dash_policy
from workbench.agents.dash.questions import load_questions
from workbench.models import OfflineModel, OfflineView
from workbench.models.types import ModelRequest


class Recording(OfflineModel):
    """The offline model, keeping every request it answered (to replay them)."""

    def __init__(self) -> None:
        super().__init__([dash_policy])
        self.requests: list[ModelRequest] = []

    def complete(self, request):
        self.requests.append(request)
        return super().complete(request)


def make(tmp_path, dash_conn, level="names", model=None):
    machine = dash_machine(data_dir=tmp_path / "memory", embedder="hashing")
    agent = build_agent(model or "offline", machine, dash_conn, context_level=level,
                        embedder="hashing")
    return agent, machine


def sql_of(result):
    return [c.arguments["query"] for c in result.tool_calls if c.name == "run_sql"]


def test_every_question_in_the_bank_maps_to_an_intent():
    for q in load_questions():
        ask = parse_ask(q.question, "2026-04-15")
        assert ask is not None and ask.intent in TEMPLATES, q.id


def test_cold_run_makes_the_mistake_diagnoses_it_and_saves_a_structured_learning(tmp_path,
                                                                                   dash_conn):
    agent, machine = make(tmp_path, dash_conn)
    result = agent.run("How many mid-market companies have signed up with us?")
    queries = sql_of(result)
    assert "'mid-market'" in queries[0], "first attempt uses the question's spelling"
    assert "/* check: values customers.company_size */" in queries[1]
    assert "'mid_market'" in queries[2]
    assert "162" in result.text
    saved = [c for c in result.tool_calls if c.name == "save_learning"]
    assert len(saved) == 1
    args = saved[0].arguments
    assert args["title"].startswith("customers.company_size")
    assert "'mid_market'" in args["learning"] and "enum_values" in args["tags"]
    assert [d["title"] for d in machine.learned_knowledge_store.all()] == [args["title"]]


def test_learning_is_applied_only_when_it_is_in_context(tmp_path, dash_conn):
    agent, machine = make(tmp_path, dash_conn)
    cold = agent.run("How many subscriptions were canceled in 2025?")
    assert len(sql_of(cold)) >= 3 and "255" in cold.text
    warm = agent.run("What number of subscription cancellations did we have in calendar "
                     "year 2025?")
    assert len(sql_of(warm)) == 1 and "'cancelled'" in sql_of(warm)[0] and "255" in warm.text
    assert warm.recalled, "the fix came with a recalled learning"
    machine.wipe()
    wiped = agent.run("How many subscriptions were canceled in 2025?")
    assert sql_of(wiped) == sql_of(cold), "a wiped store gives the cold behaviour again"


def test_same_request_gives_the_same_reply_and_reads_no_files(tmp_path, dash_conn, monkeypatch):
    model = Recording()
    agent, _ = make(tmp_path, dash_conn, model=model)
    agent.run("How many customers came to us through referrals in 2024?")
    agent.run("Count the customers who are trialling the product.")
    assert len(model.requests) > 6

    def refuse(*_a, **_k):
        raise AssertionError("the policy must not read files")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(pathlib.Path, "read_text", refuse)
    monkeypatch.setattr(pathlib.Path, "read_bytes", refuse)
    for request in model.requests:
        first, second = dash_policy(OfflineView(request)), dash_policy(OfflineView(request))
        assert repr(first) == repr(second)


def test_dialect_error_is_fixed_from_the_error_text(tmp_path, dash_conn):
    agent, _ = make(tmp_path, dash_conn, level="semantic")
    result = agent.run("Show monthly signups for 2025.")
    queries = sql_of(result)
    assert "DATE_TRUNC" in queries[0] or "EXTRACT" in queries[0]
    assert any(c.error and "syntax error" in c.result or "no such function" in c.result
               for c in result.tool_calls)
    assert "strftime('%Y-%m', signup_date)" in queries[-1]
    assert "2025-12: 60" in result.text, "the 10-row default was noticed and raised"
    titles = [c.arguments["title"] for c in result.tool_calls if c.name == "save_learning"]
    assert any(t.startswith("SQL dialect") for t in titles)
    assert any(t.startswith("run_sql shows only 10 rows") for t in titles)


def test_wrong_learning_in_context_is_followed_then_corrected_by_evidence(tmp_path, dash_conn):
    agent, machine = make(tmp_path, dash_conn, level="semantic")
    store = machine.learned_knowledge_store
    planted = store.save("subscriptions.status spelling for cancelled subscriptions",
                         "Cancelled subscriptions are stored as subscriptions.status = "
                         "'canceled' (American spelling, one l).",
                         "counting cancelled subscriptions", ["status_vocabulary"])
    result = agent.run("How many subscriptions got cancelled during 2025?")
    queries = sql_of(result)
    assert "'canceled'" in queries[0], "the wrong learning overrides the docs at first"
    assert "'cancelled'" in queries[-1] and "255" in result.text
    updates = [c for c in result.tool_calls if c.name == "update_learning"]
    assert updates and updates[0].arguments["learning_id"] == planted.learning_id
    assert "'cancelled'" in store.get(planted.learning_id)["learning"]


def test_silent_wrong_learning_is_not_detected(tmp_path, dash_conn):
    agent, machine = make(tmp_path, dash_conn, level="semantic")
    machine.learned_knowledge_store.save(
        "support_tickets.status: which tickets count as resolved",
        "Only support_tickets.status = 'resolved' counts as resolved, not 'closed'.",
        "counting resolved tickets", ["ticket_resolution"])
    result = agent.run("How many support tickets have been resolved?")
    assert sql_of(result) == ["SELECT COUNT(*) AS resolved_tickets FROM support_tickets "
                              "WHERE status = 'resolved'"]
    assert "154" in result.text


@pytest.mark.parametrize("question, first, fixed", [
    ("What is our current MRR?", "FROM subscriptions s\n", "s.status = 'active'"),
    ("How much storage are our customers using in total right now?", "SUM(u.storage_mb)",
     "ROW_NUMBER()"),
    ("How many support tickets have been resolved?", "status = 'resolved'",
     "IN ('closed', 'resolved')"),
])
def test_silent_traps_are_caught_by_probes_at_the_names_level(tmp_path, dash_conn, question,
                                                             first, fixed):
    agent, _ = make(tmp_path, dash_conn)
    queries = sql_of(agent.run(question))
    assert first.strip() in queries[0] and fixed in queries[-1]
    assert any("/* check:" in q for q in queries)
