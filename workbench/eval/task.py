"""What an experiment is: a task (agent + items + scoring) run through phases of memory.

The learning-over-time protocol is a list of :class:`Phase` objects. Each phase runs items
(questions, conversation turns, meetings) against a memory state:

* ``fresh`` — a new, empty memory (the cold start);
* ``keep`` — the memory as the previous phases left it (warm);
* ``empty`` — a separate, empty memory; the main memory is untouched (the wiped control);
* ``decay`` / ``poison`` — keep, after the task crowds the store with unrelated learnings or
  plants a wrong one.

Every item runs in a fresh session, so chat history never carries knowledge between items:
whatever improves was learned into memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from workbench.agent import Agent, RunResult
    from workbench.learn import LearningMachine
    from workbench.models import Model, Policy

MemoryAction = Literal["fresh", "keep", "empty", "decay", "poison"]


@dataclass(frozen=True)
class EvalItem:
    """One thing to run: a question, a turn, a meeting.

    ``pair_key`` links items across phases for paired statistics (a warm paraphrase pairs
    with its cold question); ``group`` is what per-group plots break down by (a gotcha
    family, a probe category).
    """

    id: str
    input: str
    pair_key: str = ""
    group: str = ""
    user_id: str | None = "user-1"
    session_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Phase:
    """A named block of items run against one memory state."""

    name: str
    items: Sequence[EvalItem]
    memory: MemoryAction = "keep"
    shuffle: bool = False
    probe: bool = True


@dataclass
class RepeatContext:
    """Where one repeat runs: its index and seed, its folder, its model."""

    repeat: int
    seed: int
    run_dir: Path
    model: Model
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def memory_dir(self) -> Path:
        return self.run_dir / "memory" / f"r{self.repeat}"


@runtime_checkable
class EvalTask(Protocol):
    """An agent's experiment. The harness calls these; the task owns the domain."""

    name: str

    def describe(self) -> dict[str, Any]:
        """Config for the run record (dataset hash, knobs)."""
        ...

    def phases(self) -> list[Phase]:
        ...

    def offline_policies(self) -> Sequence[Policy]:
        """Policies for the offline model (first in its chain)."""
        ...

    def make_machine(self, rc: RepeatContext, label: str) -> LearningMachine:
        """A memory for this repeat in ``rc.memory_dir / label`` (main or control)."""
        ...

    def make_agent(self, rc: RepeatContext, machine: LearningMachine) -> Agent:
        ...

    def score(self, item: EvalItem, result: RunResult, rc: RepeatContext,
              agent: Agent) -> dict[str, Any]:
        """Domain metrics of one item's run."""
        ...


class TaskHooks:
    """Optional task hooks with harmless defaults; tasks inherit and override."""

    def start_repeat(self, rc: RepeatContext) -> None:
        """Reset any per-repeat bookkeeping (a task instance may run many times)."""

    def before_item(self, item: EvalItem, rc: RepeatContext, machine: LearningMachine) -> None:
        """E.g. set the simulated clock to the item's date."""

    def after_phase(self, phase: Phase, rc: RepeatContext,
                    machine: LearningMachine) -> dict[str, Any] | None:
        """Store-level metrics after a phase (e.g. graph F1); recorded in phases.jsonl."""
        return None

    def decay(self, machine: LearningMachine, rc: RepeatContext) -> None:
        """Crowd the store with unrelated learnings."""

    def poison(self, machine: LearningMachine, rc: RepeatContext) -> None:
        """Plant a wrong learning."""
