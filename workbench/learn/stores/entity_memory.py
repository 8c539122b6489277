"""Entity memory: entities, facts, typed relationships and dated events, as a graph.

Storage is one ChromaDB collection (kinds ``entity``, ``fact``, ``event``, ``relationship``),
so every write — including a fact retiring its predecessor — is one atomic upsert. The
networkx :class:`~workbench.storage.graph.EntityGraph` is rebuilt from it on open and updated
with the very records each write stores.

Identity is by normalised name and aliases (accents, punctuation and case fold), per type and
scope; there are no fuzzy merges. Creating a name close to an existing one succeeds but says
"did you mean …". A new value for a single-valued attribute supersedes the live one, which is
kept with valid-from / valid-to, so the graph answers both "now" and "as of".
"""

from __future__ import annotations

import difflib
from typing import Any

import pandas as pd

from workbench.agent.result import RecalledItem
from workbench.errors import NamespaceError, ToolError
from workbench.learn.base import Recalled, StoreBase
from workbench.learn.config import EntityMemoryConfig
from workbench.learn.context import TurnContext, iso, scope_key, tag
from workbench.learn.stores.entity_tools import EntityToolsMixin
from workbench.storage.graph import EntityGraph
from workbench.storage.records import Record, where
from workbench.text import normalize_name, stable_id

_PLURALS = {"people": "person", "persons": "person", "companies": "company",
            "organisations": "company", "organizations": "company", "projects": "project",
            "products": "product", "systems": "system"}


def normalize_type(entity_type: str | None) -> str:
    value = "_".join((entity_type or "").strip().lower().split()) or "unknown"
    return _PLURALS.get(value, value[:-1] if value.endswith("s") and value[:-1] in
                        {"person", "company", "project", "product", "system"} else value)


def normalize_attribute(attribute: str) -> str:
    return "_".join(normalize_name(attribute).split()) or "note"


class EntityMemoryStore(EntityToolsMixin, StoreBase):
    """Entities with facts, relationships and events, in a namespace."""

    name = "entity_memory"
    config: EntityMemoryConfig

    def __init__(self, config: EntityMemoryConfig, namespace: str | None = None) -> None:
        super().__init__(config)
        self.namespace = namespace or config.namespace
        self._graph_obj = EntityGraph()
        self._loaded = False

    # -- storage and graph ------------------------------------------------------------------

    def _graph(self) -> EntityGraph:
        if self.machine is not None:
            self.machine.settle()  # the graph must include pending background writes
        if not self._loaded:
            self._graph_obj.rebuild(self.collection().all())
            self._loaded = True
        return self._graph_obj

    @property
    def graph(self) -> EntityGraph:
        """The networkx projection of this store (pending background writes included)."""
        return self._graph()

    def _write(self, operation: str, records: list[Record], **attrs: Any) -> None:
        with self.write_span(operation, ids=[r.id for r in records], **attrs):
            self.collection().upsert(records)
        self._graph().apply(records)

    def reload(self) -> EntityGraph:
        """Rebuild the graph from storage (what a new process sees)."""
        self._loaded = False
        return self._graph()

    def scope(self, user_id: str | None) -> str:
        return scope_key(self.namespace, user_id)

    # -- identity ---------------------------------------------------------------------------

    def find(self, scope: str, name: str, entity_type: str | None = None) -> str | None:
        """The key of the entity called ``name`` (or ``type/name``), or None.

        Raises ToolError when a bare name matches entities of several types.
        """
        name = name.strip()
        if "/" in name and entity_type is None:
            prefix, _, rest = name.partition("/")
            types = {self._graph().node(k)["entity_type"]
                     for k in self._graph().keys(scope, include_archived=True)}
            if normalize_type(prefix) in types and rest.strip():
                name, entity_type = rest.strip(), prefix
        keys = sorted(self._graph().by_name(scope, name))
        if entity_type:
            wanted = normalize_type(entity_type)
            keys = [k for k in keys if self._graph().node(k)["entity_type"] in (wanted, "unknown")
                    or wanted == "unknown"]
        if len(keys) > 1:
            options = "\n".join(f"  - {self._graph().node(k)['entity_type']}/"
                                f"{self._graph().node(k)['name']}" for k in keys)
            raise ToolError(f"{name!r} matches more than one entity; nothing was changed. "
                            f"Call again naming one of:\n{options}")
        return keys[0] if keys else None

    def similar(self, scope: str, name: str, limit: int = 3) -> list[str]:
        """Existing entity names close to ``name`` (for a "did you mean" hint, never a merge)."""
        target = normalize_name(name)
        target_words = set(target.split())
        matcher = difflib.SequenceMatcher(None)
        matcher.set_seq2(target)  # SequenceMatcher caches what it learns about seq2
        scored = []
        for known, keys in self._graph().names(scope).items():
            if not keys or known == target:
                continue
            known_words = set(known.split())
            overlap = target_words & known_words
            contained = bool(overlap) and (overlap == target_words or overlap == known_words)
            matcher.set_seq1(known)
            # The cheap upper bounds rule out almost every name before the full comparison.
            close = matcher.real_quick_ratio() >= 0.8 and matcher.quick_ratio() >= 0.8
            ratio = matcher.ratio() if close else 0.0
            if ratio >= 0.8 or contained:
                for key in keys:
                    node = self._graph().node(key)
                    scored.append((-ratio, f"{node['name']} ({node['entity_type']})"))
        return [label for _, label in sorted(set(scored))][:limit]

    def require(self, scope: str, name: str, entity_type: str | None = None) -> str:
        key = self.find(scope, name, entity_type)
        if key is None:
            hint = self.similar(scope, name)
            did_you_mean = f" Did you mean: {', '.join(hint)}?" if hint else ""
            raise ToolError(f"No entity named {name!r}.{did_you_mean} Use the exact name, or "
                            "create it first with create_entity.")
        return key

    # -- writes -----------------------------------------------------------------------------

    def create(self, scope: str, name: str, entity_type: str | None = None,
               description: str | None = None, aliases: list[str] | None = None,
               run_id: str | None = None) -> tuple[str, bool, list[str]]:
        """Create an entity (or return the existing one). Returns (key, created, similar)."""
        name = " ".join(name.split())
        if not normalize_name(name):
            raise ToolError("an entity needs a name with letters or digits")
        existing = self.find(scope, name, entity_type)
        if existing is not None:
            self.revive(existing)
            return existing, False, []
        similar = self.similar(scope, name)
        kind = normalize_type(entity_type)
        when = iso(self.now())
        key = stable_id(scope, kind, normalize_name(name), prefix="ent_")
        data = {"key": key, "name": name, "entity_type": kind, "scope": scope,
                "aliases": sorted({a.strip() for a in aliases or [] if a.strip()}),
                "description": (description or "").strip(), "properties": {},
                "created_at": when, "updated_at": when, "archived_at": None, "run_id": run_id}
        self._write("create_entity", [self._entity_record(data)], scope=scope)
        return key, True, similar

    def _entity_record(self, data: dict[str, Any]) -> Record:
        aka = f" Also known as: {', '.join(data['aliases'])}." if data["aliases"] else ""
        text = f"{data['name']} ({data['entity_type']}). {data['description']}{aka}"
        meta = {"kind": "entity", "scope": data["scope"], "entity_type": data["entity_type"],
                "name_key": normalize_name(data["name"]), "live": not data.get("archived_at"),
                "updated_at": data["updated_at"]}
        return Record(data["key"], text, meta, data)

    def _entity(self, key: str) -> dict[str, Any]:
        record = self.collection().get_one(key)
        if record is None:
            raise ToolError(f"entity {key} is missing from storage")
        return record.data

    def update_entity(self, key: str, *, name: str | None = None,
                      entity_type: str | None = None, description: str | None = None,
                      add_aliases: list[str] | None = None, archived: bool | None = None) -> None:
        data = dict(self._entity(key))
        if name and normalize_name(name) != normalize_name(data["name"]):
            clash = self._graph().by_name(data["scope"], name) - {key}
            if clash:
                raise ToolError(f"another entity is already called {name!r}")
            data["aliases"] = sorted({*data["aliases"], data["name"]})
            data["name"] = " ".join(name.split())
        if entity_type:
            data["entity_type"] = normalize_type(entity_type)
        if description:
            data["description"] = description.strip()
        for alias in add_aliases or []:
            owners = self._graph().by_name(data["scope"], alias) - {key}
            if owners:
                other = self._graph().node(sorted(owners)[0])["name"]
                raise ToolError(f"alias {alias!r} already names {other!r}")
            if alias.strip() and normalize_name(alias) != normalize_name(data["name"]):
                data["aliases"] = sorted({*data["aliases"], alias.strip()})
        if archived is not None:
            data["archived_at"] = iso(self.now()) if archived else None
        data["updated_at"] = iso(self.now())
        self._write("update_entity", [self._entity_record(data)])

    def revive(self, key: str) -> bool:
        """Un-archive an entity that is written to again; True when it was archived."""
        if not self._graph().node(key)["archived"]:
            return False
        self.update_entity(key, archived=False)
        return True

    def add_fact(self, key: str, attribute: str, value: str, *, run_id: str | None = None,
                 source: str = "agent") -> dict[str, Any]:
        """Record ``attribute = value``; supersede the live value of a single-valued attribute.

        Returns ``{"status": "added" | "known", "fact_id", "superseded": [old facts]}``.
        """
        self.revive(key)
        node = self._graph().node(key)
        attribute, value = normalize_attribute(attribute), " ".join(str(value).split())
        if not value:
            raise ToolError("a fact needs a value")
        live = [f for f in self._graph().facts(key) if f["attribute"] == attribute]
        same = [f for f in live if normalize_name(f["value"]) == normalize_name(value)]
        if same:
            return {"status": "known", "fact_id": same[0]["id"], "superseded": []}
        when = iso(self.now())
        fact_id = stable_id(key, attribute, normalize_name(value), when, prefix="fct_")
        multi = attribute in self.config.multi_valued
        retired = [] if multi else live
        records = [self._item_record("fact", {
            **old, "live": False, "valid_to": when, "superseded_by": fact_id}) for old in retired]
        new = {"id": fact_id, "entity_key": key, "scope": node["scope"], "attribute": attribute,
               "value": value, "valid_from": when, "valid_to": None, "superseded_by": None,
               "live": True, "run_id": run_id, "source": source}
        records.append(self._item_record("fact", new))
        self._write("add_fact", records, entity=key, superseded=len(retired))
        return {"status": "added", "fact_id": fact_id, "superseded": retired}

    def retire_fact(self, key: str, attribute: str, value: str | None = None) -> list[dict]:
        attribute = normalize_attribute(attribute)
        facts = [f for f in self._graph().facts(key) if f["attribute"] == attribute and
                 (value is None or normalize_name(value) in normalize_name(f["value"]))]
        when = iso(self.now())
        self._write("retire_fact", [self._item_record("fact", {
            **f, "live": False, "valid_to": when, "superseded_by": "forgotten"}) for f in facts])
        return facts

    def add_relationship(self, source: str, relation: str, target: str, *,
                         run_id: str | None = None) -> dict[str, Any]:
        """Link two entities; a functional relation (e.g. works_at) retires the old target."""
        if source == target:
            raise ToolError("an entity cannot be related to itself")
        self.revive(source)
        self.revive(target)
        relation = normalize_attribute(relation)
        live = [e for e in self._graph().edges(source, direction="out")
                if e["relation"] == relation]
        if any(e["target_key"] == target for e in live):
            edge = next(e for e in live if e["target_key"] == target)
            return {"status": "known", "relationship_id": edge["id"], "superseded": []}
        when = iso(self.now())
        rel_id = stable_id(source, relation, target, when, prefix="rel_")
        retired = live if relation in self.config.functional_relations else []
        records = [self._item_record("relationship", {
            **{k: v for k, v in e.items()}, "live": False, "valid_to": when,
            "superseded_by": rel_id}) for e in retired]
        scope = self._graph().node(source)["scope"]
        records.append(self._item_record("relationship", {
            "id": rel_id, "source_key": source, "target_key": target, "relation": relation,
            "scope": scope, "valid_from": when, "valid_to": None, "superseded_by": None,
            "live": True, "run_id": run_id}))
        self._write("add_relationship", records, superseded=len(retired))
        return {"status": "added", "relationship_id": rel_id, "superseded": retired}

    def retire_relationship(self, source: str, relation: str, target: str | None) -> list[dict]:
        relation = normalize_attribute(relation)
        edges = [e for e in self._graph().edges(source, direction="out")
                 if e["relation"] == relation and (target is None or e["target_key"] == target)]
        when = iso(self.now())
        self._write("retire_relationship", [self._item_record("relationship", {
            **e, "live": False, "valid_to": when, "superseded_by": "forgotten"}) for e in edges])
        return edges

    def add_event(self, key: str, description: str, date: str | None = None,
                  participants: list[str] | None = None, *, run_id: str | None = None) -> str:
        description = " ".join(description.split())
        if not description:
            raise ToolError("an event needs a description")
        self.revive(key)
        for event in self._graph().events(key):
            if normalize_name(event["description"]) == normalize_name(description) and \
                    (event.get("date") or None) == (date or None):
                return event["id"]
        when = iso(self.now())
        event_id = stable_id(key, normalize_name(description), date, prefix="evt_")
        data = {"id": event_id, "entity_key": key, "scope": self._graph().node(key)["scope"],
                "description": description, "date": date, "participants": participants or [],
                "recorded_at": when, "live": True, "run_id": run_id}
        self._write("add_event", [self._item_record("event", data)], entity=key)
        return event_id

    def _item_record(self, kind: str, data: dict[str, Any]) -> Record:
        graph = self._graph()

        def label(key: str) -> str:
            return graph.node(key)["name"] if graph.has(key) else key

        if kind == "fact":
            text = f"{label(data['entity_key'])} — {data['attribute'].replace('_', ' ')}: " \
                   f"{data['value']}"
            meta = {"entity_key": data["entity_key"], "attribute": data["attribute"]}
        elif kind == "event":
            text = f"{label(data['entity_key'])}: {data['description']}" + \
                   (f" ({data['date']})" if data.get("date") else "")
            meta = {"entity_key": data["entity_key"], "date": data.get("date") or ""}
        else:
            text = f"{label(data['source_key'])} {data['relation'].replace('_', ' ')} " \
                   f"{label(data['target_key'])}"
            meta = {"entity_key": data["source_key"], "target_key": data["target_key"],
                    "relation": data["relation"]}
        meta.update(kind=kind, scope=data["scope"], live=bool(data.get("live", True)))
        return Record(data["id"], text, meta, data)

    # -- reading ----------------------------------------------------------------------------

    def describe(self, key: str, *, as_of: str | None = None, max_facts: int | None = None,
                 max_events: int | None = None) -> str:
        """A compact text card for one entity (what recall injects)."""
        graph = self._graph()
        node = graph.node(key)
        aka = f" aka {', '.join(node['aliases'])}" if node["aliases"] else ""
        lines = [f"{node['name']} ({node['entity_type']}{aka})"
                 + (f": {node['description']}" if node["description"] else "")]
        facts = graph.facts(key, as_of=as_of)
        if max_facts is not None:
            facts = facts[-max_facts:]
        lines += [f"  - {f['attribute'].replace('_', ' ')}: {f['value']} (since "
                  f"{f['valid_from'][:10]})" for f in facts]
        for e in graph.edges(key, as_of=as_of):
            if e["source_key"] == key:
                lines.append(f"  - {e['relation']} -> {graph.node(e['target_key'])['name']}"
                             f" (since {(e.get('valid_from') or '')[:10]})")
            else:
                lines.append(f"  - <- {e['relation']} of {graph.node(e['source_key'])['name']}"
                             f" (since {(e.get('valid_from') or '')[:10]})")
        events = graph.events(key, as_of=as_of)
        if max_events is not None:
            events = events[-max_events:]
        lines += [f"  - event{(' ' + e['date']) if e.get('date') else ''}: {e['description']}"
                  for e in events]
        return "\n".join(lines)

    def history(self, key: str) -> list[dict[str, Any]]:
        """Every fact of an entity, live and superseded, with valid-from / valid-to."""
        return self._graph().facts(key, live_only=False)

    def search(self, scope: str, query: str, *, limit: int = 5, embedding=None,
               entity_type: str | None = None) -> list[tuple[str, float]]:
        """Entities relevant to ``query``: named ones first, then by embedding similarity."""
        graph = self._graph()
        ranked: dict[str, float] = {k: 2.0 for k in graph.mentions(scope, query)}
        col = self.collection()
        vector = embedding if embedding is not None else col.embed([query])[0]
        for record, score in col.query(vector, filter=where(scope=scope, live=True),
                                       k=max(12, 3 * limit)):
            if score < self.config.min_score:
                continue
            for key in (record.meta.get("entity_key") or record.id, record.meta.get("target_key")):
                if key and graph.has(key) and not graph.node(key)["archived"]:
                    ranked[key] = max(ranked.get(key, 0.0), score)
        if entity_type:
            wanted = normalize_type(entity_type)
            ranked = {k: s for k, s in ranked.items() if graph.node(k)["entity_type"] == wanted}
        return sorted(ranked.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

    # -- per turn ---------------------------------------------------------------------------

    def recall(self, turn: TurnContext) -> Recalled:
        def build() -> Recalled:
            if not turn.message.strip():
                return Recalled()
            try:
                scope = self.scope(turn.user_id)
            except NamespaceError:  # fail closed: no user id, no user-scoped data (no crash)
                return Recalled()
            hits = self.search(scope, turn.message, limit=self.config.max_entities_in_context,
                               embedding=turn.embedding)
            items = [RecalledItem(self.name, key, self.describe(
                key, max_facts=self.config.max_facts_per_entity,
                max_events=self.config.max_events_per_entity), score) for key, score in hits]
            if not items:
                return Recalled()
            return Recalled(tag("entity_memory", "\n".join(i.text for i in items)), items)

        return self.traced_recall(turn, build)

    # -- notebooks --------------------------------------------------------------------------

    def to_frame(self, kind: str = "facts", *, include_retired: bool = True) -> pd.DataFrame:
        """``kind`` is ``entities``, ``facts``, ``relationships`` or ``events``."""
        graph = self._graph()
        rows: list[dict[str, Any]] = []
        for key in graph.keys(include_archived=True):
            node = graph.node(key)
            base = {"entity": node["name"], "entity_type": node["entity_type"],
                    "scope": node["scope"]}
            if kind == "entities":
                rows.append({"key": key, **base, "aliases": node["aliases"],
                             "description": node["description"], "archived": node["archived"]})
            elif kind == "facts":
                rows += [{**base, **{k: f.get(k) for k in ("attribute", "value", "live",
                                                            "valid_from", "valid_to", "id")}}
                         for f in graph.facts(key, live_only=not include_retired)]
            elif kind == "events":
                rows += [{**base, **{k: e.get(k) for k in ("date", "description", "id")}}
                         for e in graph.events(key)]
            elif kind == "relationships":
                rows += [{"source": node["name"], "relation": e["relation"],
                          "target": graph.node(e["target_key"])["name"], "live": e.get("live"),
                          "valid_from": e.get("valid_from"), "valid_to": e.get("valid_to"),
                          "scope": node["scope"], "id": e["id"]}
                         for e in graph.edges(key, direction="out",
                                              live_only=not include_retired)]
            else:
                raise ValueError("kind must be entities, facts, relationships or events")
        return pd.DataFrame(rows)

    def snapshot(self) -> list[dict[str, Any]]:
        return sorted(({"id": r.id, "kind": r.meta.get("kind"), **r.data}
                       for r in self.collection().all()), key=lambda d: d["id"])

    def clear(self) -> None:
        self.collection().clear()
        self._graph_obj.rebuild([])
