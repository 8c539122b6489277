"""Headline tables and standard figures for a finished run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from workbench.eval.record import RunRecord
from workbench.eval.stats import compare

DEFAULT_PAIRS = (("cold", "warm"), ("cold", "control"), ("warm", "control"))


def roles(task: Any) -> dict[str, str | None]:
    """Which phase plays cold (no memory yet), warm (memory learned) and control (wiped).

    Tasks name their phases freely; ``ROLES`` maps them, else the first of ``PAIRS`` gives
    cold and warm and a phase called "control" is the control.
    """
    explicit = getattr(task, "ROLES", None)
    if explicit:
        return {"cold": explicit.get("cold"), "warm": explicit.get("warm"),
                "control": explicit.get("control")}
    cold, warm = list(getattr(task, "PAIRS", DEFAULT_PAIRS))[0]
    return {"cold": cold, "warm": warm, "control": "control"}


def summary_table(record: RunRecord, task: Any) -> pd.DataFrame:
    """Paired deltas of the task's headline metrics (``task.HEADLINE``) across phases."""
    metrics = list(getattr(task, "HEADLINE", ["tool_calls", "model_iterations"]))
    pairs = list(getattr(task, "PAIRS", DEFAULT_PAIRS))
    table = compare(record.samples, metrics, pairs)
    if table.empty:
        return table
    return table[["metric", "a", "b", "n_questions", "mean_a", "mean_b", "delta", "ci_low",
                  "ci_high", "p_value"]]


def probe_samples(record: RunRecord) -> pd.DataFrame:
    """Samples of the probe phases only (teaching phases are not comparisons)."""
    samples = record.samples
    if "probe" in samples:
        return samples[samples["probe"].fillna(True).astype(bool)]
    return samples


def write_figures(record: RunRecord, task: Any) -> list[Path]:
    """The standard plots, as PNG files in the run folder."""
    import matplotlib.pyplot as plt

    from workbench.viz.learning import learning_curve, phase_bars

    out = record.path / "figures"
    out.mkdir(exist_ok=True)
    metrics = list(getattr(task, "HEADLINE", ["tool_calls"]))
    paths = []
    probes = probe_samples(record)
    figures = [("phases", phase_bars(probes, metrics[:4], model_label=record.label)),
               ("curve", learning_curve(probes, metrics[0], model_label=record.label))]
    extra = getattr(task, "report_figures", None)
    if callable(extra):
        figures += [(f"extra-{i}", fig) for i, (_, fig) in enumerate(extra(record), 1)]
    for name, fig in figures:
        path = out / f"{name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths
