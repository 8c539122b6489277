"""Decision log: decisions with reasoning and alternatives, and their outcomes later.

Every decision is its own record keyed by its id, so ``record_outcome`` finds it at any age,
and recall is by relevance to the current message (scoped to the agent).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.agent.result import RecalledItem
from workbench.agent.tools import RunContext, Tool
from workbench.errors import ToolError
from workbench.learn.base import Recalled, StoreBase
from workbench.learn.config import DecisionLogConfig
from workbench.learn.context import TurnContext, iso, stable_id, tag
from workbench.storage.records import Record, where

QUALITIES = ("good", "bad", "neutral")


def _render(d: dict[str, Any]) -> str:
    lines = [f"[{d['id']}] {d['decision']}"]
    if d.get("reasoning"):
        lines.append(f"  reasoning: {d['reasoning']}")
    if d.get("alternatives"):
        lines.append(f"  alternatives: {', '.join(d['alternatives'])}")
    if d.get("outcome"):
        quality = f" ({d['outcome_quality']})" if d.get("outcome_quality") else ""
        lines.append(f"  outcome{quality}: {d['outcome']}")
    lines.append(f"  logged: {d['created_at'][:10]}")
    return "\n".join(lines)


class DecisionLogStore(StoreBase):
    """Log decisions, record outcomes by id, search by relevance."""

    name = "decision_log"
    config: DecisionLogConfig

    def log(self, decision: str, *, reasoning: str | None = None,
            decision_type: str | None = None, alternatives: list[str] | None = None,
            confidence: float | None = None, context: str | None = None,
            tags: list[str] | None = None, agent_id: str | None = None,
            user_id: str | None = None, session_id: str | None = None,
            run_id: str | None = None) -> str:
        if not decision.strip():
            raise ToolError("a decision needs a non-empty description")
        if confidence is not None and not 0 <= confidence <= 1:
            raise ToolError("confidence must be between 0 and 1")
        when = iso(self.now())
        decision_id = stable_id(agent_id, decision, when, run_id, prefix="dec_")
        data = {"id": decision_id, "decision": decision.strip(), "reasoning": reasoning,
                "decision_type": decision_type, "alternatives": list(alternatives or []),
                "confidence": confidence, "context": context, "tags": list(tags or []),
                "agent_id": agent_id, "user_id": user_id, "session_id": session_id,
                "run_id": run_id, "created_at": when, "outcome": None, "outcome_quality": None}
        meta = {"agent_id": agent_id or "-", "decision_type": decision_type or "-",
                "created_at": when, "has_outcome": False}
        with self.write_span("log", decision_id=decision_id):
            self.collection().upsert([Record(decision_id, _render(data), meta, data)])
        return decision_id

    def get(self, decision_id: str) -> dict[str, Any] | None:
        record = self.collection().get_one(decision_id)
        return dict(record.data) if record else None

    def record_outcome(self, decision_id: str, outcome: str, quality: str | None = None, *,
                       run_id: str | None = None) -> None:
        record = self.collection().get_one(decision_id)
        if record is None:
            raise ToolError(f"no decision with id {decision_id!r}")
        if quality is not None and quality not in QUALITIES:
            raise ToolError(f"quality must be one of {QUALITIES}")
        data = {**record.data, "outcome": outcome, "outcome_quality": quality,
                "outcome_at": iso(self.now()), "outcome_run_id": run_id}
        with self.write_span("record_outcome", decision_id=decision_id):
            self.collection().upsert([Record(decision_id, _render(data),
                                             {**record.meta, "has_outcome": True}, data)])

    def search(self, query: str, *, agent_id: str | None = None, limit: int = 5,
               embedding=None) -> list[tuple[dict[str, Any], float]]:
        col = self.collection()
        vector = embedding if embedding is not None else col.embed([query])[0]
        hits = col.query(vector, filter=where(agent_id=agent_id), k=limit)
        return [(r.data, s) for r, s in hits if s >= self.config.min_score]

    # -- per turn ---------------------------------------------------------------------------

    def recall(self, turn: TurnContext) -> Recalled:
        def build() -> Recalled:
            if not turn.message.strip():
                return Recalled()
            hits = self.search(turn.message, agent_id=turn.agent_id, limit=self.config.limit,
                               embedding=turn.embedding)
            if not hits:
                return Recalled()
            items = [RecalledItem(self.name, d["id"], _render(d), s) for d, s in hits]
            return Recalled(tag("decision_log", "\n".join(i.text for i in items)), items)

        return self.traced_recall(turn, build)

    def guidance(self) -> str:
        return ("- decision_log: log significant decisions with log_decision (reasoning and "
                "alternatives); check past decisions with search_decisions; when the result "
                "of a decision becomes known, call record_outcome with its id.")

    def write_tools(self) -> set[str]:
        return {"log_decision", "record_outcome"}

    def tools(self, turn: TurnContext) -> list[Tool]:
        store = self

        def log_decision(decision: str, ctx: RunContext, reasoning: str | None = None,
                         decision_type: str | None = None,
                         alternatives: list[str] | None = None,
                         confidence: float | None = None, context: str | None = None,
                         tags: list[str] | None = None) -> str:
            """Record a decision you made, why, and what else was considered.

            Args:
                decision: what was decided.
                reasoning: why.
                decision_type: a category, e.g. "investment" or "tool_selection".
                alternatives: options considered and rejected.
                confidence: 0 to 1.
                context: the situation the decision was made in.
                tags: labels for later search.
            """
            decision_id = store.log(decision, reasoning=reasoning, decision_type=decision_type,
                                    alternatives=alternatives, confidence=confidence,
                                    context=context, tags=tags, agent_id=ctx.agent_id,
                                    user_id=ctx.user_id, session_id=ctx.session_id,
                                    run_id=ctx.run_id)
            return f"Decision logged: {decision_id}"

        def record_outcome(decision_id: str, outcome: str, ctx: RunContext,
                           quality: str | None = None) -> str:
            """Attach the observed outcome to an earlier decision (found by id at any age).

            Args:
                decision_id: the id returned by log_decision.
                outcome: what happened.
                quality: "good", "bad" or "neutral".
            """
            decision = store.get(decision_id)
            if decision is not None and decision.get("agent_id") not in (None, ctx.agent_id):
                raise ToolError(f"decision {decision_id} belongs to another agent")
            store.record_outcome(decision_id, outcome, quality, run_id=ctx.run_id)
            return f"Outcome recorded for {decision_id}."

        def search_decisions(query: str, ctx: RunContext, limit: int = 5) -> str:
            """Find past decisions relevant to a query (most relevant first).

            Args:
                query: what to look for.
                limit: how many to return.
            """
            hits = store.search(query, agent_id=ctx.agent_id, limit=limit)
            if not hits:
                return "No matching decisions."
            return "\n".join(_render(d) for d, _ in hits)

        return [Tool(log_decision), Tool(record_outcome), Tool(search_decisions)]

    # -- notebooks --------------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        columns = ["id", "decision", "decision_type", "reasoning", "alternatives", "confidence",
                   "outcome", "outcome_quality", "agent_id", "created_at"]
        rows = [{k: r.data.get(k) for k in columns} for r in self.collection().all()]
        return pd.DataFrame(rows, columns=columns).sort_values("created_at", ignore_index=True)

    def snapshot(self) -> list[dict[str, Any]]:
        return sorted((r.data for r in self.collection().all()), key=lambda d: d["id"])

    def clear(self) -> None:
        self.collection().clear()
