"""From an extraction and what memory returned to the entity-memory writes to make.

Identity follows the store's rules — exact names and aliases — plus the judgement a careful
model adds on top, always checked against what ``search_entities`` returned: a bare first name
("Kenji") is the one stored person with that first name; "Sarah O." is the stored Sarah whose
surname starts with O; a short company name ("Brightwater") is the stored company whose name
starts with it. A fuller name for a stored short one ("Acme" -> "Acme Robotics", "Tom" ->
"Tom Alvarez") renames it, keeping the short form as an alias. Two different full names are two
people, however alike ("Sarah Chen", "Sarah Okonkwo"). Anything else is new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.agents.contacts._cards import Card
from workbench.agents.contacts._extract import Extraction
from workbench.agents.contacts._mentions import ORG_SUFFIXES, key
from workbench.models.offline import call
from workbench.models.types import ToolCall


@dataclass
class Identity:
    """Where each surface name lands: an existing entity (perhaps renamed) or a new one."""

    stored: dict[str, str] = field(default_factory=dict)             # surface -> entity name
    creates: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # name -> type, aka
    renames: dict[str, str] = field(default_factory=dict)             # old name -> new name
    aliases: dict[str, list[str]] = field(default_factory=dict)       # entity -> new aliases


@dataclass
class _Named:
    name: str


def _first(k: str) -> str:
    return k.split()[0] if k else ""


def match(surface: str, kind: str | None, cards: dict[str, Card]) -> tuple[Card | None, str]:
    """The stored card a surface refers to, and how: "exact", "short", "longer" or ""."""
    k = key(surface)
    bare = k.removeprefix("project ").removeprefix("the ")
    same_type = [c for c in cards.values() if kind is None or c.type in (kind, "unknown")]
    for c in same_type:
        if k in c.keys():
            return c, "exact"
    for c in same_type:
        if bare in c.keys() or f"project {bare}" in c.keys():
            return c, "short"
    toks = bare.split()
    if not toks:
        return None, ""
    if kind in (None, "person"):
        people = [c for c in cards.values() if c.type == "person"]
        if len(toks) == 1:
            hits = [c for c in people if _first(key(c.name)) == toks[0]]
            if len(hits) == 1:
                return hits[0], "short"
        if len(toks) == 2 and len(toks[1]) == 1:   # "Sarah O."
            hits = [c for c in people if key(c.name).split()[0] == toks[0]
                    and len(key(c.name).split()) > 1 and key(c.name).split()[1][0] == toks[1]]
            if len(hits) == 1:
                return hits[0], "short"
        if len(toks) >= 2:
            hits = [c for c in people if key(c.name) == toks[0]]
            if len(hits) == 1:
                return hits[0], "longer"
    if kind in (None, "company", "project"):
        orgs = [c for c in cards.values() if c.type in ("company", "project")
                and (kind is None or c.type == kind)]
        for c in orgs:
            name = key(c.name).split()
            if len(toks) < len(name) and name[:len(toks)] == toks:
                return c, "short"
            if len(toks) > len(name) and toks[:len(name)] == name and \
                    all(t in ORG_SUFFIXES for t in toks[len(name):]):
                return c, "longer"
    return None, ""


def identify(ext: Extraction, cards: dict[str, Card]) -> Identity:
    """Decide create / rename / alias for every surface the extraction refers to."""
    ident = Identity()
    targets = {new: old for old, new in ext.renames}
    # Fuller names first, so that a bare "Marco" can follow "Marco Bellini" named just before.
    for surface in sorted(ext.surfaces(), key=lambda s: -len(key(s).split())):
        kind = ext.types.get(surface)
        if surface in targets:
            continue
        card, how = match(surface, kind, cards)
        if card is None and kind in (None, "person") and len(key(surface).split()) == 1:
            fuller = [p for p in ext.people if len(key(p).split()) > 1
                      and key(p).split()[0] == key(surface)]
            if len(set(map(key, fuller))) == 1:
                full = fuller[0]
                stored = ident.stored.get(full) or (match(full, "person", cards)[0] or
                                                    _Named(full)).name
                ident.stored[surface] = stored
                ident.aliases.setdefault(stored, []).append(surface)
                continue
        if card is None:
            if kind:
                ident.stored[surface] = surface
                ident.creates.setdefault(surface, (kind, list(ext.aliases.get(surface, []))))
            continue
        if how == "longer":
            ident.renames[card.name] = surface
            ident.stored[surface] = surface
        else:
            ident.stored[surface] = card.name
            if how == "short" and key(surface) not in card.keys():
                ident.aliases.setdefault(card.name, []).append(surface)
    for old, new in ext.renames:
        stored = ident.stored.get(old)
        if stored and key(stored) != key(new):
            ident.renames[stored] = new
            ident.aliases.setdefault(stored, []).extend(
                a for a in [old, *ext.aliases.get(new, [])] if key(a) != key(stored))
        ident.stored[new] = new
    for old, new in list(ident.renames.items()):   # references to the old name follow it
        for surface, name in ident.stored.items():
            if name == old:
                ident.stored[surface] = new
        if old in ident.aliases:
            ident.aliases[new] = [a for a in ident.aliases.pop(old) if key(a) != key(new)]
    return ident


def _has_fact(card: Card | None, attribute: str, value: str) -> bool:
    return bool(card) and any(key(a).replace(" ", "_") == attribute and key(v) == key(value)
                              for a, v, _ in card.facts)


def write_calls(ext: Extraction, cards: dict[str, Card]) -> list[ToolCall]:
    """The tool calls that record the extraction, in dependency order."""
    ident = identify(ext, cards)
    by_name = {key(c.name): c for c in cards.values()}
    calls: list[ToolCall] = []
    for old, new in ident.renames.items():
        aliases = list(dict.fromkeys(a for a in ident.aliases.pop(new, [])
                                     if key(a) not in (key(old), key(new))))
        calls.append(call("update_entity", entity=old, new_name=new,
                          **({"add_aliases": aliases} if aliases else {})))
    for entity, aliases in ident.aliases.items():
        if aliases and entity not in ident.creates:
            calls.append(call("update_entity", entity=entity,
                              add_aliases=list(dict.fromkeys(aliases))))
    for name, (kind, aliases) in ident.creates.items():
        aliases = list(dict.fromkeys([*aliases, *ident.aliases.get(name, [])]))
        args: dict[str, Any] = {"name": name, "entity_type": kind}
        if aliases:
            args["aliases"] = aliases
        calls.append(call("create_entity", **args))
    name = ident.stored.get
    for surface, attribute, value in ext.facts:
        entity = name(surface)
        if entity and not _has_fact(by_name.get(key(entity)), attribute, value):
            calls.append(call("add_fact", entity=entity, attribute=attribute, value=value))
    for source, relation, target in ext.retire:
        card = by_name.get(key(name(source) or ""))
        if card and name(target) and (relation, name(target)) in card.out:
            calls.append(call("forget", entity=name(source), relation=relation,
                              target=name(target)))
    for source, relation, target in ext.relations:
        src, dst = name(source), name(target)
        card = by_name.get(key(src or ""))
        if src and dst and not (card and (relation, dst) in card.out):
            calls.append(call("add_relationship", source=src, relation=relation, target=dst))
    for event in ext.events:
        entity = name(event.subject)
        card = by_name.get(key(entity or ""))
        if entity and not (card and any(d == event.date for d, _ in card.events)):
            others = [name(p) for p in event.participants if name(p)]
            args = {"entity": entity, "description": event.description, "date": event.date}
            if others:
                args["participants"] = others
            calls.append(call("add_event", **args))
    return calls


def extraction_part(ext: Extraction, cards: dict[str, Card]) -> dict[str, list[dict]]:
    """The same knowledge in the ALWAYS-mode extraction format (for the mode ablation)."""
    ident = identify(ext, cards)
    name = ident.stored.get
    part: dict[str, list[dict]] = {"entities": [], "facts": [], "relationships": [], "events": []}
    for entity, (kind, _) in ident.creates.items():
        part["entities"].append({"name": entity, "entity_type": kind, "description": None})
    part["facts"] = [{"entity": name(s), "attribute": a, "value": v} for s, a, v in ext.facts
                     if name(s) and name(s) not in ident.renames.values()]
    part["relationships"] = [{"source": name(s), "relation": r, "target": name(t)}
                             for s, r, t in ext.relations if name(s) and name(t)
                             and name(s) not in ident.renames.values()
                             and name(t) not in ident.renames.values()]
    part["events"] = [{"entity": name(e.subject), "description": e.description, "date": e.date}
                      for e in ext.events if name(e.subject)
                      and name(e.subject) not in ident.renames.values()]
    return part
