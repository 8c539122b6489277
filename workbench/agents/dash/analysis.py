"""Tables and figures for a Dash run: conditions with CIs, per-family effects, poison, decay.

All functions take the run's samples DataFrame (``record.samples``) and use questions
(``pair_key``) as the statistical unit, like :mod:`workbench.eval.stats`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd

from workbench.eval.stats import compare, paired_delta, summarize

__all__ = ["condition_table", "family_table", "fixed_after_learning", "learning_examples",
           "report_figures", "stress_effects"]

HEADLINE = ("sql_attempts", "sql_errors", "first_query_correct", "final_correct")


def condition_table(samples: pd.DataFrame, metrics: Sequence[str] = HEADLINE,
                    phases: Sequence[str] = ("cold", "warm", "control")) -> pd.DataFrame:
    """Mean and 95% bootstrap CI per condition, one row per metric."""
    rows = []
    for metric in metrics:
        table = summarize(samples[samples["phase"].isin(phases)], metric)
        row: dict[str, Any] = {"metric": metric}
        for _, r in table.iterrows():
            row[r["phase"]] = f"{r['mean']:.2f} [{r['ci_low']:.2f}, {r['ci_high']:.2f}]"
        rows.append(row)
    out = pd.DataFrame(rows)
    pvals = compare(samples, list(metrics), [("cold", "warm"), ("cold", "control")])
    for a, b in (("cold", "warm"), ("cold", "control")):
        hit = pvals[(pvals["a"] == a) & (pvals["b"] == b)] if not pvals.empty else pvals
        out[f"p ({b} vs {a})"] = [float(hit[hit["metric"] == m]["p_value"].iloc[0])
                                    if len(hit[hit["metric"] == m]) else float("nan")
                                    for m in metrics]
    return out


def family_table(samples: pd.DataFrame, metric: str = "sql_attempts",
                 phases: Sequence[str] = ("cold", "warm", "control")) -> pd.DataFrame:
    """Mean of a metric per gotcha family and condition."""
    data = samples[samples["phase"].isin(phases) & (samples.get("status", "ok") == "ok")]
    return data.groupby(["group", "phase"])[metric].mean().unstack("phase").reindex(
        columns=[p for p in phases if p in set(data["phase"])]).round(2)


def fixed_after_learning(samples: pd.DataFrame) -> pd.DataFrame:
    """Per family: of the warm probes whose cold question hit an error or a trap (and saved a
    learning), the share that avoided it (first query right, no SQL error)."""
    cold = samples[samples["phase"] == "cold"].set_index(["repeat", "pair_key"])
    warm = samples[samples["phase"] == "warm"]
    rows = []
    for _, w in warm.iterrows():
        key = (w["repeat"], w["pair_key"])
        if key not in cold.index:
            continue
        c = cold.loc[key]
        hit = c["sql_errors"] > 0 or c["trap_hit"] > 0 or not c["first_query_correct"]
        if not hit or c["learnings_saved"] + c["learnings_updated"] == 0:
            continue
        rows.append({"family": w["group"], "variant": w.get("variant", ""),
                     "avoided": int(w["sql_errors"] == 0 and w["first_query_correct"] == 1),
                     "relevant_recalled": int(w["relevant_recalled"])})
    if not rows:
        return pd.DataFrame(columns=["family", "probes", "fixed_rate", "relevant_recalled"])
    frame = pd.DataFrame(rows)
    out = frame.groupby("family").agg(probes=("avoided", "size"), fixed_rate=("avoided", "mean"),
                                      relevant_recalled=("relevant_recalled", "mean"))
    return out.round(2).reset_index()


def stress_effects(samples: pd.DataFrame, metrics: Sequence[str] = HEADLINE) -> pd.DataFrame:
    """Warm vs poison and warm vs decay, on the probes each stress phase re-ran."""
    rows = []
    for phase in ("poison", "decay"):
        sub = samples[samples["phase"] == phase]
        if sub.empty:
            continue
        keys = set(sub["item_id"])
        same = samples[(samples["phase"].isin(["warm", phase])) & samples["item_id"].isin(keys)]
        for metric in metrics:
            rows.append({"stress": phase, **paired_delta(same, metric, "warm", phase)})
    return pd.DataFrame(rows)


def learning_examples(record: Any, n: int = 2) -> list[dict[str, Any]]:
    """A few learnings the cold runs saved (from the run's traces), for showing."""
    out: list[dict[str, Any]] = []
    for path in sorted((record.path / "traces").glob("r*.jsonl"))[:1]:
        for line in path.read_text().splitlines():
            trace = __import__("json").loads(line)
            if trace["phase"] != "cold":
                continue
            for call in trace["tool_calls"]:
                if call["name"] == "save_learning" and len(out) < n:
                    out.append({"question": trace["item_id"], **(call["arguments"] or {})})
    return out


def report_figures(record: Any) -> Iterator[tuple[str, Any]]:
    """The figures the HTML report and the notebook show for Dash."""
    from workbench.viz.learning import distribution, group_bars

    samples = record.samples
    phases = [p for p in ("cold", "warm", "control") if p in set(samples["phase"])]
    yield ("SQL attempts per question, by gotcha family (before/after learnings)",
           group_bars(samples, "sql_attempts", model_label=record.label, phases=phases,
                      title="SQL attempts per gotcha family"))
    yield ("First query correct, by gotcha family",
           group_bars(samples, "first_query_correct", model_label=record.label, phases=phases,
                      title="First query correct per gotcha family"))
    yield ("SQL errors per question: distribution per condition",
           distribution(samples, "sql_errors", model_label=record.label, phases=phases))
