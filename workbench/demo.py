"""``workbench demo``: every agent's learning-over-time experiment, one HTML report.

It runs the protocol of each demo agent (offline by default), prints a short summary table
in the terminal and writes ``report.html`` — tables with confidence intervals and the plots
embedded, naming the model and package versions that produced them — into a run folder.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.eval.record import RunRecord, package_versions
from workbench.eval.registry import TASKS, make_task
from workbench.eval.runner import run_experiment
from workbench.eval.summary import probe_samples, roles, summary_table
from workbench.report import Section, write_report

AGENTS = ("dash", "contacts", "pal", "investment")


def agent_section(name: str, task: Any, record: RunRecord) -> Section:
    """The report section of one agent: headline deltas, phase means, plots."""
    from workbench.eval.stats import summarize
    from workbench.viz.learning import group_bars, learning_curve, phase_bars

    metrics = list(getattr(task, "HEADLINE", ["tool_calls"]))
    section = Section(f"{name.capitalize()} — {getattr(task, 'TITLE', name)}",
                      intro=getattr(task, "DESCRIPTION", ""))
    samples = probe_samples(record)
    means = pd.concat([summarize(samples, m) for m in metrics if m in samples],
                      ignore_index=True)
    section.tables.append(("Mean per phase (95% bootstrap CI over questions)", means))
    section.tables.append(("Paired deltas (b − a), questions as the unit",
                           summary_table(record, task)))
    from workbench.eval.registry import task_tables

    section.tables.extend(task_tables(task, record))
    if not record.phases.empty:
        section.tables.append(("Store-level metrics after each phase", record.phases))
    section.add_figure("Phase means with 95% CIs",
                       phase_bars(samples, metrics[:4], model_label=record.label))
    section.add_figure("Learning curve", learning_curve(samples, metrics[0],
                                                        model_label=record.label))
    shown = [p for p in dict.fromkeys(roles(task).values()) if p in set(samples["phase"])]
    if "group" in samples and samples["group"].nunique() > 1 and len(shown) > 1:
        section.add_figure(f"{metrics[0]} per group, {' vs '.join(shown)}",
                           group_bars(samples, metrics[0], model_label=record.label,
                                      phases=shown))
    extra = getattr(task, "report_figures", None)
    if callable(extra):
        for caption, fig in extra(record):
            section.add_figure(caption, fig)
    section.notes.append(f"{record.config['repeats']} repeats; run folder: {record.path}")
    return section


def headline_row(name: str, task: Any, record: RunRecord) -> dict[str, Any]:
    table = summary_table(record, task)
    metric = getattr(task, "GAIN_METRIC", getattr(task, "HEADLINE", ["tool_calls"])[0])
    row: dict[str, Any] = {"agent": name, "metric": metric}
    role = roles(task)
    comparisons = [(role["cold"], role["warm"], "warm−cold")]
    if role["control"] and role["control"] != role["cold"]:
        comparisons.append((role["cold"], role["control"], "control−cold"))
    for a, b, label in comparisons:
        hit = table[(table["metric"] == metric) & (table["a"] == a) & (table["b"] == b)] \
            if not table.empty else table
        if len(hit):
            h = hit.iloc[0]
            row.update({"cold": h["mean_a"], label: h["delta"],
                        f"{label} 95% CI": f"[{h['ci_low']:.3g}, {h['ci_high']:.3g}]",
                        f"{label} p": h["p_value"]})
    return row


def run_demo(*, model: str | None = None, repeats: int = 3, runs_dir: str = "runs",
             agents: list[str] | None = None, quiet: bool = False) -> int:
    """Run the agents' experiments, print a summary, write the HTML report."""
    chosen = [a for a in (agents or AGENTS) if a in TASKS]
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    root = Path(runs_dir) / f"demo-{stamp}"
    root.mkdir(parents=True, exist_ok=True)
    sections, rows, labels = [], [], set()
    started = time.perf_counter()
    for name in chosen:
        task = make_task(name)
        if not quiet:
            print(f"== {name}: {getattr(task, 'TITLE', '')}", flush=True)
        record = run_experiment(task, model=model, repeats=repeats, runs_dir=root,
                                progress=not quiet)
        labels.add(record.label)
        sections.append(agent_section(name, task, record))
        rows.append(headline_row(name, task, record))
    summary = pd.DataFrame(rows)
    elapsed = time.perf_counter() - started
    versions = package_versions()
    path = write_report(
        root / "report.html", title="Learning Workbench — does the agent get better with use?",
        model_label=", ".join(sorted(labels)), sections=sections, summary=summary,
        meta={"repeats": str(repeats), "agents": ", ".join(chosen),
              "runtime": f"{elapsed:.0f} s",
              "versions": ", ".join(f"{k} {v}" for k, v in versions.items())})
    print()
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print(f"\nreport: {path}  ({elapsed:.0f} s)")
    return 0
