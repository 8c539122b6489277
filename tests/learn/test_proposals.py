"""PROPOSE mode is enforced by state: nothing is written until a person confirms."""

from __future__ import annotations

import pytest
from learn_helpers import scripted_agent

from workbench.errors import ToolError
from workbench.learn import (
    EntityMemoryConfig,
    LearnedKnowledgeConfig,
    LearningMode,
    UserMemoryConfig,
    UserProfileConfig,
)
from workbench.learn.proposals import is_approval
from workbench.models import call

PROPOSE = LearningMode.PROPOSE
TITLE, RULE = "orders status spelling", "Cancelled orders use status='cancelled'."


@pytest.fixture
def machine(make_machine):
    return make_machine(learned_knowledge=LearnedKnowledgeConfig(mode=PROPOSE),
                        user_memory=UserMemoryConfig(mode=PROPOSE),
                        entity_memory=EntityMemoryConfig(mode=PROPOSE))


def stored(machine) -> dict[str, list]:
    snapshot = machine.snapshot()
    return {name: rows for name, rows in snapshot.items() if rows}


def confirm_latest(machine):
    return lambda view: call("confirm_proposal", proposal_id=machine.proposals.pending()[-1].id)


def test_full_flow_same_run_refused_non_yes_refused_yes_executes(machine):
    agent, model = scripted_agent(machine, [
        call("save_learning", title=TITLE, learning=RULE),
        confirm_latest(machine),                       # same run: the model approving itself
        "I propose saving this. Save it? (yes/no)",
        confirm_latest(machine), "OK, I'll wait.",     # run 2: the user did not say yes
        confirm_latest(machine), "Saved.",             # run 3: "yes"
    ])
    first = agent.run("Cancelled is spelled with two Ls here.", user_id="ana",
                      session_id="s1", run_id="r1")
    proposed, self_confirm = first.tool_calls
    assert proposed.result.startswith("Proposed prop_") and "Nothing is saved" in proposed.result
    assert self_confirm.error and "has not approved it" in self_confirm.result
    [proposal] = machine.proposals.pending()
    assert (proposal.store, proposal.tool, proposal.arguments) == (
        "learned_knowledge", "save_learning", {"title": TITLE, "learning": RULE})
    assert (proposal.user_id, proposal.session_id, proposal.run_id) == ("ana", "s1", "r1")
    assert stored(machine) == {}, "nothing is written before confirmation"

    second = agent.run("Hmm, let me think about it.", user_id="ana", session_id="s1",
                       run_id="r2")
    assert second.tool_calls[0].error and "has not approved it" in second.tool_calls[0].result
    assert machine.proposals.get(proposal.id).status == "pending"
    assert stored(machine) == {}

    third = agent.run("yes", user_id="ana", session_id="s1", run_id="r3")
    assert third.tool_calls[0].error is None
    assert third.tool_calls[0].result.startswith(f"Learning saved: {TITLE!r}")
    assert [d["title"] for d in machine.learned_knowledge_store.all()] == [TITLE]
    done = machine.proposals.get(proposal.id)
    assert done.status == "confirmed" and done.result == third.tool_calls[0].result
    assert machine.proposals.pending() == []
    model.assert_complete()


def test_a_confirmed_proposal_cannot_run_twice(machine):
    agent, _ = scripted_agent(machine, [
        call("remember_user_fact", content="Prefers metric units."), "Save it?",
        confirm_latest(machine), "Saved.",
    ])
    agent.run("I use metric.", user_id="ana", session_id="s1")
    proposal_id = machine.proposals.pending()[0].id
    agent.run("yes, save it", user_id="ana", session_id="s1")
    assert len(machine.user_memory_store.memories("ana")) == 1

    agent, _ = scripted_agent(machine, [call("confirm_proposal", proposal_id=proposal_id), "x"])
    again = agent.run("yes", user_id="ana", session_id="s1")
    assert again.tool_calls[0].error and "already confirmed" in again.tool_calls[0].result
    with pytest.raises(ToolError, match="already confirmed"):
        machine.proposals.confirm(proposal_id)
    assert len(machine.user_memory_store.memories("ana")) == 1


def test_another_user_or_session_cannot_confirm(machine):
    agent, _ = scripted_agent(machine, [
        call("save_learning", title=TITLE, learning=RULE), "Save it?"])
    agent.run("two Ls", user_id="ana", session_id="s1")
    proposal_id = machine.proposals.pending()[0].id
    for user, session in (("ben", "s1"), ("ana", "s2")):
        agent, _ = scripted_agent(machine, [call("confirm_proposal", proposal_id=proposal_id),
                                            "x"])
        result = agent.run("yes", user_id=user, session_id=session)
        assert "belongs to another conversation" in result.tool_calls[0].result
    assert stored(machine) == {}


def test_notebook_confirm_executes_even_from_a_new_machine(machine, make_machine):
    agent, _ = scripted_agent(machine, [
        call("add_fact", entity="Acme", entity_type="company", attribute="hq",
             value="Paris"), "Save it?"])
    agent.run("Acme is based in Paris.", user_id="ana", session_id="s1")
    assert stored(machine) == {}
    proposal_id = machine.proposals.pending()[0].id

    reopened = make_machine(entity_memory=EntityMemoryConfig(mode=PROPOSE))
    message = reopened.proposals.confirm(proposal_id)
    assert message.startswith("Recorded Acme: hq = Paris")
    store = reopened.entity_memory_store
    assert [f["value"] for f in store.graph.facts(store.find("global", "Acme"))] == ["Paris"]
    assert reopened.proposals.get(proposal_id).status == "confirmed"


def test_reject_discards_the_proposal(machine):
    agent, _ = scripted_agent(machine, [
        call("save_learning", title=TITLE, learning=RULE), "Save it?",
        lambda view: call("confirm_proposal", proposal_id=proposal_ids[0]), "ok"])
    agent.run("two Ls", user_id="ana", session_id="s1")
    proposal_ids = [p.id for p in machine.proposals.pending()]
    machine.proposals.reject(proposal_ids[0])
    assert machine.proposals.get(proposal_ids[0]).status == "rejected"
    assert machine.proposals.pending() == []

    late = agent.run("yes", user_id="ana", session_id="s1")
    assert "already rejected" in late.tool_calls[0].result
    with pytest.raises(ToolError, match="already rejected"):
        machine.proposals.confirm(proposal_ids[0])
    assert stored(machine) == {}


def test_profile_proposals_survive_until_confirmed(make_machine):
    machine = make_machine(user_profile=UserProfileConfig(mode=PROPOSE))
    agent, _ = scripted_agent(machine, [call("update_user_profile", name="Ana Lima"),
                                        "Save?"])
    agent.run("I'm Ana Lima", user_id="ana", session_id="s1")
    assert machine.user_profile_store.get("ana") == {}
    [proposal] = machine.proposals.pending(session_id="s1")
    assert machine.proposals.pending(session_id="other") == []
    assert machine.proposals.confirm(proposal.id) == "Profile updated: name."
    assert machine.user_profile_store.get("ana") == {"name": "Ana Lima"}


@pytest.mark.parametrize("message, approved", [
    ("yes", True), ("Yes, save it.", True), ("ok", True), ("sure thing", True),
    ("go ahead", True), ("no", False), ("not yet", False), ("yesterday was busy", False),
    ("maybe later", False), ("", False), ("I said yes earlier", False)])
def test_what_counts_as_an_approval(message, approved):
    assert is_approval(message) is approved
