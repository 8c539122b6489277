"""Persistence across processes: what one process writes, a new process reads back exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import persistence_probe as probe

from workbench import Agent
from workbench.models import OfflineModel, ScriptedModel, call

PROBE_SCRIPT = Path(probe.__file__)


def hybrid(steps):
    """A model that plays ``steps`` for the agent and the offline rules for extraction."""
    queue = list(steps)
    offline = OfflineModel()

    def script(view):
        if view.response_format:
            return offline.complete(view.request)
        return queue.pop(0)

    return ScriptedModel(script)


def write_everything(machine) -> None:
    offline = Agent("pal", model="offline", learning=machine)
    offline.run("Hi, my name is Ada Lovelace. Call me Ada.", user_id="ada", session_id="s1",
                run_id="w1")
    offline.run("I prefer short answers. My goal is to ship the billing report. First, the "
                "query, then the chart.", user_id="ada", session_id="s1", run_id="w2")

    def agent_run(steps, message, user, session, run_id):
        model = hybrid(steps)
        machine.model = model
        return Agent("contacts", model=model, learning=machine).run(
            message, user_id=user, session_id=session, run_id=run_id)

    agent_run([[
        call("create_entity", name="Sarah Chen", entity_type="person", aliases=["Sas"]),
        call("add_fact", entity="Sarah Chen", attribute="title", value="VP Engineering"),
        call("add_relationship", source="Sarah Chen", relation="works_at", target="Acme",
             target_type="company"),
        call("add_event", entity="Acme", description="Series B closed", date="2026-02-01"),
        call("add_fact", entity="Acme", attribute="headquarters", value="Lisbon"),
        call("add_fact", entity="Old Co", entity_type="company", attribute="status",
             value="dissolved"),
        call("forget", entity="Old Co"),
        call("save_learning", title="orders status spelling",
             learning="Cancelled orders use status='cancelled'."),
        call("save_learning", title="amounts in cents", learning="Divide amounts by 100."),
    ], "Noted."], "Sarah Chen is VP Engineering at Acme.", "ada", "s1", "w3")
    [first, _] = machine.proposals.pending()
    agent_run([[call("confirm_proposal", proposal_id=first.id),
                call("add_fact", entity="Sarah Chen", attribute="title", value="CTO")],
               "Saved."], "yes", "ada", "s1", "w4")
    agent_run([[call("log_decision", decision="Pass on the Lumen seed round",
                     reasoning="valuation above mandate"),
                call("add_fact", entity="Project Radar", entity_type="project",
                     attribute="status", value="paused")], "Logged."],
              "We pass on Lumen; Radar is paused.", "ben", "s2", "w5")
    decision = machine.decision_log_store.collection().all()[0].id
    machine.decision_log_store.record_outcome(decision, "Lumen was acquired", "bad")


def test_a_new_process_sees_exactly_what_was_written(tmp_path):
    data_dir = tmp_path / "memory"
    machine = probe.build(data_dir)
    write_everything(machine)
    machine.flush()
    expected = json.loads(json.dumps(probe.observe(machine), sort_keys=True,
                                     ensure_ascii=False))

    snapshot = expected["snapshot"]
    assert {name: len(rows) for name, rows in snapshot.items()} == {
        "user_profile": 1, "user_memory": 1, "session_context": 2, "entity_memory": 11,
        "learned_knowledge": 1, "decision_log": 1}, "the fixture wrote into every store"
    assert len(expected["pending"]) == 1
    assert any(r["items"] for r in expected["recall"])

    env = {**os.environ, "PYTHONPATH": str(PROBE_SCRIPT.parent)}
    completed = subprocess.run([sys.executable, str(PROBE_SCRIPT), str(data_dir)], env=env,
                               capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    fresh = json.loads(completed.stdout)

    for key in ("snapshot", "graph_now", "graph_2026", "pending", "entity_search"):
        assert fresh[key] == expected[key], key
    for mine, theirs in zip(expected["recall"], fresh["recall"], strict=True):
        assert theirs == mine
    assert fresh == expected
