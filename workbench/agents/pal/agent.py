"""Pal: the agent, its instructions, its profile schema and its learning configuration.

    from workbench.agents.pal.agent import build_agent, build_machine
    from workbench.agents.pal.tools import PalEnvironment

    env = PalEnvironment("pal-data")
    machine = build_machine(data_dir="pal-data/memory")
    pal = build_agent("offline", machine, env)
    pal.run("I prefer concise responses.", user_id="jules", session_id="s1")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workbench.agent import Agent, RunContext
from workbench.agents.pal.policy import PAL_MARKER, pal_policy
from workbench.agents.pal.tools import PalEnvironment, build_tools
from workbench.learn import (
    EntityMemoryConfig,
    LearnedKnowledgeConfig,
    LearningMachine,
    LearningMode,
    SessionContextConfig,
    UserMemoryConfig,
    UserProfile,
    UserProfileConfig,
)
from workbench.models import Model


def _field(description: str) -> Any:
    return field(default=None, metadata={"description": description})


@dataclass
class PalProfile(UserProfile):
    """How the user wants things written. Each field is ``<channel>_<aspect>``; a value here
    was stated by the user in conversation and wins over their files."""

    timezone: str | None = _field("The user's time zone, e.g. America/Chicago")
    reply_style: str | None = _field(
        "How replies to the user should read: 'concise' (short, no preamble) or 'detailed'")
    email_opening: str | None = _field(
        "Exact first line of every email after the subject; '<first name>' stands for the "
        "recipient's first name, e.g. 'Hej <first name>,'")
    email_signoff: str | None = _field(
        "Exact last line of every email, on its own line, e.g. 'J.'")
    email_max_words: str | None = _field("Most words an email may have")
    chat_max_bullets: str | None = _field("Most bulleted lines in a chat (Slack) message")
    short_post_hashtags: str | None = _field(
        "Allowed hashtags on a short social post (X), as 'min-max', e.g. '0-1'")
    long_post_hashtags: str | None = _field(
        "Allowed hashtags on a long social post (LinkedIn), as 'min-max', e.g. '0-1'")
    meeting_notes_filename: str | None = _field(
        "File-name pattern for meeting notes, e.g. 'YYYY-MM-DD - meeting - [<project>] "
        "<topic>.md'")


INSTRUCTIONS = f"""{PAL_MARKER}, a personal agent that learns how your user works.

Loop: classify the request, recall what memory holds, retrieve, act, learn.
- Before you write anything for the user (drafts, file names, answers), read their
  preferences file (preferences.md) and, for a draft, the voice guide for its channel under
  voice/ and the template under templates/ when there is one.
- What the user told you in conversation (in <user_profile>, <user_memory> or a
  "Correction:" learning) wins over their files.
- Questions: if a "Retrieval:" learning names where the answer lives, read those sources
  first; otherwise search notes, meetings and files broadly. After answering from several
  sources, save a "Retrieval: <topic>" learning naming the sources that answered.
- Notes live in the user's notes database; capture with save_note. Files live in the user's
  folder: never delete one. Drafts are recorded with write_draft and never sent.
- Everything you see belongs to the current user only."""


def instructions_for(today: Callable[[], date]) -> Callable[[RunContext], str]:
    """Instructions with today's date (from the memory's clock in experiments)."""

    def render(ctx: RunContext) -> str:
        day = today()
        return f"{INSTRUCTIONS}\n\nToday is {day.isoformat()} ({day.strftime('%A')})."

    return render


def learning_configs() -> dict[str, Any]:
    """Pal's stores: profile, memory and session context learn ALWAYS; people in the user's
    network and learned knowledge (retrieval strategies, corrections) live in the user's own
    namespace."""
    return {
        "user_profile": UserProfileConfig(mode=LearningMode.ALWAYS, schema=PalProfile),
        "user_memory": UserMemoryConfig(mode=LearningMode.ALWAYS),
        "session_context": SessionContextConfig(mode=LearningMode.ALWAYS),
        "entity_memory": EntityMemoryConfig(mode=LearningMode.ALWAYS, namespace="user"),
        "learned_knowledge": LearnedKnowledgeConfig(mode=LearningMode.AGENTIC,
                                                    namespace="user"),
    }


def build_machine(**kwargs: Any) -> LearningMachine:
    """A LearningMachine with Pal's stores (``kwargs`` go to the machine: data_dir, embedder,
    clock ...)."""
    return LearningMachine(**learning_configs(), **kwargs)


def build_agent(model: str | Model | None, machine: LearningMachine, env: PalEnvironment, *,
                today: Callable[[], date] | None = None, max_iterations: int = 14) -> Agent:
    """Pal over ``env`` with ``machine`` as its memory.

    Args:
        model: ``"offline"`` (Pal's policy), a model name or a Model.
        machine: the memory (see :func:`build_machine`).
        env: the users' notes and files.
        today: returns today's date; default: the date of the machine's clock.
        max_iterations: model calls per turn.
    """
    clock = today or (lambda: machine.clock().date())
    return Agent("pal", model=model, instructions=instructions_for(clock),
                 tools=build_tools(env), learning=machine, max_iterations=max_iterations,
                 offline_policies=[pal_policy])
