"""Entity memory's agent tools and its part of the ALWAYS extraction.

Replies teach the model the exact form to retry with: an ambiguous bare name lists the
qualified ``type/name`` options, an unknown name lists close existing names ("did you mean"),
and a write says what it superseded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.agent.tools import RunContext, Tool
from workbench.errors import ExtractionError, NamespaceError, ToolError
from workbench.learn.base import Commit, ExtractionSpec
from workbench.learn.context import TurnContext
from workbench.text import normalize_name

if TYPE_CHECKING:
    from workbench.learn.stores.entity_memory import EntityMemoryStore

_WRITE_TOOLS = {"create_entity": "enable_create_entity", "add_fact": "enable_add_fact",
                "add_relationship": "enable_add_relationship", "add_event": "enable_add_event",
                "update_entity": "enable_update_entity", "forget": "enable_forget"}


class EntityToolsMixin:
    """Tools, guidance and extraction for :class:`EntityMemoryStore`."""

    def _resolve_or_create(self: EntityMemoryStore, scope: str, name: str,
                           entity_type: str | None, run_id: str | None) -> tuple[str, str]:
        """An existing entity, or a new one when the caller gave its type and no near-duplicate
        exists. Returns (key, note)."""
        key = self.find(scope, name, entity_type)
        if key is not None:
            return key, ""
        if not entity_type or not self.config.enable_create_entity:
            return self.require(scope, name, entity_type), ""
        similar = self.similar(scope, name)
        if similar:
            raise ToolError(f"No entity named {name!r}. Did you mean: {', '.join(similar)}? Use "
                            "that exact name, or call create_entity if this is someone new.")
        key, _, _ = self.create(scope, name, entity_type, run_id=run_id)
        return key, f" (created {entity_type} {name!r})"

    def guidance(self: EntityMemoryStore) -> str:
        if not self.exposes_tools:
            return ""
        return ("- entity_memory: when the user tells you about people, companies, projects or "
                "events, search_entities first, then record: create_entity for someone new, "
                "add_fact for attributes (one attribute per fact, e.g. title, email, location, "
                "status; a new value replaces the old one automatically), add_relationship for "
                "links (works_at, reports_to, leads, involved_in, introduced_by, ...), add_event "
                "for dated happenings (date as YYYY-MM-DD). Answer questions about people and "
                "organisations only from <entity_memory> or search_entities; if nothing is "
                "stored, say that nothing is known.")

    def write_tools(self: EntityMemoryStore) -> set[str]:
        return {name for name, flag in _WRITE_TOOLS.items() if getattr(self.config, flag)}

    def tools(self: EntityMemoryStore, turn: TurnContext) -> list[Tool]:
        if not self.exposes_tools:
            return []
        try:
            self.scope(turn.user_id)
        except NamespaceError:
            return []
        store = self

        def create_entity(name: str, entity_type: str, ctx: RunContext,
                          description: str | None = None,
                          aliases: list[str] | None = None) -> str:
            """Create a person, company, project (or any type) the user mentions.

            Args:
                name: the full name as the user gave it, e.g. "Sarah Chen".
                entity_type: person, company, project, product, ...
                description: a one-line description.
                aliases: other names for the same entity, e.g. ["Bob"].
            """
            scope = store.scope(ctx.user_id)
            key, created, similar = store.create(scope, name, entity_type, description, aliases,
                                                 run_id=ctx.run_id)
            node = store.graph.node(key)
            if not created:
                return f"Already known: {node['entity_type']} {node['name']!r}."
            hint = (f" Note: similar names already exist: {', '.join(similar)}. If you meant "
                    "one of them, use its exact name.") if similar else ""
            return f"Created {node['entity_type']} {node['name']!r}.{hint}"

        def add_fact(entity: str, attribute: str, value: str, ctx: RunContext,
                     entity_type: str | None = None) -> str:
            """Record one attribute of an entity; a new value supersedes the current one.

            Args:
                entity: the entity's name (or "type/name" when a name is ambiguous).
                attribute: e.g. title, email, location, status, stack, funding_stage.
                value: the value, e.g. "VP Engineering".
                entity_type: give it to create the entity if it does not exist yet.
            """
            key, note = store._resolve_or_create(store.scope(ctx.user_id), entity,
                                                 entity_type, ctx.run_id)
            result = store.add_fact(key, attribute, value, run_id=ctx.run_id)
            name = store.graph.node(key)["name"]
            if result["status"] == "known":
                return f"Already recorded: {name} {attribute} = {value}."
            replaced = "".join(f" Replaces {f['value']!r} (valid from {f['valid_from'][:10]})."
                               for f in result["superseded"])
            return f"Recorded {name}: {attribute} = {value}{note}.{replaced}"

        def add_relationship(source: str, relation: str, target: str, ctx: RunContext,
                             source_type: str | None = None,
                             target_type: str | None = None) -> str:
            """Link two entities, e.g. ("Sarah Chen", "works_at", "Acme").

            Args:
                source: the entity the relation starts from.
                relation: works_at, reports_to, leads, advises, involved_in, introduced_by, ...
                target: the entity it points to.
                source_type: give it to create the source if it does not exist yet.
                target_type: give it to create the target if it does not exist yet.
            """
            scope = store.scope(ctx.user_id)
            src, note_a = store._resolve_or_create(scope, source, source_type, ctx.run_id)
            dst, note_b = store._resolve_or_create(scope, target, target_type, ctx.run_id)
            result = store.add_relationship(src, relation, dst, run_id=ctx.run_id)
            names = (store.graph.node(src)["name"], store.graph.node(dst)["name"])
            if result["status"] == "known":
                return f"Already recorded: {names[0]} {relation} {names[1]}."
            replaced = "".join(f" Replaces {relation} -> {store.graph.node(e['target_key'])['name']}."
                               for e in result["superseded"])
            return f"Linked {names[0]} {relation} {names[1]}{note_a}{note_b}.{replaced}"

        def add_event(entity: str, description: str, ctx: RunContext, date: str | None = None,
                      participants: list[str] | None = None,
                      entity_type: str | None = None) -> str:
            """Record something that happened, with its date.

            Args:
                entity: the main entity involved.
                description: what happened, e.g. "Series B closed".
                date: YYYY-MM-DD when known.
                participants: other entities involved (names).
                entity_type: give it to create the entity if it does not exist yet.
            """
            scope = store.scope(ctx.user_id)
            key, note = store._resolve_or_create(scope, entity, entity_type, ctx.run_id)
            others = [store.require(scope, p) for p in participants or []]
            store.add_event(key, description, date, others, run_id=ctx.run_id)
            return f"Event recorded for {store.graph.node(key)['name']}{note}: {description}."

        def search_entities(query: str, ctx: RunContext, entity_type: str | None = None,
                            limit: int = 5) -> str:
            """Find stored entities relevant to a query (names, facts, relationships, events).

            Args:
                query: a name or a question, e.g. "who works at Acme".
                entity_type: only this type.
                limit: how many entities to return.
            """
            scope = store.scope(ctx.user_id)
            hits = store.search(scope, query, limit=limit, entity_type=entity_type)
            if not hits:
                return f"Nothing known matching {query!r}."
            return "\n".join(store.describe(k) for k, _ in hits)

        def get_entity(entity: str, ctx: RunContext, as_of: str | None = None,
                       include_history: bool = False) -> str:
            """Everything known about one entity, now or as of a date; optionally the history
            of superseded facts.

            Args:
                entity: its name (or "type/name").
                as_of: an ISO date; show the state as it was then.
                include_history: also list superseded facts with their validity.
            """
            key = store.require(store.scope(ctx.user_id), entity)
            text = store.describe(key, as_of=as_of)
            if include_history:
                old = [f for f in store.history(key) if not f["live"]]
                text += "".join(f"\n  - previously {f['attribute']}: {f['value']} "
                                f"({f['valid_from'][:10]} to {(f['valid_to'] or '')[:10]})"
                                for f in old)
                gone = [e for e in store.graph.edges(key, live_only=False) if not e.get("live")]
                text += "".join(
                    f"\n  - previously {e['relation']} "
                    f"{'->' if e['source_key'] == key else '<-'} "
                    f"{store.graph.node(e['target_key' if e['source_key'] == key else 'source_key'])['name']}"
                    f" ({(e.get('valid_from') or '')[:10]} to {(e.get('valid_to') or '')[:10]})"
                    for e in gone)
            return text

        def update_entity(entity: str, ctx: RunContext, new_name: str | None = None,
                          entity_type: str | None = None, description: str | None = None,
                          add_aliases: list[str] | None = None) -> str:
            """Rename an entity, fix its type or description, or add aliases.

            Args:
                entity: its current name.
                new_name: the new name (the old one becomes an alias).
                entity_type: the corrected type.
                description: a new one-line description.
                add_aliases: extra names, e.g. ["Bob"].
            """
            key = store.require(store.scope(ctx.user_id), entity)
            store.update_entity(key, name=new_name, entity_type=entity_type,
                                description=description, add_aliases=add_aliases)
            return f"Updated {store.graph.node(key)['name']}."

        def forget(entity: str, ctx: RunContext, attribute: str | None = None,
                   value: str | None = None, relation: str | None = None,
                   target: str | None = None) -> str:
            """Retire a fact (attribute, optionally value) or a relationship (relation,
            optionally target); with neither, archive the whole entity. Nothing is deleted.

            Args:
                entity: the entity's name.
                attribute: the fact's attribute to retire.
                value: only the fact with this value.
                relation: the relationship to retire.
                target: only the relationship to this entity.
            """
            scope = store.scope(ctx.user_id)
            key = store.require(scope, entity)
            name = store.graph.node(key)["name"]
            if attribute:
                gone = store.retire_fact(key, attribute, value)
                return f"Retired {len(gone)} fact(s) on {name}." if gone else \
                    f"No live {attribute} fact on {name}."
            if relation:
                dst = store.require(scope, target) if target else None
                gone = store.retire_relationship(key, relation, dst)
                return f"Retired {len(gone)} relationship(s) of {name}." if gone else \
                    f"No live {relation} relationship on {name}."
            store.update_entity(key, archived=True)
            return f"Archived {name}; it will no longer be recalled."

        tools = [create_entity, add_fact, add_relationship, add_event, update_entity, forget]
        enabled = [Tool(t) for t in tools if t.__name__ in self.write_tools()]
        if self.config.enable_search:
            enabled += [Tool(search_entities), Tool(get_entity)]
        return enabled

    # -- ALWAYS extraction ------------------------------------------------------------------

    def extraction_spec(self: EntityMemoryStore, turn: TurnContext) -> ExtractionSpec | None:
        try:
            scope = self.scope(turn.user_id)
        except NamespaceError:
            return None
        known = [self.describe(k) for k, _ in self.search(scope, turn.message, limit=5,
                                                           embedding=turn.embedding)]
        ref = {"type": "string"}
        schema = {"type": "object", "additionalProperties": False, "properties": {
            "entities": {"type": "array", "items": {
                "type": "object", "required": ["name", "entity_type"],
                "properties": {"name": ref, "entity_type": ref,
                               "description": {"type": ["string", "null"]}}}},
            "facts": {"type": "array", "items": {
                "type": "object", "required": ["entity", "attribute", "value"],
                "properties": {"entity": ref, "attribute": ref, "value": ref}}},
            "relationships": {"type": "array", "items": {
                "type": "object", "required": ["source", "relation", "target"],
                "properties": {"source": ref, "relation": ref, "target": ref}}},
            "events": {"type": "array", "items": {
                "type": "object", "required": ["entity", "description"],
                "properties": {"entity": ref, "description": ref,
                               "date": {"type": ["string", "null"]}}}}}}
        return ExtractionSpec(
            schema=schema,
            instructions=("entity_memory: people, companies, projects the user talks about: "
                          "new entities, attributes (a new value replaces the old), relationships "
                          "and dated events stated in this turn."),
            state="Known entities relevant to this turn:\n" + ("\n".join(known) or "(none)"))

    def plan_extraction(self: EntityMemoryStore, turn: TurnContext, part: Any) -> Commit:
        if not isinstance(part, dict):
            raise ExtractionError("entity_memory part must be an object")
        scope = self.scope(turn.user_id)
        names = {"entities": ("name",), "facts": ("entity",), "relationships": ("source", "target"),
                 "events": ("entity",)}
        texts = {"facts": ("attribute", "value"), "relationships": ("relation",),
                 "events": ("description",)}
        for section in names:
            for item in part.get(section, []):
                if any(not normalize_name(item[k]) for k in names[section]) or \
                        any(not str(item[k]).strip() for k in texts.get(section, ())):
                    raise ExtractionError(f"entity_memory: blank field in {section}: {item}")
        if any(normalize_name(r["source"]) == normalize_name(r["target"])
               for r in part.get("relationships", [])):
            raise ExtractionError("entity_memory: an entity cannot be related to itself")
        declared = {e["name"].casefold(): e for e in part.get("entities", [])}
        referenced = [f["entity"] for f in part.get("facts", [])] + \
            [r[k] for r in part.get("relationships", []) for k in ("source", "target")] + \
            [e["entity"] for e in part.get("events", [])]
        for name in referenced:
            try:
                known = self.find(scope, name)
            except ToolError as exc:
                raise ExtractionError(f"entity_memory: {exc}") from exc
            if known is None and name.casefold() not in declared:
                raise ExtractionError(f"entity_memory: {name!r} is neither known nor declared")

        def commit() -> list[str]:
            done = []
            for e in part.get("entities", []):
                key, _, _ = self.create(scope, e["name"], e["entity_type"], e.get("description"),
                                        run_id=turn.run_id)
                done.append(key)
            for f in part.get("facts", []):
                done.append(self.add_fact(self.require(scope, f["entity"]), f["attribute"],
                                          f["value"], run_id=turn.run_id,
                                          source="extraction")["fact_id"])
            for r in part.get("relationships", []):
                done.append(self.add_relationship(
                    self.require(scope, r["source"]), r["relation"],
                    self.require(scope, r["target"]), run_id=turn.run_id)["relationship_id"])
            for e in part.get("events", []):
                done.append(self.add_event(self.require(scope, e["entity"]), e["description"],
                                           e.get("date"), run_id=turn.run_id))
            return done

        return commit
