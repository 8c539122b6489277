"""The agents' experiments by name, imported lazily so the CLI starts fast."""

from __future__ import annotations

import importlib
from typing import Any

from workbench.errors import ConfigError
from workbench.eval.record import RunRecord
from workbench.eval.task import EvalTask

TASKS = {
    "dash": "workbench.agents.dash.experiment:DashTask",
    "contacts": "workbench.agents.contacts.experiment:ContactsTask",
    "pal": "workbench.agents.pal.experiment:PalTask",
    "investment": "workbench.agents.investment.experiment:InvestmentTask",
}


def task_class(name: str) -> type:
    if name not in TASKS:
        raise ConfigError(f"unknown experiment {name!r}; choose from {', '.join(TASKS)}")
    module, _, attr = TASKS[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def make_task(name: str, **options: Any) -> EvalTask:
    """Build an agent's experiment with its knobs (e.g. ``context_level`` for Dash)."""
    return task_class(name)(**options)


def task_tables(task: Any, record: RunRecord) -> list[tuple[str, Any]]:
    """A task's own extra tables (``report_tables(record)``), if it defines them."""
    make = getattr(task, "report_tables", None)
    return list(make(record)) if callable(make) else []


def report_task_run(task: EvalTask, record: RunRecord) -> None:
    """Print the headline comparison of a finished run and save its figures."""
    from workbench.eval.summary import summary_table, write_figures

    name = task.name
    table = summary_table(record, task)
    print(f"\n{name}: {record.label} — {record.config['repeats']} repeats — {record.path}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    for caption, extra in task_tables(task, record):
        print(f"\n{caption}")
        print(extra.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    for path in write_figures(record, task):
        print(f"figure: {path}")
