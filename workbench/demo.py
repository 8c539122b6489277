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

    own_tables = task_tables(task, record)
    section.tables.extend(own_tables)
    if not record.phases.empty and not own_tables:
        section.tables.append(("Store-level metrics after each phase", record.phases))
    section.add_figure("Phase means with 95% CIs",
                       phase_bars(samples, metrics[:4], model_label=record.label))
    section.add_figure("Learning curve", learning_curve(samples, metrics[0],
                                                        model_label=record.label))
    shown = [p for p in dict.fromkeys(roles(task).values()) if p in set(samples["phase"])]
    extra = getattr(task, "report_figures", None)
    if ("group" in samples and samples["group"].nunique() > 1 and len(shown) > 1
            and not callable(extra)):
        section.add_figure(f"{metrics[0]} per group, {' vs '.join(shown)}",
                           group_bars(samples, metrics[0], model_label=record.label,
                                      phases=shown))
    if callable(extra):
        for caption, fig in extra(record):
            section.add_figure(caption, fig)
    section.notes.append(f"{record.config['repeats']} repeats; run folder: {record.path}")
    return section


def headline_row(name: str, task: Any, record: RunRecord) -> dict[str, Any]:
    """One line per agent: the gain metric without memory, with memory, and the control."""
    table = summary_table(record, task)
    metric = getattr(task, "GAIN_METRIC", getattr(task, "HEADLINE", ["tool_calls"])[0])
    role = roles(task)
    row: dict[str, Any] = {"agent": name, "metric": metric, "model": record.label}

    def pair(a: str | None, b: str | None):
        if table.empty or not a or not b:
            return None
        hit = table[(table["metric"] == metric) & (table["a"] == a) & (table["b"] == b)]
        return hit.iloc[0] if len(hit) else None

    learned = pair(role["cold"], role["warm"])
    if learned is not None:
        row.update({"no memory": learned["mean_a"], "with memory": learned["mean_b"],
                    "delta": learned["delta"],
                    "95% CI": f"[{learned['ci_low']:.3g}, {learned['ci_high']:.3g}]",
                    "p": learned["p_value"], "n": int(learned["n_questions"])})
    control = pair(role["cold"], role["control"]) if role["control"] != role["cold"] else None
    if control is not None:
        row.update({"wiped control": control["mean_b"], "control vs no memory p":
                    control["p_value"]})
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
