"""Records and loaders for the Contacts data in ``datasets/contacts/``.

Four files: the gold world (``world.json``), the user's side of the conversation
(``script.jsonl``), the probe questions with gold answers (``probes.jsonl``) and canned web
results for enrichment (``web_snippets.json``). Everything is read-only. The folder is found
relative to this file so a source checkout needs no configuration; ``WORKBENCH_DATASETS`` points
elsewhere and is read in exactly one place, :func:`datasets_root`.

Item ids are shared across the files: entity slugs (``sarah_chen``), facts ``F..``,
relationships ``R..``, events ``E..``, profile fields ``U..`` and session goals ``G..``. A turn's
``states`` list names the items it introduces; it is for scorers only and must never reach the
agent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.settings import datasets_dir as settings_datasets_dir

PROBE_CATEGORIES = ("single_fact", "current_vs_previous", "traversal", "event_date",
                    "disambiguation", "absence", "goal_recall")

#: A ``must_include`` entry: one phrase, or a list of interchangeable phrases.
Needle = str | list[str]


def datasets_root() -> Path:
    """The ``datasets`` folder (see :func:`workbench.settings.datasets_dir`)."""
    return settings_datasets_dir()


def contacts_dir(root: Path | None = None) -> Path:
    """``datasets/contacts`` (or ``root`` itself when given, for tests on a copy)."""
    return root if root is not None else datasets_root() / "contacts"


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


# --------------------------------------------------------------------------- world


@dataclass(frozen=True)
class Entity:
    """A person, company or project in the gold world, with the turn that first mentions it."""

    id: str
    name: str
    type: str
    aliases: tuple[str, ...]
    turn: int
    session: int


@dataclass(frozen=True)
class Fact:
    """One (subject, attribute, value) triple. ``alternatives`` are accepted paraphrases."""

    id: str
    subject: str
    attribute: str
    value: str
    alternatives: tuple[str, ...]
    turn: int
    session: int


@dataclass(frozen=True)
class Relationship:
    """A typed, directed edge. ``implied`` marks edges the user never states outright."""

    id: str
    source: str
    relation: str
    target: str
    implied: bool
    turn: int
    session: int


@dataclass(frozen=True)
class Event:
    """A dated happening involving one or more entities."""

    id: str
    subjects: tuple[str, ...]
    description: str
    date: str
    turn: int
    session: int


@dataclass(frozen=True)
class Correction:
    """A later statement that supersedes an earlier fact or relationship."""

    id: str
    kind: str          # "fact" or "relationship"
    old: str           # id of the superseded item
    new: str           # id of the item that replaces it
    old_turn: int
    turn: int          # the turn that states the new value
    session: int
    note: str


@dataclass(frozen=True)
class ProfileField:
    """A user-profile field. ``accept`` lists phrases any of which counts as a match."""

    id: str
    field: str
    value: str
    accept: tuple[str, ...]
    turn: int
    session: int


@dataclass(frozen=True)
class PlanStep:
    """One step of a session plan; every keyword group must be present to count it."""

    step: str
    keywords: tuple[Needle, ...]


@dataclass(frozen=True)
class Goal:
    """What the user set out to do in one session, and how."""

    id: str
    goal: str
    goal_keywords: tuple[Needle, ...]
    plan: tuple[PlanStep, ...]
    turn: int
    session: int


@dataclass(frozen=True)
class User:
    """The person talking to the agent: their profile fields and per-session goals."""

    name: str
    aliases: tuple[str, ...]
    profile: tuple[ProfileField, ...]
    goals: tuple[Goal, ...]


@dataclass(frozen=True)
class World:
    """The gold world: everything the script tells the agent, with when it is told."""

    user: User
    entities: tuple[Entity, ...]
    facts: tuple[Fact, ...]
    relationships: tuple[Relationship, ...]
    events: tuple[Event, ...]
    corrections: tuple[Correction, ...]
    session_dates: dict[int, str]
    attribute_vocabulary: dict[str, str] = field(default_factory=dict)
    relation_vocabulary: dict[str, str] = field(default_factory=dict)

    def entity(self, entity_id: str) -> Entity:
        """The entity with this id (``KeyError`` if there is none)."""
        for ent in self.entities:
            if ent.id == entity_id:
                return ent
        raise KeyError(entity_id)

    def items(self) -> dict[str, Any]:
        """Every gold item keyed by id: entities, facts, relationships, events, profile, goals."""
        out: dict[str, Any] = {}
        for group in (self.entities, self.facts, self.relationships, self.events,
                      self.user.profile, self.user.goals):
            for item in group:
                out[item.id] = item
        return out

    def superseded_ids(self, upto_turn: int | None = None) -> set[str]:
        """Ids of items retired by a correction stated at or before ``upto_turn``."""
        return {c.old for c in self.corrections if upto_turn is None or c.turn <= upto_turn}


def _needles(raw: list[Any]) -> tuple[Needle, ...]:
    return tuple(list(n) if isinstance(n, list) else str(n) for n in raw)


def world_from_dict(raw: dict[str, Any]) -> World:
    """Build a :class:`World` from the parsed ``world.json`` structure."""
    user = raw["user"]
    profile = tuple(ProfileField(p["id"], p["field"], p["value"], tuple(p.get("accept", ())),
                                 p["turn"], p["session"]) for p in user.get("profile", ()))
    goals = tuple(
        Goal(g["id"], g["goal"], _needles(g.get("goal_keywords", [])),
             tuple(PlanStep(s["step"], _needles(s.get("keywords", []))) for s in g.get("plan", ())),
             g["turn"], g["session"])
        for g in user.get("goals", ()))
    vocab = raw.get("vocabulary", {})
    return World(
        user=User(user["name"], tuple(user.get("aliases", ())), profile, goals),
        entities=tuple(Entity(e["id"], e["name"], e["type"], tuple(e.get("aliases", ())),
                              e["turn"], e["session"]) for e in raw["entities"]),
        facts=tuple(Fact(f["id"], f["subject"], f["attribute"], f["value"],
                         tuple(f.get("alternatives", ())), f["turn"], f["session"])
                    for f in raw["facts"]),
        relationships=tuple(Relationship(r["id"], r["source"], r["relation"], r["target"],
                                         bool(r.get("implied", False)), r["turn"], r["session"])
                            for r in raw["relationships"]),
        events=tuple(Event(e["id"], tuple(e["subjects"]), e["description"], e["date"],
                           e["turn"], e["session"]) for e in raw["events"]),
        corrections=tuple(Correction(c["id"], c["kind"], c["old"], c["new"], c["old_turn"],
                                     c["turn"], c["session"], c.get("note", ""))
                          for c in raw.get("corrections", ())),
        session_dates={int(s["session"]): s["date"] for s in raw.get("sessions", ())},
        attribute_vocabulary=dict(vocab.get("attributes", {})),
        relation_vocabulary=dict(vocab.get("relations", {})),
    )


def load_world(path: str | Path | None = None) -> World:
    """Load ``world.json`` (default: the repository copy under ``datasets/contacts``)."""
    return world_from_dict(_read_json(Path(path) if path else contacts_dir() / "world.json"))


# --------------------------------------------------------------------------- script


@dataclass(frozen=True)
class Turn:
    """One user message. ``turn`` is global and 1-based; ``states`` is for scorers only."""

    turn: int
    session: int
    turn_in_session: int
    date: str
    text: str
    states: tuple[str, ...]


def load_script(path: str | Path | None = None) -> list[Turn]:
    """Load ``script.jsonl`` in turn order."""
    rows = _read_jsonl(Path(path) if path else contacts_dir() / "script.jsonl")
    turns = [Turn(r["turn"], r["session"], r["turn_in_session"], r["date"], r["text"],
                  tuple(r.get("states", ()))) for r in rows]
    return sorted(turns, key=lambda t: t.turn)


# --------------------------------------------------------------------------- probes


@dataclass(frozen=True)
class Probe:
    """A question with a gold answer expressed as phrase checks (see ``scoring.score_probe``).

    ``must_include`` entries must all appear (a list entry means "any one of these");
    ``must_not_include`` entries must not be asserted; at least one ``any_of`` phrase must
    appear when that list is non-empty. ``answer`` is a reference answer for people and
    judges. ``available_after_turn`` is the global turn after which the answer is knowable
    (0: from the start, e.g. for unknown entities).
    """

    id: str
    category: str
    question: str
    answer: str
    must_include: tuple[Needle, ...]
    must_not_include: tuple[str, ...]
    any_of: tuple[str, ...]
    requires: tuple[str, ...]
    available_after_turn: int


def probe_from_dict(raw: dict[str, Any]) -> Probe:
    """Build a :class:`Probe` from one parsed ``probes.jsonl`` row."""
    gold = raw.get("gold", {})
    return Probe(
        id=raw["id"], category=raw["category"], question=raw["question"],
        answer=gold.get("answer", ""),
        must_include=_needles(gold.get("must_include", [])),
        must_not_include=tuple(gold.get("must_not_include", ())),
        any_of=tuple(gold.get("any_of", ())),
        requires=tuple(raw.get("requires", ())),
        available_after_turn=int(raw.get("available_after_turn", 0)),
    )


def load_probes(path: str | Path | None = None) -> list[Probe]:
    """Load ``probes.jsonl`` in file order."""
    rows = _read_jsonl(Path(path) if path else contacts_dir() / "probes.jsonl")
    return [probe_from_dict(r) for r in rows]


# --------------------------------------------------------------------------- web snippets


@dataclass(frozen=True)
class SearchResult:
    """One canned search hit."""

    title: str
    url: str
    text: str


@dataclass(frozen=True)
class SnippetClaim:
    """A claim a snippet makes, labelled ``agrees``, ``new`` or ``stale`` against the world."""

    subject: str
    attribute: str
    value: str
    status: str


@dataclass(frozen=True)
class WebSnippet:
    """What the stub web search returns for one entity."""

    entity: str
    query: str
    results: tuple[SearchResult, ...]
    claims: tuple[SnippetClaim, ...]


def load_snippets(path: str | Path | None = None) -> dict[str, WebSnippet]:
    """Load ``web_snippets.json`` keyed by entity id."""
    raw = _read_json(Path(path) if path else contacts_dir() / "web_snippets.json")
    out: dict[str, WebSnippet] = {}
    for s in raw["snippets"]:
        out[s["entity"]] = WebSnippet(
            entity=s["entity"], query=s["query"],
            results=tuple(SearchResult(r["title"], r["url"], r["text"]) for r in s["results"]),
            claims=tuple(SnippetClaim(c["subject"], c["attribute"], c["value"], c["status"])
                         for c in s.get("claims", ())),
        )
    return out
