"""Session context: the living state of one conversation (summary; goal, plan, progress)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.agent.result import RecalledItem
from workbench.agent.tools import RunContext, Tool
from workbench.errors import ExtractionError
from workbench.learn.base import Commit, ExtractionSpec, Recalled, StoreBase
from workbench.learn.config import SessionContextConfig
from workbench.learn.context import TurnContext, iso, tag
from workbench.storage.records import Record

FIELDS = ("summary", "goal", "plan", "progress")


class SessionContextStore(StoreBase):
    """One record per (user, session); each update keeps unspecified fields as they were."""

    name = "session_context"
    config: SessionContextConfig

    @staticmethod
    def record_id(session_id: str, user_id: str | None) -> str:
        return f"session:{user_id or '-'}:{session_id}"

    def get(self, session_id: str, user_id: str | None = None) -> dict[str, Any]:
        record = self.collection().get_one(self.record_id(session_id, user_id))
        return dict(record.data) if record else {}

    def update(self, session_id: str, user_id: str | None, *, summary: str | None = None,
               goal: str | None = None, plan: list[str] | None = None,
               progress: list[str] | None = None, run_id: str | None = None) -> list[str]:
        """Merge new values into the session's state; returns the fields that changed."""
        current = self.get(session_id, user_id) or {
            "session_id": session_id, "user_id": user_id, "summary": "", "goal": None,
            "plan": [], "progress": [], "updates": 0}
        incoming = {"summary": summary, "goal": goal, "plan": plan, "progress": progress}
        if not self.config.enable_planning:
            incoming = {"summary": summary}
        changed = []
        for key, value in incoming.items():
            if value is None or value == current.get(key):
                continue
            if key == "summary":
                value = value.strip()[: self.config.max_summary_chars]
            if isinstance(value, list):
                value = [str(v).strip() for v in value if str(v).strip()]
            current[key] = value
            changed.append(key)
        if changed:
            current["updates"] = current.get("updates", 0) + 1
            current["updated_at"], current["run_id"] = iso(self.now()), run_id
            with self.write_span("update", record_id=self.record_id(session_id, user_id),
                                 session_id=session_id, fields=changed):
                self.collection().upsert([Record(
                    self.record_id(session_id, user_id), self.render(current) or session_id,
                    {"session_id": session_id, "user_id": user_id or "-"}, current)])
        return changed

    def render(self, state: dict[str, Any]) -> str:
        parts = []
        if state.get("summary"):
            parts.append(f"Summary: {state['summary']}")
        if self.config.enable_planning:
            if state.get("goal"):
                parts.append(f"Goal: {state['goal']}")
            if state.get("plan"):
                done = {p.casefold() for p in state.get("progress", [])}
                steps = [f"  {i}. {'[done] ' if s.casefold() in done else ''}{s}"
                         for i, s in enumerate(state["plan"], 1)]
                parts.append("Plan:\n" + "\n".join(steps))
            if state.get("progress"):
                parts.append("Completed:\n" + "\n".join(f"  - {p}" for p in state["progress"]))
        return "\n".join(parts)

    # -- per turn ---------------------------------------------------------------------------

    def recall(self, turn: TurnContext) -> Recalled:
        def build() -> Recalled:
            if not turn.session_id:
                return Recalled()
            state = self.get(turn.session_id, turn.user_id)
            text = self.render(state) if state else ""
            if not text:
                return Recalled()
            item = RecalledItem(self.name, self.record_id(turn.session_id, turn.user_id), text)
            return Recalled(tag("session_context", text), [item])

        return self.traced_recall(turn, build)

    def guidance(self) -> str:
        if not self.exposes_tools:
            return ""
        extra = ", goal, plan steps and completed steps" if self.config.enable_planning else ""
        return (f"- session_context: keep this session's summary{extra} current with "
                "update_session_context when something important changes.")

    def write_tools(self) -> set[str]:
        return {"update_session_context"}

    def tools(self, turn: TurnContext) -> list[Tool]:
        if not self.exposes_tools or not turn.session_id:
            return []
        store = self

        def update_session_context(ctx: RunContext, summary: str | None = None,
                                   goal: str | None = None, plan: list[str] | None = None,
                                   progress: list[str] | None = None) -> str:
            """Update where this conversation stands; omitted fields keep their values.

            Args:
                summary: what has been discussed and decided so far, standing on its own.
                goal: what the user is trying to achieve in this session.
                plan: the steps to get there (replaces the previous plan).
                progress: the steps completed so far (replaces the previous list).
            """
            changed = store.update(ctx.session_id, ctx.user_id, summary=summary, goal=goal,
                                   plan=plan, progress=progress, run_id=ctx.run_id)
            ignored = "" if store.config.enable_planning or not (goal or plan or progress) else \
                " Goal, plan and progress are not kept (planning is off)."
            return (f"Session context updated: {', '.join(changed)}." if changed
                    else "No change.") + ignored

        return [Tool(update_session_context)]

    # -- ALWAYS extraction ------------------------------------------------------------------

    def extraction_spec(self, turn: TurnContext) -> ExtractionSpec | None:
        if not turn.session_id:
            return None
        props: dict[str, Any] = {"summary": {"type": ["string", "null"]}}
        instructions = ("session_context: an updated summary of this session that stands on "
                        "its own (integrate the previous summary; null if nothing changed)")
        if self.config.enable_planning:
            props.update(goal={"type": ["string", "null"]},
                         plan={"type": ["array", "null"], "items": {"type": "string"}},
                         progress={"type": ["array", "null"], "items": {"type": "string"}})
            instructions += ("; the user's goal for the session, the plan steps and the steps "
                             "completed (null keeps the current value)")
        state = self.render(self.get(turn.session_id, turn.user_id)) or "(new session)"
        return ExtractionSpec(
            schema={"type": "object", "properties": props, "additionalProperties": False},
            instructions=instructions + ".", state=f"Current session context:\n{state}")

    def plan_extraction(self, turn: TurnContext, part: Any) -> Commit:
        if not isinstance(part, dict):
            raise ExtractionError("session_context part must be an object")
        values = {k: part.get(k) for k in FIELDS if k in part}
        return lambda: self.update(turn.session_id or "", turn.user_id, run_id=turn.run_id,
                                   **values)

    # -- notebooks --------------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        rows = [{k: r.data.get(k) for k in ("session_id", "user_id", *FIELDS, "updates",
                                            "updated_at")} for r in self.collection().all()]
        return pd.DataFrame(rows, columns=["session_id", "user_id", *FIELDS, "updates",
                                           "updated_at"])

    def snapshot(self) -> list[dict[str, Any]]:
        return sorted(({"id": r.id, **r.data} for r in self.collection().all()),
                      key=lambda d: d["id"])

    def clear(self) -> None:
        self.collection().clear()
