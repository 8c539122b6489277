"""The Contacts experiment: does the entity graph grow right, and do answers improve with it?

Protocol (defaults in ``evals/contacts.json``):

- **teach** phases feed the user's script turn by turn, in its sessions (chat history is kept
  within a session), with the simulated clock set to each session's date. A teach phase ends at
  every session boundary and at every learning-curve point N, and the store-level metrics
  (entity / fact / relationship / event F1, supersession, profile and goal accuracy) are
  recorded after it in ``phases.jsonl`` — against the gold graph *so far* and the *final* one;
- **probe-N** phases (N on the learning curve) ask the probes answerable after N turns, each in
  a fresh session, memory kept; the last one (after the whole script) is called ``warm``;
- **control** asks every probe against a separate, empty memory (the wiped-store control). An
  empty store is the same at every N, so the control curve reads this one phase at each N.

Behaviour metrics per probe: ``correct``, ``hallucinated`` (absence probes), ``nothing_known``,
tool calls and tokens (from the harness). :mod:`.report` turns a run into tables and plots.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.agents.contacts.adapter import snapshot_from_machine
from workbench.agents.contacts.agent import build_agent, learning_stores
from workbench.agents.contacts.data import (
    Probe,
    Turn,
    contacts_dir,
    load_probes,
    load_script,
    load_world,
)
from workbench.agents.contacts.policy import contacts_policy
from workbench.agents.contacts.scoring import score_all, score_probe
from workbench.eval import EvalItem, Phase, RepeatContext, TaskHooks
from workbench.eval.memory import experiment_machine

if TYPE_CHECKING:
    from workbench.agent import Agent, RunResult
    from workbench.learn import LearningMachine

DEFAULTS: dict[str, Any] = {"curve": [5, 10, 20, 40], "user_id": "user-1",
                            "probe_set": "available", "store_metrics_after_sessions": True}
STORE_KEYS = ("entity_precision", "entity_recall", "entity_f1", "duplicate_entity_rate",
              "fact_precision", "fact_recall", "fact_f1", "relation_precision",
              "relation_recall", "relation_f1", "event_precision", "event_recall", "event_f1",
              "event_date_accuracy", "supersession_accuracy", "supersession_n",
              "profile_accuracy", "goal_accuracy", "plan_step_accuracy")
WRITE_TOOLS = ("create_entity", "add_fact", "add_relationship", "add_event", "update_entity",
               "forget")


def evals_path() -> Path:
    """``evals/contacts.json`` beside the datasets folder."""
    return contacts_dir().parents[1] / "evals" / "contacts.json"


def load_defaults(path: str | Path | None = None) -> dict[str, Any]:
    """Task defaults: built-in values overlaid with ``evals/contacts.json`` (if present)."""
    config = dict(DEFAULTS)
    file = Path(path) if path else evals_path()
    if file.exists():
        raw = json.loads(file.read_text())
        config.update(raw.get("task", {}))
        config["options"] = dict(raw.get("options", {}))
    return config


def turn_time(turn: Turn) -> str:
    """The simulated moment a turn is said: its session's date, ten minutes per turn from 9:00."""
    minutes = 10 * (turn.turn_in_session - 1)
    return f"{turn.date}T{9 + minutes // 60:02d}:{minutes % 60:02d}:00Z"


def after_turns(turns: Sequence[Turn], upto: int) -> str:
    """A moment after turn ``upto`` and before the next one (for probes and as-of views)."""
    last = next(t for t in reversed(turns) if t.turn <= upto) if upto else turns[0]
    return f"{last.date}T20:00:00Z" if upto else f"{turns[0].date}T08:00:00Z"


@dataclass(frozen=True)
class Stamp:
    """When a turn's writes were done: read the graph ``as_of`` this to see it after the turn."""

    turn: int
    session: int
    date: str
    as_of: str


def teach(agent: Agent, machine: LearningMachine, turns: Iterable[Turn], *,
          user_id: str = "user-1", on_turn: Callable[[Turn, RunResult], None] | None = None
          ) -> list[Stamp]:
    """Run script turns through the agent (one chat session per script session) with the clock
    set to each turn's time; returns the timeline of as-of stamps for the explorer slider."""
    stamps = []
    settable = hasattr(machine.clock, "set")   # a SteppingClock; a wall clock just runs on
    for turn in turns:
        if settable:
            machine.clock.set(turn_time(turn))  # type: ignore[attr-defined]
        result = agent.run(turn.text, user_id=user_id, session_id=f"s{turn.session}",
                           run_id=f"turn-{turn.turn}")
        machine.flush()
        current = getattr(machine.clock, "current", None)
        stamps.append(Stamp(turn.turn, turn.session, turn.date,
                            current.strftime("%Y-%m-%dT%H:%M:%SZ") if current else turn_time(turn)))
        if on_turn is not None:
            on_turn(turn, result)
    return stamps


class ContactsTask(TaskHooks):
    """``workbench eval contacts``: graph quality and probe accuracy over turns, vs. a wiped
    control. ``curve`` overrides the learning-curve points; ``probes`` limits the probe set
    (ids); ``turns`` limits the script (for quick slices)."""

    name = "contacts"
    TITLE = "a mini CRM in conversation"
    DESCRIPTION = ("Entity-graph F1 against the gold graph and probe accuracy after N turns of "
                   "the user's script, against a wiped-store control.")
    HEADLINE = ["correct", "hallucinated", "tool_calls", "tokens_in"]
    GAIN_METRIC = "correct"
    GAIN_DIRECTION = "higher"
    STORES = ("user_profile", "entity_memory", "session_context")
    PAIRS = [("control", "warm"), ("probe-05", "warm"), ("probe-20", "warm")]
    #: There is no separate cold phase: the wiped-store control is the no-memory baseline.
    ROLES = {"cold": "control", "warm": "warm", "control": "control"}

    def __init__(self, *, curve: Sequence[int] | None = None, probes: Sequence[str] | None = None,
                 turns: int | None = None, config: str | Path | None = None,
                 options: dict[str, Any] | None = None) -> None:
        self.config = load_defaults(config)
        #: memory options (embedder, k, modes, ...) under the run's own ``options``
        self.options = {**self.config.get("options", {}), **(options or {})}
        self.script = [t for t in load_script() if turns is None or t.turn <= turns]
        self.last_turn = self.script[-1].turn
        self.curve = sorted({n for n in (curve or self.config["curve"]) if n < self.last_turn})
        self.probes = [p for p in load_probes() if probes is None or p.id in set(probes)]
        self.world = load_world()
        self.user_id = str(self.config.get("user_id", "user-1"))
        self._by_turn = {t.turn: t for t in self.script}
        self._probe_by_id = {p.id: p for p in self.probes}

    # -- what the harness asks ---------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        from workbench.eval.record import hash_paths

        return {"dataset": "datasets/contacts", "dataset_hash": hash_paths(contacts_dir()),
                "turns": len(self.script), "probes": len(self.probes), "curve": self.curve,
                "memory_options": self.options,
                "probe_set": self.config["probe_set"],
                "control": "one wiped-store phase with every probe; an empty store is the same "
                           "at every N, so the control curve reads it at each N"}

    def offline_policies(self) -> list:
        return [contacts_policy]

    def _probe_items(self, upto: int | None) -> list[EvalItem]:
        chosen = [p for p in self.probes if upto is None or self.config["probe_set"] == "all"
                  or p.available_after_turn <= upto]
        return [EvalItem(p.id, p.question, pair_key=p.id, group=p.category,
                         user_id=self.user_id, meta={"upto": upto if upto is not None
                                                     else self.last_turn}) for p in chosen]

    def phases(self) -> list[Phase]:
        ends = {t.turn for t in self.script if t.turn == self.last_turn or
                self._by_turn.get(t.turn + 1, t).session != t.session}
        bounds = sorted(set(self.curve) | (ends if self.config["store_metrics_after_sessions"]
                                           else set()) | {self.last_turn})
        phases, start = [], 0
        for bound in bounds:
            turns = [t for t in self.script if start < t.turn <= bound]
            items = [EvalItem(f"t{t.turn:02d}", t.text, pair_key=f"t{t.turn:02d}", group="teach",
                              user_id=self.user_id, session_id=f"s{t.session}",
                              meta={"turn": t.turn}) for t in turns]
            phases.append(Phase(f"teach-{bound:02d}", items,
                                memory="fresh" if not phases else "keep", probe=False))
            if bound in self.curve:
                phases.append(Phase(f"probe-{bound:02d}", self._probe_items(bound)))
            start = bound
        phases.append(Phase("warm", self._probe_items(self.last_turn)))
        phases.append(Phase("control", self._probe_items(None), memory="empty"))
        return phases

    def make_machine(self, rc: RepeatContext, label: str) -> LearningMachine:
        merged = replace(rc, options={**self.options, **rc.options})
        return experiment_machine(merged, label, **learning_stores())

    def make_agent(self, rc: RepeatContext, machine: LearningMachine) -> Agent:
        return build_agent(rc.model, machine)

    # -- hooks -----------------------------------------------------------------------------

    def before_item(self, item: EvalItem, rc: RepeatContext, machine: LearningMachine) -> None:
        if "turn" in item.meta:
            moment = turn_time(self._by_turn[item.meta["turn"]])
        else:
            moment = after_turns(self.script, int(item.meta["upto"]))
        machine.clock.set(moment)  # type: ignore[attr-defined]

    def score(self, item: EvalItem, result: RunResult, rc: RepeatContext,
              agent: Agent) -> dict[str, Any]:
        if "turn" in item.meta:
            writes = [c for c in result.tool_calls if c.name in WRITE_TOOLS]
            return {"turn": item.meta["turn"], "writes": len(writes),
                    "write_errors": sum(1 for c in writes if c.error)}
        probe: Probe = self._probe_by_id[item.id]
        outcome = score_probe(probe, result.text)
        absence = probe.category == "absence"
        return {"correct": int(outcome.correct),
                "hallucinated": int(outcome.hallucinated) if absence else None,
                "nothing_known": int(outcome.nothing_known), "category": probe.category,
                "available_after_turn": probe.available_after_turn,
                "upto_turn": item.meta["upto"],
                "searches": len(result.calls("search_entities")) + len(
                    result.calls("get_entity"))}

    def after_phase(self, phase: Phase, rc: RepeatContext,
                    machine: LearningMachine) -> dict[str, Any] | None:
        if phase.probe and phase.name != "control":
            return None
        upto = self.last_turn if phase.name == "control" else int(phase.name.split("-")[1])
        snap = snapshot_from_machine(machine, user_id=self.user_id)
        now = score_all(snap, self.world, upto_turn=upto)
        final = score_all(snap, self.world, upto_turn=None)
        row: dict[str, Any] = {"upto_turn": upto,
                               "as_of": after_turns(self.script, upto)}
        row.update({k: now[k] for k in STORE_KEYS})
        row.update({f"final_{k}": final[k] for k in ("entity_recall", "entity_f1",
                                                     "fact_recall", "fact_f1",
                                                     "relation_recall", "relation_f1",
                                                     "event_recall", "event_f1")})
        row["graph_f1"] = _mean(now[k] for k in ("entity_f1", "fact_f1", "relation_f1",
                                                 "event_f1"))
        row["final_graph_f1"] = _mean(final[f] for f in ("entity_f1", "fact_f1",
                                                         "relation_f1", "event_f1"))
        return row


    # -- report hooks (used by ``workbench eval`` and the demo report) ------------------------

    def report_tables(self, record: Any) -> list[tuple[str, Any]]:
        """Learning curve, per-category accuracy and store metrics after each session."""
        from workbench.agents.contacts.report import category_frame, curve_frame, store_frame

        curve = curve_frame(record)[["turns", "probes_asked", "accuracy", "control_accuracy",
                                     "coverage", "control_coverage", "hallucination_rate",
                                     "tool_calls", "graph_f1", "final_graph_f1",
                                     "supersession_accuracy"]]
        stores = store_frame(record)
        cols = ["phase", "entity_f1", "fact_f1", "relation_f1", "event_f1",
                "event_date_accuracy", "supersession_accuracy", "duplicate_entity_rate",
                "profile_accuracy", "goal_accuracy", "plan_step_accuracy"]
        return [("Learning curve (probes answerable after N turns; coverage = share of all "
                 "probes)", curve),
                ("Probe accuracy per category, warm vs. wiped control", category_frame(record)),
                ("Store metrics after each teach phase", stores[[c for c in cols
                                                                  if c in stores]])]

    def report_figures(self, record: Any) -> list[tuple[str, Any]]:
        from workbench.agents.contacts.report import plot_learning_curve

        return [("Learning curve against the wiped-store control", plot_learning_curve(record))]


def _mean(values: Iterable[Any]) -> float:
    vals = [float(v) for v in values if v is not None and v == v]
    return sum(vals) / len(vals) if vals else float("nan")
