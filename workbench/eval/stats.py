"""Paired statistics for learning-over-time comparisons.

The unit of analysis is the question (``pair_key``): each question's metric is averaged over
repeats and over the items that share its key in a phase, then phases are compared question
by question. Confidence intervals come from a bootstrap over questions, and the p-value from
a sign-flip permutation test of the mean paired difference. Treating questions (not repeats)
as the unit keeps a deterministic model's identical repeats from faking precision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd


def bootstrap_ci(values: Sequence[float], *, stat: Callable[[np.ndarray], float] = np.mean,
                 n_boot: int = 4000, alpha: float = 0.05, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of ``stat``; (nan, nan) for no data."""
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    if data.size == 0:
        return float("nan"), float("nan")
    if data.size == 1:
        return float(data[0]), float(data[0])
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, data.size, size=(n_boot, data.size))
    stats = np.apply_along_axis(stat, 1, data[idx])
    return float(np.quantile(stats, alpha / 2)), float(np.quantile(stats, 1 - alpha / 2))


def sign_flip_p(differences: Sequence[float], *, n_perm: int = 10000, seed: int = 0) -> float:
    """Two-sided p-value that the mean paired difference is zero (exact for small n)."""
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    if d.size == 0 or np.allclose(d, 0):
        return 1.0
    observed = abs(d.mean())
    if d.size <= 16:
        signs = np.array(np.meshgrid(*[[-1, 1]] * d.size)).reshape(d.size, -1).T
    else:
        signs = np.random.default_rng(seed).choice([-1, 1], size=(n_perm, d.size))
    means = np.abs((signs * d).mean(axis=1))
    return float(np.mean(means >= observed - 1e-12))


def per_question(frame: pd.DataFrame, metric: str, phase: str) -> pd.Series:
    """Mean of ``metric`` per pair_key in one phase (over repeats and paraphrases)."""
    rows = frame[(frame["phase"] == phase) & (frame.get("status", "ok") == "ok")]
    return rows.groupby("pair_key")[metric].mean()


def summarize(frame: pd.DataFrame, metric: str, *, by: str = "phase",
              seed: int = 0) -> pd.DataFrame:
    """Mean and bootstrap CI of a metric per phase (questions as the unit)."""
    out = []
    for phase in frame[by].drop_duplicates():
        values = per_question(frame, metric, phase) if by == "phase" else \
            frame[frame[by] == phase][metric]
        low, high = bootstrap_ci(values.to_numpy(dtype=float), seed=seed)
        out.append({by: phase, "metric": metric, "n": int(values.size),
                    "mean": float(values.mean()), "ci_low": low, "ci_high": high})
    return pd.DataFrame(out)


def paired_delta(frame: pd.DataFrame, metric: str, a: str, b: str, *,
                 seed: int = 0) -> dict[str, float]:
    """Compare phase ``b`` to phase ``a`` question by question: delta = b − a."""
    left, right = per_question(frame, metric, a), per_question(frame, metric, b)
    joined = pd.concat([left.rename("a"), right.rename("b")], axis=1, join="inner").dropna()
    diffs = (joined["b"] - joined["a"]).to_numpy(dtype=float)
    low, high = bootstrap_ci(diffs, seed=seed)
    return {"metric": metric, "a": a, "b": b, "n_questions": int(diffs.size),
            "mean_a": float(joined["a"].mean()) if diffs.size else float("nan"),
            "mean_b": float(joined["b"].mean()) if diffs.size else float("nan"),
            "delta": float(diffs.mean()) if diffs.size else float("nan"),
            "ci_low": low, "ci_high": high, "p_value": sign_flip_p(diffs, seed=seed)}


def compare(frame: pd.DataFrame, metrics: Sequence[str],
            pairs: Sequence[tuple[str, str]], *, seed: int = 0) -> pd.DataFrame:
    """A tidy table of paired deltas for every metric and phase pair present."""
    phases = set(frame["phase"])
    rows = [paired_delta(frame, m, a, b, seed=seed) for m in metrics for a, b in pairs
            if a in phases and b in phases and m in frame]
    table = pd.DataFrame(rows)
    if not table.empty:
        table["significant"] = (table["p_value"] < 0.05) & ~(
            (table["ci_low"] <= 0) & (table["ci_high"] >= 0))
    return table
