"""The learning-over-time harness, reused by every agent.

    from workbench.eval import run_experiment, load_run, compare
    record = run_experiment(task, model="offline", repeats=3)
    compare(record.samples, ["sql_attempts"], [("cold", "warm"), ("cold", "control")])
"""

from workbench.eval.record import RunRecord, load_run, load_runs
from workbench.eval.runner import run_experiment
from workbench.eval.stats import bootstrap_ci, compare, paired_delta, summarize
from workbench.eval.task import EvalItem, EvalTask, Phase, RepeatContext, TaskHooks

__all__ = ["EvalItem", "EvalTask", "Phase", "RepeatContext", "TaskHooks", "RunRecord",
           "run_experiment", "load_run", "load_runs", "bootstrap_ci", "compare", "paired_delta",
           "summarize"]
