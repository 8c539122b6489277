"""The offline model's policy for the Contacts agent.

It follows the agent's instructions the way a careful model would, from the request alone:

- a statement about people, companies or projects is read with general language rules
  (:mod:`._extract`), relative dates resolved against the session date in the instructions;
  every name is looked up with ``search_entities`` first, then the policy decides create vs.
  update from what came back (:mod:`._writes`) and writes through the entity tools;
- a question is answered only from memory — the recalled ``<entity_memory>`` and
  ``<user_profile>`` blocks and the results of ``search_entities`` / ``get_entity`` /
  ``recall_sessions`` (:mod:`._respond`); an unknown name gets "nothing known";
- a request to look something up online calls ``web_search`` and flags what contradicts memory;
- the ``memory_extraction`` request (ALWAYS stores) gets the profile fields and the session's
  goal and plan (:mod:`._memory`), and the entity part too when entity memory runs ALWAYS.

It keeps no state between calls: each call re-reads the request and works out the next step.
"""

from __future__ import annotations

import re
from datetime import date

from workbench.agents.contacts._cards import parse_cards, profile, visible_cards
from workbench.agents.contacts._dates import parse_today
from workbench.agents.contacts._extract import Reader
from workbench.agents.contacts._memory import profile_values, session_values
from workbench.agents.contacts._mentions import key, names_in
from workbench.agents.contacts._respond import answer, is_question
from workbench.agents.contacts._writes import extraction_part, write_calls
from workbench.learn.offline_extraction import FORMAT_NAME, extraction_policy, state_section
from workbench.learn.offline_extraction import turn_parts as extraction_turn
from workbench.models.offline import OfflineView, Reply, call

#: The instructions start with this; the policy stays silent for any other agent.
MARKER = "You are Contacts"
WRITE_TOOLS = frozenset({"create_entity", "add_fact", "add_relationship", "add_event",
                         "update_entity", "forget"})
_ENRICH = re.compile(r"\b(?:look (?:\w+ )?up|search (?:the web|online)|online|on the web|"
                     r"enrich|google)\b", re.I)
_FALLBACK_DAY = date(2000, 1, 1)   # only when instructions carry no date (never the wall clock)


def contacts_policy(view: OfflineView) -> Reply:
    """The Contacts agent's offline behaviour (see the module docstring)."""
    if view.response_format == FORMAT_NAME:
        return extraction_reply(view)
    if view.response_format or MARKER not in view.system:
        return None
    message = view.last_user
    if _ENRICH.search(message) and "web_search" in view.tools:
        return enrich(view)
    if is_question(message):
        return answer(view)
    return record(view)


def _user_names(view: OfflineView) -> list[str]:
    prof = profile(view)
    return [v for k, v in prof.items() if k in ("name", "preferred_name") and v]


def read_message(view: OfflineView) -> Reader:
    """The extraction of the current message in its session context."""
    cards = visible_cards(view)
    known = {k: c.type for c in cards.values() for k in c.keys()}
    today = parse_today(view.system) or _FALLBACK_DAY
    return Reader(view.last_user, today, view.history_user_messages(), known, _user_names(view))


def record(view: OfflineView) -> Reply:
    """Search, then write, then confirm — one step per model call."""
    ext = read_message(view).run()
    steps = view.turn_steps()
    if ext.empty and not steps:
        return "Noted — nothing to add to your contacts from that."
    if not WRITE_TOOLS & set(view.tools) or "search_entities" not in view.tools:
        # Entity memory is not agentic here (ALWAYS mode, or off): nothing to call.
        return "Noted."
    searched = {key(str((c.arguments or {}).get("query"))) for c in view.calls_made(
        "search_entities")}
    names = [*ext.surfaces(), *(new for _, new in ext.renames)]
    pending = [n for n in dict.fromkeys(names) if key(n) not in searched]
    if pending and len(view.calls_made("search_entities")) < 24:
        return [call("search_entities", query=n, limit=8) for n in pending]
    if not any(c.name in WRITE_TOOLS for c, _ in steps):
        calls = write_calls(ext, visible_cards(view))
        if calls:
            return calls
    return acknowledge(view, steps)


def acknowledge(view: OfflineView, steps) -> str:
    """A short confirmation listing what was written (and anything that failed)."""
    done = [r for c, r in steps if c.name in WRITE_TOOLS and not r.startswith("Error")]
    failed = [r for c, r in steps if c.name in WRITE_TOOLS and r.startswith("Error")]
    if not done and not failed:
        return "Noted — that's already in your contacts."
    lines = [f"- {r.split(' Note:')[0]}" for r in done]
    lines += [f"- not saved: {r.removeprefix('Error: ')[:160]}" for r in failed]
    return "Noted:\n" + "\n".join(lines)


def enrich(view: OfflineView) -> Reply:
    """Look an organisation up on the (canned) web and compare it with memory."""
    names = [r.surface for r in names_in(view.last_user, 0, {})
             if not re.match(r"(?i)^(?:look|search|can|could|please|what|find)$", r.surface)]
    if not names:
        return "Whom should I look up?"
    if not view.calls_made("web_search"):
        return call("web_search", query=names[0])
    web = view.last_result("web_search") or ""
    people = [r.surface for r in names_in(web, 0, {}) if r.kind == "person"]
    unsearched = [p for p in dict.fromkeys(people)
                  if key(p) not in {key(str((c.arguments or {}).get("query")))
                                    for c in view.calls_made("search_entities")}]
    if unsearched and not view.calls_made("search_entities"):
        return [call("search_entities", query=p, limit=3) for p in unsearched]
    cards = visible_cards(view)
    stale = []
    for person in people:
        card = cards.get(key(person))
        employers = [t for r, t in card.out if r == "works_at"] if card else []
        if employers and key(names[0]).split()[0] not in key(" ".join(employers)):
            stale.append(f"{person} (you told me they now work at {employers[0]})")
    text = "Here is what the web says (not saved to memory):\n" + web.split(":\n\n", 1)[-1]
    if stale:
        text += "\n\nOut of date compared with what you told me: " + "; ".join(stale) + "."
    return text


def extraction_reply(view: OfflineView) -> dict:
    """The ``memory_extraction`` answer: profile, session goal/plan, and entities if ALWAYS."""
    out = extraction_policy(view) or {}
    schema = view.request.response_format.schema.get("properties", {})  # type: ignore[union-attr]
    user, _ = extraction_turn(view)
    if "user_profile" in schema:
        out["user_profile"] = profile_values(user, schema["user_profile"].get("properties", {}))
    if "session_context" in schema:
        state = state_section(view, "session_context")
        summary = re.search(r"Summary: (.*)", state)
        planning = "goal" in schema["session_context"].get("properties", {})
        out["session_context"] = session_values(user, summary.group(1) if summary else "",
                                                "Goal:" in state, planning)
    if "entity_memory" in schema:
        cards = {key(c.name): c for c in parse_cards(state_section(view, "entity_memory"))}
        known = {k: c.type for c in cards.values() for k in c.keys()}
        today = parse_today(view.system) or _FALLBACK_DAY
        ext = Reader(user, today, (), known).run() if not is_question(user) else None
        out["entity_memory"] = extraction_part(ext, cards) if ext else {
            "entities": [], "facts": [], "relationships": [], "events": []}
    return out
