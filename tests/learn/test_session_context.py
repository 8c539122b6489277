"""Session context: the state of one conversation, ALWAYS (with/without planning) or AGENTIC."""

from __future__ import annotations

import pytest
from learn_helpers import extraction_requests, scripted_agent, tool_names

from workbench import Agent
from workbench.errors import UnsupportedModeError
from workbench.learn import LearningMode, SessionContextConfig
from workbench.models import call

PLAN_TURN = ("My goal is to migrate the billing database. First, the backup, then the "
             "migration, then the verification.")


def test_always_with_planning_tracks_goal_plan_and_progress_offline(make_machine):
    machine = make_machine(session_context=SessionContextConfig(enable_planning=True))
    agent = Agent("pal", model="offline", learning=machine)
    agent.run(PLAN_TURN, user_id="u1", session_id="s1")

    state = machine.session_context_store.get("s1", "u1")
    assert state["goal"] == "migrate the billing database"
    assert state["plan"] == ["the backup", "the migration", "the verification"]
    assert state["progress"] == []

    second = agent.run("I have finished the backup.", user_id="u1", session_id="s1")
    system = second.messages[0].content
    assert "Goal: migrate the billing database" in system, "recalled before the next answer"

    state = machine.session_context_store.get("s1", "u1")
    assert state["progress"] == ["the backup"]
    assert state["plan"] == ["the backup", "the migration", "the verification"]
    assert state["summary"].startswith("My goal is to migrate the billing database.")
    assert "I have finished the backup." in state["summary"], "the summary integrates turns"
    rendered = machine.recall("next?", user_id="u1", session_id="s1").data
    assert "1. [done] the backup" in rendered and "2. the migration" in rendered
    assert "Completed:\n  - the backup" in rendered


def test_always_without_planning_keeps_only_a_summary(make_machine):
    machine = make_machine(session_context=True)
    agent, model = scripted_agent(machine, [
        "ok", {"session_context": {"summary": "User wants to migrate the billing database."}}])
    agent.run(PLAN_TURN, user_id="u1", session_id="s1")

    schema = extraction_requests(model)[0].response_format.schema
    assert set(schema["properties"]["session_context"]["properties"]) == {"summary"}
    state = machine.session_context_store.get("s1", "u1")
    assert state["summary"] == "User wants to migrate the billing database."
    assert state["goal"] is None and state["plan"] == []
    rendered = machine.recall("next", user_id="u1", session_id="s1").data
    assert "Summary: User wants to migrate the billing database." in rendered
    assert "Goal:" not in rendered and "Plan:" not in rendered


def test_offline_extraction_without_planning_ignores_goal_statements(make_machine):
    machine = make_machine(session_context=True)
    Agent("pal", model="offline", learning=machine).run(PLAN_TURN, user_id="u1",
                                                        session_id="s1")
    state = machine.session_context_store.get("s1", "u1")
    assert state["summary"] and state["goal"] is None


def test_null_fields_keep_current_values(make_machine):
    machine = make_machine(session_context=SessionContextConfig(enable_planning=True))
    store = machine.session_context_store
    store.update("s1", "u1", summary="start", goal="ship v2", plan=["a", "b"])
    agent, _ = scripted_agent(machine, ["ok", {"session_context": {
        "summary": "start; did a", "goal": None, "plan": None, "progress": ["a"]}}])
    agent.run("did a", user_id="u1", session_id="s1")
    assert store.get("s1", "u1") | {"updated_at": None, "run_id": None} == {
        "session_id": "s1", "user_id": "u1", "summary": "start; did a", "goal": "ship v2",
        "plan": ["a", "b"], "progress": ["a"], "updates": 2, "updated_at": None,
        "run_id": None}


def test_context_is_scoped_to_the_session_and_the_user(make_machine):
    machine = make_machine(session_context=SessionContextConfig(enable_planning=True))
    agent = Agent("pal", model="offline", learning=machine)
    agent.run(PLAN_TURN, user_id="u1", session_id="s1")

    assert machine.recall("what next?", user_id="u1", session_id="s2").recalled == []
    assert machine.recall("what next?", user_id="u2", session_id="s1").recalled == []
    other = agent.run("hello", user_id="u1", session_id="s2")
    assert "billing" not in other.messages[0].content
    assert [i.store for i in machine.recall("next", user_id="u1", session_id="s1").recalled] \
        == ["session_context"]


def test_agentic_mode_gives_a_tool_and_runs_no_extractor(make_machine):
    machine = make_machine(session_context=SessionContextConfig(mode=LearningMode.AGENTIC,
                                                                enable_planning=True))
    agent, model = scripted_agent(machine, [
        call("update_session_context", summary="Planning a trip to Kyoto.",
             goal="book a 5-day trip", plan=["flights", "hotel", "rail pass"]),
        "Planned."])
    result = agent.run("Help me plan a trip to Kyoto.", user_id="u1", session_id="s1",
                       run_id="r1")
    assert "update_session_context" in tool_names(model.requests[0])
    assert "update_session_context" in result.messages[0].content, "guidance names the tool"
    assert result.tool_calls[0].result == "Session context updated: summary, goal, plan."
    assert extraction_requests(model) == []
    state = machine.session_context_store.get("s1", "u1")
    assert (state["goal"], state["plan"], state["run_id"]) == (
        "book a 5-day trip", ["flights", "hotel", "rail pass"], "r1")

    agent, _ = scripted_agent(machine, [call("update_session_context", progress=["flights"]),
                                        "ok"])
    agent.run("Flights are booked.", user_id="u1", session_id="s1")
    state = machine.session_context_store.get("s1", "u1")
    assert state["progress"] == ["flights"] and state["summary"] == "Planning a trip to Kyoto."


def test_always_mode_offers_no_session_tool(make_machine):
    machine = make_machine(session_context=True)
    agent, model = scripted_agent(machine, ["ok", {"session_context": {"summary": None}}])
    agent.run("hi", user_id="u1", session_id="s1")
    assert "update_session_context" not in tool_names(model.requests[0])
    assert machine.session_context_store.get("s1", "u1") == {}, "null summary: nothing written"


def test_propose_mode_is_rejected_at_construction():
    with pytest.raises(UnsupportedModeError, match="session_context cannot run in PROPOSE"):
        SessionContextConfig(mode=LearningMode.PROPOSE)
    with pytest.raises(UnsupportedModeError):
        SessionContextConfig(mode="propose")
