"""EntityGraph: the in-memory projection equals a rebuild from storage; as-of views; export."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import networkx as nx
import pytest

from workbench.learn import EntityMemoryConfig, LearningMachine, SteppingClock
from workbench.learn.context import iso
from workbench.storage.graph import EntityGraph

NAMES = [("Sarah Chen", "person"), ("Dana Park", "person"), ("Acme", "company"),
         ("Globex", "company"), ("Project Radar", "project"), ("Lumen", "company"),
         ("Priya Raman", "person")]
ATTRIBUTES = ["title", "email", "city", "skill", "note", "status"]
RELATIONS = ["works_at", "reports_to", "advises", "involved_in", "leads"]


def machine_for(path, clock=None, **config) -> LearningMachine:
    return LearningMachine(entity_memory=EntityMemoryConfig(**config), embedder="hashing",
                           data_dir=path, clock=clock or SteppingClock())


def sorted_node_link(graph: nx.MultiDiGraph) -> dict:
    data = nx.node_link_data(graph, edges="links")
    data["nodes"] = sorted(data["nodes"], key=lambda n: n["id"])
    data["links"] = sorted(data["links"], key=lambda e: (e["source"], e["target"], e["key"]))
    return data


def full_state(graph: EntityGraph) -> str:
    """Everything the graph holds (nodes with facts/events, edges, the name index)."""
    nodes = {k: d for k, d in graph.graph.nodes(data=True)}
    edges = sorted((s, t, k, json.dumps(d, sort_keys=True))
                   for s, t, k, d in graph.graph.edges(keys=True, data=True))
    names = {scope: {n: sorted(keys) for n, keys in index.items() if keys}
             for scope, index in graph._names.items()}
    return json.dumps({"nodes": nodes, "edges": edges, "names": names}, sort_keys=True,
                      default=str)


def random_writes(store, rng: random.Random, n: int, scopes: list[str]) -> list[str]:
    """A random sequence of entity writes, including supersessions, moves and archives."""
    log = []
    for _ in range(n):
        scope = rng.choice(scopes)
        name, kind = rng.choice(NAMES)
        key, _, _ = store.create(scope, name, kind)
        op = rng.choice(["fact", "fact", "fact", "rel", "rel", "event", "retire_fact",
                         "retire_rel", "alias", "rename", "archive", "unarchive",
                         "describe"])
        if op == "fact":
            store.add_fact(key, rng.choice(ATTRIBUTES), f"v{rng.randint(0, 4)}")
        elif op == "rel":
            other_name, other_kind = rng.choice([x for x in NAMES if x[0] != name])
            other, _, _ = store.create(scope, other_name, other_kind)
            store.add_relationship(key, rng.choice(RELATIONS), other)
        elif op == "event":
            store.add_event(key, f"event {rng.randint(0, 3)}",
                            f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}")
        elif op == "retire_fact":
            store.retire_fact(key, rng.choice(ATTRIBUTES))
        elif op == "retire_rel":
            store.retire_relationship(key, rng.choice(RELATIONS), None)
        elif op == "alias":
            alias = f"{name.split()[0]} {rng.randint(0, 2)}"
            if not store.graph.by_name(scope, alias) - {key}:
                store.update_entity(key, add_aliases=[alias])
        elif op == "rename":
            new_name = f"{name} {rng.choice(['Jr', 'Group', 'Labs'])}"
            if not store.graph.by_name(scope, new_name) - {key}:
                store.update_entity(key, name=new_name)
        elif op == "archive":
            store.update_entity(key, archived=True)
        elif op == "unarchive":
            store.update_entity(key, archived=False)
        else:
            store.update_entity(key, description=f"description {rng.randint(0, 9)}")
        log.append(op)
    return log


VIEWS = [{}, {"live_only": False, "include_archived": True}, {"scope": "global"},
         {"scope": "team-b", "include_archived": True}]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_graph_rebuilt_from_storage_equals_the_incremental_graph(tmp_path, seed):
    clock = SteppingClock(step=timedelta(seconds=7))
    machine = machine_for(tmp_path / "memory", clock)
    store = machine.entity_memory_store
    ops = random_writes(store, random.Random(seed), 120, ["global", "team-b"])
    assert {"fact", "rel", "archive", "rename"} <= set(ops)
    superseded = [f for k in store.graph.keys(include_archived=True)
                  for f in store.history(k) if not f["live"]]
    assert superseded, "the sequence superseded or retired something"

    moments = [None, iso(clock.current - timedelta(seconds=7 * 40)),
               iso(clock.current - timedelta(seconds=7 * 10))]
    before = {(i, m): sorted_node_link(store.graph.view(**view, as_of=m))
              for i, view in enumerate(VIEWS) for m in moments}
    state = full_state(store.graph)

    rebuilt = store.reload()
    assert full_state(rebuilt) == state
    for (i, moment), expected in before.items():
        assert sorted_node_link(rebuilt.view(**VIEWS[i], as_of=moment)) == expected, (i, moment)

    fresh = machine_for(tmp_path / "memory").entity_memory_store
    assert full_state(fresh._graph()) == state, "a new machine on the same files agrees"


def test_apply_is_idempotent(tmp_path):
    machine = machine_for(tmp_path / "memory")
    store = machine.entity_memory_store
    random_writes(store, random.Random(9), 40, ["global"])
    state = full_state(store.graph)
    store.graph.apply(store.collection().all())
    assert full_state(store.graph) == state


def test_title_history_as_of_every_moment(tmp_path):
    clock = SteppingClock("2026-01-01T00:00:00Z", step=timedelta(hours=1))
    store = machine_for(tmp_path / "memory", clock).entity_memory_store
    key, _, _ = store.create("global", "Dana Park", "person")
    changes = []
    for title in ("Director", "VP", "CTO"):
        clock.current += timedelta(days=30)
        result = store.add_fact(key, "title", title)
        changes.append((store.graph.facts(key)[-1]["valid_from"], title))
        assert len(result["superseded"]) == (0 if title == "Director" else 1)

    start = clock.current - timedelta(days=120)
    for hour in range(0, 24 * 120, 7):
        moment = iso(start + timedelta(hours=hour))
        expected = [t for since, t in changes if since <= moment][-1:]
        got = [f["value"] for f in store.graph.facts(key, as_of=moment)]
        assert got == expected, moment

    history = store.history(key)
    assert [f["value"] for f in history] == ["Director", "VP", "CTO"]
    for old, new in zip(history, history[1:], strict=False):
        assert old["valid_to"] == new["valid_from"] and not old["live"]
    assert history[-1]["valid_to"] is None and history[-1]["live"]
    view = store.graph.view(as_of=changes[1][0])
    assert json.loads(view.nodes[key]["facts"]) == {"title": "VP"}


def test_views_export_and_path(tmp_path):
    store = machine_for(tmp_path / "memory").entity_memory_store
    sarah, _, _ = store.create("global", "Sarah Chen", "person")
    acme, _, _ = store.create("global", "Acme", "company")
    lumen, _, _ = store.create("global", "Lumen", "company")
    store.add_relationship(sarah, "works_at", acme)
    store.add_relationship(acme, "invested_in", lumen)
    store.add_fact(sarah, "title", "VP")

    assert store.graph.path(sarah, lumen) == [sarah, acme, lumen]
    assert set(store.graph.neighbourhood(acme)) == {sarah, acme, lumen}
    graphml = store.graph.write_graphml(tmp_path / "g.graphml")
    loaded = nx.read_graphml(graphml)
    assert set(loaded.nodes) == {sarah, acme, lumen}
    assert loaded.nodes[sarah]["label"] == "Sarah Chen"
    assert sorted(d["relation"] for _, _, d in loaded.edges(data=True)) == ["invested_in",
                                                                           "works_at"]
    node_link = json.loads(store.graph.write_node_link(tmp_path / "g.json").read_text())
    assert node_link == json.loads(json.dumps(store.graph.to_node_link()))
    assert nx.node_link_graph(node_link, edges="links").number_of_edges() == 2

    store.update_entity(lumen, archived=True)
    assert lumen not in store.graph.view() and lumen in store.graph.view(include_archived=True)
    assert store.graph.path(sarah, lumen) == []
