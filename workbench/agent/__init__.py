"""Agent runtime: the tool-calling loop, tool schemas, run results."""

from workbench.agent.agent import Agent
from workbench.agent.hooks import LearningHook, TurnMemory
from workbench.agent.result import RecalledItem, RunResult, Timings, ToolCallRecord
from workbench.agent.tools import RunContext, Tool, ToolOutcome, as_tool, tool

__all__ = ["Agent", "LearningHook", "TurnMemory", "RecalledItem", "RunResult", "Timings",
           "ToolCallRecord", "RunContext", "Tool", "ToolOutcome", "as_tool", "tool"]
