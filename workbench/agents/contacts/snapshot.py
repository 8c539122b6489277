"""A neutral snapshot of an entity graph, and the gold graph expressed in it.

Any entity-memory implementation is scored by first converting what it stored into a
:class:`GraphSnapshot`; the scorers never look at the implementation itself. Names are plain
display strings (no ids): the scorers resolve them against the gold world with alias-aware
matching. Facts and relationships carry a ``live`` flag so retired (superseded) items can stay
in the snapshot, which is exactly what supersession accuracy needs to see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from workbench.agents.contacts.data import World


@dataclass
class EntityRec:
    """An entity as stored: display name, type (free text) and aliases."""

    name: str
    type: str = "unknown"
    aliases: list[str] = field(default_factory=list)


@dataclass
class FactRec:
    """A (subject, attribute, value) fact. ``attribute`` may be blank for free-text facts.

    ``alternatives`` is used on the gold side only (accepted paraphrases of ``value``).
    """

    subject: str
    attribute: str
    value: str
    live: bool = True
    valid_from: str | None = None
    valid_to: str | None = None
    alternatives: list[str] = field(default_factory=list)


@dataclass
class RelRec:
    """A directed, typed edge ``source --relation--> target``."""

    source: str
    relation: str
    target: str
    live: bool = True


@dataclass
class EventRec:
    """A happening involving ``subjects``, with an ISO date when one is known."""

    subjects: list[str]
    description: str
    date: str | None = None


@dataclass
class GraphSnapshot:
    """Everything an entity memory knows, in a form every scorer understands.

    ``profile`` (field -> value) and ``session_goals`` (session number -> goal and plan text)
    are optional: when given they let :func:`~workbench.agents.contacts.scoring.score_all`
    include the profile and session-context metrics in the same row. None means "not
    provided"; an empty dict means "provided, nothing learned".
    """

    entities: list[EntityRec] = field(default_factory=list)
    facts: list[FactRec] = field(default_factory=list)
    relationships: list[RelRec] = field(default_factory=list)
    events: list[EventRec] = field(default_factory=list)
    profile: dict[str, str] | None = None
    session_goals: dict[int, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (session keys become strings)."""
        out = asdict(self)
        if self.session_goals is not None:
            out["session_goals"] = {str(k): v for k, v in self.session_goals.items()}
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> GraphSnapshot:
        """Inverse of :meth:`to_dict`; missing keys default to empty."""
        return cls(
            entities=[EntityRec(e["name"], e.get("type", "unknown"), list(e.get("aliases", ())))
                      for e in raw.get("entities", ())],
            facts=[FactRec(f["subject"], f.get("attribute", ""), f["value"],
                           bool(f.get("live", True)), f.get("valid_from"), f.get("valid_to"),
                           list(f.get("alternatives", ())))
                   for f in raw.get("facts", ())],
            relationships=[RelRec(r["source"], r["relation"], r["target"],
                                  bool(r.get("live", True)))
                           for r in raw.get("relationships", ())],
            events=[EventRec(list(e.get("subjects", ())), e.get("description", ""), e.get("date"))
                    for e in raw.get("events", ())],
            profile=None if raw.get("profile") is None
            else {str(k): str(v) for k, v in raw["profile"].items()},
            session_goals=None if raw.get("session_goals") is None
            else {int(k): str(v) for k, v in raw["session_goals"].items()},
        )


def _stated(turn: int, upto_turn: int | None) -> bool:
    return upto_turn is None or turn <= upto_turn


def gold_snapshot(world: World, upto_turn: int | None = None) -> GraphSnapshot:
    """The gold graph as it should look after ``upto_turn`` turns (None: after the script).

    Only items stated so far are present. A corrected fact or relationship keeps its old value
    with ``live=False`` once the correction has been stated; before that, the old value is the
    live one and the new value is absent.
    """
    names = {e.id: e.name for e in world.entities}
    retired = {c.old: c for c in world.corrections if _stated(c.turn, upto_turn)}
    dates = world.session_dates
    snap = GraphSnapshot()
    for ent in world.entities:
        if _stated(ent.turn, upto_turn):
            snap.entities.append(EntityRec(ent.name, ent.type, list(ent.aliases)))
    for f in world.facts:
        if not _stated(f.turn, upto_turn):
            continue
        corr = retired.get(f.id)
        snap.facts.append(FactRec(
            names[f.subject], f.attribute, f.value, live=corr is None,
            valid_from=dates.get(f.session),
            valid_to=dates.get(corr.session) if corr else None,
            alternatives=list(f.alternatives)))
    for r in world.relationships:
        if _stated(r.turn, upto_turn):
            snap.relationships.append(RelRec(names[r.source], r.relation, names[r.target],
                                             live=r.id not in retired))
    for e in world.events:
        if _stated(e.turn, upto_turn):
            snap.events.append(EventRec([names[s] for s in e.subjects], e.description, e.date))
    snap.profile = {p.field: p.value for p in world.user.profile if _stated(p.turn, upto_turn)}
    snap.session_goals = {
        g.session: g.goal + ". Plan: " + "; ".join(s.step for s in g.plan)
        for g in world.user.goals if _stated(g.turn, upto_turn)}
    return snap
