"""Learned knowledge: reusable insights the agent saves and finds again.

Each learning carries provenance (run, agent, user, time) and helpful/harmful counters. A save
that is a near-duplicate of an existing learning (by embedding similarity) updates it when it
is the same learning restated, and otherwise reports "already known as …" — it is never
dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench.agent.result import RecalledItem
from workbench.agent.tools import RunContext, Tool
from workbench.errors import ExtractionError, NamespaceError, ToolError
from workbench.learn.base import Commit, ExtractionSpec, Recalled, StoreBase
from workbench.learn.config import LearnedKnowledgeConfig
from workbench.learn.context import (
    TurnContext,
    clip_to_budget,
    iso,
    normalize_name,
    scope_key,
    stable_id,
    tag,
    within_budget,
)
from workbench.storage.records import Record, where


@dataclass(frozen=True)
class Knowledge:
    """A named, ChromaDB-backed knowledge collection to keep learnings in.

    ``LearningMachine(knowledge=Knowledge("dash_learnings"), ...)`` stores learned knowledge in
    that collection (in the machine's data directory unless ``path`` or ``url`` is given).
    """

    name: str = "learnings"
    path: str | None = None
    url: str | None = None


@dataclass
class SaveResult:
    """What happened to a save: ``saved``, ``updated``, ``known`` (identical, nothing written)
    or ``duplicate`` (a near-duplicate of ``learning_id``; nothing written)."""

    status: str
    learning_id: str
    title: str
    similarity: float | None = None

    def message(self) -> str:
        if self.status == "saved":
            return f"Learning saved: {self.title!r} (id {self.learning_id})."
        if self.status == "updated":
            return f"Updated the existing learning {self.title!r} (id {self.learning_id})."
        if self.status == "known":
            return (f"Already saved as {self.title!r} (id {self.learning_id}); nothing "
                    "changed.")
        return (f"Already known as {self.title!r} (id {self.learning_id}, similarity "
                f"{self.similarity:.2f}); nothing new saved. To change it, call "
                "update_learning with that id.")


def _word_overlap(a: str, b: str) -> float:
    """Jaccard overlap of the two texts' word sets (1.0 = the same words)."""
    left, right = set(normalize_name(a).split()), set(normalize_name(b).split())
    return len(left & right) / len(left | right) if left | right else 1.0


def render(d: dict[str, Any], *, with_id: bool = True) -> str:
    head = f"[{d['id']}] {d['title']}" if with_id else d["title"]
    lines = [head, f"   {d['learning']}"]
    if d.get("context"):
        lines.append(f"   when: {d['context']}")
    if d.get("tags"):
        lines.append(f"   tags: {', '.join(d['tags'])}")
    return "\n".join(lines)


class LearnedKnowledgeStore(StoreBase):
    """Learnings in a namespace: global, per user, or a custom group."""

    name = "learned_knowledge"
    config: LearnedKnowledgeConfig

    def __init__(self, config: LearnedKnowledgeConfig, knowledge: Knowledge | None = None,
                 namespace: str | None = None) -> None:
        super().__init__(config)
        self.knowledge = knowledge
        self.namespace = namespace or config.namespace

    def collection(self, suffix: str = ""):
        if self.knowledge is not None:
            return self._m.collection(self.knowledge.name, path=self.knowledge.path,
                                      url=self.knowledge.url)
        return super().collection(suffix)

    def _scope(self, user_id: str | None) -> str:
        return scope_key(self.namespace, user_id)

    # -- data API ---------------------------------------------------------------------------

    def save(self, title: str, learning: str, context: str | None = None,
             tags: list[str] | None = None, *, user_id: str | None = None,
             agent_id: str | None = None, run_id: str | None = None) -> SaveResult:
        """Save a learning, or update / point to the near-duplicate that already exists."""
        title, learning = title.strip(), learning.strip()
        if not title or not learning:
            raise ToolError("a learning needs a title and a body")
        scope = self._scope(user_id)
        col = self.collection()
        text = f"{title}\n{learning}\n{context or ''}"
        vector = col.embed([text])[0]
        same_title = col.get(filter=where(scope=scope, title_key=normalize_name(title)))
        if same_title:
            return self._update(same_title[0], learning=learning, context=context, tags=tags,
                                run_id=run_id, status="updated", vector=vector)
        for existing, score in col.query(vector, filter=where(scope=scope), k=3):
            overlap = _word_overlap(existing.data["learning"], learning)
            if overlap == 1.0:  # the same rule under another title: nothing new to store
                return SaveResult("known", existing.id, existing.data["title"], score)
            if score >= self.config.duplicate_threshold or overlap >= 0.85:
                return SaveResult("duplicate", existing.id, existing.data["title"], score)
        when = iso(self.now())
        learning_id = stable_id(scope, normalize_name(title), prefix="lrn_")
        data = {"id": learning_id, "title": title, "learning": learning, "context": context,
                "tags": list(tags or []), "namespace": self.namespace, "scope": scope,
                "provenance": {"run_id": run_id, "agent_id": agent_id, "user_id": user_id,
                               "created_at": when},
                "created_at": when, "updated_at": when, "helpful": 0, "harmful": 0,
                "recalled": 0, "history": []}
        with self.write_span("save", learning_id=learning_id, scope=scope):
            col.upsert([self._record(data)], embeddings=vector[None, :])
        return SaveResult("saved", learning_id, title)

    def _record(self, data: dict[str, Any]) -> Record:
        text = f"{data['title']}\n{data['learning']}\n{data.get('context') or ''}"
        meta = {"scope": data["scope"], "title_key": normalize_name(data["title"]),
                "helpful": data["helpful"], "harmful": data["harmful"],
                "created_at": data["created_at"]}
        return Record(data["id"], text, meta, data)

    def _update(self, record: Record, *, status: str, run_id: str | None, vector=None,
                **changes: Any) -> SaveResult:
        data = dict(record.data)
        changes = {k: v for k, v in changes.items() if v is not None}
        if all(data.get(k) == v for k, v in changes.items()):
            return SaveResult("known", record.id, data["title"], 1.0)
        when = iso(self.now())  # one moment: the old version is valid until the new one starts
        data["history"] = [*data.get("history", []),
                           {k: data.get(k) for k in ("title", "learning", "context", "tags")}
                           | {"until": when, "run_id": run_id}]
        data.update(changes)
        data["updated_at"] = when
        with self.write_span("update", learning_id=record.id):
            self.collection().upsert([self._record(data)])
        return SaveResult(status, record.id, data["title"], 1.0)

    def get(self, learning_id: str) -> dict[str, Any] | None:
        record = self.collection().get_one(learning_id)
        return dict(record.data) if record else None

    def update(self, learning_id: str, *, user_id: str | None = None, run_id: str | None = None,
               **changes: Any) -> SaveResult:
        record = self.collection().get_one(learning_id)
        if record is None or record.meta.get("scope") != self._scope(user_id):
            raise ToolError(f"no learning with id {learning_id!r} in this namespace")
        return self._update(record, status="updated", run_id=run_id, **changes)

    def delete(self, learning_id: str, *, user_id: str | None = None) -> None:
        record = self.collection().get_one(learning_id)
        if record is None or record.meta.get("scope") != self._scope(user_id):
            raise ToolError(f"no learning with id {learning_id!r} in this namespace")
        with self.write_span("delete", learning_id=learning_id):
            self.collection().delete([learning_id])

    def mark(self, learning_id: str, *, helpful: bool) -> None:
        """Count a recalled learning as helpful or harmful for the answer it informed."""
        record = self.collection().get_one(learning_id)
        if record is None:
            raise ToolError(f"no learning with id {learning_id!r}")
        data = dict(record.data)
        data["helpful" if helpful else "harmful"] += 1
        with self.write_span("mark", learning_id=learning_id, helpful=helpful):
            self.collection().upsert([self._record(data)])

    def search(self, query: str, *, user_id: str | None = None, limit: int | None = None,
               embedding=None, min_score: float | None = None) -> list[tuple[dict, float]]:
        col = self.collection()
        vector = embedding if embedding is not None else col.embed([query])[0]
        hits = col.query(vector, filter=where(scope=self._scope(user_id)),
                         k=limit or self.config.limit)
        floor = self.config.min_score if min_score is None else min_score
        return [(r.data, s) for r, s in hits if s >= floor]

    def all(self, user_id: str | None = None) -> list[dict[str, Any]]:
        return [r.data for r in self.collection().get(filter=where(scope=self._scope(user_id)))]

    # -- per turn ---------------------------------------------------------------------------

    def recall(self, turn: TurnContext) -> Recalled:
        def build() -> Recalled:
            if not turn.message.strip():
                return Recalled()
            try:
                self._scope(turn.user_id)
            except NamespaceError:  # fail closed: no user id, no user-scoped data (no crash)
                return Recalled()
            hits = self.search(turn.message, user_id=turn.user_id, embedding=turn.embedding)
            texts = [clip_to_budget(render(d), self.config.max_tokens) for d, _ in hits]
            keep = within_budget(texts, self.config.max_tokens) if texts else 0
            if not keep:
                return Recalled()
            items = [RecalledItem(self.name, d["id"], render(d), s, {"title": d["title"],
                                                                     "tags": d.get("tags", [])})
                     for d, s in hits[:keep]]
            body = "\n".join(texts[:keep])
            return Recalled(tag("relevant_learnings", body), items)

        return self.traced_recall(turn, build)

    def guidance(self) -> str:
        if not self.exposes_tools:
            return ""
        save = ("propose it with save_learning (it is held until the user confirms)"
                if self.mode.value == "propose" else "save it with save_learning")
        return ("- learned_knowledge: before you act, check <relevant_learnings> and call "
                "search_learnings for the task at hand. When you hit an error or a trap and "
                f"found the fix, or the user corrects you, {save}: a short title naming the "
                "table/topic and a one-line rule that would have avoided the mistake. Save "
                "only what is new and reusable; revise an outdated one with update_learning.")

    def write_tools(self) -> set[str]:
        return {"save_learning", "update_learning"}

    def tools(self, turn: TurnContext) -> list[Tool]:
        if not self.exposes_tools:
            return []
        try:
            self._scope(turn.user_id)
        except NamespaceError:  # a user namespace without a user: no tools (as entity memory)
            return []
        store = self

        def search_learnings(query: str, ctx: RunContext, limit: int = 5) -> str:
            """Search saved learnings (most relevant first). Do this before saving.

            Args:
                query: what you are about to do or the error you hit.
                limit: how many to return.
            """
            hits = store.search(query, user_id=ctx.user_id, limit=limit, min_score=0.0)
            if not hits:
                return "No relevant learnings found."
            return "\n".join(f"{render(d)}\n   relevance: {s:.2f}" for d, s in hits)

        def save_learning(title: str, learning: str, ctx: RunContext,
                          context: str | None = None, tags: list[str] | None = None) -> str:
            """Save a reusable insight for next time (search first to avoid duplicates).

            Args:
                title: short, names the table/topic, e.g. "subscriptions.status spelling".
                learning: the rule, e.g. "Cancelled subscriptions use status='cancelled'".
                context: when it applies.
                tags: labels such as the gotcha or area.
            """
            return store.save(title, learning, context, tags, user_id=ctx.user_id,
                              agent_id=ctx.agent_id, run_id=ctx.run_id).message()

        def update_learning(learning_id: str, ctx: RunContext, title: str | None = None,
                            learning: str | None = None, context: str | None = None,
                            tags: list[str] | None = None) -> str:
            """Revise a saved learning that turned out incomplete or wrong.

            Args:
                learning_id: the [id] of the learning.
                title: new title.
                learning: new rule text.
                context: new context.
                tags: new tags.
            """
            return store.update(learning_id, user_id=ctx.user_id, run_id=ctx.run_id,
                                title=title, learning=learning, context=context,
                                tags=tags).message()

        return [Tool(search_learnings), Tool(save_learning), Tool(update_learning)]

    # -- ALWAYS extraction ------------------------------------------------------------------

    def extraction_spec(self, turn: TurnContext) -> ExtractionSpec | None:
        try:
            hits = self.search(turn.message, user_id=turn.user_id, embedding=turn.embedding)
        except Exception:  # a scoped namespace without a user: nothing to extract into
            return None
        known = "\n".join(f"- {d['title']}: {d['learning'][:100]}" for d, _ in hits) or "(none)"
        item = {"type": "object", "required": ["title", "learning"], "additionalProperties": False,
                "properties": {"title": {"type": "string"}, "learning": {"type": "string"},
                               "context": {"type": ["string", "null"]},
                               "tags": {"type": "array", "items": {"type": "string"}}}}
        return ExtractionSpec(
            schema={"type": "array", "items": item},
            instructions=("learned_knowledge: reusable, non-obvious rules or policies stated or "
                          "discovered in this turn (not personal preferences, not one-off "
                          "facts); usually none."),
            state=f"Already known (do not duplicate):\n{known}")

    def plan_extraction(self, turn: TurnContext, part: Any) -> Commit:
        if not isinstance(part, list):
            raise ExtractionError("learned_knowledge part must be a list")
        if any(not i["title"].strip() or not i["learning"].strip() for i in part):
            raise ExtractionError("learned_knowledge: a learning needs a title and a body")

        def commit() -> list[str]:
            return [self.save(i["title"], i["learning"], i.get("context"), i.get("tags"),
                              user_id=turn.user_id, agent_id=turn.agent_id,
                              run_id=turn.run_id).learning_id for i in part]

        return commit

    # -- notebooks --------------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        columns = ["id", "title", "learning", "context", "tags", "scope", "helpful", "harmful",
                   "created_at", "updated_at", "agent_id", "run_id"]
        rows = [{**{k: r.data.get(k) for k in columns},
                 "agent_id": r.data["provenance"].get("agent_id"),
                 "run_id": r.data["provenance"].get("run_id")} for r in self.collection().all()]
        return pd.DataFrame(rows, columns=columns).sort_values("created_at", ignore_index=True)

    def snapshot(self) -> list[dict[str, Any]]:
        return sorted((r.data for r in self.collection().all()), key=lambda d: d["id"])

    def clear(self) -> None:
        self.collection().clear()
