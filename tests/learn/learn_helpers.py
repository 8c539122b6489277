"""Plain helpers shared by the learning-store tests (fixtures live in conftest.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from workbench import Agent
from workbench.learn import LearningMachine
from workbench.models import ScriptedModel


def scripted_agent(machine: LearningMachine | None, script: Sequence[Any] | Any, *,
                   name: str = "agent", max_iterations: int = 20) -> tuple[Agent, ScriptedModel]:
    """An agent whose model replays ``script``; it also answers the machine's extraction.

    (A machine adopts the model of the *first* agent it is bound to; tests that build several
    agents on one machine want each new script to answer the extraction too.)
    """
    model = ScriptedModel(script)
    agent = Agent(name, model=model, learning=machine, max_iterations=max_iterations)
    if machine is not None:
        machine.model = model
    return agent, model


def tool_names(request) -> set[str]:
    """The tool names a model request offered."""
    return {t.name for t in request.tools}


def tool_spec(request, name: str):
    return next(t for t in request.tools if t.name == name)


def extraction_requests(model: ScriptedModel) -> list:
    return [r for r in model.requests if r.response_format is not None]


def events(result, kind: str | None = None, name: str | None = None) -> list:
    return [e for e in result.events if (kind is None or e.kind == kind)
            and (name is None or e.name == name)]


def canonical(value: Any) -> str:
    """A stable JSON form for exact comparisons."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
