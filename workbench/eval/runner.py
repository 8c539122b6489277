"""Run an :class:`EvalTask` through its phases, K repeats, into a resumable run folder.

Resuming: each finished repeat leaves a marker. An interrupted run restarts its unfinished
repeat from a clean memory and drops that repeat's partial rows first, so no sample is lost
and none is duplicated. (With a real model behind a record/replay cache, re-running the
unfinished part costs nothing.)
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.errors import EvalError, WorkbenchError
from workbench.eval.record import (
    SCHEMA_VERSION,
    RunRecord,
    append_jsonl,
    environment_summary,
    git_revision,
    load_run,
    make_run_dir,
    package_versions,
    read_jsonl,
    write_json,
)
from workbench.eval.task import EvalItem, EvalTask, Phase, RepeatContext, TaskHooks
from workbench.models import is_offline, resolve_model
from workbench.models.types import Model


def hook(task: EvalTask, name: str) -> Callable[..., Any]:
    return getattr(task, name, getattr(TaskHooks(), name))


def _rewrite_without_repeat(path: Path, repeat: int) -> None:
    rows = [r for r in read_jsonl(path) if r.get("repeat") != repeat]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows))
    tmp.replace(path)


def sample_row(item: EvalItem, result: Any) -> dict[str, Any]:
    """The harness's standard per-sample fields, from a RunResult."""
    memory_writes = [e for e in result.events if e.kind == "memory_write"]
    return {
        "item_id": item.id, "pair_key": item.pair_key or item.id, "group": item.group,
        "input": item.input, "answer": result.text, "status": "ok", "error": None,
        "tool_calls": len(result.tool_calls),
        "tool_errors": sum(1 for c in result.tool_calls if c.error),
        "tool_sequence": [c.name for c in result.tool_calls],
        "model_iterations": result.iterations, "stop_reason": result.stop_reason,
        "tokens_in": result.usage.prompt_tokens, "tokens_out": result.usage.completion_tokens,
        "latency_s": result.timings.total_s, "model_s": result.timings.model_s,
        "memory_s": result.timings.memory_s,
        "recalled": len(result.recalled),
        "recalled_ids": [r.item_id for r in result.recalled],
        "recalled_stores": sorted({r.store for r in result.recalled}),
        "memory_writes": len(memory_writes),
    }


def _trace_row(item: EvalItem, phase: str, repeat: int, result: Any) -> dict[str, Any]:
    return {"repeat": repeat, "phase": phase, "item_id": item.id, "run_id": result.run_id,
            "tool_calls": [{"name": c.name, "arguments": c.arguments, "result": c.result[:2000],
                            "error": c.error} for c in result.tool_calls],
            "recalled": [{"store": r.store, "id": r.item_id, "text": r.text[:1000],
                          "score": r.score} for r in result.recalled],
            "events": [{"kind": e.kind, "name": e.name, "start": round(e.start, 6),
                        "ms": round(e.duration_ms, 3), "status": e.status,
                        "tokens": e.tokens_in + e.tokens_out} for e in result.events]}


def run_experiment(task: EvalTask, *, model: str | Model | None = None, repeats: int = 3,
                   seed: int = 0, runs_dir: str | Path = "runs", run_dir: str | Path | None = None,
                   progress: bool = True, replay_dir: str | Path | None = None,
                   replay_mode: str = "auto", options: dict[str, Any] | None = None) -> RunRecord:
    """Run the protocol ``repeats`` times and return the loaded run record.

    Args:
        task: the experiment.
        model: ``"offline"`` (default without a key), a model name, or a Model.
        repeats: K; repeat k uses seed ``seed + k`` (item order within shuffled phases).
        runs_dir: parent folder for a new run.
        run_dir: an existing run folder to resume (or a new folder to create).
        progress: show progress bars.
        replay_dir: record/replay cache for a real model.
        options: knobs passed to the task via ``RepeatContext.options`` and recorded.
    """
    resolved = resolve_model(model, offline_policies=task.offline_policies(),
                             replay_dir=replay_dir, replay_mode=replay_mode)
    phases = task.phases()
    if run_dir is not None and (Path(run_dir) / "config.json").exists():
        path = Path(run_dir)
        config = json.loads((path / "config.json").read_text())
        if config.get("task") != task.name or config.get("model") != resolved.name:
            raise EvalError(f"cannot resume {path}: it is a {config.get('task')} run with "
                            f"{config.get('model')}, not {task.name} with {resolved.name}")
    else:
        path = Path(run_dir) if run_dir else make_run_dir(runs_dir, task.name, resolved.name)
        path.mkdir(parents=True, exist_ok=True)
        config = {
            "schema_version": SCHEMA_VERSION, "task": task.name, "model": resolved.name,
            "endpoint": resolved.endpoint, "offline": is_offline(resolved), "repeats": repeats,
            "seed": seed, "options": options or {}, "task_config": task.describe(),
            "phases": [{"name": p.name, "memory": p.memory, "items": len(p.items),
                        "shuffle": p.shuffle} for p in phases],
            "git_revision": git_revision(), "packages": package_versions(),
            "environment": environment_summary(),
        }
        write_json(path / "config.json", config)
    (path / "repeats").mkdir(exist_ok=True)
    for repeat in range(int(config["repeats"])):
        if (path / "repeats" / f"{repeat}.done").exists():
            continue
        for name in ("samples.jsonl", "phases.jsonl"):
            _rewrite_without_repeat(path / name, repeat)
        rc = RepeatContext(repeat, int(config["seed"]) + repeat, path, resolved,
                           dict(config.get("options") or {}))
        (path / "traces" / f"r{repeat}.jsonl").unlink(missing_ok=True)
        _run_repeat(task, phases, rc, progress)
        (path / "repeats" / f"{repeat}.done").write_text("done\n")
    return load_run(path)


def run_items(task: EvalTask, agent: Any, machine: Any, phase: Phase, items: list[EvalItem],
              rc: RepeatContext, on_item: Callable[[], None] | None = None,
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run items of a phase, each in a fresh session; returns (sample rows, trace rows)."""
    rows, traces = [], []
    for index, item in enumerate(items):
        hook(task, "before_item")(item, rc, machine)
        base = {"repeat": rc.repeat, "seed": rc.seed, "phase": phase.name, "index": index,
                "probe": phase.probe}
        session = item.session_id or f"r{rc.repeat}-{phase.name}-{item.id}"
        try:
            result = agent.run(item.input, user_id=item.user_id, session_id=session,
                               run_id=f"r{rc.repeat}-{phase.name}-{index}")
            row = {**base, **sample_row(item, result), **task.score(item, result, rc, agent)}
            traces.append(_trace_row(item, phase.name, rc.repeat, result))
        except WorkbenchError as exc:
            row = {**base, "item_id": item.id, "pair_key": item.pair_key or item.id,
                   "group": item.group, "input": item.input, "status": "error",
                   "error": f"{type(exc).__name__}: {exc}"}
        machine.flush()
        rows.append(row)
        if on_item is not None:
            on_item()
    return rows, traces


def _run_repeat(task: EvalTask, phases: list[Phase], rc: RepeatContext, progress: bool) -> None:
    from tqdm.auto import tqdm

    (rc.run_dir / "traces").mkdir(exist_ok=True)
    hook(task, "start_repeat")(rc)
    main = task.make_machine(rc, "main")
    # A restarted repeat may find a crashed attempt's memory: start from empty, through the
    # store API (the ChromaDB client may still hold those files open in this process).
    main.wipe()
    agent = task.make_agent(rc, main)
    total = sum(len(p.items) for p in phases)
    bar = tqdm(total=total, desc=f"{task.name} repeat {rc.repeat + 1}", disable=not progress,
               leave=False)
    for p_index, phase in enumerate(phases):
        machine, runner = main, agent
        if phase.memory == "fresh" and p_index > 0:
            main.wipe()
        elif phase.memory == "empty":
            machine = task.make_machine(rc, f"control-{phase.name}")
            machine.wipe()
            runner = task.make_agent(rc, machine)
        elif phase.memory == "decay":
            hook(task, "decay")(main, rc)
        elif phase.memory == "poison":
            hook(task, "poison")(main, rc)
        items = list(phase.items)
        if phase.shuffle:
            random.Random(rc.seed * 1000 + p_index).shuffle(items)
        rows, traces = run_items(task, runner, machine, phase, items, rc,
                                 on_item=lambda: bar.update(1))
        append_jsonl(rc.run_dir / "samples.jsonl", rows)
        append_jsonl(rc.run_dir / "traces" / f"r{rc.repeat}.jsonl", traces)
        metrics = hook(task, "after_phase")(phase, rc, machine)
        if metrics:
            append_jsonl(rc.run_dir / "phases.jsonl",
                         [{"repeat": rc.repeat, "phase": phase.name, **metrics}])
        if machine is not main:
            machine.close()
    write_json(rc.run_dir / "memory" / f"r{rc.repeat}-snapshot.json", main.snapshot())
    main.close()
    bar.close()
