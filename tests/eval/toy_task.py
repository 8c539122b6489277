"""A tiny learning task for harness tests: look up a code once, remember it, reuse it."""

from __future__ import annotations

import re

from workbench import Agent
from workbench.eval import EvalItem, Phase, RepeatContext, TaskHooks
from workbench.eval.memory import experiment_machine
from workbench.learn import LearnedKnowledgeConfig
from workbench.models import OfflineView, call

CODES = {"alpha": "A-17", "bravo": "B-22", "charlie": "C-31", "delta": "D-48", "echo": "E-55"}


def lookup_code(project: str) -> str:
    """Look a project's code up in the slow registry.

    Args:
        project: the project name.
    """
    return CODES.get(project.lower(), "unknown")


def toy_policy(view: OfflineView):
    """Answer from a recalled learning when one names the project; else look it up and save."""
    if view.response_format:
        return None
    match = re.search(r"project (\w+)", view.last_user, flags=re.I)
    if not match:
        return None
    project = match.group(1).lower()
    known = re.search(rf"code of {project} is ([A-Z]-\d+)", view.system, flags=re.I)
    if known:
        return f"The code is {known.group(1)}."
    steps = view.turn_steps()
    if not steps:
        return call("lookup_code", project=project)
    if len(steps) == 1:
        code = steps[0][1]
        return call("save_learning", title=f"code of {project}",
                    learning=f"The code of {project} is {code}.")
    return f"The code is {steps[0][1]}."


class ToyTask(TaskHooks):
    name = "toy"
    HEADLINE = ["lookups", "tool_calls"]
    STORES = ("learned_knowledge",)
    GAIN_METRIC = "lookups"

    def __init__(self, crash_at: tuple[int, str, int] | None = None) -> None:
        self.crash_at = crash_at

    def describe(self):
        return {"codes": len(CODES)}

    def offline_policies(self):
        return [toy_policy]

    def phases(self):
        cold = [EvalItem(f"q-{p}", f"What is the code of project {p}?", pair_key=p, group="codes")
                for p in CODES]
        warm = [EvalItem(f"p-{p}", f"Remind me: project {p} has which code?", pair_key=p,
                         group="codes") for p in CODES]
        return [Phase("cold", cold, memory="fresh", shuffle=True), Phase("warm", warm),
                Phase("control", warm, memory="empty")]

    def make_machine(self, rc: RepeatContext, label: str):
        options = {"embedder": "hashing", **rc.options}
        rc = RepeatContext(rc.repeat, rc.seed, rc.run_dir, rc.model, options)
        return experiment_machine(rc, label, learned_knowledge=LearnedKnowledgeConfig())

    def make_agent(self, rc, machine):
        return Agent("toy", model=rc.model, tools=[lookup_code], learning=machine)

    def before_item(self, item, rc, machine):
        if self.crash_at == (rc.repeat, item.id, 0):
            raise KeyboardInterrupt("simulated crash")

    def score(self, item, result, rc, agent):
        code = CODES[item.pair_key]
        return {"lookups": len(result.calls("lookup_code")), "correct": int(code in result.text)}
