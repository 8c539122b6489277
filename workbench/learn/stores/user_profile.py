"""User profile: one record per user, updated in place, with an auditable field history."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.agent.result import RecalledItem
from workbench.agent.tools import RunContext, Tool
from workbench.errors import ConfigError, ExtractionError, ToolError
from workbench.learn.base import Commit, ExtractionSpec, Recalled, StoreBase
from workbench.learn.config import UserProfileConfig
from workbench.learn.context import TurnContext, iso, tag
from workbench.storage.records import Record


@dataclass
class UserProfile:
    """The default profile fields. Subclass it to add fields; descriptions reach the model.

    Example::

        @dataclass
        class MyProfile(UserProfile):
            timezone: str | None = field(default=None, metadata={"description": "IANA zone"})
    """

    name: str | None = field(default=None, metadata={"description": "The user's full name"})
    preferred_name: str | None = field(
        default=None, metadata={"description": "How the user likes to be addressed"})


def profile_fields(schema: type) -> dict[str, str]:
    """Field name → description for a profile schema."""
    if not (dataclasses.is_dataclass(schema) and issubclass(schema, UserProfile)):
        raise ConfigError(f"profile schema must be a dataclass subclassing UserProfile: {schema}")
    return {f.name: f.metadata.get("description", f"The user's {f.name.replace('_', ' ')}")
            for f in dataclasses.fields(schema)}


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


class UserProfileStore(StoreBase):
    """One profile per user; ``history`` keeps every change (old, new, when, which run)."""

    name = "user_profile"

    def __init__(self, config: UserProfileConfig) -> None:
        super().__init__(config)
        self.schema = config.schema or UserProfile
        self.fields = profile_fields(self.schema)

    # -- data API ---------------------------------------------------------------------------

    def _record(self, user_id: str) -> Record | None:
        return self.collection().get_one(f"profile:{user_id}")

    def get(self, user_id: str) -> dict[str, Any]:
        """The user's current field values (missing fields are absent)."""
        record = self._record(user_id)
        return dict(record.data.get("fields", {})) if record else {}

    def history(self, user_id: str) -> list[dict[str, Any]]:
        record = self._record(user_id)
        return list(record.data.get("history", [])) if record else []

    def update(self, user_id: str, values: dict[str, Any], *, run_id: str | None = None,
               source: str = "api") -> list[str]:
        """Set fields; returns the names that changed. Unknown fields are an error."""
        unknown = sorted(set(values) - set(self.fields))
        if unknown:
            raise ToolError(f"unknown profile field(s) {unknown}; known: {sorted(self.fields)}")
        record = self._record(user_id)
        data = record.data if record else {"user_id": user_id, "fields": {}, "history": []}
        changed = []
        when = iso(self.now())
        for key, value in values.items():
            value = value.strip() if isinstance(value, str) else value
            if value in (None, "") or data["fields"].get(key) == value:
                continue
            data["history"].append({"field": key, "old": data["fields"].get(key), "new": value,
                                    "at": when, "run_id": run_id, "source": source})
            data["fields"][key] = value
            changed.append(key)
        if changed:
            with self.write_span("update", record_id=f"profile:{user_id}", user_id=user_id,
                                 fields=changed):
                text = "; ".join(f"{_label(k)}: {v}" for k, v in data["fields"].items())
                self.collection().upsert([Record(f"profile:{user_id}", text or user_id,
                                                 {"user_id": user_id, "updated_at": when}, data)])
        return changed

    # -- per turn ---------------------------------------------------------------------------

    def recall(self, turn: TurnContext) -> Recalled:
        def build() -> Recalled:
            if not turn.user_id:
                return Recalled()
            values = self.get(turn.user_id)
            if not values:
                return Recalled()
            lines = [f"{_label(k)}: {values[k]}" for k in self.fields if values.get(k)]
            item = RecalledItem(self.name, f"profile:{turn.user_id}", "; ".join(lines))
            return Recalled(tag("user_profile", "\n".join(lines)), [item])

        return self.traced_recall(turn, build)

    def guidance(self) -> str:
        if not self.exposes_tools:
            return ""
        return ("- user_profile: when the user states a detail that fits a profile field "
                f"({', '.join(self.fields)}), call update_user_profile. The conversation "
                "wins over stored values.")

    def write_tools(self) -> set[str]:
        return {"update_user_profile"}

    def tools(self, turn: TurnContext) -> list[Tool]:
        if not self.exposes_tools or not turn.user_id:
            return []
        store = self

        def update_user_profile(ctx: RunContext, **values: str | None) -> str:
            changed = store.update(ctx.user_id or "", {k: v for k, v in values.items() if v},
                                   run_id=ctx.run_id, source="agent")
            return (f"Profile updated: {', '.join(changed)}." if changed
                    else "No change: the profile already holds these values.")

        params = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=RunContext)]
        params += [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=None,
                                     annotation=str | None) for k in self.fields]
        update_user_profile.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        update_user_profile.__annotations__ = {p.name: p.annotation for p in params}
        args = "\n".join(f"    {k}: {d}." for k, d in self.fields.items())
        update_user_profile.__doc__ = (
            "Save details the user explicitly shared about themselves into their profile.\n\n"
            f"Args:\n{args}\n")
        return [Tool(update_user_profile)]

    # -- ALWAYS extraction ------------------------------------------------------------------

    def extraction_spec(self, turn: TurnContext) -> ExtractionSpec | None:
        if not turn.user_id:
            return None
        props = {k: {"type": ["string", "null"], "description": d} for k, d in self.fields.items()}
        current = self.get(turn.user_id)
        state = "\n".join(f"{k}: {v}" for k, v in current.items()) or "(empty)"
        return ExtractionSpec(
            schema={"type": "object", "properties": props, "additionalProperties": False},
            instructions=("user_profile: fields the user explicitly states about themselves in "
                          "this turn; null for anything not stated. Never infer."),
            state=f"Current profile:\n{state}")

    def plan_extraction(self, turn: TurnContext, part: Any) -> Commit:
        if not isinstance(part, dict):
            raise ExtractionError("user_profile part must be an object")
        values = {k: v for k, v in part.items() if v not in (None, "")}
        unknown = set(values) - set(self.fields)
        if unknown:
            raise ExtractionError(f"user_profile: unknown fields {sorted(unknown)}")
        return lambda: self.update(turn.user_id or "", values, run_id=turn.run_id,
                                   source="extraction")

    # -- notebooks --------------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for record in self.collection().all():
            for key, value in record.data.get("fields", {}).items():
                rows.append({"user_id": record.data.get("user_id"), "field": key, "value": value})
        return pd.DataFrame(rows, columns=["user_id", "field", "value"])

    def history_frame(self) -> pd.DataFrame:
        rows = [{"user_id": r.data.get("user_id"), **h} for r in self.collection().all()
                for h in r.data.get("history", [])]
        return pd.DataFrame(rows)

    def snapshot(self) -> list[dict[str, Any]]:
        return sorted(({"id": r.id, **r.data} for r in self.collection().all()),
                      key=lambda d: d["id"])

    def clear(self) -> None:
        self.collection().clear()
