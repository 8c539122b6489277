"""Plots of learning over time. Every figure names the model that produced its numbers."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from workbench.eval.stats import bootstrap_ci, per_question

PHASE_COLORS = {"cold": "#4C72B0", "warm": "#55A868", "control": "#C44E52", "decay": "#8172B2",
                "poison": "#CCB974", "teach": "#64B5CD", "cumulative": "#55A868",
                "wiped": "#C44E52"}


def model_note(model_label: str) -> str:
    note = f"model: {model_label}"
    if "offline" in model_label:
        note += " — deterministic stand-in; measures the memory system, not a real LLM"
    return note


def label_figure(fig: plt.Figure, model_label: str | None, title: str | None = None
                 ) -> plt.Figure:
    """Give a figure its title and the footer naming the model behind its numbers.

    Every figure the workbench draws goes through here, so offline numbers are always marked.
    """
    if title:
        fig.suptitle(title, fontsize=12)
    if model_label:
        fig.text(0.01, 0.005, model_note(model_label), fontsize=8, color="#555555", ha="left",
                 va="bottom")
    fig.tight_layout(rect=(0, 0.04 if model_label else 0, 1, 0.95 if title else 1))
    return fig


def learning_curve(frame: pd.DataFrame, metric: str, *, model_label: str,
                   phases: Sequence[str] | None = None, window: int = 3,
                   title: str | None = None, ax: plt.Axes | None = None) -> plt.Figure:
    """Metric per item position, phase after phase, averaged over repeats (rolling mean line,
    raw points, and a band of ±1 standard error across repeats)."""
    data = frame[frame.get("status", "ok") == "ok"]
    phases = list(phases or dict.fromkeys(data["phase"]))
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(9, 4))
    offset = 0
    for phase in phases:
        rows = data[data["phase"] == phase]
        if rows.empty:
            continue
        stats = rows.groupby("index")[metric].agg(["mean", "std", "count"]).sort_index()
        x = stats.index.to_numpy() + offset
        sem = (stats["std"].fillna(0) / np.sqrt(stats["count"])).to_numpy()
        color = PHASE_COLORS.get(phase, None)
        ax.scatter(x, stats["mean"], s=12, alpha=0.5, color=color)
        smooth = stats["mean"].rolling(window, min_periods=1).mean().to_numpy()
        ax.plot(x, smooth, color=color, label=f"{phase} (mean {rows[metric].mean():.2f})")
        ax.fill_between(x, smooth - sem, smooth + sem, color=color, alpha=0.15)
        offset += len(stats) + 1
        ax.axvline(offset - 1, color="#bbbbbb", lw=0.8, ls=":")
    ax.set_xlabel("item position (phases in order)")
    ax.set_ylabel(metric.replace("_", " "))
    ax.legend(fontsize=8)
    return label_figure(fig, model_label, title or f"Learning curve: {metric.replace('_', ' ')}")


def phase_bars(frame: pd.DataFrame, metrics: Sequence[str], *, model_label: str,
               phases: Sequence[str] | None = None, title: str | None = None) -> plt.Figure:
    """Mean per phase with 95% bootstrap CIs (questions as the unit), one panel per metric."""
    phases = list(phases or dict.fromkeys(frame["phase"]))
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics), 3.4), squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=True):
        means, errs = [], [[], []]
        for phase in phases:
            values = per_question(frame, metric, phase).to_numpy(dtype=float)
            mean = float(np.nanmean(values)) if values.size else np.nan
            low, high = bootstrap_ci(values)
            means.append(mean)
            errs[0].append(mean - low if values.size else 0)
            errs[1].append(high - mean if values.size else 0)
        ax.bar(phases, means, yerr=errs, capsize=4,
               color=[PHASE_COLORS.get(p, "#999999") for p in phases])
        ax.set_title(metric.replace("_", " "), fontsize=10)
        ax.tick_params(axis="x", rotation=20)
    return label_figure(fig, model_label, title or f"{' vs '.join(phases)}: means with 95% CIs")


def group_bars(frame: pd.DataFrame, metric: str, *, model_label: str, group: str = "group",
               phases: Sequence[str] = ("cold", "warm"), title: str | None = None) -> plt.Figure:
    """Before/after bars per group (e.g. per gotcha family)."""
    data = frame[frame["phase"].isin(phases) & (frame.get("status", "ok") == "ok")]
    table = data.groupby([group, "phase"])[metric].mean().unstack("phase").reindex(
        columns=list(phases))
    fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(table)), 3.8))
    width = 0.8 / max(1, len(phases))
    x = np.arange(len(table))
    for i, phase in enumerate(phases):
        ax.bar(x + i * width, table[phase].to_numpy(), width, label=phase,
               color=PHASE_COLORS.get(phase))
    ax.set_xticks(x + width * (len(phases) - 1) / 2)
    ax.set_xticklabels(table.index, rotation=35, ha="right", fontsize=8)
    ax.set_ylabel(metric.replace("_", " "))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return label_figure(fig, model_label, title or f"{metric.replace('_', ' ')} per {group}")


def distribution(frame: pd.DataFrame, metric: str, *, model_label: str,
                 phases: Sequence[str] | None = None, title: str | None = None) -> plt.Figure:
    """How ``metric`` is distributed over items, per phase (counts of each value)."""
    data = frame[frame.get("status", "ok") == "ok"]
    phases = list(phases or dict.fromkeys(data["phase"]))
    values = sorted(data[metric].dropna().unique())
    fig, ax = plt.subplots(figsize=(7, 3.6))
    width = 0.8 / max(1, len(phases))
    for i, phase in enumerate(phases):
        counts = data[data["phase"] == phase][metric].value_counts(normalize=True)
        ax.bar(np.arange(len(values)) + i * width, [counts.get(v, 0) for v in values], width,
               label=phase, color=PHASE_COLORS.get(phase))
    ax.set_xticks(np.arange(len(values)) + width * (len(phases) - 1) / 2)
    ax.set_xticklabels([f"{v:g}" for v in values])
    ax.set_xlabel(metric.replace("_", " "))
    ax.set_ylabel("share of items")
    ax.legend(fontsize=8)
    return label_figure(fig, model_label, title or f"Distribution of {metric.replace('_', ' ')}")
