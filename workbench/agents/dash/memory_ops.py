"""Memory operations of the Dash protocol: per-item isolation, decay and poison.

**Isolation** (on by default) makes each measurement clean:

* in the teaching phase (cold) every question runs against an *empty* learning store, and
  what it saved is collected; after the phase all collected learnings are saved into the
  store through the store's own API (so its near-duplicate handling applies). Cold therefore
  measures "no learnings" for every question, not "whatever earlier cold questions taught";
* in every probe phase (warm, control, poison, decay) each question sees the store exactly
  as the phase started: what a probe saves or revises is undone before the next one, so warm
  measures what the *cold runs* taught, and the wiped control measures "no learnings".

Without isolation the harness's plain semantics apply (learnings accumulate within phases).

**Decay** crowds the store with unrelated learnings; **poison** plants confident wrong ones.
Both are removed again after their phase, so each condition differs from warm in one thing.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from workbench.eval.task import EvalItem, Phase, RepeatContext
from workbench.learn import LearningMachine

__all__ = ["MemoryOps", "load_decay_learnings", "load_poison_learnings"]

_FIELDS = ("title", "learning", "context", "tags")


def load_decay_learnings(path: Path, count: int) -> list[dict[str, Any]]:
    """The first ``count`` unrelated learnings from a JSONL file."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return rows[:count]


def load_poison_learnings(path: Path) -> list[dict[str, Any]]:
    """The planted wrong learnings, each with the probe ``families`` it can mislead."""
    return json.loads(path.read_text(encoding="utf-8"))["learnings"]


def _store(machine: LearningMachine) -> Any:
    return machine.learned_knowledge_store


def _snapshot(store: Any) -> dict[str, dict[str, Any]]:
    return {d["id"]: copy.deepcopy(d) for d in store.all()}


class MemoryOps:
    """Isolation, decay and poison for one task instance (state is per repeat and phase)."""

    def __init__(self, *, isolate: bool, teach_phase: str = "cold",
                 decay_learnings: list[dict[str, Any]] | None = None,
                 poison_learnings: list[dict[str, Any]] | None = None) -> None:
        self.isolate = isolate
        self.teach_phase = teach_phase
        self.decay_learnings = decay_learnings or []
        self.poison_learnings = poison_learnings or []
        self._first: dict[tuple[int, str], str] = {}
        self._bank: dict[int, dict[str, dict[str, Any]]] = {}
        self._snapshots: dict[tuple[int, str], dict[str, dict[str, Any]]] = {}
        self._planted: dict[int, list[str]] = {}
        self.planted_report: dict[int, list[dict[str, Any]]] = {}

    def reset(self, repeat: int) -> None:
        """Forget a repeat's bookkeeping (a task instance may run the protocol many times)."""
        for table in (self._first, self._snapshots):
            for key in [k for k in table if k[0] == repeat]:
                del table[key]
        self._bank.pop(repeat, None)
        self._planted.pop(repeat, None)
        self.planted_report.pop(repeat, None)

    # -- isolation ---------------------------------------------------------------------------

    def before_item(self, item: EvalItem, rc: RepeatContext, machine: LearningMachine) -> None:
        store = _store(machine)
        if store is None or not self.isolate:
            return
        phase = item.meta.get("phase", "")
        key = (rc.repeat, phase)
        starting = self._first.get(key) in (None, item.id)
        if starting:
            self._first[key] = item.id  # also recognises a restarted (resumed) repeat
        if phase == self.teach_phase:
            if starting:
                self._bank[rc.repeat] = {}
            else:
                self._harvest(store, rc.repeat)
            store.clear()
        elif starting:
            self._snapshots[key] = _snapshot(store)
        else:
            self._restore(store, self._snapshots[key])

    def after_phase(self, phase: Phase, rc: RepeatContext,
                    machine: LearningMachine) -> dict[str, Any]:
        """Merge the teaching phase's learnings, undo a probe phase's writes; store metrics."""
        store = _store(machine)
        if store is None:
            return {}
        metrics: dict[str, Any] = {}
        if self.isolate and phase.name == self.teach_phase:
            self._harvest(store, rc.repeat)
            store.clear()
            bank = list(self._bank.get(rc.repeat, {}).values())
            statuses = [store.save(d["title"], d["learning"], d.get("context"), d.get("tags"),
                                   run_id=(d.get("provenance") or {}).get("run_id"),
                                   agent_id=(d.get("provenance") or {}).get("agent_id")).status
                        for d in bank]
            metrics.update(saved_by_items=len(bank),
                           merged_duplicates=statuses.count("duplicate"))
        elif self.isolate and (rc.repeat, phase.name) in self._snapshots:
            self._restore(store, self._snapshots[(rc.repeat, phase.name)])
        if phase.memory in ("decay", "poison"):
            for learning_id in self._planted.pop(rc.repeat, []):
                if store.get(learning_id) is not None:
                    store.delete(learning_id)
        all_learnings = store.all()
        metrics.update(learnings=len(all_learnings),
                       titles=sorted(d["title"] for d in all_learnings)[:60])
        return metrics

    def _harvest(self, store: Any, repeat: int) -> None:
        bank = self._bank.setdefault(repeat, {})
        for data in store.all():
            bank[data["id"]] = copy.deepcopy(data)

    def _restore(self, store: Any, snapshot: dict[str, dict[str, Any]]) -> None:
        current = {d["id"]: d for d in store.all()}
        extra = sorted(current.keys() - snapshot.keys())
        if extra:
            store.collection().delete(extra)  # one call for all of them
        for learning_id, data in snapshot.items():
            now = current.get(learning_id)
            if now is None:
                store.save(data["title"], data["learning"], data.get("context"), data.get("tags"))
            elif any(now.get(f) != data.get(f) for f in _FIELDS):
                store.update(learning_id, **{f: data.get(f) for f in _FIELDS})

    # -- decay and poison ---------------------------------------------------------------------

    def _plant(self, machine: LearningMachine, rc: RepeatContext,
               learnings: list[dict[str, Any]], kind: str) -> None:
        store = _store(machine)
        if store is None:
            return
        report = []
        for item in learnings:
            result = store.save(item["title"], item["learning"], item.get("context"),
                                item.get("tags"), run_id=f"{kind}-r{rc.repeat}")
            if result.status == "saved":
                self._planted.setdefault(rc.repeat, []).append(result.learning_id)
            report.append({"title": item["title"], "status": result.status,
                           "id": result.learning_id})
        self.planted_report[rc.repeat] = report

    def decay(self, machine: LearningMachine, rc: RepeatContext) -> None:
        """Crowd the store with unrelated learnings (removed after the phase)."""
        self._plant(machine, rc, self.decay_learnings, "decay")

    def poison(self, machine: LearningMachine, rc: RepeatContext) -> None:
        """Plant the confident wrong learnings (removed after the phase)."""
        self._plant(machine, rc, self.poison_learnings, "poison")
