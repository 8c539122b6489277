"""Pal's offline policy: no hidden state, cold behaviour from a wiped store, preferences only
from context, retrieval cold (broad) vs warm (targeted), and user isolation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench.agents.pal import data
from workbench.agents.pal.agent import INSTRUCTIONS, build_agent, build_machine
from workbench.agents.pal.policy import pal_policy
from workbench.agents.pal.tools import PalEnvironment
from workbench.learn import SteppingClock
from workbench.models import Message, ModelRequest, OfflineView
from workbench.models.types import ToolCall

POLICY_MODULES = ("policy", "turn", "retrieval", "extract", "answer", "compose", "documents",
                  "request", "style", "language", "dates")


@pytest.fixture
def pal(tmp_path):
    clock = SteppingClock("2025-04-28T09:00:00Z")
    env = PalEnvironment(tmp_path / "env", clock=clock)
    for user in data.USERS:
        env.seed_user(user, context=data.context_dir(user),
                      notes_file=data.pal_dir() / "notes" / f"{user}.jsonl")
    machine = build_machine(data_dir=tmp_path / "memory", embedder="hashing", clock=clock)
    agent = build_agent("offline", machine, env)
    for user in data.USERS:
        agent.run(f"Import my notes from inbox/{user}.jsonl.", user_id=user, session_id="setup")
    yield agent, machine, env
    machine.close()
    env.close()


def draft_of(result) -> str:
    calls = [c for c in result.tool_calls if c.name == "write_draft"]
    assert calls, result.text
    return calls[-1].arguments["text"]


EMAIL = "Email Tomasz Brandt to confirm the agenda for Thursday's design review."


def test_the_policy_keeps_no_state_between_calls(pal):
    agent, _, _ = pal
    first = agent.run(EMAIL, user_id="user_a", session_id="one")
    again = agent.run(EMAIL, user_id="user_a", session_id="two")
    assert draft_of(first) == draft_of(again)
    view = OfflineView(ModelRequest((Message.system(f"{INSTRUCTIONS}\n\nToday is 2025-04-28."),
                                     Message.user(EMAIL))))
    assert pal_policy(view) == pal_policy(view)


def test_a_stated_preference_reaches_a_fresh_session_only_through_memory(pal):
    agent, machine, _ = pal
    cold = draft_of(agent.run(EMAIL, user_id="user_a", session_id="s1"))
    assert cold.splitlines()[-1] == "Best regards,"
    agent.run("For every email from now on, sign as 'J.' on its own line.", user_id="user_a",
              session_id="s2")
    assert machine.user_profile_store.get("user_a")["email_signoff"] == "J."
    warm = agent.run(EMAIL, user_id="user_a", session_id="s3")
    assert draft_of(warm).splitlines()[-1] == "J."
    assert "Email signoff: J." in warm.messages[0].content  # recalled into the prompt
    machine.wipe()
    wiped = draft_of(agent.run(EMAIL, user_id="user_a", session_id="s4"))
    assert wiped == cold, "a wiped store gives the cold behaviour back"


def test_a_correction_replaces_the_value_and_keeps_its_history(pal):
    agent, machine, _ = pal
    agent.run("Sign every email as 'J.' from now on.", user_id="user_a", session_id="s1")
    agent.run("Change of plan: sign emails as 'Jules' instead.", user_id="user_a",
              session_id="s2")
    assert machine.user_profile_store.get("user_a")["email_signoff"] == "Jules"
    history = machine.user_profile_store.history_frame()
    assert list(history[history["field"] == "email_signoff"]["new"]) == ["J.", "Jules"]
    learned = [d["title"] for d in machine.learned_knowledge_store.all(user_id="user_a")]
    assert "Correction: emails signoff" in learned
    assert draft_of(agent.run(EMAIL, user_id="user_a", session_id="s3")).endswith("\nJules")


def _draft_view(system_extra: str) -> OfflineView:
    files = '["preferences.md", "voice/email.md"]'
    calls = (ToolCall("c1", "list_files", {}),)
    reads = (ToolCall("c2", "read_file", {"path": "preferences.md"}),
             ToolCall("c3", "read_file", {"path": "voice/email.md"}))
    messages = (Message.system(f"{INSTRUCTIONS}\n\nToday is 2025-04-28.{system_extra}"),
                Message.user("Email Dana Reyes to confirm Friday's demo."),
                Message.assistant(None, calls), Message.tool("c1", "list_files", files),
                Message.assistant(None, reads),
                Message.tool("c2", "read_file", "Write dates as YYYY-MM-DD; if I say a weekday, "
                                                    "work out the date."),
                Message.tool("c3", "read_file", "Keep it short."))
    return OfflineView(ModelRequest(messages))


def test_the_policy_follows_what_is_in_its_context_and_only_that():
    plain = pal_policy(_draft_view(""))
    told = pal_policy(_draft_view("\n<memory>\n<user_profile>\nEmail signoff: Z.\n"
                                  "Email opening: Hey <first name>,\n</user_profile>\n</memory>"))
    assert plain.name == told.name == "write_draft"
    assert plain.arguments["text"].splitlines()[-1] == "Best regards,"
    assert told.arguments["text"].splitlines()[-1] == "Z."
    assert "Hey Dana," in told.arguments["text"]
    assert "2025-05-02" in plain.arguments["text"], "the date rule came from the file read"


def test_concise_preference_makes_answers_terser(pal):
    agent, machine, _ = pal
    question = "When is the Harbor cutover, and who owns the rollback?"
    before = agent.run(question, user_id="user_a", session_id="q1").text
    agent.run("I prefer concise responses.", user_id="user_a", session_id="q2")
    assert machine.user_profile_store.get("user_a")["reply_style"] == "concise"
    after = agent.run(question, user_id="user_a", session_id="q3").text
    assert len(after) < len(before) and "2025-04-26" in after and "Imani" in after


def test_retrieval_is_broad_cold_and_targeted_once_a_learning_exists(pal):
    agent, machine, _ = pal
    cold = agent.run("What do I know about the Marsh Valley pilot? Who's my contact there, and "
                     "how many rangers are in it?", user_id="user_a", session_id="r1")
    names = [c.name for c in cold.tool_calls]
    assert {"search_notes", "search_files"} <= set(names) and "save_learning" in names
    assert "Hana Whitlock" in cold.text and "12 rangers" in cold.text
    saved = machine.learned_knowledge_store.all(user_id="user_a")
    assert any(d["title"].startswith("Retrieval: Marsh Valley pilot") for d in saved)
    warm = agent.run("Who runs the Marsh Valley pilot on their side, and how many rangers?",
                     user_id="user_a", session_id="r2")
    warm_names = [c.name for c in warm.tool_calls]
    assert "search_notes" not in warm_names and "get_note" in warm_names
    assert len(warm.tool_calls) < len(cold.tool_calls) - 1
    assert "Hana Whitlock" in warm.text and "12 rangers" in warm.text


def test_users_never_receive_each_others_data(pal):
    agent, machine, _ = pal
    agent.run("Sign every email as 'J.' from now on.", user_id="user_a", session_id="a1")
    agent.run("Note for me, private: Quillon Systems ref TERN-4471.", user_id="user_a",
              session_id="a1")
    agent.run("Email Tomasz Brandt to confirm the review.", user_id="user_a", session_id="a1")
    b = agent.run("Email Mattias Berg to say the draft slips. Anything about acquisitions?",
                  user_id="user_b", session_id="b1")
    received = b.text + "".join(m.content or "" for m in b.messages)
    for marker in ("J.", "Quillon", "TERN-4471", "Tomasz", "Imani", "Kestrel"):
        assert marker not in received, marker
    assert not machine.entity_memory_store.search(machine.entity_memory_store.scope("user_b"),
                                                  "Tomasz Brandt")
    assert machine.user_profile_store.get("user_b") == {}


def test_the_policy_never_opens_grader_files():
    root = Path(data.__file__).parent
    for module in POLICY_MODULES:
        source = (root / f"{module}.py").read_text()
        for forbidden in ("rules.json", "expectations", "load_rules", "load_expectations",
                          "load_script", "scoring", "checkers", "open("):
            assert forbidden not in source, (module, forbidden)
        assert not re.search(r"from workbench\.agents\.pal\.data import|pal import data",
                             source), module


@pytest.mark.parametrize("namespace, leaks", [("user", 0), ("global", 1)])
def test_the_leak_check_catches_a_shared_namespace(tmp_path, namespace, leaks):
    """A canary for the isolation measurement: learned knowledge in a shared namespace hands
    user A's retrieval learning (naming A's meetings) to user B, and the check sees it."""
    from workbench.agents.pal.agent import learning_configs
    from workbench.agents.pal.measure import leak_metrics
    from workbench.learn import LearnedKnowledgeConfig, LearningMachine, LearningMode

    configs = {**learning_configs(), "learned_knowledge": LearnedKnowledgeConfig(
        mode=LearningMode.AGENTIC, namespace=namespace)}
    clock = SteppingClock("2025-04-28T09:00:00Z")
    env = PalEnvironment(tmp_path / "env", clock=clock)
    machine = LearningMachine(**configs, data_dir=tmp_path / "memory", embedder="hashing",
                              clock=clock)
    agent = build_agent("offline", machine, env)
    for user in data.USERS:
        env.seed_user(user, context=data.context_dir(user),
                      notes_file=data.pal_dir() / "notes" / f"{user}.jsonl")
        agent.run(f"Import my notes from inbox/{user}.jsonl.", user_id=user, session_id="setup")
    question = "What do I know about the Marsh Valley pilot? Who's my contact there?"
    agent.run(question, user_id="user_a", session_id="a1")
    b = agent.run(question, user_id="user_b", session_id="b1")
    markers = {"user_a": data.load_expectations("user_a").leak_markers}
    found = leak_metrics("user_b", b, b.text, None, None, {}, markers)
    assert (found["leaks"] > 0) == bool(leaks), found
    machine.close()
    env.close()
