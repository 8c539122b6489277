"""Isolation, property-style: random interleavings of two users' writes never leak across users.

For several seeds, users A and B write memories, user-namespace learnings and entities (with
the *same* entity names), and profile fields, in a random order, through the agent tools.
Every item carries a marker unique to its writer. Then every read path — recall (the prompt),
the search tools, get_entity, the data API — is asked, as A, with B's exact texts (and vice
versa): none of B's markers may appear.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict

import pytest

from workbench import RunContext
from workbench.learn import (
    EntityMemoryConfig,
    LearnedKnowledgeConfig,
    LearningMode,
    UserMemoryConfig,
    UserProfileConfig,
)

USERS = ("alice", "bob")
TOPICS = ["Project Radar", "Acme Corp", "the Q3 budget", "Helsinki office", "the data lake"]
ENTITIES = [("Project Radar", "project"), ("Acme Corp", "company"), ("Dana Park", "person")]
ATTRIBUTES = ["status", "owner", "budget", "note"]
SEEDS = [0, 1, 2, 3, 4]
MARKER = re.compile(r"\b([ab])x\d{3}\b")


def tools_for(machine, user: str) -> dict:
    ctx = RunContext(run_id=f"run-{user}", session_id=f"s-{user}", user_id=user)
    return {t.name: t for t in machine.prepare_tools(ctx)}, ctx


def invoke(machine, user: str, tool: str, /, **arguments) -> str:
    tools, ctx = tools_for(machine, user)
    outcome = tools[tool].invoke(arguments, ctx)
    assert outcome.error is None, (tool, arguments, outcome.content)
    return outcome.content


def random_writes(machine, rng: random.Random, n_ops: int) -> dict[str, list[str]]:
    """Interleaved writes by both users; returns each user's written texts (with markers)."""
    texts: dict[str, list[str]] = defaultdict(list)
    for i in range(n_ops):
        user = rng.choice(USERS)
        marker = f"{user[0]}x{i:03d}"
        topic = rng.choice(TOPICS)
        kind = rng.choice(["memory", "learning", "fact", "relationship", "event", "profile"])
        if kind == "memory":
            text = f"Cares about {topic}, reference {marker}."
            invoke(machine, user, "remember_user_fact", content=text)
        elif kind == "learning":
            text = f"For {topic} always check the ledger first, reference {marker}."
            invoke(machine, user, "save_learning", title=f"{topic} rule {marker}",
                   learning=text)
        elif kind == "fact":
            name, entity_type = rng.choice(ENTITIES)
            text = f"{marker} {topic}"
            invoke(machine, user, "add_fact", entity=name, entity_type=entity_type,
                   attribute=rng.choice(ATTRIBUTES), value=text)
        elif kind == "relationship":
            (a, ta), (b, tb) = rng.sample(ENTITIES, 2)
            text = f"{marker} link"
            invoke(machine, user, "create_entity", name=a, entity_type=ta)
            invoke(machine, user, "add_relationship", source=a, relation="involved_in",
                   target=b, target_type=tb)
            invoke(machine, user, "add_event", entity=a, description=f"Kickoff {text}")
        else:
            text = f"Name {marker}"
            invoke(machine, user, "update_user_profile", name=text)
        texts[user].append(text)
    return texts


def other_markers(text: str, me: str) -> set[str]:
    return {m.group(0) for m in MARKER.finditer(text) if m.group(1) != me[0]}


@pytest.mark.parametrize("seed", SEEDS)
def test_random_interleavings_never_leak_between_users(make_machine, tmp_path, seed):
    machine = make_machine(
        data_dir=tmp_path / f"seed-{seed}",
        user_profile=UserProfileConfig(mode=LearningMode.AGENTIC),
        user_memory=UserMemoryConfig(mode=LearningMode.AGENTIC),
        entity_memory=EntityMemoryConfig(namespace="user"),
        learned_knowledge=LearnedKnowledgeConfig(namespace="user"))
    rng = random.Random(seed)
    texts = random_writes(machine, rng, 36)
    assert set(texts) == set(USERS), "both users wrote something"

    for me, other in (USERS, USERS[::-1]):
        seen: list[str] = []
        for probe in [*texts[other], *TOPICS, *(n for n, _ in ENTITIES)]:
            turn = machine.recall(probe, user_id=me, session_id=f"s-{me}")
            seen += [turn.data, *(i.text for i in turn.recalled)]
            for tool in ("search_learnings", "search_entities"):
                reply = invoke(machine, me, tool, query=probe, limit=20)
                seen.append(reply.replace(repr(probe), "<the query>"))  # "Nothing ... 'q'"
            seen += [r.data["content"] for r, _ in
                     machine.user_memory_store.search(me, probe, limit=50)]
        for name, _ in ENTITIES:
            tools, ctx = tools_for(machine, me)
            seen.append(tools["get_entity"].invoke({"entity": name, "include_history": True},
                                                   ctx).content)
        seen.append(str(machine.user_profile_store.get(me)))
        seen.append(str(machine.user_profile_store.history(me)))
        seen += [str(d) for d in machine.learned_knowledge_store.all(me)]
        leaks = set().union(*(other_markers(text, me) for text in seen))
        assert not leaks, f"seed {seed}: {me} saw {other}'s data: {sorted(leaks)}"

        own = " ".join(seen)
        assert MARKER.search(own) or not texts[me], "reads are not simply empty"


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_same_named_entities_of_two_users_never_share_storage(make_machine, tmp_path, seed):
    machine = make_machine(data_dir=tmp_path / f"seed-{seed}",
                           entity_memory=EntityMemoryConfig(namespace="user"))
    rng = random.Random(seed)
    expected: dict[tuple[str, str], str] = {}
    for i in range(30):
        user = rng.choice(USERS)
        name, entity_type = rng.choice(ENTITIES)
        value = f"{user[0]}x{i:03d}"
        invoke(machine, user, "add_fact", entity=name, entity_type=entity_type,
               attribute="status", value=value)
        expected[(user, name)] = value

    store = machine.entity_memory_store
    for (user, name), value in expected.items():
        key = store.find(f"user:{user}", name)
        live = [f["value"] for f in store.graph.facts(key) if f["attribute"] == "status"]
        assert live == [value], (user, name)
        assert all(f["value"][0] == user[0] for f in store.history(key))
    records = machine.snapshot()["entity_memory"]
    for row in records:
        assert row["scope"] in {"user:alice", "user:bob"}
    keys = {(r["scope"], r["name"]) for r in records if r["kind"] == "entity"}
    assert len(keys) == len({r["id"] for r in records if r["kind"] == "entity"})
