"""From a LearningMachine's stores to the neutral :class:`GraphSnapshot` the scorers read.

The scorers never see the entity store itself; this small adapter converts what it holds —
now, or as of a moment — into display names, facts with their live flags and validity,
relationships, events (subject plus participants), and optionally the user profile and the
per-session goals and plans.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from workbench.agents.contacts.snapshot import EntityRec, EventRec, FactRec, GraphSnapshot, RelRec

if TYPE_CHECKING:
    from workbench.learn import LearningMachine
    from workbench.learn.stores.entity_memory import EntityMemoryStore


def _live_at(item: Mapping[str, Any], as_of: str | None) -> bool:
    """Live now (its flag), or live at ``as_of`` (not yet retired then)."""
    if as_of is None:
        return bool(item.get("live", True))
    end = item.get("valid_to")
    return not end or end > as_of


def snapshot_from_store(store: EntityMemoryStore, *, scope: str | None = None,
                        as_of: str | None = None) -> GraphSnapshot:
    """The entity store's graph (one scope, or all) as a :class:`GraphSnapshot`.

    With ``as_of`` (an ISO timestamp) the snapshot shows the store as it was then: entities
    created by then, facts and edges valid then (superseded ones with ``live=False``), events
    recorded by then.
    """
    graph = store.reload()
    snap = GraphSnapshot()
    names: dict[str, str] = {}
    keys = [k for k in graph.keys(scope, include_archived=False)
            if as_of is None or graph.node(k)["created_at"] <= as_of]
    for k in keys:
        node = graph.node(k)
        names[k] = node["name"]
        snap.entities.append(EntityRec(node["name"], node["entity_type"], list(node["aliases"])))
    for k in keys:
        for f in graph.facts(k, as_of=as_of, live_only=False):
            snap.facts.append(FactRec(names[k], f["attribute"], f["value"],
                                      live=_live_at(f, as_of), valid_from=f.get("valid_from"),
                                      valid_to=f.get("valid_to")))
        for e in graph.edges(k, as_of=as_of, live_only=False, direction="out"):
            if e["target_key"] in names:
                snap.relationships.append(RelRec(names[k], e["relation"], names[e["target_key"]],
                                                 live=_live_at(e, as_of)))
        for ev in graph.events(k, as_of=as_of):
            others = [names[p] for p in ev.get("participants") or [] if p in names]
            snap.events.append(EventRec([names[k], *others], ev["description"], ev.get("date")))
    return snap


def _session_number(session_id: str) -> int | None:
    m = re.search(r"(\d+)$", session_id)
    return int(m.group(1)) if m else None


def session_goals(machine: LearningMachine, *, user_id: str | None = None,
                  session_number: Callable[[str], int | None] = _session_number,
                  as_of: str | None = None) -> dict[int, str]:
    """Session number -> "goal. Plan: step; step" for sessions with a goal or plan."""
    store = machine.session_context_store
    out: dict[int, str] = {}
    if store is None:
        return out
    for record in store.collection().all():
        data = record.data
        if user_id is not None and data.get("user_id") not in (user_id, None):
            continue
        if as_of is not None and str(data.get("updated_at") or "") > as_of:
            continue
        number = session_number(str(data.get("session_id", "")))
        if number is None or not (data.get("goal") or data.get("plan")):
            continue
        out[number] = f"{data.get('goal') or ''}. Plan: " + "; ".join(data.get("plan") or [])
    return out


def snapshot_from_machine(machine: LearningMachine, *, user_id: str = "user-1",
                          as_of: str | None = None,
                          session_number: Callable[[str], int | None] = _session_number
                          ) -> GraphSnapshot:
    """Entity graph, user profile and session goals of a Contacts machine, for scoring."""
    store = machine.entity_memory_store
    snap = snapshot_from_store(store, as_of=as_of) if store is not None else GraphSnapshot()
    profile = machine.user_profile_store
    snap.profile = {str(k): str(v) for k, v in profile.get(user_id).items()} \
        if profile is not None else None
    snap.session_goals = session_goals(machine, user_id=user_id, session_number=session_number,
                                       as_of=as_of)
    return snap
