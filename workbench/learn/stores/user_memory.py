"""User memory: observations about a user, one record each, recalled by relevance.

Unlike a single growing document, each memory is its own record: retrieval is top-k within a
token budget, updates keep the previous text in a history, and deletion retires (never
silently loses) a memory.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.agent.result import RecalledItem
from workbench.agent.tools import RunContext, Tool
from workbench.errors import ExtractionError, ToolError
from workbench.learn.base import Commit, ExtractionSpec, Recalled, StoreBase
from workbench.learn.config import UserMemoryConfig
from workbench.learn.context import (
    TurnContext,
    clip_to_budget,
    iso,
    normalize_name,
    stable_id,
    tag,
    within_budget,
)
from workbench.storage.records import Record, where


class UserMemoryStore(StoreBase):
    """Per-user observations with add / update / delete and relevance-ranked recall."""

    name = "user_memory"
    config: UserMemoryConfig

    # -- data API ---------------------------------------------------------------------------

    def memories(self, user_id: str, *, include_retired: bool = False) -> list[Record]:
        flt = where(user_id=user_id) if include_retired else where(user_id=user_id, live=True)
        return sorted(self.collection().get(filter=flt), key=lambda r: r.data["created_at"])

    def search(self, user_id: str, query: str, *, limit: int | None = None,
               embedding=None) -> list[tuple[Record, float]]:
        col = self.collection()
        vector = embedding if embedding is not None else col.embed([query])[0]
        hits = col.query(vector, filter=where(user_id=user_id, live=True), k=limit or self.config.limit)
        return [(r, s) for r, s in hits if s >= self.config.min_score]

    def add(self, user_id: str, content: str, *, run_id: str | None = None,
            source: str = "api") -> str:
        """Add a memory; a near-duplicate of a live memory returns the existing id instead."""
        content = content.strip()
        if not content:
            raise ToolError("a memory needs non-empty content")
        col = self.collection()
        vector = col.embed([content])[0]
        hits = col.query(vector, filter=where(user_id=user_id, live=True), k=1)
        if hits and (hits[0][1] >= self.config.duplicate_threshold
                     or normalize_name(hits[0][0].data["content"]) == normalize_name(content)):
            return hits[0][0].id
        when = iso(self.now())
        memory_id = stable_id(user_id, content, when, prefix="mem_")
        data = {"content": content, "user_id": user_id, "created_at": when, "updated_at": when,
                "run_id": run_id, "source": source, "history": []}
        with self.write_span("add", user_id=user_id, memory_id=memory_id):
            col.upsert([Record(memory_id, content, {"user_id": user_id, "live": True}, data)],
                       embeddings=vector[None, :])
        return memory_id

    def _owned(self, user_id: str, memory_id: str) -> Record:
        record = self.collection().get_one(memory_id)
        if record is None or record.meta.get("user_id") != user_id:
            raise ToolError(f"no memory {memory_id!r} for this user")
        if not record.meta.get("live"):
            raise ToolError(f"memory {memory_id!r} was deleted")
        return record

    def update(self, user_id: str, memory_id: str, content: str, *,
               run_id: str | None = None) -> None:
        record = self._owned(user_id, memory_id)
        data = dict(record.data)
        when = iso(self.now())  # one moment: the old text is valid until the new one starts
        data["history"] = [*data.get("history", []),
                           {"content": data["content"], "until": when, "run_id": run_id}]
        data["content"], data["updated_at"] = content.strip(), when
        with self.write_span("update", user_id=user_id, memory_id=memory_id):
            self.collection().upsert([Record(memory_id, data["content"], record.meta, data)])

    def delete(self, user_id: str, memory_id: str, *, run_id: str | None = None) -> None:
        """Retire a memory: it is no longer recalled, but stays auditable."""
        record = self._owned(user_id, memory_id)
        data = {**record.data, "deleted_at": iso(self.now()), "deleted_by_run": run_id}
        with self.write_span("delete", user_id=user_id, memory_id=memory_id):
            self.collection().upsert([Record(memory_id, record.text,
                                             {**record.meta, "live": False}, data)])

    # -- per turn ---------------------------------------------------------------------------

    def recall(self, turn: TurnContext) -> Recalled:
        def build() -> Recalled:
            if not turn.user_id or not turn.message.strip():
                return Recalled()
            hits = self.search(turn.user_id, turn.message, embedding=turn.embedding)
            lines = [f"- [{r.id}] {r.data['content']}" for r, _ in hits]
            keep = within_budget(lines, self.config.max_tokens) if lines else 0
            lines = [clip_to_budget(line, self.config.max_tokens) for line in lines]
            items = [RecalledItem(self.name, r.id, r.data["content"], s) for r, s in hits[:keep]]
            if not items:
                return Recalled()
            return Recalled(tag("user_memory", "\n".join(lines[:keep])), items)

        return self.traced_recall(turn, build)

    def guidance(self) -> str:
        if not self.exposes_tools:
            return ""
        return ("- user_memory: save durable observations about the user (preferences, "
                "context, working style) with remember_user_fact; fix or remove outdated ones "
                "with update_user_memory / forget_user_memory using the [id] shown.")

    def write_tools(self) -> set[str]:
        return {"remember_user_fact", "update_user_memory", "forget_user_memory"}

    def tools(self, turn: TurnContext) -> list[Tool]:
        if not self.exposes_tools or not turn.user_id:
            return []
        store = self

        def remember_user_fact(content: str, ctx: RunContext) -> str:
            """Save one durable observation about the user, as a short third-person statement.

            Args:
                content: e.g. "Prefers answers under 100 words".
            """
            before = store.collection().count()
            memory_id = store.add(ctx.user_id or "", content, run_id=ctx.run_id, source="agent")
            if store.collection().count() == before:
                return f"Already known as memory {memory_id}; nothing new saved."
            return f"Saved memory {memory_id}."

        def update_user_memory(memory_id: str, content: str, ctx: RunContext) -> str:
            """Replace the text of an existing memory (the old text is kept in its history).

            Args:
                memory_id: the [id] shown in user_memory.
                content: the corrected statement.
            """
            store.update(ctx.user_id or "", memory_id, content, run_id=ctx.run_id)
            return f"Updated memory {memory_id}."

        def forget_user_memory(memory_id: str, ctx: RunContext) -> str:
            """Retire a memory that is wrong or outdated.

            Args:
                memory_id: the [id] shown in user_memory.
            """
            store.delete(ctx.user_id or "", memory_id, run_id=ctx.run_id)
            return f"Forgot memory {memory_id}."

        return [Tool(remember_user_fact), Tool(update_user_memory), Tool(forget_user_memory)]

    # -- ALWAYS extraction ------------------------------------------------------------------

    def extraction_spec(self, turn: TurnContext) -> ExtractionSpec | None:
        if not turn.user_id:
            return None
        hits = self.search(turn.user_id, turn.message, embedding=turn.embedding)
        state = "\n".join(f"- [{r.id}] {r.data['content']}" for r, _ in hits) or "(none relevant)"
        schema = {"type": "object", "additionalProperties": False, "properties": {
            "add": {"type": "array", "items": {"type": "string"}},
            "update": {"type": "array", "items": {
                "type": "object", "required": ["id", "content"], "additionalProperties": False,
                "properties": {"id": {"type": "string"}, "content": {"type": "string"}}}},
            "delete": {"type": "array", "items": {"type": "string"}}}}
        return ExtractionSpec(
            schema=schema,
            instructions=("user_memory: durable observations about the user stated in this turn "
                          "(preferences, context, working style) as short third-person "
                          "statements; update or delete listed memories the turn contradicts. "
                          "Do not repeat profile fields."),
            state=f"Relevant existing memories:\n{state}")

    def plan_extraction(self, turn: TurnContext, part: Any) -> Commit:
        if not isinstance(part, dict):
            raise ExtractionError("user_memory part must be an object")
        user = turn.user_id or ""
        touched = [i["id"] for i in part.get("update", [])] + list(part.get("delete", []))
        if len(touched) != len(set(touched)):
            raise ExtractionError("user_memory: a memory id is updated or deleted twice")
        if any(not i["content"].strip() for i in part.get("update", [])):
            raise ExtractionError("user_memory: an update has empty content")
        for item in part.get("update", []) + [{"id": i} for i in part.get("delete", [])]:
            try:
                self._owned(user, item["id"])
            except ToolError as exc:
                raise ExtractionError(f"user_memory: {exc}") from exc

        def commit() -> list[str]:
            done = [self.add(user, text, run_id=turn.run_id, source="extraction")
                    for text in part.get("add", []) if text.strip()]
            for item in part.get("update", []):
                self.update(user, item["id"], item["content"], run_id=turn.run_id)
                done.append(item["id"])
            for memory_id in part.get("delete", []):
                self.delete(user, memory_id, run_id=turn.run_id)
                done.append(memory_id)
            return done

        return commit

    # -- notebooks --------------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        rows = [{"id": r.id, "user_id": r.meta.get("user_id"), "content": r.data["content"],
                 "live": r.meta.get("live"), "created_at": r.data["created_at"],
                 "updated_at": r.data["updated_at"], "edits": len(r.data.get("history", []))}
                for r in self.collection().all()]
        columns = ["id", "user_id", "content", "live", "created_at", "updated_at", "edits"]
        return pd.DataFrame(rows, columns=columns).sort_values("created_at", ignore_index=True)

    def snapshot(self) -> list[dict[str, Any]]:
        return sorted(({"id": r.id, "live": r.meta.get("live"), **r.data}
                       for r in self.collection().all()), key=lambda d: d["id"])

    def clear(self) -> None:
        self.collection().clear()
