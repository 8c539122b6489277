"""The Contacts agent: a small CRM that lives in the conversation.

Learning configuration (as in the design documents):

- user profile, ALWAYS, with Contacts' own fields (role, time zone, communication preference,
  location) on top of name / preferred name;
- entity memory, AGENTIC, with create_entity / add_fact / add_relationship / add_event (plus
  search_entities / get_entity, update_entity and forget);
- session context, ALWAYS, with planning (goal, plan steps, progress).

Tools of its own: ``web_search`` over canned snippets, and ``recall_sessions`` for the goals
and plans of earlier conversations. The session date goes into the instructions every turn so
that "last Thursday" can be resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from workbench.agent import Agent, RunContext
from workbench.agents.contacts.data import WebSnippet
from workbench.agents.contacts.policy import MARKER, contacts_policy
from workbench.agents.contacts.tools import recall_sessions_tool, web_search_tool
from workbench.learn import (
    EntityMemoryConfig,
    LearningMachine,
    LearningMode,
    SessionContextConfig,
    UserProfile,
    UserProfileConfig,
)
from workbench.models import Model


@dataclass
class ContactsProfile(UserProfile):
    """What Contacts keeps about the user, besides name and preferred name."""

    role: str | None = field(default=None, metadata={
        "description": "What the user does: job, role or occupation"})
    timezone: str | None = field(default=None, metadata={
        "description": "The user's time zone (an IANA name such as Europe/Lisbon if known)"})
    communication_preference: str | None = field(default=None, metadata={
        "description": "How the user wants replies: length, format (e.g. bullet points), tone"})
    location: str | None = field(default=None, metadata={
        "description": "The city the user lives or works in"})


INSTRUCTIONS = f"""{MARKER}, a relationship-intelligence assistant: a small CRM that lives in \
this conversation. The user tells you about the people, companies and projects around them; you \
keep an entity graph of them and answer questions from it.

When the user mentions people, companies or projects:
- call search_entities for each name first, then decide: create_entity for someone new (with \
any short names as aliases), or update the existing entity (update_entity to add an alias or a \
fuller name);
- record concrete facts with add_fact, one attribute each (title, email, phone, location, city, \
expertise, focus, funding_stage, stack, status, deadline); a new value replaces the old one, so \
corrections ("now", "actually", "moved to", "was promoted") are just new facts;
- make relationships explicit with add_relationship (works_at, reports_to, leads, involved_in, \
advises, invested_in, introduced_by), including implied ones ("Priya at Harborlight" works at \
Harborlight);
- record dated happenings with add_event, resolving relative dates ("last Thursday", "on \
Friday") against today's date, as YYYY-MM-DD.

When asked about a contact, answer only from memory (<entity_memory>, search_entities, \
get_entity); most relevant facts first. If nothing is stored, say that nothing is known — never \
guess. For the user's own earlier goals and plans use recall_sessions. Use web_search only when \
asked to look something up; what the user told you wins over the web. Keep replies short and \
follow the user's stated preferences."""


def learning_stores() -> dict[str, Any]:
    """The store configs of the Contacts learning machine (by store name)."""
    return {
        "user_profile": UserProfileConfig(mode=LearningMode.ALWAYS, schema=ContactsProfile),
        "entity_memory": EntityMemoryConfig(
            mode=LearningMode.AGENTIC, enable_create_entity=True, enable_add_fact=True,
            enable_add_relationship=True, enable_add_event=True),
        "session_context": SessionContextConfig(mode=LearningMode.ALWAYS, enable_planning=True),
    }


def build_machine(**kwargs: Any) -> LearningMachine:
    """A LearningMachine with the Contacts stores (kwargs: embedder, data_dir, clock, ...)."""
    return LearningMachine(**learning_stores(), **kwargs)


Today = str | date | Callable[[], date | str] | None


def _as_date(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def session_day(machine: LearningMachine | None, today: Today = None) -> date:
    """The date the agent is told it is: ``today`` if given, else the machine's clock."""
    if callable(today):
        return _as_date(today())
    if today is not None:
        return _as_date(today)
    if machine is None:
        return _as_date(datetime.now())
    clock = machine.clock
    # A SteppingClock is read without advancing it, so reading the date costs no timestamps.
    current = getattr(clock, "current", None)
    return _as_date(current if current is not None else clock())


def build_agent(model: str | Model | None = None, machine: LearningMachine | None = None, *,
                today: Today = None, snippets: Mapping[str, WebSnippet] | None = None,
                name: str = "contacts", **agent_kwargs: Any) -> Agent:
    """The Contacts agent.

    Args:
        model: ``"offline"``, a model name, a Model, or None for the configured default.
        machine: its LearningMachine (default: :func:`build_machine`).
        today: the session date shown to the agent (default: the machine's clock).
        snippets: canned web results (default: ``datasets/contacts/web_snippets.json``).
        name: the agent's name.
        agent_kwargs: passed to :class:`~workbench.Agent` (max_iterations, history_runs, ...).
    """
    machine = machine if machine is not None else build_machine()

    def instructions(ctx: RunContext) -> str:
        day = session_day(machine, today)
        return f"{INSTRUCTIONS}\n\nToday is {day.isoformat()} ({day:%A})."

    tools = [web_search_tool(snippets), recall_sessions_tool(machine)]
    return Agent(name, model=model, instructions=instructions, tools=tools, learning=machine,
                 offline_policies=[contacts_policy], **agent_kwargs)
