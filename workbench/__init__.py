"""Learning Workbench: agents that learn from use, and honest measurements of whether they do.

    from workbench import Agent
    agent = Agent(model="offline", tools=[...])
    result = agent.run("...")
"""

from workbench.agent import Agent, RunContext, RunResult, Tool, tool
from workbench.errors import WorkbenchError
from workbench.tracing import Tracer

__version__ = "0.1.0"

__all__ = ["Agent", "RunContext", "RunResult", "Tool", "tool", "Tracer", "WorkbenchError",
           "__version__"]
