"""The committee agent: instructions, tools and the shared-namespace memory."""

from __future__ import annotations

from workbench.agent import RunContext
from workbench.agents.investment import load_meetings
from workbench.agents.investment.agent import (
    AGENT_ID,
    build_agent,
    build_machine,
    memory_stores,
)
from workbench.learn import LearningMode


def test_instructions_carry_the_process_today_and_the_committee_rules(world):
    world.begin(load_meetings()[8])  # M09, 2026-05-18
    agent = build_agent("offline", None, world)
    prompt = agent.instructions(RunContext(run_id="r", session_id="s"))
    assert "Today: 2026-05-18. Data pack: 2026 Q2 (as of 2026-05-15)" in prompt
    for needle in ("## Summary, ## Thesis", "top level", "execute_trade", "save_learning",
                   "Decision: <BUY|HOLD|PASS|SELL|TRIM>", "# Committee rules",
                   "Cash reserve", "Risk & Sizing"):
        assert needle.lower() in prompt.lower(), needle
    assert agent.agent_id == AGENT_ID and agent.learning is None


def test_memory_is_agentic_and_shared_across_the_committee(tmp_path, world):
    stores = memory_stores()
    assert set(stores) == {"learned_knowledge", "decision_log", "entity_memory"}
    assert all(c.mode is LearningMode.AGENTIC for c in stores.values())
    assert stores["learned_knowledge"].namespace == stores["entity_memory"].namespace == "global"
    machine = build_machine(tmp_path / "m", embedder="hashing")
    agent = build_agent("offline", machine, world)
    names = {t.name for t in machine.prepare_tools(RunContext(run_id="r", session_id="s",
                                                              agent_id=agent.agent_id))}
    assert {"save_learning", "search_learnings", "log_decision", "record_outcome",
            "search_decisions", "create_entity", "add_fact"} <= names
    assert "forget" not in names and "add_relationship" not in names
