"""The self-improvement benchmark: an ablation grid over memory settings, for every agent.

Each cell changes one thing against the agent's own baseline (one-factor-at-a-time): a store
off, a store's mode, the retrieval depth k, the embedder, or (Dash) the context level. Each
cell runs the agent's learning-over-time protocol and yields one tidy row per agent × cell
with cold, warm and control values of the agent's gain metric, the learning gain, and where
the time and tokens went (extraction, embedding, retrieval, model, tools).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.eval.record import read_jsonl
from workbench.eval.registry import task_class
from workbench.eval.runner import run_experiment
from workbench.eval.summary import roles

COLUMNS = ["agent", "cell", "axis", "value", "metric", "direction", "cold", "warm", "control",
           "gain", "gain_vs_control", "status", "error", "model", "offline", "run",
           "share_extraction", "share_embedding", "share_retrieval", "share_memory_write",
           "share_model", "share_tools", "share_framework", "tokens_main", "tokens_extraction",
           "seconds"]


@dataclass(frozen=True)
class Cell:
    """One grid point: a label and the run options that differ from the baseline."""

    name: str
    axis: str
    value: str
    options: dict[str, Any] = field(default_factory=dict)


def cells_for(agent: str, grid: dict[str, Any]) -> list[Cell]:
    """The cells of ``grid`` that apply to ``agent`` (baseline first)."""
    cls = task_class(agent)
    stores = list(getattr(cls, "STORES", ()))
    out = [Cell("baseline", "baseline", "-")]
    for store in grid.get("stores_off", stores):
        if store in stores:
            out.append(Cell(f"{store} off", "store off", store, {"disable_stores": [store]}))
    for store, modes in grid.get("modes", {}).items():
        if store in stores:
            for mode in modes:
                out.append(Cell(f"{store}={mode}", "mode", f"{store}={mode}",
                                {"modes": {store: mode}}))
    for k in grid.get("k", []):
        out.append(Cell(f"k={k}", "k", str(k), {"k": k}))
    for embedder in grid.get("embedder", []):
        out.append(Cell(f"embedder={embedder}", "embedder", embedder, {"embedder": embedder}))
    if agent == "dash":
        for level in grid.get("context_level", []):
            out.append(Cell(f"context={level}", "context level", level,
                            {"context_level": level}))
    return out


def load_grid(spec: str | dict[str, Any]) -> dict[str, Any]:
    """A grid from a dict, a JSON file, or a name of a file in ``evals/``."""
    if isinstance(spec, dict):
        return spec
    path = Path(spec)
    if not path.exists():
        path = Path(__file__).resolve().parents[2] / "evals" / f"self_improvement_{spec}.json"
    return json.loads(path.read_text())


def self_times(events: list[dict[str, Any]]) -> dict[str, float]:
    """Exclusive milliseconds per event kind: each span minus the spans nested inside it.

    A memory write inside a tool call counts as memory_write, not as the tool's own time; an
    embedding inside retrieval counts as embedding. The run span's own time is framework time.
    """
    spans = sorted(({"kind": e["kind"], "start": float(e.get("start", 0.0)),
                     "end": float(e.get("start", 0.0)) + float(e["ms"]) / 1000.0,
                     "ms": float(e["ms"])} for e in events),
                   key=lambda e: (e["start"], -e["end"]))
    out: dict[str, float] = {}
    stack: list[dict[str, Any]] = []
    for span in spans:
        while stack and span["start"] >= stack[-1]["end"] - 1e-9:
            stack.pop()
        if stack:
            stack[-1]["ms"] -= span["ms"]  # the parent's own time excludes this child
        stack.append(span)
    for span in spans:
        out[span["kind"]] = out.get(span["kind"], 0.0) + max(0.0, span["ms"])
    return out


def time_shares(run_dir: Path) -> dict[str, float]:
    """Where a run's time and tokens went, from its trace files.

    Shares are exclusive (see :func:`self_times`) fractions of total agent-run time, so they
    add up to 1 with ``share_framework``.
    """
    ms: dict[str, float] = {}
    tokens: dict[str, float] = {}
    total = 0.0
    for trace in sorted((run_dir / "traces").glob("*.jsonl")):
        for row in read_jsonl(trace):
            events = row.get("events", [])
            total += sum(float(e["ms"]) for e in events if e["kind"] == "run")
            for kind, value in self_times(events).items():
                ms[kind] = ms.get(kind, 0.0) + value
            for event in events:
                tokens[event["kind"]] = tokens.get(event["kind"], 0.0) + float(
                    event.get("tokens", 0))
    total = total or sum(ms.values()) or 1.0
    kinds = {"extraction": "extraction", "embedding": "embedding", "retrieval": "memory_read",
             "memory_write": "memory_write", "model": "model_call", "tools": "tool_call",
             "framework": "run"}
    out = {f"share_{name}": ms.get(kind, 0.0) / total for name, kind in kinds.items()}
    out["tokens_main"] = tokens.get("model_call", 0.0)
    out["tokens_extraction"] = tokens.get("extraction", 0.0)
    return out


def _gain(cold: float, warm: float, direction: str) -> float:
    if pd.isna(cold) or pd.isna(warm):
        return float("nan")
    if direction == "lower":
        return (cold - warm) / cold if cold else 0.0
    return warm - cold


def run_cell(agent: str, cell: Cell, *, model: str | None, repeats: int, runs_dir: Path,
             progress: bool = False) -> dict[str, Any]:
    """Run one agent × cell and return its tidy row (errors become a row, not a crash)."""
    cls = task_class(agent)
    metric = getattr(cls, "GAIN_METRIC", getattr(cls, "HEADLINE", ["tool_calls"])[0])
    direction = getattr(cls, "GAIN_DIRECTION", "lower")
    row: dict[str, Any] = {"agent": agent, "cell": cell.name, "axis": cell.axis,
                           "value": cell.value, "metric": metric, "direction": direction}
    task_options = {k: v for k, v in cell.options.items() if k == "context_level"}
    try:
        task = cls(**task_options)
        record = run_experiment(task, model=model, repeats=repeats, runs_dir=runs_dir,
                                options=cell.options, progress=progress)
    except WorkbenchError as exc:
        return {**row, "status": "error", "error": f"{type(exc).__name__}: {exc}"}
    samples = record.samples
    ok = samples[samples.get("status", "ok") == "ok"] if not samples.empty else samples
    means = ok.groupby("phase")[metric].mean() if metric in ok else pd.Series(dtype=float)
    role = roles(cls)
    cold, warm = means.get(role["cold"], float("nan")), means.get(role["warm"], float("nan"))
    control = means.get(role["control"], float("nan")) if role["control"] else float("nan")
    row.update(cold=cold, warm=warm, control=control, gain=_gain(cold, warm, direction),
               gain_vs_control=_gain(control, warm, direction), status="ok", error=None,
               model=record.model, offline=record.offline, run=str(record.path),
               seconds=float(ok["latency_s"].sum()) if "latency_s" in ok else float("nan"))
    row.update(time_shares(record.path))
    return row


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text).strip("-")


def run_grid(grid: str | dict[str, Any] = "default", *, model: str | None = None,
             runs_dir: str | Path = "runs", progress: bool = True) -> pd.DataFrame:
    """Run the whole grid; returns one tidy DataFrame (also written next to the runs)."""
    from tqdm.auto import tqdm

    spec = load_grid(grid)
    root = Path(runs_dir) / "self-improvement"
    root.mkdir(parents=True, exist_ok=True)
    plan = [(agent, cell) for agent in spec.get("agents", []) for cell in cells_for(agent, spec)]
    rows = []
    for agent, cell in tqdm(plan, desc="self-improvement grid", disable=not progress):
        rows.append(run_cell(agent, cell, model=model, repeats=int(spec.get("repeats", 1)),
                             runs_dir=root / agent / _slug(cell.name)))
    frame = pd.DataFrame(rows).reindex(columns=COLUMNS)
    frame.to_csv(root / "grid.csv", index=False)
    return frame
