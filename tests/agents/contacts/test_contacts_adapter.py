"""The adapter: entity memory (and profile, session goals) -> the neutral GraphSnapshot."""

from __future__ import annotations

from workbench.agents.contacts.adapter import session_goals, snapshot_from_machine
from workbench.agents.contacts.agent import build_machine
from workbench.agents.contacts.data import load_world
from workbench.agents.contacts.scoring import score_all
from workbench.learn import SteppingClock


def test_store_contents_become_a_snapshot_now_and_as_of(tmp_path):
    clock = SteppingClock("2026-03-01T09:00:00Z")
    machine = build_machine(embedder="hashing", data_dir=tmp_path, clock=clock)
    store = machine.entity_memory_store
    scope = store.scope("u")
    marco, _, _ = store.create(scope, "Marco Bellini", "person", aliases=["Marco"])
    bright, _, _ = store.create(scope, "Brightwater Health", "company")
    north, _, _ = store.create(scope, "Northwind Analytics", "company")
    store.add_fact(marco, "title", "Head of Growth")
    store.add_relationship(marco, "works_at", bright)
    clock.set("2026-04-06T09:00:00Z")
    store.add_relationship(marco, "works_at", north)          # functional: retires Brightwater
    store.add_event(marco, "Started at Northwind", "2026-04-01", [north])
    store.add_fact(marco, "title", "VP Growth")                # supersedes the title

    now = snapshot_from_machine(machine, user_id="u")
    assert [(e.name, e.type, e.aliases) for e in now.entities][0] == \
        ("Marco Bellini", "person", ["Marco"])
    assert {(f.value, f.live) for f in now.facts} == {("Head of Growth", False),
                                                       ("VP Growth", True)}
    old = next(f for f in now.facts if not f.live)
    assert old.valid_from.startswith("2026-03-01") and old.valid_to.startswith("2026-04-06")
    assert {(r.target, r.live) for r in now.relationships} == \
        {("Brightwater Health", False), ("Northwind Analytics", True)}
    assert now.events[0].subjects == ["Marco Bellini", "Northwind Analytics"]
    assert now.profile == {} and now.session_goals == {}

    before = snapshot_from_machine(machine, user_id="u", as_of="2026-03-15T00:00:00Z")
    assert {(f.value, f.live) for f in before.facts} == {("Head of Growth", True)}
    assert {(r.target, r.live) for r in before.relationships} == {("Brightwater Health", True)}
    assert before.events == []

    row = score_all(now, load_world())
    assert row["supersession_n"] == 3 and row["relation_tp"] == 1   # only Marco's new edge
    machine.close()


def test_profile_and_session_goals_are_read_by_session_number(tmp_path):
    machine = build_machine(embedder="hashing", data_dir=tmp_path, clock=SteppingClock())
    machine.user_profile_store.update("u", {"role": "angel investor", "timezone":
                                            "Europe/Lisbon"})
    machine.session_context_store.update("r0-s3", "u", goal="decide on Brightwater",
                                         plan=["talk to Priya", "ask Kenji for numbers"])
    machine.session_context_store.update("probe-x", "u", summary="a question")
    snap = snapshot_from_machine(machine, user_id="u")
    assert snap.profile == {"role": "angel investor", "timezone": "Europe/Lisbon"}
    assert snap.session_goals == {3: "decide on Brightwater. Plan: talk to Priya; ask Kenji "
                                     "for numbers"}
    assert session_goals(machine, user_id="someone-else") == {}
    machine.close()


def test_the_taught_graph_scores_against_gold(taught):
    snap = snapshot_from_machine(taught.machine, user_id="user-1")
    row = score_all(snap, load_world())
    assert row["entity_f1"] > 0.95 and row["fact_f1"] > 0.9 and row["relation_f1"] > 0.9
    assert row["supersession_accuracy"] == 1.0 and row["profile_accuracy"] == 1.0
    assert row["goal_accuracy"] == 1.0
    early = snapshot_from_machine(taught.machine, user_id="user-1",
                                  as_of=taught.stamps[4].as_of)
    assert {e.name for e in early.entities} == {"Sarah Chen", "Acme Robotics"}
    assert score_all(early, load_world(), upto_turn=5)["fact_f1"] == 1.0
