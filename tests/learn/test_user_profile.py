"""User profile: one record per user, updated in place, with a field history, in every mode."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from learn_helpers import extraction_requests, scripted_agent, tool_names, tool_spec

from workbench import Agent, RunContext
from workbench.errors import ConfigError
from workbench.learn import LearningMode, UserProfile, UserProfileConfig
from workbench.learn.context import parse_iso
from workbench.models import call

TZ_DESCRIPTION = "The user's IANA time zone, e.g. Europe/Berlin"
EDITOR_DESCRIPTION = "The text editor the user codes in"


@dataclass
class DevProfile(UserProfile):
    timezone: str | None = field(default=None, metadata={"description": TZ_DESCRIPTION})
    favourite_editor: str | None = field(default=None,
                                         metadata={"description": EDITOR_DESCRIPTION})


# --- ALWAYS ----------------------------------------------------------------------------------


def test_always_mode_extracts_with_the_offline_model_and_recalls_next_turn(make_machine):
    machine = make_machine(user_profile=True)
    agent = Agent("pal", model="offline", learning=machine)

    agent.run("Hi, my name is Ada Lovelace. Call me Ada.", user_id="ada", run_id="r1")

    assert machine.user_profile_store.get("ada") == {"name": "Ada Lovelace",
                                                     "preferred_name": "Ada"}
    second = agent.run("What should we work on today?", user_id="ada", run_id="r2")
    system = second.messages[0].content
    assert "<user_profile>" in system
    assert "Name: Ada Lovelace" in system and "Preferred name: Ada" in system
    assert [i.item_id for i in second.recalled] == ["profile:ada"]


def test_a_correction_updates_in_place_and_keeps_old_value_time_and_run(make_machine):
    machine = make_machine(user_profile=True)
    agent = Agent("pal", model="offline", learning=machine)
    agent.run("Hi, my name is Ada Lovelace.", user_id="ada", run_id="run-1")
    agent.run("Correction: my name is Ada King.", user_id="ada", run_id="run-2")

    store = machine.user_profile_store
    assert store.get("ada")["name"] == "Ada King"
    assert len(store.collection().all()) == 1, "one record per user, updated in place"
    history = [h for h in store.history("ada") if h["field"] == "name"]
    assert [(h["old"], h["new"], h["run_id"]) for h in history] == [
        (None, "Ada Lovelace", "run-1"), ("Ada Lovelace", "Ada King", "run-2")]
    assert all(h["source"] == "extraction" for h in history)
    assert parse_iso(history[0]["at"]) < parse_iso(history[1]["at"])


def test_an_unchanged_value_writes_no_history(make_machine):
    machine = make_machine(user_profile=True)
    agent = Agent("pal", model="offline", learning=machine)
    agent.run("My name is Ada Lovelace.", user_id="ada")
    agent.run("As I said, my name is Ada Lovelace.", user_id="ada")
    assert len(machine.user_profile_store.history("ada")) == 1


def test_always_mode_offers_no_profile_tool(make_machine):
    machine = make_machine(user_profile=UserProfileConfig(mode=LearningMode.ALWAYS))
    agent, model = scripted_agent(machine, ["hello", {"user_profile": {"name": None,
                                                                       "preferred_name": None}}])
    agent.run("hi", user_id="u1")
    assert "update_user_profile" not in tool_names(model.requests[0])
    assert len(extraction_requests(model)) == 1


def test_extraction_without_a_user_id_is_skipped(make_machine):
    machine = make_machine(user_profile=True)
    agent, model = scripted_agent(machine, ["hello"])
    agent.run("my name is Nobody")  # anonymous: no profile to write to
    assert extraction_requests(model) == [] and machine.snapshot()["user_profile"] == []
    model.assert_complete()


# --- custom fields -----------------------------------------------------------------------------


def test_custom_field_descriptions_reach_the_model_in_tool_and_extraction_schemas(make_machine):
    agentic = make_machine(user_profile=UserProfileConfig(mode=LearningMode.AGENTIC,
                                                          schema=DevProfile), prefix="a")
    agent, model = scripted_agent(agentic, ["ok"])
    agent.run("hi", user_id="u1")
    props = tool_spec(model.requests[0], "update_user_profile").parameters["properties"]
    assert set(props) == {"name", "preferred_name", "timezone", "favourite_editor"}
    assert TZ_DESCRIPTION in props["timezone"]["description"]
    assert EDITOR_DESCRIPTION in props["favourite_editor"]["description"]
    assert "ctx" not in props

    always = make_machine(user_profile=UserProfileConfig(schema=DevProfile), prefix="b")
    agent, model = scripted_agent(always, ["ok", {"user_profile": {}}])
    agent.run("hi", user_id="u1")
    schema = extraction_requests(model)[0].response_format.schema
    fields = schema["properties"]["user_profile"]["properties"]
    assert fields["timezone"]["description"] == TZ_DESCRIPTION
    assert fields["favourite_editor"]["description"] == EDITOR_DESCRIPTION


def test_custom_fields_are_extracted_offline_and_rendered(make_machine):
    machine = make_machine(user_profile=UserProfileConfig(schema=DevProfile))
    agent = Agent("pal", model="offline", learning=machine)
    agent.run("My timezone is Europe/Berlin. My favourite editor is Helix.", user_id="u1")
    assert machine.user_profile_store.get("u1") == {"timezone": "Europe/Berlin",
                                                    "favourite_editor": "Helix"}
    turn = machine.recall("plan my day", user_id="u1")
    assert "Timezone: Europe/Berlin" in turn.data and "Favourite editor: Helix" in turn.data


def test_schema_must_subclass_user_profile(make_machine):
    @dataclass
    class NotAProfile:
        name: str | None = None

    with pytest.raises(ConfigError, match="subclassing UserProfile"):
        make_machine(user_profile=UserProfileConfig(schema=NotAProfile))


# --- AGENTIC ---------------------------------------------------------------------------------


def test_agentic_tool_writes_fields_with_run_provenance_and_no_extraction(make_machine):
    machine = make_machine(user_profile=UserProfileConfig(mode=LearningMode.AGENTIC,
                                                          schema=DevProfile))
    agent, model = scripted_agent(machine, [
        call("update_user_profile", name="Grace Hopper", timezone="America/New_York"),
        "Noted."])
    result = agent.run("I'm Grace Hopper, in New York.", user_id="grace", run_id="r-7")

    assert result.tool_calls[0].result == "Profile updated: name, timezone."
    assert machine.user_profile_store.get("grace") == {"name": "Grace Hopper",
                                                       "timezone": "America/New_York"}
    history = machine.user_profile_store.history("grace")
    assert {(h["field"], h["run_id"], h["source"]) for h in history} == {
        ("name", "r-7", "agent"), ("timezone", "r-7", "agent")}
    assert extraction_requests(model) == [], "AGENTIC never runs an extractor"
    assert "update_user_profile" in result.messages[0].content, "guidance names the tool"
    model.assert_complete()


def test_agentic_unknown_field_is_refused_and_nothing_is_written(make_machine):
    machine = make_machine(user_profile=UserProfileConfig(mode=LearningMode.AGENTIC))
    agent, _ = scripted_agent(machine, [call("update_user_profile", shoe_size="44"), "ok"])
    result = agent.run("my shoe size is 44", user_id="u1")
    assert result.tool_calls[0].error and "shoe_size" in result.tool_calls[0].result
    assert machine.user_profile_store.get("u1") == {}


def test_agentic_tool_needs_a_user(make_machine):
    machine = make_machine(user_profile=UserProfileConfig(mode=LearningMode.AGENTIC))
    ctx = RunContext(run_id="r", session_id="s", user_id=None)
    assert "update_user_profile" not in {t.name for t in machine.prepare_tools(ctx)}


# --- PROPOSE ---------------------------------------------------------------------------------


def test_propose_mode_holds_the_update_until_the_user_says_yes(make_machine):
    machine = make_machine(user_profile=UserProfileConfig(mode=LearningMode.PROPOSE))
    agent, _ = scripted_agent(machine, [
        call("update_user_profile", name="Linus"), "Save this? (yes/no)",
        lambda view: call("confirm_proposal", proposal_id=machine.proposals.pending()[0].id),
        "Saved."])
    first = agent.run("I'm Linus", user_id="linus", session_id="s", run_id="r1")
    assert first.tool_calls[0].result.startswith("Proposed prop_")
    assert machine.user_profile_store.get("linus") == {}

    agent.run("yes", user_id="linus", session_id="s", run_id="r2")
    assert machine.user_profile_store.get("linus") == {"name": "Linus"}
    assert machine.user_profile_store.history("linus")[0]["run_id"] == "r2"
