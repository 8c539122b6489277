"""Which learnings mattered: leave-one-learning-out re-runs.

The teaching phases run once into a base memory. Then the probe phase runs against a copy of
that memory (the full set) and against copies that each lack one learning. The difference in
the probe metric, per learning, is its contribution. With the offline model this is cheap;
with a real model, put a record/replay cache behind it so repeated prompts cost nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.eval.runner import hook, run_items
from workbench.eval.task import EvalTask, Phase, RepeatContext
from workbench.models import resolve_model
from workbench.models.types import Model


def _copy_memory(source: Any, target: Any, *, exclude: set[str] = frozenset()) -> None:
    """Copy every store's records from one machine to another, minus ``exclude`` ids."""
    for name, store in source.stores.items():
        records = [r for r in store.collection().all() if r.id not in exclude]
        target.stores[name].collection().upsert(records)
        if hasattr(target.stores[name], "reload"):
            target.stores[name].reload()


def leave_one_out(task: EvalTask, *, model: str | Model | None = None,
                  teach: Sequence[str] = ("cold",), probe: str = "warm",
                  metric: str | None = None, work_dir: str | Path = "runs/attribution",
                  seed: int = 0, options: dict[str, Any] | None = None) -> pd.DataFrame:
    """Contribution of each saved learning to the probe phase.

    Returns one row per learning (plus a ``(none removed)`` baseline row): its id and title,
    the probe metric mean with the learning removed, the delta against the full memory, and
    the probe items whose metric changed.
    """
    resolved = resolve_model(model, offline_policies=task.offline_policies())
    phases = {p.name: p for p in task.phases()}
    metric = metric or getattr(task, "GAIN_METRIC", getattr(task, "HEADLINE", ["tool_calls"])[0])
    rc = RepeatContext(0, seed, Path(work_dir), resolved, dict(options or {}))
    hook(task, "start_repeat")(rc)
    base = task.make_machine(rc, "loo-base")
    base.wipe()
    agent = task.make_agent(rc, base)
    for name in teach:  # the same protocol as the runner: items, then the phase hook
        run_items(task, agent, base, phases[name], list(phases[name].items), rc)
        hook(task, "after_phase")(phases[name], rc, base)
    store = base.stores.get("learned_knowledge")
    learnings = store.snapshot() if store is not None else []
    probe_phase: Phase = phases[probe]

    def probe_with(exclude: set[str], label: str) -> pd.Series:
        machine = task.make_machine(rc, label)
        machine.wipe()
        _copy_memory(base, machine, exclude=exclude)
        rows, _ = run_items(task, task.make_agent(rc, machine), machine, probe_phase,
                            list(probe_phase.items), rc)
        hook(task, "after_phase")(probe_phase, rc, machine)
        machine.close()
        frame = pd.DataFrame(rows)
        return frame.set_index("item_id")[metric]

    full = probe_with(set(), "loo-full")
    out = [{"learning_id": "(none removed)", "title": "", metric: full.mean(), "delta": 0.0,
            "items_changed": []}]
    for i, learning in enumerate(learnings):
        without = probe_with({learning["id"]}, f"loo-{i}")
        changed = sorted(without.index[(without - full.reindex(without.index)).abs() > 1e-9])
        out.append({"learning_id": learning["id"], "title": learning["title"],
                    metric: without.mean(), "delta": without.mean() - full.mean(),
                    "items_changed": changed})
    base.close()
    return pd.DataFrame(out).sort_values("delta", key=abs, ascending=False, ignore_index=True)
