"""Pal's answer to the ALWAYS ``memory_extraction`` request (part of its offline policy).

It starts from the generic rule-based extractor (names, "I prefer …", session summary) and
adds what Pal cares about, read from the finished turn with the general language rules of
:mod:`.language`:

* stated preferences go into the profile field the schema offers for them
  (``<channel>_<aspect>``, e.g. ``email_signoff``); a preference without a field becomes a
  user memory written so that it parses back;
* people the user names in full ("Email Tomasz Brandt …", "… to Hana Whitlock at Marsh
  Valley") become person entities, with the organisation they are "at";
* after a recurring-meetings answer, each attendee gets a fact naming the series;
* "note for me: …" is also kept as a memory about the user (marked private when said so),
  so a private fact lives in the memory stores too, where isolation must hold.

Like the generic extractor it only records what the turn states; it sees the schema and the
current state in the request, nothing else.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.agents.pal.language import parse_statements
from workbench.agents.pal.request import recipients
from workbench.learn.offline_extraction import extraction_policy, state_section, turn_parts
from workbench.models import OfflineView

FORMAT_NAME = "memory_extraction"
_ORG_AFTER = re.compile(r"\bat ((?:[A-Z][\w'’-]+)(?: [A-Z][\w'’-]+){0,3})")
_SERIES = re.compile(r"^- (?P<title>.+?): (?P<cadence>weekly|biweekly|monthly), usually \w+, "
                     r"with (?P<people>.+?) \(", re.M)


def _schema(view: OfflineView) -> dict[str, Any]:
    fmt = view.request.response_format
    return fmt.schema.get("properties", {}) if fmt else {}


def _people(user: str, reply: str) -> dict[str, list[dict[str, Any]]]:
    entities: list[dict[str, Any]] = []
    facts: list[dict[str, Any]] = []
    relationships: list[dict[str, Any]] = []
    named = [n for n in recipients(user) if len(n.split()) >= 2]
    for name in named:
        entities.append({"name": name, "entity_type": "person", "description": None})
    org = _ORG_AFTER.search(user.split(named[-1], 1)[-1]) if named else None
    if org and len(named) == 1:
        entities.append({"name": org.group(1), "entity_type": "company", "description": None})
        relationships.append({"source": named[0], "relation": "works_at",
                              "target": org.group(1)})
    for series in _SERIES.finditer(reply):
        for person in re.split(r",\s*|\s+and\s+", series.group("people")):
            person = person.strip()
            if len(person.split()) < 2:
                continue
            if all(e["name"] != person for e in entities):
                entities.append({"name": person, "entity_type": "person", "description": None})
            facts.append({"entity": person, "attribute": "note",
                          "value": f"attends the {series.group('cadence')} "
                                   f"{series.group('title')}"})
    return {"entities": entities, "facts": facts, "relationships": relationships,
            "events": []}


_NOTE = re.compile(r"^\s*(?:note for me|note to self|private note|remember that|keep in mind)"
                   r"[^:]{0,30}:\s*(.+)$", re.I | re.S)


def _noted(user: str) -> list[str]:
    """What the user asked to be noted, as a memory about them (marked private if said so)."""
    match = _NOTE.match(user)
    if not match:
        return []
    private = re.search(r"\bprivate\b|\bjust for me\b", user, flags=re.I)
    return [f"{'Private note' if private else 'Note'} from the user: "
            f"{' '.join(match.group(1).split())[:300]}"]


def _summary(view: OfflineView, user: str) -> str | None:
    """A short rolling summary: the last two requests of the session, clipped. Kept short on
    purpose: the store embeds it after every turn, and a long one costs more than it helps."""
    previous = re.search(r"Summary: (.*)", state_section(view, "session_context"))
    first = re.split(r"(?<=[.!?])\s+", user.strip())[0][:90].strip() if user.strip() else ""
    if not first:
        return None
    last = previous.group(1).split(" | ")[-1] if previous else ""
    return f"{last} | {first}" if last and last != first else first


def pal_extraction(view: OfflineView) -> dict[str, Any]:
    """The combined extraction for one turn (see the module docstring)."""
    out = extraction_policy(view)
    if not isinstance(out, dict):
        return {}
    schema = _schema(view)
    user, reply = turn_parts(view)
    leftover: list[str] = []
    fields = schema.get("user_profile", {}).get("properties", {})
    for pref in parse_statements(user):
        if pref.field in fields and "user_profile" in out:
            out["user_profile"][pref.field] = pref.value
        else:
            leftover.append(pref.render())
    if "user_memory" in out:
        added = out["user_memory"].setdefault("add", [])
        added += [m for m in [*leftover, *_noted(user)] if m not in added]
    if "entity_memory" in out:
        out["entity_memory"] = _people(user, reply)
    if isinstance(out.get("session_context"), dict):
        out["session_context"]["summary"] = _summary(view, user)
    return out
