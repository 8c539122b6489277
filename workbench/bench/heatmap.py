"""The ablation heatmap: learning gain per agent × grid cell."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from workbench.viz.learning import label_figure


def gain_heatmap(frame: pd.DataFrame, *, value: str = "gain") -> plt.Figure:
    """Cells as rows, agents as columns, colour = learning gain (relative for lower-is-better
    metrics, absolute for accuracies); failed cells are blank."""
    table = frame.pivot_table(index="cell", columns="agent", values=value, aggfunc="mean",
                              sort=False)
    fig, ax = plt.subplots(figsize=(1.6 + 1.4 * max(1, table.shape[1]),
                                    1.0 + 0.38 * max(1, table.shape[0])))
    data = table.to_numpy(dtype=float)
    limit = np.nanmax(np.abs(data)) if np.isfinite(data).any() else 1.0
    image = ax.imshow(data, cmap="RdYlGn", vmin=-limit, vmax=limit, aspect="auto")
    ax.set_xticks(range(table.shape[1]), table.columns)
    ax.set_yticks(range(table.shape[0]), table.index, fontsize=8)
    for (i, j), v in np.ndenumerate(data):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, label="learning gain: relative drop (lower-is-better metrics)\nor absolute rise (accuracies), warm vs cold")
    metrics = ", ".join(f"{a}: {m}" for a, m in
                        frame.groupby("agent")["metric"].first().items())
    ax.set_title(f"Self-improvement ablation: learning gain per agent and cell\n({metrics})",
                 fontsize=9)
    models = sorted({f"{m} (offline stand-in)" if o else str(m)
                     for m, o in zip(frame["model"], frame["offline"], strict=False)
                     if isinstance(m, str)})
    return label_figure(fig, ", ".join(models) or "?")


SHARES = ("share_model", "share_tools", "share_retrieval", "share_memory_write",
          "share_extraction", "share_embedding", "share_framework")


def cost_shares(frame: pd.DataFrame, *, cell: str = "baseline") -> plt.Figure:
    """Where each agent's time goes (exclusive share of run time per operation) and its
    token split between the agent's model calls and ALWAYS extraction."""
    rows = frame[(frame["cell"] == cell) & (frame["status"] == "ok")].set_index("agent")
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
    bottom = np.zeros(len(rows))
    x = np.arange(len(rows))
    for name in SHARES:
        values = rows[name].fillna(0).to_numpy(dtype=float)
        left.bar(x, values, 0.5, bottom=bottom, label=name.removeprefix("share_"))
        bottom += values
    left.set_xticks(x, rows.index)
    left.set_ylabel("share of agent-run time")
    left.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    left.set_title("Time per operation", fontsize=10)
    tokens = rows[["tokens_main", "tokens_extraction"]]
    right.bar(x - 0.15, tokens["tokens_main"], 0.3, label="agent model calls")
    right.bar(x + 0.15, tokens["tokens_extraction"], 0.3, label="ALWAYS extraction calls")
    right.set_xticks(x, rows.index)
    right.set_ylabel("tokens (whole protocol)")
    right.legend(fontsize=7)
    right.set_title("Tokens: agent vs memory extraction", fontsize=10)
    models = sorted({f"{m} (offline stand-in)" if o else str(m)
                     for m, o in zip(rows["model"], rows["offline"], strict=False)})
    return label_figure(fig, ", ".join(models) or "?")
