"""The Contacts offline policy: search before writing, answers only from memory, no hidden
state (a wiped store knows nothing; the same request gets the same reply), and the ALWAYS
extraction of profile and session goals."""

from __future__ import annotations

import pytest

from workbench.agents.contacts.agent import INSTRUCTIONS, build_agent, build_machine
from workbench.agents.contacts.data import load_probes
from workbench.agents.contacts.policy import contacts_policy
from workbench.agents.contacts.scoring import nothing_known, score_probe, score_probes
from workbench.learn import SteppingClock
from workbench.models import Message, ModelRequest, OfflineView, ResponseFormat, ToolSpec

SYSTEM = f"{INSTRUCTIONS}\n\nToday is 2026-05-11 (Monday)."
TOOLS = tuple(ToolSpec(name, "", {"type": "object", "properties": {}}) for name in (
    "search_entities", "get_entity", "create_entity", "add_fact", "add_relationship",
    "add_event", "update_entity", "forget"))


def view(user: str, system: str = SYSTEM, **request) -> OfflineView:
    request.setdefault("tools", TOOLS)
    return OfflineView(ModelRequest((Message.system(system), Message.user(user)), **request))


@pytest.fixture
def fresh(tmp_path):
    machine = build_machine(embedder="hashing", data_dir=tmp_path / "m",
                            clock=SteppingClock("2026-05-11T09:00:00Z"))
    yield build_agent("offline", machine), machine
    machine.close()


def test_a_statement_is_searched_then_written_then_confirmed(fresh):
    agent, machine = fresh
    result = agent.run("Sarah Chen joined Acme as VP Engineering last month.", user_id="u",
                       session_id="s")
    names = [c.name for c in result.tool_calls]
    assert names[:2] == ["search_entities", "search_entities"]
    assert names[2:] == ["create_entity", "create_entity", "add_fact", "add_relationship",
                         "add_event"]
    assert not result.tool_errors and result.text.startswith("Noted")
    facts = machine.entity_memory_store.to_frame("facts")
    assert facts[["entity", "attribute", "value"]].values.tolist() == \
        [["Sarah Chen", "title", "VP Engineering"]]
    answer = agent.run("What do I know about the Acme team?", user_id="u", session_id="q")
    assert "Sarah Chen (VP Engineering)" in answer.text


def test_a_wiped_store_gives_nothing_known_and_no_hallucination(fresh):
    agent, _ = fresh
    scores = {}
    for probe in load_probes():
        scores[probe.id] = agent.run(probe.question, user_id="user-1",
                                     session_id=f"p-{probe.id}").text
    row = score_probes(load_probes(), scores)
    assert row["hallucination_rate"] == 0.0 and row["qa_accuracy_absence"] == 1.0
    people = [p for p in load_probes() if p.category in ("single_fact", "traversal")
              and "I" not in p.question.split()]
    assert all(nothing_known(scores[p.id]) for p in people)


def test_same_request_same_reply_and_no_state_between_calls(taught):
    question = "Who do I know at Northwind these days?"
    first = taught.agent.run(question, user_id="user-1", session_id="one")
    second = taught.agent.run(question, user_id="user-1", session_id="two")
    assert first.text == second.text
    assert [c.arguments for c in first.tool_calls] == [c.arguments for c in second.tool_calls]
    v = view("Marco has left Brightwater. He started at Northwind on April 1st.")
    assert contacts_policy(v) == contacts_policy(v)


def test_answers_come_only_from_what_memory_put_in_the_prompt():
    memory = ("<memory>\n<entity_memory>\nZed Corp (company aka Zed)\n"
              "  - city: Oslo (since 2026-05-01)\n</entity_memory>\n</memory>")
    assert "Oslo" in contacts_policy(view("Which city is Zed Corp based in?",
                                          SYSTEM + "\n\n" + memory))
    empty = contacts_policy(view("Which city is Zed Corp based in?"))
    assert [c.name for c in empty] == ["search_entities"]      # asks memory, does not guess


def test_every_probe_is_answered_after_the_script(taught):
    answers = {}
    for probe in load_probes():
        answers[probe.id] = taught.agent.run(probe.question, user_id="user-1",
                                             session_id=f"probe-{probe.id}").text
    wrong = {p.id: answers[p.id] for p in load_probes() if not score_probe(p, answers[p.id]).correct}
    assert not wrong
    assert score_probes(load_probes(), answers)["hallucination_rate"] == 0.0


def test_web_enrichment_flags_what_the_conversation_corrected(taught):
    result = taught.agent.run("Can you look up Brightwater Health online?", user_id="user-1",
                              session_id="web")
    assert result.tool_calls[0].name == "web_search"
    assert "Out of date" in result.text and "Marco Bellini" in result.text
    assert "Northwind" in result.text


def test_extraction_reads_profile_fields_and_session_goal_and_plan():
    schema = {"type": "object", "properties": {
        "user_profile": {"type": "object", "properties": {
            k: {"type": ["string", "null"]} for k in
            ("name", "preferred_name", "role", "timezone", "communication_preference",
             "location")}},
        "session_context": {"type": "object", "properties": {
            "summary": {}, "goal": {}, "plan": {}, "progress": {}}}}}
    turn = ("New turn:\nUser: I'm Mia Lopez and I live in Porto, so use Porto time. What I want "
            "today is to prepare the board deck. Plan: draft the numbers, then send it to Ana."
            "\nAssistant: Noted.")
    out = contacts_policy(view(turn, "memory system prompt",
                               response_format=ResponseFormat("memory_extraction", schema)))
    profile = out["user_profile"]
    assert profile["name"] == "Mia Lopez" and profile["location"] == "Porto"
    assert profile["timezone"] == "Porto time"   # no IANA zone is named after Porto
    session = out["session_context"]
    assert session["goal"] == "prepare the board deck"
    assert session["plan"] == ["draft the numbers", "send it to Ana"]


def test_the_policy_stays_silent_for_other_agents():
    assert contacts_policy(view("Who is Sarah?", system="You are Pal.")) is None


def test_entity_extraction_for_the_always_mode_ablation():
    schema = {"type": "object", "properties": {"entity_memory": {"type": "object"}}}
    state = ("memory prompt\n\nCurrent state:\n[entity_memory]\nKnown entities relevant to this "
             "turn:\nAcme Robotics (company aka Acme)")
    turn = "New turn:\nUser: Dana Lee is Acme's CFO; she lives in Austin.\nAssistant: Noted."
    out = contacts_policy(view(turn, state, tools=(),
                               response_format=ResponseFormat("memory_extraction", schema)))
    part = out["entity_memory"]
    assert part["entities"] == [{"name": "Dana Lee", "entity_type": "person",
                                 "description": None}]
    assert {"entity": "Dana Lee", "attribute": "title", "value": "CFO"} in part["facts"]
    assert part["relationships"] == [{"source": "Dana Lee", "relation": "works_at",
                                      "target": "Acme Robotics"}]
