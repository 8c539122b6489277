"""Entity memory: tools gated by flags, identity, supersession, as-of, namespaces, extraction."""

from __future__ import annotations

import pytest
from learn_helpers import extraction_requests, scripted_agent, tool_names

from workbench import RunContext
from workbench.errors import NamespaceError, ToolError
from workbench.learn import EntityMemoryConfig, LearningMode, SteppingClock
from workbench.models import call

WRITE_TOOLS = {"create_entity": "enable_create_entity", "add_fact": "enable_add_fact",
               "add_relationship": "enable_add_relationship", "add_event": "enable_add_event",
               "update_entity": "enable_update_entity", "forget": "enable_forget"}
ALL_TOOLS = set(WRITE_TOOLS) | {"search_entities", "get_entity"}


def run_calls(machine, calls, *, user_id="u1", run_id=None, session_id="s1"):
    """One agent run whose model makes ``calls`` (all in one step), then answers."""
    agent, model = scripted_agent(machine, [list(calls), "done"])
    result = agent.run("(tool calls)", user_id=user_id, run_id=run_id, session_id=session_id)
    return result, model


def results(result) -> list[str]:
    return [c.result for c in result.tool_calls]


# --- tools and their flags -------------------------------------------------------------------


def test_agentic_mode_offers_every_tool_by_default(make_machine):
    machine = make_machine(entity_memory=True)
    _, model = run_calls(machine, [call("search_entities", query="anyone")])
    assert ALL_TOOLS <= tool_names(model.requests[0])


@pytest.mark.parametrize("tool", sorted(WRITE_TOOLS))
def test_a_disabled_write_tool_is_absent_and_cannot_be_called(make_machine, tool):
    config = EntityMemoryConfig(**{WRITE_TOOLS[tool]: False})
    machine = make_machine(entity_memory=config)
    result, model = run_calls(machine, [call(tool, name="Acme", entity_type="company",
                                             entity="Acme", attribute="hq", value="Paris",
                                             source="Acme", relation="owns", target="Beta",
                                             description="IPO")])
    offered = tool_names(model.requests[0])
    assert tool not in offered
    assert ALL_TOOLS - {tool} <= offered
    assert result.tool_calls[0].error == f"unknown tool {tool!r}"
    assert machine.snapshot()["entity_memory"] == []


def test_disabled_search_hides_search_and_get(make_machine):
    machine = make_machine(entity_memory=EntityMemoryConfig(enable_search=False))
    ctx = RunContext(run_id="r", session_id="s", user_id="u1")
    assert {t.name for t in machine.prepare_tools(ctx)} == set(WRITE_TOOLS)


def test_create_disabled_means_add_fact_cannot_create_implicitly(make_machine):
    machine = make_machine(entity_memory=EntityMemoryConfig(enable_create_entity=False))
    result, _ = run_calls(machine, [call("add_fact", entity="Acme", attribute="hq",
                                         value="Paris", entity_type="company")])
    assert result.tool_calls[0].error and "No entity named 'Acme'" in result.tool_calls[0].result
    assert machine.snapshot()["entity_memory"] == []


def test_always_mode_offers_no_entity_tools(make_machine):
    machine = make_machine(entity_memory=EntityMemoryConfig(mode=LearningMode.ALWAYS))
    ctx = RunContext(run_id="r", session_id="s", user_id="u1")
    assert machine.prepare_tools(ctx) == []


# --- AGENTIC writes and recall ---------------------------------------------------------------


def test_agentic_round_trip_and_recall_in_the_next_turn(make_machine):
    machine = make_machine(entity_memory=True)
    result, _ = run_calls(machine, [
        call("create_entity", name="Sarah Chen", entity_type="person",
             description="Met at PyCon", aliases=["Sas"]),
        call("add_fact", entity="Sarah Chen", attribute="title", value="VP Engineering"),
        call("add_relationship", source="Sarah Chen", relation="works_at", target="Acme",
             target_type="company"),
        call("add_event", entity="Acme", description="Series B closed", date="2026-02-01"),
    ], run_id="r1")
    assert results(result) == [
        "Created person 'Sarah Chen'.",
        "Recorded Sarah Chen: title = VP Engineering.",
        "Linked Sarah Chen works_at Acme (created company 'Acme').",
        "Event recorded for Acme: Series B closed."]

    store = machine.entity_memory_store
    sarah = store.find("global", "Sarah Chen")
    assert store.graph.node(sarah)["aliases"] == ["Sas"]
    assert [f["run_id"] for f in store.graph.facts(sarah)] == ["r1"]

    agent, _ = scripted_agent(machine, ["She is VP Engineering at Acme."])
    answer = agent.run("What does Sas do these days?", user_id="u1")
    assert answer.recalled[0].item_id == sarah
    card = answer.recalled[0].text
    assert "title: VP Engineering" in card and "works_at -> Acme" in card
    assert "<entity_memory>" in answer.messages[0].content


def test_repeated_writes_are_idempotent(make_machine):
    machine = make_machine(entity_memory=True)
    run_calls(machine, [call("add_fact", entity="Acme", entity_type="company",
                             attribute="hq", value="Paris")])
    before = machine.snapshot()["entity_memory"]
    result, _ = run_calls(machine, [
        call("create_entity", name="ACME", entity_type="company"),
        call("add_fact", entity="acme", attribute="HQ", value="paris"),
        call("add_event", entity="Acme", description="founded"),
        call("add_event", entity="Acme", description="Founded"),
    ])
    assert results(result)[:2] == ["Already known: company 'Acme'.",
                                   "Already recorded: Acme HQ = paris."]
    snapshot = machine.snapshot()["entity_memory"]
    assert len(snapshot) == len(before) + 1, "only the first 'founded' event is new"


# --- identity ------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["sofia perez garcia", "SOFIA PEREZ-GARCIA",
                                      "Sofía  Pérez García", "Sofia Perez, Garcia."])
def test_identity_folds_accents_punctuation_and_case(make_machine, spelling):
    machine = make_machine(entity_memory=True)
    result, _ = run_calls(machine, [
        call("create_entity", name="Sofía Pérez-García", entity_type="person"),
        call("create_entity", name=spelling, entity_type="person"),
        call("add_fact", entity=spelling, attribute="city", value="Madrid")])
    assert results(result)[1] == "Already known: person 'Sofía Pérez-García'."
    assert results(result)[2] == "Recorded Sofía Pérez-García: city = Madrid."
    assert len(machine.entity_memory_store.graph) == 1


def test_aliases_resolve_to_the_same_entity(make_machine):
    machine = make_machine(entity_memory=True)
    result, _ = run_calls(machine, [
        call("create_entity", name="Robert Smith", entity_type="person", aliases=["Bob"]),
        call("add_fact", entity="bob", attribute="email", value="bob@example.com"),
        call("update_entity", entity="Robert Smith", add_aliases=["Bobby"]),
        call("get_entity", entity="BOBBY")])
    assert "Recorded Robert Smith: email = bob@example.com" in results(result)[1]
    assert results(result)[3].startswith("Robert Smith (person aka Bob, Bobby)")


def test_no_fuzzy_merge_but_a_did_you_mean_hint(make_machine):
    machine = make_machine(entity_memory=True)
    result, _ = run_calls(machine, [
        call("create_entity", name="Sofía Pérez-García", entity_type="person"),
        call("create_entity", name="Sofia Perez", entity_type="person"),
        call("add_fact", entity="Sofi Perez", attribute="city", value="Madrid"),
        call("add_fact", entity="Sofi Perez", attribute="city", value="Madrid",
             entity_type="person")])
    created = results(result)[1]
    assert created.startswith("Created person 'Sofia Perez'.")
    assert "similar names already exist: Sofía Pérez-García (person)" in created
    assert len(machine.entity_memory_store.graph) == 2, "a near name is never merged"
    for refusal in result.tool_calls[2:]:
        assert refusal.error and "Did you mean: Sofia Perez (person)" in refusal.result
    assert len(machine.entity_memory_store.graph) == 2
    assert all(not machine.entity_memory_store.graph.facts(k)
               for k in machine.entity_memory_store.graph.keys())


def test_an_ambiguous_bare_name_across_types_is_refused_with_options(make_machine):
    machine = make_machine(entity_memory=True)
    run_calls(machine, [call("create_entity", name="Mercury", entity_type="planet"),
                        call("create_entity", name="Mercury", entity_type="company")])
    before = machine.snapshot()
    result, _ = run_calls(machine, [
        call("add_fact", entity="Mercury", attribute="size", value="small"),
        call("get_entity", entity="mercury")])
    for refusal in result.tool_calls:
        assert refusal.error
        assert "matches more than one entity; nothing was changed" in refusal.result
        assert "  - planet/Mercury\n  - company/Mercury" in refusal.result
    assert machine.snapshot() == before

    result, _ = run_calls(machine, [
        call("add_fact", entity="company/Mercury", attribute="hq", value="Berlin"),
        call("add_fact", entity="Mercury", entity_type="planet", attribute="moons",
             value="0")])
    assert [c.error for c in result.tool_calls] == [None, None]
    store = machine.entity_memory_store
    by_type = {store.graph.node(k)["entity_type"]: k for k in store.graph.keys()}
    assert [f["value"] for f in store.graph.facts(by_type["company"])] == ["Berlin"]
    assert [f["value"] for f in store.graph.facts(by_type["planet"])] == ["0"]


# --- supersession and as-of ------------------------------------------------------------------


def test_title_supersession_and_as_of_queries(make_machine):
    clock = SteppingClock("2024-01-01T00:00:00Z")
    machine = make_machine(entity_memory=True, clock=clock)
    run_calls(machine, [call("add_fact", entity="Dana Park", entity_type="person",
                             attribute="title", value="Director")])
    clock.set("2025-01-01T00:00:00Z")
    vp, _ = run_calls(machine, [call("add_fact", entity="Dana Park", attribute="title",
                                     value="VP")])
    clock.set("2026-01-01T00:00:00Z")
    run_calls(machine, [call("add_fact", entity="Dana Park", attribute="title", value="CTO")])
    assert "Replaces 'Director' (valid from 2024-01-01)" in vp.tool_calls[0].result

    store = machine.entity_memory_store
    key = store.find("global", "Dana Park")

    def title(as_of):
        return [f["value"] for f in store.graph.facts(key, as_of=as_of)
                if f["attribute"] == "title"]

    assert title("2023-12-31T00:00:00Z") == []
    assert title("2024-06-01T00:00:00Z") == ["Director"]
    assert title("2025-06-01T00:00:00Z") == ["VP"]
    assert title("2026-06-01T00:00:00Z") == ["CTO"]
    assert title(None) == ["CTO"]

    history = [(f["value"], f["valid_from"][:10], (f["valid_to"] or "")[:10], f["live"])
               for f in store.history(key)]
    assert history == [("Director", "2024-01-01", "2025-01-01", False),
                       ("VP", "2025-01-01", "2026-01-01", False),
                       ("CTO", "2026-01-01", "", True)]
    superseded_by = {f["value"]: f["superseded_by"] for f in store.history(key)}
    ids = {f["value"]: f["id"] for f in store.history(key)}
    assert superseded_by == {"Director": ids["VP"], "VP": ids["CTO"], "CTO": None}

    agent, _ = scripted_agent(machine, [
        [call("get_entity", entity="Dana Park", as_of="2025-03-01"),
         call("get_entity", entity="Dana Park", include_history=True)], "ok"])
    then, now = (c.result for c in agent.run("history?", user_id="u1").tool_calls)
    assert "title: VP" in then and "CTO" not in then
    assert "title: CTO" in now
    assert "previously title: Director (2024-01-01 to 2025-01-01)" in now


def test_multi_valued_attributes_accumulate(make_machine):
    machine = make_machine(entity_memory=True)
    run_calls(machine, [
        call("add_fact", entity="Dana Park", entity_type="person", attribute="skill",
             value="Rust"),
        call("add_fact", entity="Dana Park", attribute="skill", value="Go")])
    store = machine.entity_memory_store
    facts = store.graph.facts(store.find("global", "Dana Park"))
    assert sorted(f["value"] for f in facts) == ["Go", "Rust"]


def test_works_at_is_functional_and_moves(make_machine):
    clock = SteppingClock("2024-01-01T00:00:00Z")
    machine = make_machine(entity_memory=True, clock=clock)
    run_calls(machine, [call("add_relationship", source="Dana Park", source_type="person",
                             relation="works_at", target="Acme", target_type="company"),
                        call("add_relationship", source="Dana Park", relation="advises",
                             target="Acme")])
    clock.set("2025-01-01T00:00:00Z")
    moved, _ = run_calls(machine, [
        call("add_relationship", source="Dana Park", relation="works_at", target="Globex",
             target_type="company"),
        call("add_relationship", source="Dana Park", relation="advises", target="Globex")])
    assert moved.tool_calls[0].result.endswith("Replaces works_at -> Acme.")

    store = machine.entity_memory_store
    dana = store.find("global", "Dana Park")

    def targets(relation, as_of=None):
        return sorted(store.graph.node(e["target_key"])["name"]
                      for e in store.graph.edges(dana, direction="out", as_of=as_of)
                      if e["relation"] == relation)

    assert targets("works_at") == ["Globex"]
    assert targets("works_at", "2024-06-01T00:00:00Z") == ["Acme"]
    assert targets("advises") == ["Acme", "Globex"], "a non-functional relation accumulates"
    acme = store.find("global", "Acme")
    assert [e["relation"] for e in store.graph.edges(acme, direction="in")] == ["advises"]


def test_forget_retires_facts_and_relationships_and_archives_entities(make_machine):
    machine = make_machine(entity_memory=True)
    run_calls(machine, [
        call("add_fact", entity="Dana Park", entity_type="person", attribute="phone",
             value="555-0100"),
        call("add_fact", entity="Dana Park", attribute="city", value="Oslo"),
        call("add_relationship", source="Dana Park", relation="works_at", target="Acme",
             target_type="company")])
    result, _ = run_calls(machine, [
        call("forget", entity="Dana Park", attribute="phone"),
        call("forget", entity="Dana Park", relation="works_at", target="Acme"),
        call("forget", entity="Dana Park", attribute="phone")])
    assert results(result) == ["Retired 1 fact(s) on Dana Park.",
                               "Retired 1 relationship(s) of Dana Park.",
                               "No live phone fact on Dana Park."]
    store = machine.entity_memory_store
    dana = store.find("global", "Dana Park")
    assert [f["attribute"] for f in store.graph.facts(dana)] == ["city"]
    assert store.graph.edges(dana) == []
    retired = [f for f in store.history(dana) if not f["live"]]
    assert [(f["value"], f["superseded_by"]) for f in retired] == [("555-0100", "forgotten")]

    result, _ = run_calls(machine, [call("forget", entity="Dana Park")])
    assert results(result) == ["Archived Dana Park; it will no longer be recalled."]
    assert machine.recall("Where does Dana Park live?", user_id="u1").recalled == []
    assert store.search("global", "Dana Park Oslo") == []
    assert store.graph.node(dana)["archived"] and store.history(dana), "archived, not deleted"


# --- ALWAYS via extraction -------------------------------------------------------------------


def test_always_mode_writes_what_the_extractor_returns(make_machine):
    machine = make_machine(entity_memory=EntityMemoryConfig(mode=LearningMode.ALWAYS))
    agent, model = scripted_agent(machine, [
        "Noted.",
        {"entity_memory": {
            "entities": [{"name": "Priya Raman", "entity_type": "person",
                          "description": "Founder of Lumen"},
                         {"name": "Lumen", "entity_type": "company", "description": None}],
            "facts": [{"entity": "Priya Raman", "attribute": "title", "value": "CEO"}],
            "relationships": [{"source": "Priya Raman", "relation": "works_at",
                               "target": "Lumen"}],
            "events": [{"entity": "Lumen", "description": "Seed round", "date": "2026-03-01"}],
        }}])
    agent.run("Priya Raman, CEO of Lumen, closed a seed round on 2026-03-01.", user_id="u1",
              run_id="r1")

    request = extraction_requests(model)[0]
    assert set(request.response_format.schema["properties"]["entity_memory"]["properties"]) \
        == {"entities", "facts", "relationships", "events"}
    assert "create_entity" not in tool_names(model.requests[0])
    store = machine.entity_memory_store
    priya = store.find("global", "priya raman")
    card = store.describe(priya)
    assert "title: CEO" in card and "works_at -> Lumen" in card
    assert store.graph.facts(priya)[0]["source"] == "extraction"
    assert store.graph.events(store.find("global", "Lumen"))[0]["date"] == "2026-03-01"

    agent, model = scripted_agent(machine, ["ok", {"entity_memory": {
        "entities": [], "facts": [], "relationships": [], "events": []}}])
    agent.run("How is Priya doing?", user_id="u1")
    state = extraction_requests(model)[0].messages[0].content
    assert "Priya Raman (person): Founder of Lumen" in state, "the extractor sees known entities"


def test_always_mode_with_the_offline_model_writes_nothing_it_cannot_justify(make_machine):
    from workbench import Agent

    machine = make_machine(entity_memory=EntityMemoryConfig(mode=LearningMode.ALWAYS))
    Agent("x", model="offline", learning=machine).run("Priya runs Lumen.", user_id="u1")
    assert machine.snapshot()["entity_memory"] == []
    assert machine.extraction_reports[-1].status == "ok"


# --- namespaces --------------------------------------------------------------------------------


def test_global_namespace_is_shared_between_users(make_machine):
    machine = make_machine(entity_memory=True)
    run_calls(machine, [call("add_fact", entity="Acme", entity_type="company",
                             attribute="hq", value="Paris")], user_id="alice")
    result, _ = run_calls(machine, [call("get_entity", entity="Acme")], user_id="bob")
    assert "hq: Paris" in result.tool_calls[0].result


def test_user_namespace_same_names_never_collide(make_machine):
    machine = make_machine(entity_memory=EntityMemoryConfig(namespace="user"))
    for user, status in (("alice", "active"), ("bob", "cancelled")):
        result, _ = run_calls(machine, [
            call("create_entity", name="Project Radar", entity_type="project"),
            call("add_fact", entity="Project Radar", attribute="status", value=status)],
            user_id=user)
        assert results(result)[0] == "Created project 'Project Radar'.", user

    store = machine.entity_memory_store
    alice, bob = store.find("user:alice", "Project Radar"), store.find("user:bob", "Project Radar")
    assert alice and bob and alice != bob
    assert [f["value"] for f in store.graph.facts(alice)] == ["active"]
    assert [f["value"] for f in store.graph.facts(bob)] == ["cancelled"]
    scopes = {r["scope"] for r in machine.snapshot()["entity_memory"]}
    assert scopes == {"user:alice", "user:bob"}
    result, _ = run_calls(machine, [call("get_entity", entity="Project Radar")],
                          user_id="alice")
    assert "status: active" in result.tool_calls[0].result
    assert "cancelled" not in result.tool_calls[0].result


def test_user_namespace_fails_closed_without_a_user(make_machine):
    machine = make_machine(entity_memory=EntityMemoryConfig(namespace="user"))
    run_calls(machine, [call("add_fact", entity="Acme", entity_type="company",
                             attribute="hq", value="Paris")], user_id="alice")
    anonymous = RunContext(run_id="r", session_id="s", user_id=None)
    assert machine.prepare_tools(anonymous) == [], "no user: no entity tools"
    turn = machine.recall("Where is Acme based?", user_id=None)
    assert turn.recalled == [] and "Paris" not in turn.data
    with pytest.raises(NamespaceError):
        machine.entity_memory_store.scope(None)
    agent, _ = scripted_agent(machine, ["I don't know."])
    assert agent.run("Where is Acme?").text == "I don't know.", "an anonymous run still answers"


def test_custom_namespaces_keep_groups_apart(make_machine):
    team_a = make_machine(entity_memory=True, namespace="team-a")
    team_b = make_machine(entity_memory=EntityMemoryConfig(namespace="team-b"))
    assert team_a.entity_memory_store.namespace == "team-a"
    run_calls(team_a, [call("add_fact", entity="Acme", entity_type="company",
                            attribute="hq", value="Paris")], user_id="alice")
    result, _ = run_calls(team_b, [call("search_entities", query="Acme hq Paris")],
                          user_id="alice")
    assert result.tool_calls[0].result == "Nothing known matching 'Acme hq Paris'."
    assert team_b.recall("Acme", user_id="alice").recalled == []
    assert [i.text.splitlines()[0] for i in team_a.recall("Acme", user_id="bob").recalled] \
        == ["Acme (company)"]


def test_custom_namespace_may_not_impersonate_a_user_scope(make_machine):
    machine = make_machine(entity_memory=EntityMemoryConfig(namespace="user:alice"))
    with pytest.raises(NamespaceError, match="reserved"):
        machine.entity_memory_store.scope("bob")


def test_direct_api_refuses_unknown_entities_with_a_hint(make_machine):
    machine = make_machine(entity_memory=True)
    store = machine.entity_memory_store
    store.create("global", "Katherine Johnson", "person")
    with pytest.raises(ToolError, match="Did you mean: Katherine Johnson"):
        store.require("global", "Katharine Johnson")
