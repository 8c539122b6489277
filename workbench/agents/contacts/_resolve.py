"""Alias-aware resolution of learned names to gold entities (shared by the graph scorers)."""

from __future__ import annotations

from collections.abc import Iterable

from workbench.agents.contacts._text import canonical_type, name_key
from workbench.agents.contacts.snapshot import EntityRec, GraphSnapshot

#: Names that always mean the user, whatever the user is called.
ALWAYS_IGNORED = ("user", "me", "myself", "the user")
IGNORED = -1  # resolution result for names that refer to the user


def entity_keys(rec: EntityRec) -> set[str]:
    """The normalised name and alias keys of an entity."""
    return {k for k in (name_key(n) for n in (rec.name, *rec.aliases)) if k}


class Resolver:
    """Maps learned names to gold entity indices (or ``IGNORED`` for the user)."""

    def __init__(self, learned: GraphSnapshot, gold: GraphSnapshot, ignore: Iterable[str]):
        self.gold = gold.entities
        self.gold_types = [canonical_type(e.type) for e in self.gold]
        self.by_key: dict[str, list[int]] = {}
        for i, ent in enumerate(self.gold):
            for k in entity_keys(ent):
                self.by_key.setdefault(k, []).append(i)
        self.ignore = {name_key(n) for n in (*ignore, *ALWAYS_IGNORED)} - {""}
        self.learned_match: list[int | None] = [self.match_entity(e) for e in learned.entities]
        self.learned_by_key: dict[str, int] = {}
        for li, ent in enumerate(learned.entities):
            for k in entity_keys(ent):
                self.learned_by_key.setdefault(k, li)

    def match_entity(self, rec: EntityRec) -> int | None:
        """Gold index for a learned entity; the primary name wins over aliases."""
        keys = entity_keys(rec)
        if keys & self.ignore:
            return IGNORED
        primary = self.by_key.get(name_key(rec.name), [])
        others = [i for k in sorted(keys) for i in self.by_key.get(k, [])]
        ltype = canonical_type(rec.type)
        for i in [*primary, *others]:
            gtype = self.gold_types[i]
            if ltype is None or gtype is None or ltype == gtype:
                return i
        return None

    def resolve(self, name: str) -> int | str:
        """Gold index, ``IGNORED``, or a ``"?key"`` placeholder for an unknown name."""
        k = name_key(name)
        if k in self.ignore:
            return IGNORED
        li = self.learned_by_key.get(k)
        if li is not None and self.learned_match[li] is not None:
            return self.learned_match[li]  # type: ignore[return-value]
        hits = self.by_key.get(k)
        return hits[0] if hits else f"?{k}"

    def gold_index(self, name: str) -> int:
        """Index of a gold entity by its own name (gold graphs always resolve)."""
        return self.by_key[name_key(name)][0]
