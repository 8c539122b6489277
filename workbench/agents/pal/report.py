"""Tables and figures for a finished Pal run (``workbench eval pal``), for notebooks.

    from workbench.eval import load_run
    from workbench.agents.pal import report
    record = load_run("runs/…-pal-offline")
    report.adherence_by_rule(record)      # before / after / control per rule, with CIs
    report.retention_table(record)        # adherence by sessions since the statement
    report.adherence_figure(record)

Confidence intervals are bootstrap intervals over turns (each turn averaged over repeats), so
a deterministic model's identical repeats do not fake precision.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.agents.pal import data
from workbench.eval.record import RunRecord
from workbench.eval.stats import bootstrap_ci

_RULE_COLUMNS = ["repeat", "phase", "item_id", "user", "session", "turn", "rule_id", "status",
                 "source", "passed"]


def _samples(record: RunRecord | pd.DataFrame) -> pd.DataFrame:
    frame = record.samples if isinstance(record, RunRecord) else record
    return frame[frame.get("status", "ok") == "ok"] if "status" in frame else frame


def rule_frame(record: RunRecord | pd.DataFrame) -> pd.DataFrame:
    """One row per rule checked on a turn: phase, turn, rule, its status then, pass/fail."""
    rows = []
    for _, sample in _samples(record).iterrows():
        outcomes = sample.get("rule_outcomes")
        if not isinstance(outcomes, list):
            continue
        for o in outcomes:
            rows.append({"repeat": sample["repeat"], "phase": sample["phase"],
                         "item_id": sample["item_id"], "user": sample["user"],
                         "session": sample["session"], "turn": sample["turn"],
                         "rule_id": o["rule_id"], "status": o["status"], "source": o["source"],
                         "passed": bool(o["passed"])})
    frame = pd.DataFrame(rows, columns=_RULE_COLUMNS)
    stated: dict[str, int] = {}
    for user in data.USERS:
        stated.update(data.load_expectations(user).stated_sessions())
    frame["stated_session"] = frame["rule_id"].map(stated)
    frame["sessions_since"] = frame["session"] - frame["stated_session"]
    return frame


def _rate(rows: pd.DataFrame) -> dict[str, Any]:
    """Pass rate with a bootstrap CI over turns (a turn's repeats averaged first)."""
    if rows.empty:
        return {"rate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n_turns": 0}
    per_turn = rows.groupby("item_id")["passed"].mean().to_numpy(dtype=float)
    low, high = bootstrap_ci(per_turn)
    return {"rate": float(per_turn.mean()), "ci_low": low, "ci_high": high,
            "n_turns": int(per_turn.size)}


def adherence_by_rule(record: RunRecord | pd.DataFrame, *,
                      source: str | None = "conversation") -> pd.DataFrame:
    """Per rule: adherence before it was stated (pending), after it was stated in the same
    session and in later fresh sessions (memory only), and on the same later turns with an
    empty memory (control). ``source=None`` includes file rules (always in force)."""
    frame = rule_frame(record)
    if source:
        frame = frame[frame["source"] == source]
    rules = data.load_rules()
    out = []
    for rule_id, rows in frame.groupby("rule_id", sort=False):
        main = rows[rows["phase"] != "control"]
        active = main[main["status"] == "active"]
        later = active[active["sessions_since"].fillna(1) >= 1]
        row: dict[str, Any] = {"rule": rule_id, "source": rows["source"].iloc[0],
                               "description": rules[rule_id].description}
        for label, part in (("before", main[main["status"] == "pending"]),
                            ("same_session", active[active["sessions_since"] == 0]),
                            ("later_sessions", later),
                            ("control", rows[(rows["phase"] == "control") &
                                             (rows["status"] == "active")])):
            stats = _rate(part)
            row.update({f"{label}": stats["rate"], f"{label}_ci": (stats["ci_low"],
                                                                   stats["ci_high"]),
                        f"{label}_n": stats["n_turns"]})
        out.append(row)
    return pd.DataFrame(out)


def family_table(record: RunRecord | pd.DataFrame) -> pd.DataFrame:
    """Adherence by rule family: stated preferences (conversation) and file rules, before
    and after, with CIs over turns."""
    frame = rule_frame(record)
    main = frame[frame["phase"] != "control"]
    groups = {
        "stated preferences, before": main[(main["source"] == "conversation") &
                                           (main["status"] == "pending")],
        "stated preferences, after (later sessions)": main[
            (main["source"] == "conversation") & (main["status"] == "active") &
            (main["sessions_since"] >= 1)],
        "stated preferences, control (empty memory)": frame[
            (frame["phase"] == "control") & (frame["source"] == "conversation") &
            (frame["status"] == "active")],
        "file rules, cold phase": main[(main["source"] == "file") & (main["status"] == "active")
                                       & (main["phase"] == "cold")],
        "file rules, warm phase": main[(main["source"] == "file") & (main["status"] == "active")
                                       & (main["phase"] == "warm")],
    }
    return pd.DataFrame([{"family": name, **_rate(rows)} for name, rows in groups.items()])


def retention_table(record: RunRecord | pd.DataFrame) -> pd.DataFrame:
    """Adherence to stated preferences by sessions since they were stated (0 = same)."""
    frame = rule_frame(record)
    rows = frame[(frame["phase"] == "warm") & (frame["source"] == "conversation") &
                 (frame["status"] == "active")]
    out = [{"sessions_since": int(k), **_rate(part)}
           for k, part in rows.groupby("sessions_since")]
    return pd.DataFrame(out)


def conflict_table(record: RunRecord | pd.DataFrame) -> pd.DataFrame:
    """How often the newer rule wins: the file conflict (conversation over the voice guide)
    and the correction (a new sign-off over the old one), per phase."""
    frame = rule_frame(record)
    rules = data.load_rules()
    out = []
    for winner in rules.values():
        for loser in winner.supersedes:
            kind = "correction" if rules[loser].from_conversation else "file conflict"
            for phase, rows in frame.groupby("phase", sort=False):
                won = rows[(rows["rule_id"] == winner.id) & (rows["status"] == "active")]
                turns = set(won["item_id"])
                lost = rows[(rows["rule_id"] == loser) & (rows["status"] == "superseded") &
                            rows["item_id"].isin(turns)]
                if won.empty:
                    continue
                out.append({"kind": kind, "winner": winner.id, "loser": loser, "phase": phase,
                            "winner_rate": won["passed"].mean(),
                            "loser_followed": lost["passed"].mean() if len(lost) else np.nan,
                            "n_turns": len(turns)})
    return pd.DataFrame(out)


def retrieval_table(record: RunRecord | pd.DataFrame) -> pd.DataFrame:
    """Per retrieval question and phase: facts found, tool calls, sources touched, path."""
    frame = _samples(record)
    if "retrieval_id" not in frame:
        return pd.DataFrame()
    rows = frame[frame["retrieval_id"].notna()]
    return (rows.groupby(["phase", "item_id", "retrieval_id", "pair_key"], sort=False)
            .agg(complete=("retrieval_complete", "mean"), calls=("retrieval_calls", "mean"),
                 sources=("sources_touched", "mean"),
                 path=("retrieval_path", lambda s: s.mode().iloc[0]))
            .reset_index())


def recurring_table(record: RunRecord | pd.DataFrame) -> pd.DataFrame:
    """Recurring-meeting precision and recall per user and phase."""
    frame = _samples(record)
    if "recurring_f1" not in frame:
        return pd.DataFrame()
    rows = frame[frame["recurring_f1"].notna()]
    return (rows.groupby(["phase", "user"], sort=False)
            [["recurring_precision", "recurring_recall", "recurring_f1", "attendee_recall",
              "cadence_accuracy"]].mean().reset_index())


def leak_summary(record: RunRecord) -> dict[str, int]:
    """Leaks in what users received (per turn) and in what was stored for them (per phase)."""
    samples = _samples(record)
    store = int(record.phases["store_leaks"].sum()) if "store_leaks" in record.phases else 0
    turns = int(samples["leaks"].fillna(0).sum()) if "leaks" in samples else 0
    return {"turn_leaks": turns, "store_leaks": store, "total": turns + store}


def adherence_figure(record: RunRecord):
    """Bars per stated preference: before, after (later sessions) and control, with CIs,
    labelled with the model that produced the numbers."""
    import matplotlib.pyplot as plt

    from workbench.viz.learning import label_figure

    table = adherence_by_rule(record)
    labels = ("before", "later_sessions", "control")
    colors = {"before": "#4C72B0", "later_sessions": "#55A868", "control": "#C44E52"}
    fig, ax = plt.subplots(figsize=(max(6.5, 1.4 * len(table)), 3.8))
    x = np.arange(len(table))
    width = 0.26
    for i, label in enumerate(labels):
        rates = table[label].to_numpy(dtype=float)
        cis = np.array([c if isinstance(c, tuple) else (np.nan, np.nan)
                        for c in table[f"{label}_ci"]], dtype=float)
        err = np.vstack([np.nan_to_num(rates - cis[:, 0]), np.nan_to_num(cis[:, 1] - rates)])
        bars = ax.bar(x + (i - 1) * width, np.nan_to_num(rates), width, yerr=err, capsize=3,
                      label=label.replace("_", " "), color=colors[label])
        # A rate of zero draws no bar; the label keeps "0 %" distinguishable from "no data".
        ax.bar_label(bars, labels=["–" if np.isnan(r) else f"{r:.0%}" for r in rates],
                     fontsize=7, padding=2)
    ax.set_xticks(x)
    ax.set_xticklabels([r.replace("-CONV-", "\n") for r in table["rule"]], fontsize=8)
    ax.set_ylim(0, 1.18)
    ax.set_ylabel("adherence")
    ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    return label_figure(fig, record.label, "Stated preferences: before vs after")


def retention_figure(record: RunRecord):
    """Adherence by sessions since a preference was stated, with CIs."""
    import matplotlib.pyplot as plt

    from workbench.viz.learning import label_figure

    table = retention_table(record)
    fig, ax = plt.subplots(figsize=(6, 3.4))
    rates = table["rate"].to_numpy(dtype=float)
    err = np.vstack([rates - table["ci_low"].to_numpy(dtype=float),
                     table["ci_high"].to_numpy(dtype=float) - rates])
    ax.errorbar(table["sessions_since"], rates, yerr=np.nan_to_num(err), marker="o",
                capsize=3, color="#55A868")
    ax.set_ylim(0, 1.1)
    ax.set_xlabel("sessions since the preference was stated (0 = same session)")
    ax.set_ylabel("adherence")
    return label_figure(fig, record.label, "Retention of stated preferences")
