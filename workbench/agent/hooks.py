"""The point where learning plugs into a run (the LearningMachine implements it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from workbench.agent.result import RecalledItem
from workbench.agent.tools import RunContext, Tool

if TYPE_CHECKING:
    from workbench.agent.agent import Agent
    from workbench.agent.result import ToolCallRecord


@dataclass
class TurnMemory:
    """What memory contributes to one run.

    ``guidance`` tells the model how and when to use memory tools; ``data`` holds the recalled
    items. They are kept apart so data is never mistaken for instructions.
    """

    guidance: str = ""
    data: str = ""
    tools: list[Tool] = field(default_factory=list)
    recalled: list[RecalledItem] = field(default_factory=list)


@runtime_checkable
class LearningHook(Protocol):
    """Called by the agent around every run."""

    def bind(self, agent: Agent) -> None:
        """Attach to an agent (its model, id and tracer) once, at construction."""
        ...

    def before_run(self, ctx: RunContext) -> TurnMemory:
        """Recall memory for this message and offer tools."""
        ...

    def after_run(self, ctx: RunContext, user_message: str, reply: str,
                  tool_calls: list[ToolCallRecord]) -> None:
        """Learn from the finished turn (ALWAYS extraction runs here)."""
        ...
