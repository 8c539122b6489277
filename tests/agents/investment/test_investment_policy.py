"""The offline committee policy: what memory changes, and that nothing else does."""

from __future__ import annotations

import builtins
import pathlib
import re

from workbench.agents.investment import load_meetings
from workbench.agents.investment.agent import build_agent, build_machine
from workbench.agents.investment.memos import validate_memo
from workbench.agents.investment.policy import committee_policy
from workbench.agents.investment.world import CommitteeWorld
from workbench.models import ModelRequest, OfflineModel, OfflineView
from workbench.models.offline import to_response

MEETINGS = {m.id: m for m in load_meetings()}


class Recording:
    """The offline model, keeping every request it answered (for replaying them)."""

    endpoint = "offline"

    def __init__(self) -> None:
        self.inner = OfflineModel([committee_policy])
        self.name = "offline"
        self.requests: list[ModelRequest] = []

    def complete(self, request: ModelRequest):
        self.requests.append(request)
        return self.inner.complete(request)


def decision_line(text: str) -> str:
    return text.splitlines()[0]


def test_the_lesson_turn_saves_a_general_rule_and_later_meetings_apply_it(committee):
    _, machine, _, run = committee("warm")
    run("M08")
    saved = machine.learned_knowledge_store.all()
    assert len(saved) == 1
    text = f"{saved[0]['title']} {saved[0]['learning']}".lower()
    for phrase in ("from now on", "rule:", "always", "before earnings", "two-thirds", "2/3",
                   "30 days"):
        assert phrase in text, phrase
    assert "m08" not in text and "googl" not in text  # a rule, not a note about one meeting
    reply = run("M13").text  # JPM, earnings in 22 days: 2/3 of $1.5M
    assert decision_line(reply) == "Decision: BUY JPM $1,000,000"
    assert re.search(r"Committee rules: pre-earnings .* applied", reply)
    over = run("M21").text  # JNJ, earnings 51 days away: full size, not a blanket cut
    assert decision_line(over) == "Decision: BUY JNJ $500,000"
    assert "not applicable" in over


def test_a_wiped_memory_gives_the_cold_behaviour(committee):
    _, machine, _, run = committee("cold")
    run("M08")
    reply = run("M13", wipe=True)
    assert machine.learned_knowledge_store.all() == []
    assert decision_line(reply.text) == "Decision: BUY JPM $1,500,000"
    assert "Committee rules: none recalled" in reply.text
    searched = [c for c in reply.tool_calls if c.name == "search_learnings"]
    assert searched and searched[0].result == "No relevant learnings found."


def test_precedent_is_kept_only_when_memory_points_to_it(committee):
    _, _, warm_world, warm = committee("warm")
    warm("M01")  # the year opens with a review of the archive into company entities
    kept = warm("M03")
    assert decision_line(kept.text) == "Decision: PASS TSLA $0"
    assert "tsla_2025_q4_pass.md (2025-11-20, PASS)" in kept.text
    assert [c.name for c in kept.tool_calls].count("check_conditions") == 1
    assert any(r.store == "entity_memory" and "Tesla" in r.text for r in kept.recalled)
    _, _, cold_world, cold = committee("cold")
    cold("M01")
    missed = cold("M03", wipe=True)
    assert decision_line(missed.text) == "Decision: BUY TSLA $1,500,000"  # the engine's cap
    assert "search_memos" not in [c.name for c in missed.tool_calls]
    assert cold_world.ledger.holds("TSLA") and not warm_world.ledger.holds("TSLA")


def test_a_request_that_names_the_memo_is_checked_even_without_memory(committee):
    _, _, _, run = committee("cold")
    reply = run("M18", wipe=True)  # auto margin crossed 20%: the change is justified
    assert decision_line(reply.text).startswith("Decision: BUY TSLA")
    assert "Conditions met: tsla_auto_margin_above_20" in reply.text


def test_memos_are_well_formed_and_saved_at_the_top_level(committee):
    _, _, world, run = committee("memo")
    for meeting_id in ("M01", "M03", "M12"):
        run(meeting_id)
    archive = world.archive
    written = [n for n in archive.list() if "2026" in n]
    assert written == ["meta_2026_q2_pass.md", "msft_2026_q1_buy.md", "tsla_2026_q1_pass.md"]
    assert archive.misplaced() == []
    for name in written:
        assert validate_memo(archive.read(name), name) == []
    # The kept PASS carries the precedent's revisit conditions to the next revisit.
    tsla = archive.get("tsla_2026_q1_pass.md")
    assert [c.id for c in tsla.conditions] == [c.id for c in
                                               archive.get("tsla_2025_q4_pass.md").conditions]
    assert world.ledger.position_count == 3  # the hypothetical META drill was not executed


def test_same_request_same_reply_and_no_files_read(tmp_path, monkeypatch):
    model = Recording()
    world = CommitteeWorld.create(tmp_path / "w")
    machine = build_machine(tmp_path / "m", embedder="hashing")
    agent = build_agent(model, machine, world)
    for meeting_id in ("M01", "M08", "M13"):
        world.begin(MEETINGS[meeting_id])
        agent.run(MEETINGS[meeting_id].request)
    first = [to_response(committee_policy(OfflineView(r)), r, model="x") for r in model.requests]

    def refuse(*args, **kwargs):
        raise AssertionError("the policy must not read files")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(pathlib.Path, "read_text", refuse)
    monkeypatch.setattr(pathlib.Path, "open", refuse)
    again = [to_response(committee_policy(OfflineView(r)), r, model="x") for r in model.requests]
    assert [(a.text, a.tool_calls) for a in first] == [(b.text, b.tool_calls) for b in again]
    assert len(first) >= 3 * 6  # every step of three meetings


def test_two_fresh_committees_decide_identically(committee):
    replies = []
    for label in ("one", "two"):
        _, _, _, run = committee(label)
        result = run("M05")
        replies.append((result.text, [(c.name, c.arguments) for c in result.tool_calls
                                      if c.name not in ("log_decision",)]))
    assert replies[0] == replies[1]


def test_the_policy_leaves_other_agents_alone():
    request = ModelRequest(messages=(), tools=())
    assert committee_policy(OfflineView(request)) is None
