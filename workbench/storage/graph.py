"""EntityGraph: an in-memory networkx projection of the entity-memory records in ChromaDB.

Entities are nodes; typed relationships are edges (keyed by relationship id); facts and events
live on nodes with their validity times. The graph is built by :meth:`EntityGraph.apply` — the
same function on open (all records) and after every write (the written records) — so the
projection cannot drift from storage. ``view()`` returns a plain MultiDiGraph "now" or "as of"
a moment, for drawing, analysis and export.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from workbench.storage.records import Record
from workbench.text import normalize_name

_KIND_ORDER = {"entity": 0, "fact": 1, "event": 2, "relationship": 3}


def _valid(item: dict[str, Any], as_of: str | None, live_only: bool) -> bool:
    if as_of is None:
        return bool(item.get("live", True)) or not live_only
    if item.get("valid_from") and item["valid_from"] > as_of:
        return False
    end = item.get("valid_to")
    return not (live_only and end and end <= as_of)


class EntityGraph:
    """Entities, facts, events and relationships of every scope, kept in memory."""

    def __init__(self) -> None:
        self.graph = nx.MultiDiGraph()
        self._names: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def __len__(self) -> int:
        return self.graph.number_of_nodes()

    # -- building ---------------------------------------------------------------------------

    def apply(self, records: Iterable[Record]) -> None:
        """Project written records onto the graph (idempotent; used on open and on write)."""
        for record in sorted(records, key=lambda r: _KIND_ORDER.get(r.meta.get("kind"), 9)):
            kind = record.meta.get("kind")
            if kind == "entity":
                self._apply_entity(record.data)
            elif kind == "fact":
                self._apply_item(record.data, "facts")
            elif kind == "event":
                self._apply_item(record.data, "events")
            elif kind == "relationship":
                self._apply_edge(record.data)

    def rebuild(self, records: Iterable[Record]) -> None:
        self.graph.clear()
        self._names.clear()
        self.apply(records)

    def _apply_entity(self, data: dict[str, Any]) -> None:
        key = data["key"]
        previous = self.graph.nodes[key] if key in self.graph else None
        if previous is not None:
            for name in [previous["name"], *previous["aliases"]]:
                self._names[previous["scope"]][normalize_name(name)].discard(key)
        facts = previous["facts"] if previous else {}
        events = previous["events"] if previous else {}
        self.graph.add_node(key, name=data["name"], entity_type=data["entity_type"],
                            aliases=list(data.get("aliases", [])),
                            description=data.get("description") or "", scope=data["scope"],
                            archived=bool(data.get("archived_at")),
                            created_at=data["created_at"], updated_at=data["updated_at"],
                            facts=facts, events=events)
        for name in [data["name"], *data.get("aliases", [])]:
            self._names[data["scope"]][normalize_name(name)].add(key)

    def _apply_item(self, data: dict[str, Any], bucket: str) -> None:
        key = data["entity_key"]
        if key in self.graph:
            self.graph.nodes[key][bucket][data["id"]] = dict(data)

    def _apply_edge(self, data: dict[str, Any]) -> None:
        self.graph.add_edge(data["source_key"], data["target_key"], key=data["id"],
                            **{k: v for k, v in data.items() if k not in ("source_key",
                                                                           "target_key")})

    # -- lookups ----------------------------------------------------------------------------

    def has(self, key: str) -> bool:
        return key in self.graph

    def node(self, key: str) -> dict[str, Any]:
        return self.graph.nodes[key]

    def keys(self, scope: str | None = None, *, include_archived: bool = False) -> list[str]:
        return [k for k, d in self.graph.nodes(data=True)
                if (scope is None or d["scope"] == scope)
                and (include_archived or not d["archived"])]

    def by_name(self, scope: str, name: str) -> set[str]:
        """Entity keys whose name or alias normalises to ``name``."""
        return set(self._names.get(scope, {}).get(normalize_name(name), set()))

    def names(self, scope: str) -> dict[str, set[str]]:
        return self._names.get(scope, {})

    def mentions(self, scope: str, text: str, *, max_words: int = 4) -> list[str]:
        """Keys of non-archived entities named (or aliased) in ``text``, in order of mention."""
        tokens = normalize_name(text).split()
        index = self._names.get(scope, {})
        found: list[str] = []
        for n in range(max_words, 0, -1):
            for i in range(len(tokens) - n + 1):
                for key in sorted(index.get(" ".join(tokens[i:i + n]), ())):
                    if key not in found and not self.graph.nodes[key]["archived"]:
                        found.append(key)
        return found

    def facts(self, key: str, *, as_of: str | None = None,
              live_only: bool = True) -> list[dict[str, Any]]:
        items = self.graph.nodes[key]["facts"].values()
        return sorted((f for f in items if _valid(f, as_of, live_only)),
                      key=lambda f: (f["valid_from"], f["id"]))

    def events(self, key: str, *, as_of: str | None = None) -> list[dict[str, Any]]:
        items = self.graph.nodes[key]["events"].values()
        if as_of is not None:
            items = [e for e in items if e["recorded_at"] <= as_of]
        return sorted(items, key=lambda e: (e.get("date") or "", e["id"]))

    def edges(self, key: str, *, as_of: str | None = None, live_only: bool = True,
              direction: str = "both") -> list[dict[str, Any]]:
        """Relationships touching ``key`` as dicts with ``source_key``/``target_key``."""
        out = []
        if direction in ("both", "out"):
            out += [{"source_key": key, "target_key": t, **d}
                    for _, t, d in self.graph.out_edges(key, data=True)]
        if direction in ("both", "in"):
            out += [{"source_key": s, "target_key": key, **d}
                    for s, _, d in self.graph.in_edges(key, data=True)]
        return [e for e in out if _valid(e, as_of, live_only)]

    # -- views and export -------------------------------------------------------------------

    def view(self, scope: str | None = None, *, as_of: str | None = None,
             live_only: bool = True, include_archived: bool = False) -> nx.MultiDiGraph:
        """A plain graph of the state "now" (or as of an ISO time), with scalar attributes."""
        out = nx.MultiDiGraph()
        for key, d in self.graph.nodes(data=True):
            if scope is not None and d["scope"] != scope:
                continue
            if as_of is not None and d["created_at"] > as_of:
                continue
            if d["archived"] and not include_archived:
                continue
            facts = self.facts(key, as_of=as_of, live_only=live_only)
            out.add_node(key, label=d["name"], entity_type=d["entity_type"],
                         aliases=", ".join(d["aliases"]), description=d["description"],
                         facts=json.dumps({f["attribute"]: f["value"] for f in facts},
                                          ensure_ascii=False),
                         n_facts=len(facts), n_events=len(self.events(key, as_of=as_of)))
        for s, t, k, d in self.graph.edges(keys=True, data=True):
            if s in out and t in out and _valid(d, as_of, live_only):
                live = bool(d.get("live")) if as_of is None else not (
                    d.get("valid_to") and d["valid_to"] <= as_of)
                out.add_edge(s, t, key=k, relation=d["relation"], live=live,
                             valid_from=d.get("valid_from") or "", valid_to=d.get("valid_to") or "")
        return out

    def neighbourhood(self, key: str, radius: int = 1, **view_args: Any) -> nx.MultiDiGraph:
        full = self.view(**view_args)
        if key not in full:
            return nx.MultiDiGraph()
        return nx.ego_graph(full, key, radius=radius, undirected=True)

    def path(self, source: str, target: str, **view_args: Any) -> list[str]:
        """Shortest chain of entity keys linking two entities (ignoring direction)."""
        full = self.view(**view_args).to_undirected(as_view=True)
        try:
            return nx.shortest_path(full, source, target)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return []

    def to_node_link(self, **view_args: Any) -> dict[str, Any]:
        return nx.node_link_data(self.view(**view_args), edges="links")

    def write_node_link(self, path: str | Path, **view_args: Any) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_node_link(**view_args), indent=2, ensure_ascii=False))
        return path

    def write_graphml(self, path: str | Path, **view_args: Any) -> Path:
        path = Path(path)
        nx.write_graphml(self.view(**view_args), path)
        return path
