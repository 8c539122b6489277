"""Benchmarks run from the CLI (``workbench bench ...``)."""

from __future__ import annotations


def run_self_improvement(grid: str = "default", *, model: str | None = None,
                         runs_dir: str = "runs", quiet: bool = False) -> int:
    """``workbench bench self-improvement``: run the grid, print and save table + heatmap."""
    from workbench.bench.heatmap import gain_heatmap
    from workbench.bench.self_improvement import run_grid

    frame = run_grid(grid, model=model, runs_dir=runs_dir, progress=not quiet)
    cols = ["agent", "cell", "metric", "cold", "warm", "control", "gain", "share_extraction",
            "share_embedding", "share_retrieval", "status"]
    print(frame[cols].to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    from pathlib import Path

    fig = gain_heatmap(frame)
    out = Path(runs_dir) / "self-improvement" / "heatmap.png"
    fig.savefig(out, dpi=110, bbox_inches="tight")
    print(f"table: {out.parent / 'grid.csv'}\nheatmap: {out}")
    return 0
