"""User memory: one record per observation, top-k recall within a token budget, auditable edits."""

from __future__ import annotations

import random

import pytest
from learn_helpers import extraction_requests, scripted_agent, tool_names

from workbench import Agent
from workbench.learn import LearningMode, UserMemoryConfig
from workbench.models import call

ALLERGY = "Is allergic to shellfish, especially shrimp."


def varied_memories(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    verbs = ["Enjoys", "Dislikes", "Collects", "Volunteers at", "Teaches", "Writes about",
             "Often visits", "Saves money for", "Reads about", "Photographs"]
    things = ["vintage motorcycles", "jazz festivals", "mountain huts", "sourdough baking",
              "board game cafes", "birdwatching trips", "chess tournaments", "pottery classes",
              "urban gardening", "sailing regattas", "astronomy clubs", "film noir",
              "marathon training", "origami", "beekeeping", "salsa dancing", "retro computers",
              "street food markets", "kayak touring", "poetry readings"]
    when = ["on weekends", "every summer", "after work", "with their sister", "since college"]
    out: set[str] = set()
    while len(out) < n:
        out.add(f"{rng.choice(verbs)} {rng.choice(things)} {rng.choice(when)}.")
    return sorted(out)


# --- ALWAYS ----------------------------------------------------------------------------------


def test_always_mode_extracts_preferences_offline_and_recalls_them(make_machine):
    machine = make_machine(user_memory=True)
    agent = Agent("pal", model="offline", learning=machine)
    agent.run("I prefer concise answers with bullet points. Thanks!", user_id="u1",
              run_id="r1")

    memories = machine.user_memory_store.memories("u1")
    assert [m.data["content"] for m in memories] == ["Prefers concise answers with bullet points."]
    assert memories[0].data["run_id"] == "r1" and memories[0].data["source"] == "extraction"

    later = agent.run("Give me concise bullet points about answers to the quiz", user_id="u1")
    assert [i.item_id for i in later.recalled] == [memories[0].id]
    assert "Prefers concise answers with bullet points." in later.messages[0].content


def test_always_mode_does_not_store_duplicates(make_machine):
    machine = make_machine(user_memory=True)
    agent = Agent("pal", model="offline", learning=machine)
    agent.run("I prefer tea over coffee.", user_id="u1")
    agent.run("I prefer tea over coffee.", user_id="u1")
    assert len(machine.user_memory_store.memories("u1", include_retired=True)) == 1


def test_extraction_updates_and_deletes_listed_memories_with_history(make_machine):
    machine = make_machine(user_memory=True)
    store = machine.user_memory_store
    tea = store.add("u1", "Drinks tea every morning.")
    gym = store.add("u1", "Goes to the gym on Mondays.")
    agent, model = scripted_agent(machine, [
        "Got it.",
        {"user_memory": {"add": ["Is training for a half marathon."],
                         "update": [{"id": tea, "content": "Drinks coffee every morning."}],
                         "delete": [gym]}}])
    agent.run("I switched from tea to coffee and quit the gym; training for a half marathon.",
              user_id="u1", run_id="r9")

    schema = extraction_requests(model)[0].response_format.schema["properties"]["user_memory"]
    assert set(schema["properties"]) == {"add", "update", "delete"}
    live = {m.id: m.data for m in store.memories("u1")}
    assert live[tea]["content"] == "Drinks coffee every morning."
    assert live[tea]["history"][0]["content"] == "Drinks tea every morning."
    assert live[tea]["history"][0]["run_id"] == "r9"
    assert gym not in live
    retired = {m.id: m for m in store.memories("u1", include_retired=True)}[gym]
    assert retired.meta["live"] is False and retired.data["deleted_by_run"] == "r9"
    assert "Is training for a half marathon." in [d["content"] for d in live.values()]


# --- AGENTIC ---------------------------------------------------------------------------------


def test_agentic_tools_add_update_and_forget(make_machine):
    machine = make_machine(user_memory=UserMemoryConfig(mode=LearningMode.AGENTIC))
    store = machine.user_memory_store
    agent, model = scripted_agent(machine, [
        call("remember_user_fact", content="Works best in the early morning."), "Saved."])
    first = agent.run("I do my best work early in the morning.", user_id="u1", run_id="r1")
    assert {"remember_user_fact", "update_user_memory", "forget_user_memory"} <= \
        tool_names(model.requests[0])
    assert extraction_requests(model) == []
    memory_id = store.memories("u1")[0].id
    assert first.tool_calls[0].result == f"Saved memory {memory_id}."

    agent, _ = scripted_agent(machine, [
        call("update_user_memory", memory_id=memory_id,
             content="Works best in the late evening."), "Updated."])
    second = agent.run("Actually I now work best late in the evening.", user_id="u1",
                       run_id="r2")
    assert any(i.item_id == memory_id for i in second.recalled), "the [id] the tool needs"
    record = store.memories("u1")[0]
    assert record.data["content"] == "Works best in the late evening."
    assert record.data["history"] == [{"content": "Works best in the early morning.",
                                       "until": record.data["updated_at"], "run_id": "r2"}]

    agent, _ = scripted_agent(machine, [call("forget_user_memory", memory_id=memory_id),
                                        "Forgotten."])
    agent.run("Forget when I work best.", user_id="u1", run_id="r3")
    assert store.memories("u1") == []
    retired = store.memories("u1", include_retired=True)[0]
    assert retired.data["deleted_by_run"] == "r3" and retired.data["deleted_at"]
    assert machine.recall("when do I work best, evening?", user_id="u1").recalled == []


def test_agentic_tools_cannot_touch_another_users_memory(make_machine):
    machine = make_machine(user_memory=UserMemoryConfig(mode=LearningMode.AGENTIC))
    bobs = machine.user_memory_store.add("bob", "Has a dog named Rex.")
    agent, _ = scripted_agent(machine, [
        [call("update_user_memory", memory_id=bobs, content="Has no dog."),
         call("forget_user_memory", memory_id=bobs)], "ok"])
    result = agent.run("edit", user_id="alice")
    assert [c.error is not None for c in result.tool_calls] == [True, True]
    assert "no memory" in result.tool_calls[0].result
    assert machine.user_memory_store.memories("bob")[0].data["content"] == "Has a dog named Rex."


def test_deleted_memory_cannot_be_updated(make_machine):
    machine = make_machine(user_memory=UserMemoryConfig(mode=LearningMode.AGENTIC))
    store = machine.user_memory_store
    memory_id = store.add("u1", "Likes jazz.")
    store.delete("u1", memory_id)
    agent, _ = scripted_agent(machine, [call("update_user_memory", memory_id=memory_id,
                                             content="Likes blues."), "ok"])
    result = agent.run("x", user_id="u1")
    assert "was deleted" in result.tool_calls[0].result


# --- bounded, relevant recall ----------------------------------------------------------------


def test_200_memories_give_a_bounded_prompt_and_the_relevant_one_is_recalled(make_machine):
    config = UserMemoryConfig(mode=LearningMode.AGENTIC)
    machine = make_machine(user_memory=config)
    store = machine.user_memory_store
    for text in varied_memories(200):
        store.add("u1", text)
    allergy = store.add("u1", ALLERGY)
    assert len(store.memories("u1")) == 201

    agent, _ = scripted_agent(machine, ["Let me check."])
    result = agent.run("Is shrimp ok for my dinner, given my shellfish allergy?", user_id="u1")

    assert result.recalled[0].item_id == allergy
    assert 1 <= len(result.recalled) <= config.limit
    block = result.messages[0].content.split("<user_memory>")[1].split("</user_memory>")[0]
    assert len(block) <= 4 * config.max_tokens + 100, "recall stays within its token budget"
    everything = sum(len(m.data["content"]) for m in store.memories("u1"))
    assert len(result.messages[0].content) < everything / 4


def test_token_budget_cuts_long_memories(make_machine):
    machine = make_machine(user_memory=UserMemoryConfig(limit=10, max_tokens=60, min_score=0))
    store = machine.user_memory_store
    for i in range(10):
        store.add("u1", f"Long note {i}: " + " ".join(f"detail{i}x{j}" for j in range(30)))
    turn = machine.recall("long note details", user_id="u1")
    assert 1 <= len(turn.recalled) < 10
    assert turn.data.count("Long note") == len(turn.recalled)


@pytest.mark.slow
def test_paraphrase_recall_with_minilm(make_machine):
    machine = make_machine(user_memory=True, embedder="minilm")
    store = machine.user_memory_store
    for text in varied_memories(40, seed=3):
        store.add("u1", text)
    target = store.add("u1", "Is allergic to peanuts and tree nuts.")
    turn = machine.recall("Can you suggest a snack that is safe for me to eat?", user_id="u1")
    assert turn.recalled and turn.recalled[0].item_id == target
