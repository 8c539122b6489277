"""``workbench demo``: the README's main command."""

from __future__ import annotations


def run_demo(*, model: str | None = None, repeats: int = 3, runs_dir: str = "runs",
             agents: list[str] | None = None, quiet: bool = False) -> int:
    """Run a small offline agent with tools and show what it did."""
    from workbench import Agent

    def add(a: float, b: float) -> float:
        """Add two numbers."""
        return a + b

    def multiply(a: float, b: float) -> float:
        """Multiply two numbers."""
        return a * b

    agent = Agent("calculator", model=model, tools=[add, multiply])
    result = agent.run("Use add on 2 and 3, then multiply the result by 4.")
    print(f"model: {result.model}{' (offline stand-in)' if result.offline else ''}")
    for call in result.tool_calls:
        print(f"  tool {call.name}({call.arguments}) -> {call.result}")
    print(f"answer: {result.text}")
    return 0
