"""A custom store plugs into the machine through the same protocol as the built-in ones."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from learn_helpers import scripted_agent

from workbench.agent.result import RecalledItem
from workbench.agent.tools import RunContext, Tool
from workbench.errors import ConfigError
from workbench.learn import LearningMode, Recalled, StoreBase
from workbench.learn.context import tag
from workbench.models import call


class _Config:
    mode = LearningMode.AGENTIC


class ProjectNotes(StoreBase):
    """Notes per project, kept in memory: recall by project name in the message."""

    name = "project_notes"

    def __init__(self) -> None:
        super().__init__(_Config())
        self.notes: dict[str, list[str]] = {}

    def recall(self, turn) -> Recalled:
        hits = [(p, n) for p, notes in self.notes.items() for n in notes
                if p.lower() in turn.message.lower()]
        if not hits:
            return Recalled()
        items = [RecalledItem(self.name, f"{p}:{i}", n) for i, (p, n) in enumerate(hits)]
        return Recalled(tag("project_notes", "\n".join(f"- {p}: {n}" for p, n in hits)), items)

    def guidance(self) -> str:
        return "- project_notes: save decisions about a project with note_project."

    def write_tools(self) -> set[str]:
        return {"note_project"}

    def tools(self, turn) -> list[Tool]:
        store = self

        def note_project(project: str, note: str, ctx: RunContext) -> str:
            """Keep a note about a project.

            Args:
                project: the project name.
                note: what to remember.
            """
            store.notes.setdefault(project, []).append(note)
            return f"Noted for {project}."

        return [Tool(note_project)]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"project": p, "note": n} for p, ns in self.notes.items()
                             for n in ns])

    def snapshot(self) -> list[dict[str, Any]]:
        return [{"id": p, "notes": n} for p, n in sorted(self.notes.items())]

    def clear(self) -> None:
        self.notes.clear()


def test_custom_store_gets_tools_guidance_recall_and_frames(make_machine):
    store = ProjectNotes()
    machine = make_machine(custom_stores={"project_notes": store})
    agent, model = scripted_agent(machine, [call("note_project", project="Atlas",
                                                 note="ship on May 5"), "noted", "ok"])
    first = agent.run("For Atlas we decided to ship on May 5.", user_id="u1")
    assert first.tool_calls[0].result == "Noted for Atlas."
    assert "note_project" in {t.name for t in model.requests[0].tools}
    assert "project_notes: save decisions" in model.requests[0].messages[0].content
    second = agent.run("When does Atlas ship?", user_id="u1")
    assert "<project_notes>" in model.requests[-1].messages[0].content
    assert [r.item_id for r in second.recalled] == ["Atlas:0"]
    assert machine.to_frames()["project_notes"].to_dict("records") == [
        {"project": "Atlas", "note": "ship on May 5"}]
    machine.wipe()
    assert store.notes == {}


def test_custom_stores_are_checked_at_construction(make_machine):
    with pytest.raises(ConfigError, match="does not implement"):
        make_machine(custom_stores={"bad": object()})
    with pytest.raises(ConfigError, match="clashes"):
        make_machine(user_profile=True, custom_stores={"user_profile": ProjectNotes()})
