"""Figures for the Investment experiment: the decision timeline and the learning curves.

Both read the run's samples (one row per meeting, condition and repeat) and name the model
that produced them; offline numbers are marked as coming from the stand-in.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap

from workbench.viz.learning import label_figure

CONDITION_COLORS = {"cumulative": "#55A868", "wiped": "#C44E52"}
CORRECTNESS = LinearSegmentedColormap.from_list("correctness", ["#C44E52", "#E8C547",
                                                                "#55A868"])
LETTERS = {"BUY": "B", "HOLD": "H", "PASS": "P", "SELL": "S", "TRIM": "T"}


def _ok(samples: pd.DataFrame) -> pd.DataFrame:
    if "status" in samples:
        samples = samples[samples["status"] == "ok"]
    return samples


def _lesson_index(samples: pd.DataFrame) -> int | None:
    rows = samples[samples.get("group", pd.Series(dtype=str)) == "lesson"]
    return int(rows["meeting_index"].min()) if len(rows) else None


def decision_timeline(samples: pd.DataFrame, *, model_label: str,
                      conditions: Sequence[str] = ("cumulative", "wiped")) -> plt.Figure:
    """Meeting index × condition: the (modal) decision as a letter, the square coloured by
    the share of repeats in which it was correct (right decision, compliant, consistent with
    precedent, sized within tolerance)."""
    data = _ok(samples)
    conditions = [c for c in conditions if c in set(data["phase"])]
    indices = sorted(data["meeting_index"].unique())
    fig, ax = plt.subplots(figsize=(max(8, 0.42 * len(indices) + 2), 1.2 + 0.9 * len(conditions)))
    for row, condition in enumerate(reversed(conditions)):
        rows = data[data["phase"] == condition]
        grouped = rows.groupby("meeting_index")
        share = grouped["correct"].mean()
        modal = grouped["decision"].agg(lambda s: s.mode().iloc[0])
        x = share.index.to_numpy()
        ax.scatter(x, np.full(len(x), row), s=330, marker="s", c=share.to_numpy(),
                   cmap=CORRECTNESS, vmin=0, vmax=1, edgecolors="#333333", linewidths=0.5)
        for xi in x:
            ax.text(xi, row, LETTERS.get(modal[xi], "?"), ha="center", va="center",
                    fontsize=8, color="white", fontweight="bold")
    lesson = _lesson_index(data)
    if lesson is not None:
        ax.axvline(lesson - 0.5, color="#4C72B0", ls="--", lw=1)
        ax.text(lesson - 0.4, len(conditions) - 0.45, "rule stated at this meeting",
                color="#4C72B0", fontsize=8, va="top")
    ids = data.drop_duplicates("meeting_index").set_index("meeting_index")["item_id"]
    ax.set_xticks(indices)
    ax.set_xticklabels([ids.get(i, str(i)) for i in indices], rotation=90, fontsize=7)
    ax.set_yticks(range(len(conditions)))
    ax.set_yticklabels(list(reversed(conditions)))
    ax.set_ylim(-0.6, len(conditions) - 0.4)
    ax.set_xlabel("meeting (B buy, H hold, P pass, S sell, T trim; green = correct in every "
                  "repeat, red = wrong)", fontsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return label_figure(fig, model_label, "Committee decisions by meeting")


def running_mean(values: pd.Series) -> pd.Series:
    """Mean of the values so far, skipping meetings where the metric does not apply."""
    numeric = values.astype(float)
    return numeric.fillna(0).cumsum() / numeric.notna().cumsum().replace(0, np.nan)


def learning_curves(samples: pd.DataFrame, metrics: Sequence[str], *, model_label: str,
                    conditions: Sequence[str] = ("cumulative", "wiped")) -> plt.Figure:
    """Running mean of each metric over the meeting index, one line per condition, with the
    per-meeting means as dots and a band of ±1 standard error across repeats."""
    data = _ok(samples)
    metrics = [m for m in metrics if m in data]
    cols = min(2, len(metrics))
    rows_n = int(np.ceil(len(metrics) / cols))
    fig, axes = plt.subplots(rows_n, cols, figsize=(6.2 * cols, 3.1 * rows_n), squeeze=False)
    lesson = _lesson_index(data)
    for ax, metric in zip(axes.flat, metrics, strict=False):
        for condition in conditions:
            rows = data[data["phase"] == condition]
            if rows.empty:
                continue
            table = rows.pivot_table(index="meeting_index", columns="repeat", values=metric,
                                     aggfunc="mean", dropna=False)
            table = table.reindex(sorted(rows["meeting_index"].unique()))
            curves = table.apply(running_mean)
            mean = curves.mean(axis=1)
            sem = curves.std(axis=1, ddof=0).fillna(0) / np.sqrt(max(1, curves.shape[1]))
            color = CONDITION_COLORS.get(condition)
            x = mean.index.to_numpy()
            ax.plot(x, mean.to_numpy(), color=color, lw=2,
                    ls="-" if condition == "cumulative" else "--",
                    label=f"{condition} (final {mean.dropna().iloc[-1]:.3g})"
                    if mean.notna().any() else condition)
            ax.fill_between(x, (mean - sem).to_numpy(), (mean + sem).to_numpy(), color=color,
                            alpha=0.15)
            ax.scatter(x, table.mean(axis=1).to_numpy(), s=10, color=color, alpha=0.45)
        if lesson is not None:
            ax.axvline(lesson, color="#4C72B0", ls="--", lw=1)
        indices = data["meeting_index"]
        ax.set_xlim(indices.min() - 0.5, indices.max() + 0.5)
        values = data[metric].dropna()
        if len(values) and values.min() >= 0 and values.max() <= 1:
            ax.set_ylim(-0.05, 1.05)  # rates: keep the full 0-1 scale
        ax.set_title(metric.replace("_", " "), fontsize=10)
        ax.set_xlabel("meeting index")
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    return label_figure(fig, model_label, "Learning curves: cumulative memory vs memory wiped before every "
                        "meeting")
