"""The one way experiments build their memory, so every ablation knob works for every agent.

``experiment_machine(rc, label, user_profile=..., learned_knowledge=...)`` applies the run's
options on top of the agent's own store configs:

* ``disable_stores``: store names to leave off;
* ``modes``: ``{store: "always" | "agentic" | "propose"}`` (an unsupported mode raises);
* ``k``: retrieval depth for every store that has one;
* ``embedder``: ``"minilm"`` (default), ``"hashing"``, ``"openai"``;
* ``clock_start``: the simulated time the memory starts at.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from workbench.eval.task import RepeatContext
from workbench.learn import (
    DecisionLogConfig,
    EntityMemoryConfig,
    LearnedKnowledgeConfig,
    LearningMachine,
    LearningMode,
    SessionContextConfig,
    SteppingClock,
    UserMemoryConfig,
    UserProfileConfig,
)

DEFAULT_CONFIGS = {
    "user_profile": UserProfileConfig, "user_memory": UserMemoryConfig,
    "session_context": SessionContextConfig, "entity_memory": EntityMemoryConfig,
    "learned_knowledge": LearnedKnowledgeConfig, "decision_log": DecisionLogConfig,
}
K_FIELD = {"user_memory": "limit", "learned_knowledge": "limit", "decision_log": "limit",
           "entity_memory": "max_entities_in_context"}


def apply_options(stores: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """Store configs with the ablation options applied (configs are replaced, never mutated)."""
    disabled = set(options.get("disable_stores") or ())
    modes = options.get("modes") or {}
    k = options.get("k")
    out: dict[str, Any] = {}
    for name, config in stores.items():
        if name in disabled or config in (None, False):
            continue
        if config is True:
            config = DEFAULT_CONFIGS[name]()
        changes: dict[str, Any] = {}
        if name in modes:
            changes["mode"] = LearningMode(modes[name])
        if k is not None and name in K_FIELD:
            changes[K_FIELD[name]] = int(k)
        out[name] = dataclasses.replace(config, **changes) if changes else config
    return out


def experiment_machine(rc: RepeatContext, label: str, *, knowledge: Any = None,
                       namespace: str = "global", background: bool = False,
                       **stores: Any) -> LearningMachine:
    """A LearningMachine for one repeat, in ``rc.memory_dir / label``, with options applied."""
    options = rc.options
    configured = apply_options(stores, options)
    if knowledge is not None and "learned_knowledge" not in configured:
        knowledge = None
    clock = SteppingClock(options.get("clock_start", "2026-01-05T09:00:00Z"))
    return LearningMachine(**configured, knowledge=knowledge, namespace=namespace,
                           embedder=options.get("embedder"), data_dir=rc.memory_dir / label,
                           clock=clock, background=background)
