"""The machine: modes, the design-document snippet, combined extraction, background, tracing."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
from learn_helpers import canonical, events, extraction_requests, scripted_agent, tool_names

from workbench import Agent, RunContext
from workbench.errors import EmbedderMismatchError, ModelError, UnsupportedModeError
from workbench.learn import (
    DecisionLogConfig,
    EntityMemoryConfig,
    Knowledge,
    LearnedKnowledgeConfig,
    LearningMode,
    SessionContextConfig,
    SteppingClock,
    UserMemoryConfig,
    UserProfileConfig,
)
from workbench.models import ScriptedModel, call
from workbench.models.types import estimate_tokens

# --- modes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("config, mode", [
    (SessionContextConfig, LearningMode.PROPOSE),
    (DecisionLogConfig, LearningMode.ALWAYS),
    (UserProfileConfig, "sometimes"),
    (EntityMemoryConfig, "never"),
])
def test_modes_a_store_cannot_honour_raise_at_construction(config, mode):
    with pytest.raises(UnsupportedModeError):
        config(mode=mode)


@pytest.mark.parametrize("config, modes", [
    (UserProfileConfig, ("always", "agentic", "propose")),
    (UserMemoryConfig, ("always", "agentic")),
    (SessionContextConfig, ("always", "agentic")),
    (EntityMemoryConfig, ("always", "agentic", "propose")),
    (LearnedKnowledgeConfig, ("always", "agentic", "propose")),
    (DecisionLogConfig, ("agentic", "propose")),
])
def test_supported_modes_are_accepted_as_enum_or_string(config, modes):
    for mode in modes:
        assert config(mode=mode).mode is LearningMode(mode)


def test_configs_are_frozen_and_can_be_shared(make_machine, tmp_path):
    shared = EntityMemoryConfig()
    a = make_machine(entity_memory=shared, namespace="team-a", data_dir=tmp_path / "a")
    b = make_machine(entity_memory=shared, namespace="team-b", data_dir=tmp_path / "b")
    assert (a.entity_memory_store.namespace, b.entity_memory_store.namespace) == (
        "team-a", "team-b")
    assert shared.namespace == "global"
    with pytest.raises(AttributeError):
        shared.namespace = "x"  # type: ignore[misc]
    c = make_machine(learned_knowledge=True, namespace="team-c")
    assert c.learned_knowledge_store.namespace == "team-c", "True inherits the machine namespace"


# --- the design-documents snippet ----------------------------------------------------------------

SNIPPET = '''\
from workbench.learn import (
    LearningMachine, LearningMode,
    UserProfileConfig, EntityMemoryConfig, SessionContextConfig,
    LearnedKnowledgeConfig,
)
from workbench import Agent

contacts = Agent(
    learning=LearningMachine(
        user_profile=UserProfileConfig(mode=LearningMode.ALWAYS),
        entity_memory=EntityMemoryConfig(
            mode=LearningMode.AGENTIC,
            enable_create_entity=True, enable_add_fact=True,
            enable_add_relationship=True, enable_add_event=True,
        ),
        session_context=SessionContextConfig(mode=LearningMode.ALWAYS, enable_planning=True),
    ),
)
dash = Agent(learning=LearningMachine(
    knowledge=dash_learnings,                     # a ChromaDB-backed knowledge collection
    learned_knowledge=LearnedKnowledgeConfig(mode=LearningMode.AGENTIC),
))
'''

DESIGN = Path("/work/shared/DESIGN.md")


@pytest.mark.skipif(not DESIGN.exists(), reason="the design document is not on this machine")
def test_the_snippet_is_the_one_in_the_design_document():
    text = DESIGN.read_text(encoding="utf-8")
    block = text.split("## The API contract", 1)[1].split("```python\n", 1)[1].split("```")[0]
    assert block.replace("agno.learn", "workbench.learn") == SNIPPET


def test_the_design_snippet_runs_verbatim_and_does_what_it_says():
    namespace = {"dash_learnings": Knowledge("dash_learnings")}
    exec(compile(SNIPPET, "<design snippet>", "exec"), namespace)
    contacts, dash = namespace["contacts"], namespace["dash"]

    ctx = RunContext(run_id="r", session_id="s", user_id="ana")
    contact_tools = {t.name for t in contacts.learning.prepare_tools(ctx)}
    assert {"create_entity", "add_fact", "add_relationship", "add_event"} <= contact_tools
    assert "save_learning" not in contact_tools
    stores = contacts.learning.stores
    assert {n: s.mode for n, s in stores.items()} == {
        "user_profile": LearningMode.ALWAYS, "session_context": LearningMode.ALWAYS,
        "entity_memory": LearningMode.AGENTIC}
    assert stores["session_context"].config.enable_planning

    contacts.run("Hi, my name is Ana Lima. My goal is to reconnect with old colleagues. "
                 "First, the list, then the emails.", user_id="ana", session_id="s1")
    assert contacts.learning.user_profile_store.get("ana")["name"] == "Ana Lima"
    session = contacts.learning.session_context_store.get("s1", "ana")
    assert session["goal"] == "reconnect with old colleagues"
    assert session["plan"] == ["the list", "the emails"]

    dash_tools = {t.name for t in dash.learning.prepare_tools(ctx)}
    assert {"save_learning", "search_learnings"} <= dash_tools
    assert not dash_tools & {"create_entity", "update_user_profile"}
    saved = dash.run('Use save_learning with "orders status spelling" and "Cancelled has two '
                     'Ls." then search_learnings for "cancelled orders"', user_id="ana")
    assert [c.name for c in saved.tool_calls] == ["save_learning", "search_learnings"]
    assert saved.tool_calls[0].result.startswith("Learning saved")
    assert "orders status spelling" in saved.tool_calls[1].result
    collection = dash.learning.collection("dash_learnings")
    assert collection.count() == 1
    assert dash.learning.learned_knowledge_store.collection() is collection


# --- combined extraction -----------------------------------------------------------------------


def all_always(make_machine, **kwargs):
    return make_machine(
        user_profile=True, user_memory=True,
        session_context=SessionContextConfig(enable_planning=True),
        entity_memory=EntityMemoryConfig(mode=LearningMode.ALWAYS),
        learned_knowledge=LearnedKnowledgeConfig(mode=LearningMode.ALWAYS), **kwargs)


def test_one_combined_extraction_call_per_turn(make_machine):
    machine = make_machine(user_profile=True,
                           entity_memory=EntityMemoryConfig(mode=LearningMode.AGENTIC),
                           session_context=SessionContextConfig(enable_planning=True),
                           learned_knowledge=LearnedKnowledgeConfig(mode=LearningMode.AGENTIC))
    agent, model = scripted_agent(machine, lambda view: {} if view.response_format else "ok")
    for turn in range(3):
        agent.run(f"turn {turn}: nothing worth remembering", user_id="u1", session_id="s1")
    assert len(model.requests) == 6, "main call + one combined extraction per turn"
    request = extraction_requests(model)[0]
    assert set(request.response_format.schema["properties"]) == {"user_profile",
                                                                  "session_context"}
    assert request.tools == (), "the extractor gets no tools"

    quiet = make_machine(entity_memory=True, learned_knowledge=True, prefix="quiet")
    agent, model = scripted_agent(quiet, lambda view: "ok")
    agent.run("hello", user_id="u1")
    assert len(model.requests) == 1, "nothing in ALWAYS mode: no extraction call"


def test_extraction_sees_the_reply_and_only_the_new_turn(make_machine):
    machine = make_machine(user_memory=True)
    agent, model = scripted_agent(machine, [
        "first answer", {"user_memory": {"add": [], "update": [], "delete": []}},
        "second answer", {"user_memory": {"add": [], "update": [], "delete": []}}])
    agent.run("first question", user_id="u1", session_id="s1")
    agent.run("second question", user_id="u1", session_id="s1")
    turn = extraction_requests(model)[1].messages[-1].content
    assert "second question" in turn and "second answer" in turn
    assert "first question" not in turn and "first answer" not in turn


NO_PROFILE = {"name": "Zed", "preferred_name": None}
INVALID_REPLIES = {
    "not_json": lambda ids: "Sure! Here is what I extracted: {name: Zed",
    "schema_violation": lambda ids: {
        "user_profile": {"name": 42, "preferred_name": None},
        "user_memory": {"add": ["Likes jazz."], "update": [], "delete": []}},
    "unknown_memory_id": lambda ids: {
        "user_profile": NO_PROFILE,
        "user_memory": {"add": ["Likes jazz."], "delete": [],
                        "update": [{"id": "mem_does_not_exist", "content": "x"}]},
        "session_context": {"summary": "Changed", "goal": None, "plan": None,
                            "progress": None},
        "learned_knowledge": [{"title": "new rule", "learning": "always check x"}]},
    "undeclared_entity": lambda ids: {
        "user_profile": NO_PROFILE,
        "entity_memory": {"entities": [], "facts": [
            {"entity": "Nobody Known", "attribute": "title", "value": "CEO"}],
            "relationships": [], "events": []}},
    "memory_deleted_twice": lambda ids: {
        "user_profile": NO_PROFILE,
        "user_memory": {"add": ["Likes jazz."], "update": [],
                        "delete": [ids["memory"], ids["memory"]]}},
    "self_relationship": lambda ids: {
        "user_profile": NO_PROFILE,
        "entity_memory": {"entities": [{"name": "Lumen", "entity_type": "company"}],
                          "facts": [], "events": [],
                          "relationships": [{"source": "Lumen", "relation": "owns",
                                             "target": "lumen"}]}},
    "blank_fact_value": lambda ids: {
        "user_profile": NO_PROFILE,
        "entity_memory": {"entities": [{"name": "Lumen", "entity_type": "company"}],
                          "facts": [{"entity": "Lumen", "attribute": "hq", "value": " "}],
                          "relationships": [], "events": []}},
    "blank_learning": lambda ids: {
        "user_profile": NO_PROFILE,
        "learned_knowledge": [{"title": "fine", "learning": "fine rule"},
                              {"title": " ", "learning": "x"}]},
}


def populate(machine) -> dict[str, str]:
    machine.user_profile_store.update("u1", {"name": "Ada"})
    memory = machine.user_memory_store.add("u1", "Likes tea.")
    machine.session_context_store.update("s1", "u1", summary="Talking about tea.")
    machine.entity_memory_store.create("global", "Acme", "company", aliases=["ACME Corp"])
    machine.learned_knowledge_store.save("tea rule", "Serve tea at 80C.")
    return {"memory": memory}


@pytest.mark.parametrize("kind", sorted(INVALID_REPLIES))
def test_invalid_extraction_output_writes_nothing(make_machine, kind):
    machine = all_always(make_machine)
    ids = populate(machine)
    before = canonical(machine.snapshot())
    errors_before = len(machine.extraction_errors)

    agent, _ = scripted_agent(machine, ["Here you go.", INVALID_REPLIES[kind](ids)])
    result = agent.run("My name is Zed and I like jazz.", user_id="u1", session_id="s1")

    assert result.text == "Here you go.", "the run itself still succeeds"
    assert canonical(machine.snapshot()) == before, "zero changes in every store"
    [extraction] = events(result, "extraction")
    assert extraction.status == "error" and "invalid extraction output" in extraction.error
    assert events(result, "memory_write") == []
    assert len(machine.extraction_errors) == errors_before + 1
    assert machine.extraction_errors[-1].status == "invalid"


def test_a_write_that_fails_late_is_recorded_and_never_crashes_the_run(make_machine):
    machine = all_always(make_machine)
    populate(machine)
    before = canonical(machine.snapshot())
    reply = {"entity_memory": {"entities": [], "facts": [], "events": [], "relationships": [
        {"source": "ACME Corp", "relation": "owns", "target": "Acme"}]}}  # alias of itself
    agent, _ = scripted_agent(machine, ["Here you go.", reply])
    result = agent.run("ACME Corp owns Acme.", user_id="u1", session_id="s1")
    assert result.text == "Here you go."
    assert events(result, "extraction")[0].status == "error"
    assert machine.extraction_errors[-1].status == "error"
    assert "cannot be related to itself" in machine.extraction_errors[-1].error
    assert canonical(machine.snapshot()) == before


def test_a_failed_extraction_call_is_recorded_and_writes_nothing(make_machine):
    machine = make_machine(user_profile=True)
    agent, _ = scripted_agent(machine, ["ok", ModelError("overloaded", model="m")])
    result = agent.run("my name is Zed", user_id="u1")
    assert result.text == "ok" and machine.snapshot()["user_profile"] == []
    assert events(result, "extraction")[0].status == "error"
    assert [r.status for r in machine.extraction_errors] == ["error"]


# --- background extraction ---------------------------------------------------------------------

CONVERSATION = [
    "Hi, my name is Ada Lovelace. Call me Ada.",
    "I prefer short answers. My goal is to learn Rust. First, the book, then the exercises.",
    "Remember that the borrow checker rejects two mutable references.",
    "I have finished the book. I usually code in the evening.",
]


def run_conversation(machine) -> None:
    agent = Agent("pal", model="offline", learning=machine)
    for i, message in enumerate(CONVERSATION):
        agent.run(message, user_id="ada", session_id="s1", run_id=f"run-{i}")
    machine.flush()


def test_background_extraction_then_flush_equals_inline(make_machine, tmp_path):
    def build(name, background):
        return all_always(make_machine, data_dir=tmp_path / name, background=background,
                          clock=SteppingClock())

    inline, background = build("inline", False), build("background", True)
    run_conversation(inline)
    run_conversation(background)
    assert canonical(background.snapshot()) == canonical(inline.snapshot())
    assert background.snapshot()["learned_knowledge"], "something was learned at all"
    assert [r.status for r in background.extraction_reports] == ["ok"] * len(CONVERSATION)


def test_background_extraction_is_off_the_latency_path(make_machine):
    machine = make_machine(user_memory=True, background=True)
    release = threading.Event()

    def script(view):
        if view.response_format:
            release.wait(5)
            return {"user_memory": {"add": ["Likes jazz."], "update": [], "delete": []}}
        return "ok"

    agent, _ = scripted_agent(machine, script)
    started = time.perf_counter()
    agent.run("I like jazz", user_id="u1")
    assert time.perf_counter() - started < 2.0, "the run did not wait for extraction"
    assert machine.pending == 1, "the extraction is still running"
    release.set()
    # A read waits for pending writes instead of returning stale data.
    assert [m.data["content"] for m in machine.user_memory_store.memories("u1")] == \
        ["Likes jazz."]
    assert machine.pending == 0


# --- tracing ---------------------------------------------------------------------------------


def test_every_memory_read_and_write_is_traced_and_recalled_items_are_listed(make_machine):
    machine = make_machine(user_memory=UserMemoryConfig(mode=LearningMode.AGENTIC),
                           learned_knowledge=True, entity_memory=True)
    machine.user_memory_store.add("u1", "Prefers metric units.")
    machine.learned_knowledge_store.save("units rule", "Always answer in metric units.")
    agent, _ = scripted_agent(machine, [
        [call("remember_user_fact", content="Runs 10 km on Sundays."),
         call("add_fact", entity="Oslo Marathon", entity_type="event", attribute="distance",
              value="42 km"),
         call("save_learning", title="pace units", learning="Give running pace in min/km.")],
        "Done."])
    result = agent.run("Should I always answer in metric units for my running plan?",
                       user_id="u1")

    reads = {e.name: e for e in events(result, "memory_read")}
    assert set(reads) == {"user_memory.recall", "entity_memory.recall",
                          "learned_knowledge.recall"}
    by_store = {}
    for item in result.recalled:
        by_store.setdefault(item.store, []).append(item.item_id)
    assert set(by_store) == {"user_memory", "learned_knowledge"}
    for store, ids in by_store.items():
        event = reads[f"{store}.recall"]
        assert event.attributes["ids"] == ids and event.attributes["items"] == len(ids)
        assert event.duration_ms > 0 and event.run_id == result.run_id
        assert event.user_id == "u1"
        data = result.messages[0].content.rsplit("<memory>\n", 1)[1]
        tag = "relevant_learnings" if store == "learned_knowledge" else store
        block = re.search(rf"<{tag}>.*?</{tag}>", data, re.S).group(0)
        assert event.tokens_in == estimate_tokens(block), "tokens injected"
    assert reads["entity_memory.recall"].attributes["items"] == 0

    writes = [e.name for e in events(result, "memory_write")]
    assert writes == ["user_memory.add", "entity_memory.create_entity",
                      "entity_memory.add_fact", "learned_knowledge.save"]
    memory_id = machine.user_memory_store.memories("u1")[-1].id
    write = events(result, "memory_write", "user_memory.add")[0]
    assert write.attributes["memory_id"] == memory_id and write.duration_ms > 0
    fact = events(result, "memory_write", "entity_memory.add_fact")[0]
    assert len(fact.attributes["ids"]) == 1 and fact.attributes["ids"][0].startswith("fct_")
    assert agent.tracer.frame(kind="memory_write").shape[0] == 4


def test_every_store_traces_reads_and_writes_with_ids(make_machine):
    agentic = LearningMode.AGENTIC
    machine = make_machine(user_profile=UserProfileConfig(mode=agentic),
                           user_memory=UserMemoryConfig(mode=agentic),
                           session_context=SessionContextConfig(mode=agentic),
                           entity_memory=True,
                           learned_knowledge=LearnedKnowledgeConfig(mode=LearningMode.PROPOSE),
                           decision_log=True)
    agent, _ = scripted_agent(machine, [[
        call("update_user_profile", name="Ada"),
        call("remember_user_fact", content="Likes tea."),
        call("update_session_context", summary="Tea talk."),
        call("add_fact", entity="Acme", entity_type="company", attribute="hq", value="Oslo"),
        call("save_learning", title="tea", learning="Brew at 80C."),
        call("log_decision", decision="Serve green tea")], "ok"])
    result = agent.run("tea", user_id="u1", session_id="s1")
    assert [c.error for c in result.tool_calls] == [None] * 6

    reads = events(result, "memory_read")
    assert sorted(e.name.split(".")[0] for e in reads) == sorted(machine.stores)
    assert all(isinstance(e.attributes["ids"], list) for e in reads)
    writes = events(result, "memory_write")
    assert [e.name for e in writes] == [
        "user_profile.update", "user_memory.add", "session_context.update",
        "entity_memory.create_entity", "entity_memory.add_fact", "learned_knowledge.propose",
        "decision_log.log"]
    for event in writes:
        assert event.attributes["ids"] and all(isinstance(i, str) for i in event.attributes["ids"])
        assert event.run_id == result.run_id and event.duration_ms > 0
    assert writes[0].attributes["ids"] == ["profile:u1"]
    assert writes[2].attributes["ids"] == ["session:u1:s1"]
    assert writes[5].attributes["ids"] == [machine.proposals.pending()[0].id]


def test_always_mode_writes_are_traced_inside_the_extraction(make_machine):
    machine = make_machine(user_profile=True, user_memory=True)
    result = Agent("pal", model="offline", learning=machine).run(
        "My name is Ada Lovelace. I prefer tea.", user_id="ada")
    kinds = [(e.kind, e.name) for e in result.events if e.kind in ("memory_write",
                                                                    "extraction")]
    assert kinds == [("memory_write", "user_profile.update"),
                     ("memory_write", "user_memory.add"), ("extraction", "memory_extraction")]
    extraction = events(result, "extraction")[0]
    assert extraction.attributes["changes"] == {"user_profile": 1, "user_memory": 1}
    assert extraction.tokens_in > 0 and extraction.status == "ok"


# --- embedder identity -----------------------------------------------------------------------


def test_reopening_with_another_embedder_raises(make_machine):
    first = make_machine(user_memory=True, embedder="hashing")
    first.user_memory_store.add("u1", "Likes tea.")
    other = make_machine(user_memory=True, embedder="hashing-128")
    with pytest.raises(EmbedderMismatchError, match="hashing-256.*hashing-128"):
        other.recall("tea", user_id="u1")
    same = make_machine(user_memory=True, embedder="hashing")
    assert [i.text for i in same.recall("Likes tea", user_id="u1").recalled] == ["Likes tea."]


def test_machine_without_an_agent_needs_a_model_for_extraction(make_machine):
    machine = make_machine(user_profile=True)
    machine.model = None
    with pytest.raises(Exception, match="needs a model"):
        _ = machine.extraction_model
    machine.model = ScriptedModel([{"user_profile": {"name": "Zed", "preferred_name": None}}])
    machine.after_run(RunContext(run_id="r", session_id="s", user_id="u1", message="hi"),
                      "I am Zed", "Hello Zed", [])
    assert machine.user_profile_store.get("u1") == {"name": "Zed"}
    assert tool_names(machine.model.requests[0]) == set()
