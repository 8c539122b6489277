"""Open a machine on a data dir and print everything it knows as JSON.

Used by test_persistence.py both in the test process and in a fresh ``python`` process:
``python persistence_probe.py <data_dir>`` prints :func:`observe` of a machine built by
:func:`build`, so the two outputs can be compared exactly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import networkx as nx

from workbench.learn import (
    DecisionLogConfig,
    EntityMemoryConfig,
    Knowledge,
    LearnedKnowledgeConfig,
    LearningMachine,
    LearningMode,
    SessionContextConfig,
    SteppingClock,
    UserMemoryConfig,
    UserProfileConfig,
)

PROBES = [
    ("ada", "s1", "What is my name and what do I prefer?"),
    ("ada", "s1", "Who is Sarah Chen and where does she work?"),
    ("ada", "s1", "How should I query cancelled orders?"),
    ("ben", "s2", "Tell me about Project Radar"),
    ("ben", "s2", "Should we pass on the seed round?"),
    (None, "s3", "Acme headquarters"),
]


def build(data_dir: str | Path) -> LearningMachine:
    machine = LearningMachine(
        user_profile=UserProfileConfig(),
        user_memory=UserMemoryConfig(),
        session_context=SessionContextConfig(enable_planning=True),
        entity_memory=EntityMemoryConfig(mode=LearningMode.AGENTIC),
        learned_knowledge=LearnedKnowledgeConfig(mode=LearningMode.PROPOSE),
        decision_log=DecisionLogConfig(),
        knowledge=Knowledge("team_learnings"),
        embedder="hashing", data_dir=data_dir, clock=SteppingClock())
    # Notebook recall scopes the decision log to machine.agent_id, which is otherwise the
    # first agent bound in *this* process; pin it so both processes ask the same question.
    machine.agent_id = "contacts"
    return machine


def _sorted_graph(graph: nx.MultiDiGraph) -> dict[str, Any]:
    data = nx.node_link_data(graph, edges="links")
    data["nodes"] = sorted(data["nodes"], key=lambda n: n["id"])
    data["links"] = sorted(data["links"], key=lambda e: (e["source"], e["target"], e["key"]))
    return data


def observe(machine: LearningMachine) -> dict[str, Any]:
    store = machine.entity_memory_store
    recalls = []
    for user, session, message in PROBES:
        turn = machine.recall(message, user_id=user, session_id=session)
        recalls.append({"data": turn.data, "items": [
            [i.store, i.item_id, i.text, None if i.score is None else round(i.score, 5)]
            for i in turn.recalled]})
    return {
        "snapshot": machine.snapshot(),
        "recall": recalls,
        "graph_now": _sorted_graph(store.graph.view()),
        "graph_2026": _sorted_graph(store.graph.view(as_of="2026-01-05T09:00:10Z")),
        "pending": sorted(p.id for p in machine.proposals.pending()),
        "entity_search": store.search("global", "who works at Acme"),
    }


if __name__ == "__main__":
    print(json.dumps(observe(build(sys.argv[1])), sort_keys=True, ensure_ascii=False))
