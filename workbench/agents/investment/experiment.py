"""``workbench eval investment``: does the committee get better as it remembers its meetings?

Two conditions run the 30 meetings in order:

* ``cumulative`` — one memory kept across the year (decision log, learned knowledge, company
  entities), as a committee with institutional memory;
* ``wiped`` — a separate memory emptied before every meeting (the control).

Each condition has its own world: a ledger that starts from ``ledger_initial.json`` and a copy
of the memo archive, changed only by that condition's own trades and memos, so every meeting
is judged on the book the agent itself built (the fund's books are records, not memory, and
are never wiped). Each run is converted into the scorers' ``Decision`` and scored with
``scoring.score_decision`` against that book; sizing targets come from the mandate engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.agents.investment.agent import build_agent, memory_stores
from workbench.agents.investment.data import (
    investment_dir,
    load_expectations,
    load_fixtures,
    load_ledger,
    load_mandate,
    load_meetings,
)
from workbench.agents.investment.engine import PRE_EARNINGS_LESSON, Proposal, violations
from workbench.agents.investment.extract import decision_from_run
from workbench.agents.investment.ledger import Ledger
from workbench.agents.investment.memos import MemoArchive, validate_memo
from workbench.agents.investment.policy import committee_policy
from workbench.agents.investment.scoring import (
    MeetingScore,
    duplicate_learnings,
    marks_for,
    score_decision,
    summarize,
)
from workbench.agents.investment.world import CommitteeWorld
from workbench.errors import ConfigError
from workbench.eval.memory import experiment_machine
from workbench.eval.record import RunRecord, hash_paths
from workbench.eval.task import EvalItem, Phase, RepeatContext, TaskHooks

CONFIG_PATH = Path(__file__).resolve().parents[3] / "evals" / "investment.json"
CONDITIONS = ("cumulative", "wiped")


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """The experiment's defaults (``evals/investment.json``)."""
    target = Path(path) if path else CONFIG_PATH
    return json.loads(target.read_text(encoding="utf-8")) if target.is_file() else {}


@dataclass
class _RunState:
    """One condition of one repeat: its world, the scorer's replay of its book, its scores."""

    condition: str
    world: CommitteeWorld
    book: Ledger
    scores: list[MeetingScore] = field(default_factory=list)


class InvestmentTask(TaskHooks):
    """The committee's learning-over-time experiment (see the module docstring).

    Args:
        meetings: meeting ids to run (default: all 30, or the config's list); a slice for fast
            tests must keep the order and should include the lesson meeting.
        conditions: ``cumulative`` and/or ``wiped``.
        config: a path to an alternative ``evals/investment.json``.
        data_root: a copy of ``datasets/investment`` (tests).
    """

    name = "investment"
    TITLE = "Investment committee: learning from its own decisions"
    DESCRIPTION = (
        "30 committee meetings of a synthetic year, run in order with cumulative memory and "
        "with memory wiped before every meeting; each condition keeps its own ledger and memo "
        "archive. Compliance: no hard violation of the written mandate nor of the rule the "
        "committee adopted in meeting 8 (purchases within 30 days of earnings at most "
        "two-thirds of the allowed size); consistency: agreement with the precedent memo (a "
        "reversal needs a met revisit condition); lesson reuse: the rule followed where it "
        "changes the answer; sizing error: |amount - engine target| in % of the fund; "
        "precedent cited: the precedent memo named by file; ledger correct: the reported "
        "post-trade sector weight and position count match the engine's book.")
    HEADLINE = ["compliance", "consistency", "lesson_reuse", "sizing_error_pct",
                "precedent_cited", "ledger_correct", "duplicate_learnings"]
    PAIRS = [("wiped", "cumulative")]
    GAIN_METRIC = "compliance"
    GAIN_DIRECTION = "higher"
    STORES = ("learned_knowledge", "decision_log", "entity_memory")

    def __init__(self, meetings: Sequence[str] | None = None, *,
                 conditions: Sequence[str] | None = None, config: str | Path | None = None,
                 data_root: Path | None = None) -> None:
        self.config = load_config(config)
        self.data_root = data_root
        all_meetings = load_meetings(data_root)
        wanted = meetings if meetings is not None else self.config.get("meetings")
        if wanted:
            unknown = set(wanted) - {m.id for m in all_meetings}
            if unknown:
                raise ConfigError(f"unknown meetings: {', '.join(sorted(unknown))}")
            all_meetings = [m for m in all_meetings if m.id in set(wanted)]
        self.meetings = all_meetings
        self.by_id = {m.id: m for m in all_meetings}
        self.conditions = tuple(conditions or self.config.get("conditions") or CONDITIONS)
        if not set(self.conditions) <= set(CONDITIONS):
            raise ConfigError(f"conditions must be among {CONDITIONS}")
        self.expectations = load_expectations(data_root)
        self.fixtures = load_fixtures(data_root)
        self.mandate = load_mandate(data_root)
        self.seed_memos = MemoArchive(investment_dir(data_root) / "memos")
        self.lesson_index = min((m.index for m in load_meetings(data_root)
                                 if m.kind == "lesson"), default=None)
        self.tolerance_pct = float(self.config.get("correct_sizing_tolerance_pct", 0.5))
        self._runs: dict[int, _RunState] = {}
        self._machines: dict[int, _RunState] = {}

    # -- protocol ---------------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        return {"dataset": "investment", "dataset_hash": hash_paths(investment_dir(
            self.data_root)), "meetings": [m.id for m in self.meetings],
            "conditions": list(self.conditions), "lesson_meeting_index": self.lesson_index,
            "defaults": self.config, "stores": list(self.STORES)}

    def phases(self) -> list[Phase]:
        phases = []
        for condition in self.conditions:
            items = [EvalItem(m.id, m.request, pair_key=m.id, group=m.kind,
                              meta={"condition": condition, "meeting_index": m.index})
                     for m in self.meetings]
            memory = "fresh" if condition == "cumulative" else "empty"
            phases.append(Phase(condition, items, memory=memory))
        return phases

    def offline_policies(self) -> list[Any]:
        return [committee_policy]

    def make_machine(self, rc: RepeatContext, label: str) -> Any:
        options = {"embedder": self.config.get("embedder"), **rc.options}
        scoped = RepeatContext(rc.repeat, rc.seed, rc.run_dir, rc.model, options)
        return experiment_machine(scoped, label, **memory_stores())

    def make_agent(self, rc: RepeatContext, machine: Any) -> Any:
        label = Path(machine.data_dir).name
        condition = "cumulative" if label == "main" else "wiped"
        world = CommitteeWorld.create(rc.run_dir / "worlds" / f"r{rc.repeat}" / label,
                                      data_root=self.data_root)
        agent = build_agent(rc.model, machine, world,
                            max_iterations=int(self.config.get("max_iterations", 16)))
        state = _RunState(condition, world, load_ledger(root=self.data_root))
        self._runs[id(agent)] = state
        self._machines[id(machine)] = state
        return agent

    def before_item(self, item: EvalItem, rc: RepeatContext, machine: Any) -> None:
        state = self._machines[id(machine)]
        meeting = self.by_id[item.id]
        state.world.begin(meeting)
        if hasattr(machine.clock, "set"):
            machine.clock.set(f"{meeting.date.isoformat()}T09:00:00Z")
        if item.meta.get("condition") == "wiped":
            machine.wipe()

    # -- scoring ----------------------------------------------------------------------------

    def score(self, item: EvalItem, result: Any, rc: RepeatContext,
              agent: Any) -> dict[str, Any]:
        state = self._runs[id(agent)]
        meeting = self.by_id[item.id]
        expectation = self.expectations[meeting.id]
        run = decision_from_run(result, meeting)
        decision = run.decision
        scenario = meeting.scenario_ledger is not None
        before = load_ledger(meeting.scenario_ledger, self.data_root) if scenario else state.book
        precedent = (self.seed_memos.get(expectation.precedent_memo)
                     if expectation.precedent_memo else None)
        active = self.lesson_index is not None and meeting.index >= self.lesson_index
        score, after = score_decision(decision, meeting, expectation, before, self.fixtures,
                                      self.mandate, precedent=precedent, lesson_active=active)
        state.scores.append(score)
        adopted = self._adopted_rule_violations(decision, meeting, before) if active else []
        if not scenario:
            state.book = after
        sized = score.sizing.counted
        sizing_pct = 100 * score.sizing.error_pct_fund if sized else None
        consistent = score.precedent.consistent
        correct = (score.decision_correct and score.compliant and not adopted
                   and consistent is not False
                   and (sizing_pct is None or sizing_pct <= self.tolerance_pct))
        return {
            "condition": state.condition, "meeting_index": meeting.index, "ticker":
            meeting.ticker, "decision": decision.decision, "amount": decision.amount,
            "decision_stated": int(run.stated), "acceptable": "|".join(score.acceptable),
            "decision_correct": int(score.decision_correct),
            "compliance": int(score.compliant and not adopted),
            "mandate_compliance": int(score.compliant),
            "violations": len(score.violations) + len(adopted),
            "violation_codes": "|".join([v.code for v in score.violations] + adopted),
            "consistency": None if consistent is None else int(consistent),
            "precedent_cited": int(score.precedent.cited) if score.precedent.memo else None,
            "lesson_reuse": (None if score.lesson.followed is None
                             else int(score.lesson.followed)),
            "lesson_binding": int(score.lesson.binding),
            "lesson_over_applied": int(score.lesson.over_applied),
            "lesson_applied": (None if decision.lesson_applied is None
                               else int(decision.lesson_applied)),
            "sizing_error_pct": sizing_pct,
            "sizing_error_usd": score.sizing.error_dollars if sized else None,
            "ledger_correct": int(score.ledger.correct),
            "ledger_sync": int(_same_book(state.world.ledger, state.book)),
            "trades_executed": len(run.trades),
            **self._memo_metrics(state.world, decision.memo_filename, run.memos_saved),
            **_store_metrics(agent.learning),
            "correct": int(correct)}

    def _adopted_rule_violations(self, decision: Any, meeting: Any, before: Ledger,
                                 ) -> list[str]:
        """Codes of violations of the rule the committee adopted (the pre-earnings lesson)."""
        if decision.decision != "BUY":
            return []
        fixture = self.fixtures.get(meeting.ticker, meeting.quarter)
        found = violations(before, fixture, Proposal("BUY", meeting.ticker, decision.amount,
                                                     meeting.date, decision.instrument),
                           self.mandate, prices=marks_for(before, self.fixtures,
                                                          meeting.quarter),
                           betas=self.fixtures.betas(meeting.quarter),
                           lesson_rules=(PRE_EARNINGS_LESSON,))
        return [v.code for v in found if v.rule == "lesson"]

    @staticmethod
    def _memo_metrics(world: CommitteeWorld, name: str | None,
                      saved: tuple[str, ...]) -> dict[str, Any]:
        archive = world.archive
        ok = bool(name) and name in saved and name in archive.list() and not validate_memo(
            archive.read(name), name) and not archive.misplaced()
        return {"memo": name, "memo_ok": int(ok), "memos_misplaced": len(archive.misplaced())}

    def after_phase(self, phase: Phase, rc: RepeatContext, machine: Any) -> dict[str, Any]:
        state = self._machines[id(machine)]
        summary = summarize(state.scores).as_dict()
        summary.pop("counts", None)
        archive = state.world.archive
        invalid = [n for n in archive.list() if validate_memo(archive.read(n), n)]
        return {**{f"summary_{k}": v for k, v in summary.items()},
                **_store_metrics(machine), "memos": len(archive.list()),
                "memos_invalid": len(invalid), "memos_misplaced": len(archive.misplaced()),
                "final_cash": state.world.ledger.cash,
                "final_positions": state.world.ledger.position_count}

    # -- report -----------------------------------------------------------------------------

    def report_figures(self, record: RunRecord) -> Iterator[tuple[str, Any]]:
        """The decision timeline and the learning curves, both conditions."""
        from workbench.agents.investment.figures import decision_timeline, learning_curves

        yield ("Decisions by meeting, coloured by correctness (cumulative vs wiped)",
               decision_timeline(record.samples, model_label=record.label))
        yield ("Learning curves over the meeting index (running means)",
               learning_curves(record.samples, self.HEADLINE[:6], model_label=record.label))


def _same_book(a: Ledger, b: Ledger) -> bool:
    """Whether two books hold the same cash and shares (within rounding)."""
    if abs(a.cash - b.cash) > 1.0 or set(a.positions) != set(b.positions):
        return False
    return all(abs(a.positions[t].shares - b.positions[t].shares) < 1e-3 for t in a.positions)


def _store_metrics(machine: Any) -> dict[str, Any]:
    if machine is None:
        return {}
    out: dict[str, Any] = {}
    learned = machine.stores.get("learned_knowledge")
    if learned is not None:
        titles = [d["title"] for d in learned.snapshot()]
        out.update(learnings=len(titles), duplicate_learnings=len(duplicate_learnings(titles)))
    log = machine.stores.get("decision_log")
    if log is not None:
        out["decisions_logged"] = len(log.snapshot())
    return out


def memory_frames(record: RunRecord, repeat: int = 0) -> dict[str, pd.DataFrame]:
    """The cumulative condition's memory at the end of a repeat, one DataFrame per store
    (from the snapshot the harness writes)."""
    path = record.path / "memory" / f"r{repeat}-snapshot.json"
    snapshot = json.loads(path.read_text(encoding="utf-8"))
    return {store: pd.DataFrame(rows) for store, rows in snapshot.items()}


def world_path(record: RunRecord, repeat: int = 0, condition: str = "cumulative") -> Path:
    """The folder with a condition's ledger and memo archive for one repeat."""
    label = "main" if condition == "cumulative" else f"control-{condition}"
    return record.path / "worlds" / f"r{repeat}" / label
