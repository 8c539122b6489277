"""Tables and the learning-curve figure for a finished Contacts run.

Two readings of probe accuracy after N turns, both averaged over repeats:

- ``accuracy`` — over the probes answerable after N turns (those the phase asked);
- ``coverage`` — correct answers over the *whole* probe set (61): probes not yet answerable
  were not asked at N and count as not answered. This is the curve that rises with turns.

The control is the wiped-store phase; an empty store is the same at every N, so its accuracy
at N is read over the same probes as the warm phase at N.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd

from workbench.agents.contacts.data import World
from workbench.agents.contacts.snapshot import GraphSnapshot, gold_snapshot
from workbench.viz.graph import EdgeDiff
from workbench.viz.learning import label_figure

if TYPE_CHECKING:
    import matplotlib.pyplot as plt

    from workbench.eval.record import RunRecord

GRAPH_COLUMNS = ("entity_f1", "fact_f1", "relation_f1", "event_f1", "graph_f1",
                 "final_graph_f1", "supersession_accuracy", "duplicate_entity_rate",
                 "event_date_accuracy", "profile_accuracy", "goal_accuracy",
                 "plan_step_accuracy")


def _probe_rows(record: RunRecord) -> pd.DataFrame:
    s = record.samples
    rows = s[(s["probe"]) & (s["status"] == "ok")].copy() if "probe" in s else s.iloc[:0]
    return rows


def _upto(phase: str, last: int) -> int | None:
    if phase == "warm":
        return last
    if phase.startswith("probe-"):
        return int(phase.split("-")[1])
    return None


def curve_frame(record: RunRecord) -> pd.DataFrame:
    """One row per learning-curve point N: probe accuracy / coverage (warm and control),
    hallucination rate, tool calls per probe, and graph metrics after N turns."""
    probes = _probe_rows(record)
    total = probes["item_id"].nunique()
    last = int(probes["upto_turn"].max()) if len(probes) else 0
    control = probes[probes["phase"] == "control"]
    phases = record.phases
    out = []
    for phase in [p for p in dict.fromkeys(probes["phase"]) if _upto(p, last) is not None]:
        n = _upto(phase, last)
        warm = probes[probes["phase"] == phase]
        ctrl = control[control["available_after_turn"] <= n]
        reps = max(1, warm["repeat"].nunique())
        row: dict[str, Any] = {
            "turns": n, "phase": phase, "probes_asked": len(warm) // reps,
            "accuracy": warm["correct"].mean(), "control_accuracy": ctrl["correct"].mean(),
            "coverage": warm["correct"].sum() / reps / total if total else math.nan,
            "control_coverage": (ctrl["correct"].sum() / max(1, ctrl["repeat"].nunique())
                                 / total) if total else math.nan,
            "hallucination_rate": warm["hallucinated"].dropna().mean(),
            "control_hallucination_rate": ctrl["hallucinated"].dropna().mean(),
            "tool_calls": warm["tool_calls"].mean(), "control_tool_calls":
                ctrl["tool_calls"].mean(), "tokens_in": warm["tokens_in"].mean()}
        teach = phases[phases["phase"] == f"teach-{n:02d}"] if len(phases) else phases
        for col in GRAPH_COLUMNS:
            row[col] = teach[col].mean() if col in teach and len(teach) else math.nan
        ctrl_graph = phases[phases["phase"] == "control"] if len(phases) else phases
        row["control_graph_f1"] = ctrl_graph["final_graph_f1"].mean() if len(ctrl_graph) \
            else math.nan
        out.append(row)
    return pd.DataFrame(out)


def category_frame(record: RunRecord, phases: tuple[str, str] = ("warm", "control")
                   ) -> pd.DataFrame:
    """Probe accuracy per category for two phases (default: warm vs. wiped control)."""
    probes = _probe_rows(record)
    table = (probes[probes["phase"].isin(phases)]
             .groupby(["category", "phase"])["correct"].mean().unstack("phase"))
    table = table.reindex(columns=list(phases))
    table["n"] = probes[probes["phase"] == phases[0]].groupby("category")["item_id"].nunique()
    return table.reset_index()


def store_frame(record: RunRecord) -> pd.DataFrame:
    """Store-level metrics after each teach phase (one row per boundary, mean over repeats)."""
    phases = record.phases
    if phases.empty:
        return phases
    teach = phases[phases["phase"].str.startswith("teach-")]
    cols = [c for c in teach.columns if c not in ("repeat", "phase", "as_of")]
    return teach.groupby(["phase"], sort=False)[cols].mean().reset_index()


def plot_learning_curve(record: RunRecord, *, title: str | None = None) -> plt.Figure:
    """Probe accuracy and graph F1 against turns ingested, warm vs. the wiped control."""
    import matplotlib.pyplot as plt

    curve = curve_frame(record)
    stores = store_frame(record)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    x = curve["turns"].to_numpy()
    left.plot(x, curve["coverage"], "o-", color="#55A868", label="warm: share of all probes")
    left.plot(x, curve["accuracy"], "s--", color="#55A868", alpha=0.6,
              label="warm: probes answerable by then")
    left.plot(x, curve["control_coverage"], "o-", color="#C44E52",
              label="wiped control: share of all probes")
    left.plot(x, curve["control_accuracy"], "s--", color="#C44E52", alpha=0.6,
              label="wiped control: answerable by then")
    left.set(xlabel="turns of the script ingested", ylabel="probe accuracy", ylim=(-0.02, 1.05),
             title="Questions answered from memory")
    left.legend(fontsize=7, loc="center right")
    if not stores.empty:
        sx = stores["upto_turn"].to_numpy()
        right.plot(sx, stores["final_graph_f1"], "o-", color="#4C72B0",
                   label="graph F1 vs. final gold graph")
        right.plot(sx, stores["graph_f1"], "s--", color="#4C72B0", alpha=0.6,
                   label="graph F1 vs. gold stated so far")
    right.plot(x, curve["control_graph_f1"].fillna(0), "o-", color="#C44E52",
               label="wiped control")
    right.set(xlabel="turns of the script ingested", ylabel="F1", ylim=(-0.02, 1.05),
              title="Entity graph against the gold graph")
    right.legend(fontsize=7, loc="lower right")
    return label_figure(fig, record.label,
                        title or "Contacts: learning curve over the user's script")


def headline(record: RunRecord) -> dict[str, float]:
    """The run's headline numbers: final graph metrics, warm vs. control accuracy, and more."""
    curve = curve_frame(record)
    final = curve.iloc[-1] if len(curve) else pd.Series(dtype=float)
    probes = _probe_rows(record)
    warm = probes[probes["phase"] == "warm"]
    control = probes[probes["phase"] == "control"]
    return {k: float(v) for k, v in {
        "entity_f1": final.get("entity_f1", np.nan), "fact_f1": final.get("fact_f1", np.nan),
        "relation_f1": final.get("relation_f1", np.nan),
        "event_f1": final.get("event_f1", np.nan),
        "supersession_accuracy": final.get("supersession_accuracy", np.nan),
        "warm_accuracy": warm["correct"].mean(), "control_accuracy": control["correct"].mean(),
        "warm_hallucination_rate": warm["hallucinated"].dropna().mean(),
        "control_hallucination_rate": control["hallucinated"].dropna().mean(),
        "warm_tool_calls": warm["tool_calls"].mean(),
        "control_tool_calls": control["tool_calls"].mean()}.items()}


# --------------------------------------------------------------------------- graphs vs. gold


def graph_diff(snapshot: GraphSnapshot, world: World, upto_turn: int | None = None
               ) -> tuple[EdgeDiff, dict[str, str]]:
    """Learned relationships against the gold ones, with node names aligned to gold names
    (alias-aware, as the scorer matches them), plus a name -> entity type map for drawing."""
    from workbench.agents.contacts._resolve import Resolver
    from workbench.agents.contacts.scoring import relationship_scores

    gold = gold_snapshot(world, upto_turn)
    ignore = (world.user.name, *world.user.aliases)
    scores = relationship_scores(snapshot, gold, ignore=ignore)
    resolver = Resolver(snapshot, gold, ignore)

    def aligned(name: str) -> str:
        hit = resolver.resolve(name)
        return gold.entities[hit].name if isinstance(hit, int) and hit >= 0 else name

    diff = EdgeDiff(
        matched=[(g.source, g.relation, g.target) for _, g in scores.matched],
        missing=[(g.source, g.relation, g.target) for g in scores.missing],
        extra=[(aligned(r.source), r.relation, aligned(r.target)) for r in scores.extra])
    types = {e.name: e.type for e in snapshot.entities}
    types.update({aligned(e.name): e.type for e in snapshot.entities})
    types.update({e.name: e.type for e in gold.entities})
    return diff, types


def gold_graph(world: World, upto_turn: int | None = None) -> nx.MultiDiGraph:
    """The gold entity graph (live edges) as networkx, in the EntityGraph view format."""
    gold = gold_snapshot(world, upto_turn)
    g = nx.MultiDiGraph()
    for e in gold.entities:
        g.add_node(e.name, label=e.name, entity_type=e.type, aliases=", ".join(e.aliases))
    for r in gold.relationships:
        if r.live:
            g.add_edge(r.source, r.target, relation=r.relation, live=True)
    return g
