"""Learned knowledge: save/search/update, near-duplicates, provenance, collections, modes."""

from __future__ import annotations

import pytest
from learn_helpers import extraction_requests, scripted_agent, tool_names

from workbench import Agent, RunContext
from workbench.errors import ToolError
from workbench.learn import Knowledge, LearnedKnowledgeConfig, LearningMode
from workbench.models import call
from workbench.storage.chroma import open_client

TITLE = "orders status spelling"
RULE = "Cancelled orders use status='cancelled' (two Ls), never 'canceled'."


def run_calls(machine, calls, *, user_id="u1", run_id=None, session_id="s1", name="dash"):
    agent, model = scripted_agent(machine, [list(calls), "done"], name=name)
    return agent.run("(tool calls)", user_id=user_id, run_id=run_id, session_id=session_id), model


def test_agentic_save_search_update_round_trip(make_machine):
    machine = make_machine(learned_knowledge=True)
    saved, model = run_calls(machine, [call("save_learning", title=TITLE, learning=RULE,
                                            context="querying orders", tags=["gotcha"])])
    assert {"save_learning", "search_learnings", "update_learning"} <= \
        tool_names(model.requests[0])
    assert extraction_requests(model) == []
    store = machine.learned_knowledge_store
    [learning] = store.all()
    assert saved.tool_calls[0].result == f"Learning saved: {TITLE!r} (id {learning['id']})."

    found, _ = run_calls(machine, [call("search_learnings", query="cancelled orders status")])
    assert found.tool_calls[0].result.startswith(f"[{learning['id']}] {TITLE}\n   {RULE}")
    assert "when: querying orders" in found.tool_calls[0].result

    new_rule = "Cancelled orders use status='cancelled'; refunds use status='refunded'."
    updated, _ = run_calls(machine, [call("update_learning", learning_id=learning["id"],
                                          learning=new_rule)], run_id="r-upd")
    assert updated.tool_calls[0].result.startswith("Updated the existing learning")
    current = store.get(learning["id"])
    assert current["learning"] == new_rule
    assert current["history"][0]["learning"] == RULE
    assert current["history"][0]["run_id"] == "r-upd"
    assert current["history"][0]["until"] == current["updated_at"]


def test_recall_injects_relevant_learnings_with_ids(make_machine):
    machine = make_machine(learned_knowledge=True)
    store = machine.learned_knowledge_store
    target = store.save(TITLE, RULE).learning_id
    for i in range(30):
        store.save(f"warehouse table {i} partitioning", f"Table t{i} is partitioned by day {i}.")
    agent, _ = scripted_agent(machine, ["ok"], name="dash")
    result = agent.run("How many cancelled orders were there last week?", user_id="u1")
    assert result.recalled[0].item_id == target
    assert len(result.recalled) <= LearnedKnowledgeConfig().limit
    assert f"<relevant_learnings>\n[{target}] {TITLE}" in result.messages[0].content


# --- near-duplicates ---------------------------------------------------------------------------


def test_same_title_restated_updates_the_learning(make_machine):
    machine = make_machine(learned_knowledge=True)
    first, _ = run_calls(machine, [call("save_learning", title=TITLE, learning=RULE)])
    again, _ = run_calls(machine, [call("save_learning", title="Orders.Status spelling!",
                                        learning="Cancelled orders: status='cancelled'.")])
    store = machine.learned_knowledge_store
    [learning] = store.all()
    assert again.tool_calls[0].result == \
        f"Updated the existing learning {TITLE!r} (id {learning['id']})."
    assert learning["learning"] == "Cancelled orders: status='cancelled'."
    assert learning["history"][0]["learning"] == RULE


def test_near_duplicate_under_another_title_is_reported_not_dropped(make_machine):
    machine = make_machine(learned_knowledge=True)
    run_calls(machine, [call("save_learning", title=TITLE, learning=RULE)])
    near, _ = run_calls(machine, [call(
        "save_learning", title="order status spelling",
        learning="Cancelled orders use status='cancelled' (two Ls) and never 'canceled'.")])
    store = machine.learned_knowledge_store
    [learning] = store.all()
    reply = near.tool_calls[0].result
    assert reply.startswith(f"Already known as {TITLE!r} (id {learning['id']}, similarity")
    assert "update_learning" in reply, "the reply tells the agent how to change it"
    assert learning["learning"] == RULE

    different, _ = run_calls(machine, [call(
        "save_learning", title="revenue is in cents",
        learning="orders.amount is stored in cents; divide by 100 for dollars.")])
    assert different.tool_calls[0].result.startswith("Learning saved")
    assert len(store.all()) == 2


# --- provenance and counters -----------------------------------------------------------------


def test_provenance_and_helpful_harmful_counters(make_machine):
    machine = make_machine(learned_knowledge=True)
    run_calls(machine, [call("save_learning", title=TITLE, learning=RULE)], user_id="ana",
              run_id="run-42", name="dash")
    store = machine.learned_knowledge_store
    [learning] = store.all()
    provenance = learning["provenance"]
    assert (provenance["run_id"], provenance["agent_id"], provenance["user_id"]) == (
        "run-42", "dash", "ana")
    assert provenance["created_at"] == learning["created_at"]

    store.mark(learning["id"], helpful=True)
    store.mark(learning["id"], helpful=True)
    store.mark(learning["id"], helpful=False)
    current = store.get(learning["id"])
    assert (current["helpful"], current["harmful"]) == (2, 1)
    record = store.collection().get_one(learning["id"])
    assert (record.meta["helpful"], record.meta["harmful"]) == (2, 1), "filterable counters"
    frame = store.to_frame()
    assert frame.loc[0, ["helpful", "harmful", "run_id", "agent_id"]].tolist() == [
        2, 1, "run-42", "dash"]
    with pytest.raises(ToolError):
        store.mark("lrn_missing", helpful=True)


def test_update_of_an_unknown_id_is_refused(make_machine):
    machine = make_machine(learned_knowledge=True)
    result, _ = run_calls(machine, [call("update_learning", learning_id="lrn_nope",
                                         learning="x")])
    assert result.tool_calls[0].error and "no learning with id 'lrn_nope'" in \
        result.tool_calls[0].result


# --- the knowledge collection ------------------------------------------------------------------


def test_knowledge_collection_is_used(make_machine, data_dir):
    dash_learnings = Knowledge("dash_learnings")
    machine = make_machine(knowledge=dash_learnings)
    assert machine.learned_knowledge_store.mode is LearningMode.AGENTIC, "knowledge= turns it on"
    run_calls(machine, [call("save_learning", title=TITLE, learning=RULE)])

    client = open_client(data_dir)
    names = {c.name for c in client.list_collections()}
    assert "wb_dash_learnings" in names and "wb_learned_knowledge" not in names
    stored = client.get_collection("wb_dash_learnings").get(include=["documents"])
    assert stored["documents"] == [f"{TITLE}\n{RULE}\n"]

    again = make_machine(knowledge=Knowledge("dash_learnings"))
    assert [d["title"] for d in again.learned_knowledge_store.all()] == [TITLE]
    other = make_machine(knowledge=Knowledge("pal_learnings"))
    assert other.learned_knowledge_store.all() == []


# --- modes ---------------------------------------------------------------------------------


def test_propose_mode_proposes_and_saves_only_after_confirmation(make_machine):
    machine = make_machine(learned_knowledge=LearnedKnowledgeConfig(mode=LearningMode.PROPOSE))
    proposed, model = run_calls(machine, [call("save_learning", title=TITLE, learning=RULE),
                                          call("search_learnings", query="orders")],
                                session_id="s", run_id="r1")
    assert "propose it with save_learning" in proposed.messages[0].content
    assert proposed.tool_calls[0].result.startswith("Proposed prop_")
    assert proposed.tool_calls[1].result == "No relevant learnings found.", "search is not wrapped"
    assert "confirm_proposal" in tool_names(model.requests[0])
    assert machine.learned_knowledge_store.all() == []

    [proposal] = machine.proposals.pending()
    confirmed, _ = run_calls(machine, [call("confirm_proposal", proposal_id=proposal.id)],
                             session_id="s", run_id="r2")
    # "(tool calls)" is not a yes: refused.
    assert confirmed.tool_calls[0].error and machine.learned_knowledge_store.all() == []
    agent, _ = scripted_agent(machine, [call("confirm_proposal", proposal_id=proposal.id), "ok"])
    agent.run("yes please", user_id="u1", session_id="s", run_id="r3")
    assert [d["title"] for d in machine.learned_knowledge_store.all()] == [TITLE]


def test_always_mode_extracts_explicit_rules_offline_and_offers_no_tools(make_machine):
    machine = make_machine(learned_knowledge=LearnedKnowledgeConfig(mode=LearningMode.ALWAYS))
    ctx = RunContext(run_id="r", session_id="s", user_id="u1")
    assert machine.prepare_tools(ctx) == []
    agent = Agent("dash", model="offline", learning=machine)
    agent.run("Remember that revenue is stored in cents. Thanks.", user_id="u1", run_id="r1")
    [learning] = machine.learned_knowledge_store.all()
    assert learning["learning"] == "revenue is stored in cents."
    assert learning["provenance"]["run_id"] == "r1"


def test_user_namespace_learnings_are_private(make_machine):
    machine = make_machine(learned_knowledge=LearnedKnowledgeConfig(namespace="user"))
    run_calls(machine, [call("save_learning", title=TITLE, learning=RULE)], user_id="ana")
    result, _ = run_calls(machine, [call("search_learnings", query="cancelled orders status")],
                          user_id="ben")
    assert result.tool_calls[0].result == "No relevant learnings found."
    assert machine.recall("cancelled orders status", user_id="ben").recalled == []
    assert machine.recall("cancelled orders status", user_id="ana").recalled
    anonymous = RunContext(run_id="r", session_id="s", user_id=None)
    assert machine.prepare_tools(anonymous) == [], "no user: no user-scoped tools"
    assert machine.recall("cancelled orders status").recalled == []
