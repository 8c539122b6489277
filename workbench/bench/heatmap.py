"""The ablation heatmap: learning gain per agent × grid cell."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from workbench.viz.learning import model_note


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
    fig.colorbar(image, ax=ax, label="learning gain (warm vs cold)")
    metrics = ", ".join(f"{a}: {m}" for a, m in
                        frame.groupby("agent")["metric"].first().items())
    ax.set_title(f"Self-improvement ablation — gain metric per agent ({metrics})", fontsize=9)
    models = sorted({f"{m} (offline stand-in)" if o else str(m)
                     for m, o in zip(frame["model"], frame["offline"], strict=False)
                     if isinstance(m, str)})
    fig.text(0.01, 0.005, model_note(", ".join(models) or "?"), fontsize=7, color="#555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig
